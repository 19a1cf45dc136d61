"""What the backoffice's rich text editor does to HTML when a page is saved.

Real editors (TinyMCE, CKEditor, Froala) never store what they were given: they sanitise and re-serialise.
The mock does the same on purpose, so a client that compares raw HTML sees "drift" forever:
- `<b>`/`<i>`/`<div>` become `<strong>`/`<em>`/`<p>`; loose text at the top level is wrapped in `<p>`;
- scripts, styles, event handlers, classes and `javascript:` links are dropped; unknown tags keep their text;
- whitespace is collapsed, every block starts on its own line, empty paragraphs disappear;
- attributes are sorted and double-quoted, `target="_blank"` links get `rel="noopener noreferrer"`;
- non-ASCII characters become named entities (`&eacute;`, `&euro;`), `<br>` becomes `<br />`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.entities import codepoint2name
from html.parser import HTMLParser

BLOCK_TAGS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote"})
INLINE_TAGS = frozenset({"strong", "em", "u", "s", "a", "span", "sub", "sup", "code"})
RENAMED = {"b": "strong", "i": "em", "div": "p", "strike": "s", "section": "p", "article": "p"}
DROPPED_WITH_CONTENT = frozenset({"script", "style", "iframe", "object", "embed", "template", "noscript"})
VOID_TAGS = frozenset({"br", "img", "hr", "input", "meta", "link", "wbr"})
ALLOWED_ATTRIBUTES = {"a": ("href", "title", "target", "rel")}
SAFE_URL = re.compile(r"^(https?:|mailto:|tel:|/|#|\.|[^:]*$)", re.IGNORECASE)
_WHITESPACE = re.compile(r"[ \t\r\n\f]+")
_EMPTY = re.compile(r"<br />|&nbsp;|\s")


@dataclass
class Element:
    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[Element | str] = field(default_factory=list)


class _TreeBuilder(HTMLParser):
    """A forgiving parser into a small tree: unclosed tags are closed, stray end tags are ignored."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#root")
        self.stack: list[Element] = [self.root]
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in DROPPED_WITH_CONTENT:
            self.skipping += 1
            return
        if self.skipping:
            return
        tag = RENAMED.get(tag, tag)
        if tag == "br":
            self.stack[-1].children.append(Element("br"))
            return
        if tag in VOID_TAGS:
            return  # images and form controls have no place in a text page
        if tag in ("p", "li", "h1", "h2", "h3", "h4", "h5", "h6"):
            self._close_open(tag)
        element = Element(tag, {name: value or "" for name, value in attrs})
        self.stack[-1].children.append(element)
        self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if RENAMED.get(tag, tag) not in VOID_TAGS and not self.skipping:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in DROPPED_WITH_CONTENT:
            self.skipping = max(0, self.skipping - 1)
            return
        if self.skipping:
            return
        tag = RENAMED.get(tag, tag)
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.stack[-1].children.append(data)

    def _close_open(self, tag: str) -> None:
        # A new paragraph or list item implicitly ends an open one, as browsers do.
        for depth in range(len(self.stack) - 1, 0, -1):
            current = self.stack[depth].tag
            if current == tag or (tag != "li" and current == "p"):
                del self.stack[depth:]
                return
            if current in ("ul", "ol", "blockquote"):
                return


def _escape_text(text: str) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return "".join(_entity(char) if ord(char) > 127 else char for char in text)


def _entity(char: str) -> str:
    name = codepoint2name.get(ord(char))
    return f"&{name};" if name else f"&#{ord(char)};"


def _escape_attribute(value: str) -> str:
    return _escape_text(value).replace('"', "&quot;")


def _clean_attributes(tag: str, attrs: dict[str, str]) -> dict[str, str]:
    allowed = ALLOWED_ATTRIBUTES.get(tag, ())
    kept = {name: value.strip() for name, value in attrs.items() if name in allowed}
    if "href" in kept and not SAFE_URL.match(kept["href"]):
        del kept["href"]
    if kept.get("target") == "_blank":
        kept["rel"] = "noopener noreferrer"
    return dict(sorted(kept.items()))


class _Serializer:
    def __init__(self) -> None:
        self.blocks: list[str] = []

    def block(self, element: Element) -> None:
        if element.tag in ("ul", "ol", "blockquote"):
            items = [child for child in element.children if isinstance(child, Element)]
            inner = _Serializer()
            wrapper = "p" if element.tag == "blockquote" else "li"
            for child in items:
                fits = child.tag in BLOCK_TAGS if wrapper == "p" else child.tag == "li"
                inner.block(child if fits else Element(wrapper, children=[child]))
            if inner.blocks:
                self.blocks.append(f"<{element.tag}>\n" + "\n".join(inner.blocks) + f"\n</{element.tag}>")
            return
        if element.tag == "li":
            nested = [c for c in element.children if isinstance(c, Element) and c.tag in ("ul", "ol")]
            inline = self.inline([c for c in element.children if c not in nested]).strip()
            inner = _Serializer()
            for child in nested:
                inner.block(child)
            body = inline + ("\n" + "\n".join(inner.blocks) if inner.blocks else "")
            if body.strip():
                self.blocks.append(f"<li>{body}</li>")
            return
        text = self.inline(element.children).strip()
        text = re.sub(r"^(<br />\s*)+|(\s*<br />)+$", "", text)
        if _EMPTY.sub("", text):  # editors drop paragraphs that hold only spaces and line breaks
            self.blocks.append(f"<{element.tag}>{text}</{element.tag}>")

    def inline(self, nodes: list[Element | str]) -> str:
        out = []
        for node in nodes:
            if isinstance(node, str):
                out.append(_escape_text(_WHITESPACE.sub(" ", node)))
            elif node.tag == "br":
                out.append("<br />")
            elif node.tag in BLOCK_TAGS:
                out.append(" " + self.inline(node.children) + " ")  # a block inside a paragraph: keep its text
            else:
                inner = self.inline(node.children)
                if node.tag not in INLINE_TAGS or node.tag == "span":
                    out.append(inner)
                    continue
                attrs = _clean_attributes(node.tag, node.attrs)
                rendered = "".join(f' {name}="{_escape_attribute(value)}"' for name, value in attrs.items())
                out.append(f"<{node.tag}{rendered}>{inner}</{node.tag}>" if inner.strip() else inner)
        return re.sub(r" {2,}", " ", "".join(out))


def clean_html(html: str) -> str:
    """The HTML the editor stores for `html`: sanitised, re-serialised, one block per line."""
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    serializer = _Serializer()
    loose: list[Element | str] = []

    def flush_loose() -> None:
        if loose:
            serializer.block(Element("p", children=list(loose)))
            loose.clear()

    for node in builder.root.children:
        if isinstance(node, Element) and node.tag in BLOCK_TAGS:
            flush_loose()
            serializer.block(node)
        else:
            loose.append(node)
    flush_loose()
    return "\n".join(serializer.blocks)
