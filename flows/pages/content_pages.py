"""Content > Pages (Inhoud > Pagina's): the list of text pages, the page editor, and their JSON twins.

The editor is found the way a person sees it, in either markup: the language's tab by the language's name (a
tab, a link or a button), the title by its label (the visible one: other languages' fields are hidden), and
around it the language's fields: the rich text editor (an element that is `contenteditable`) over the hidden
field holding the stored HTML, and the VISIBILITY switch by its label (a checkbox, with or without role=switch).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from playwright.async_api import Locator, Page
from pydantic import BaseModel, ConfigDict, StrictBool, StrictInt, StrictStr

from ecom_privacy.errors import UiMismatchError
from ecom_privacy.probe import ElementCheck
from flows.labels import Labels
from flows.pages.base import BackofficePage
from flows.pages.json_twin import JsonTwin, TwinUnusable, dig

#: the page editor's path as shipped (flows/labels/paths.yaml); a user's ui_overrides may move it
DEFAULT_EDITOR_PATH = "pages/{id}"
#: a page's address in the shop as the list shows it; its slug identifies the page whatever its title
_SLUG_IN_CELL = re.compile(r"/service/([^/\s]+)/?")
#: one round trip for the whole list instead of several per row
_READ_ROWS = """rows => rows.map(row => {
  const link = row.querySelector('a[href]');
  return {title: link ? link.textContent : null, href: link ? link.href : null,
          cells: Array.from(row.cells, cell => cell.innerText.trim())};
})"""
#: what a paste into the editor does: replace its content and tell its script (an `input` event)
_REPLACE_CONTENT = """(editor, html) => {
  editor.focus();
  editor.innerHTML = html;
  editor.dispatchEvent(new InputEvent('input', {bubbles: true, inputType: 'insertFromPaste'}));
}"""


def same_title(a: str, b: str) -> bool:
    """Titles match whatever their case and spacing ("Do Not Sell My Personal Information" is the same page)."""
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def editor_pattern(editor_path: str) -> re.Pattern[str]:
    """The address of a page's editor, `content/pages/{id}` in the page paths table, as a pattern of its id."""
    escaped = re.escape("/" + editor_path.strip("/")).replace(re.escape("{id}"), r"(\d+)")
    return re.compile(escaped + "/?$")


def page_id_of(url: str, editor_path: str = DEFAULT_EDITOR_PATH) -> int | None:
    match = editor_pattern(editor_path).search(urlparse(url).path)
    return int(match.group(1)) if match else None


def slug_of(cells: list[str]) -> str | None:
    """The slug in a row's cells (`/service/privacy-policy/`), or None when the list shows no address."""
    for cell in cells:
        if match := _SLUG_IN_CELL.search(cell):
            return match.group(1)
    return None


def find_rows(rows: list[PageRow], slug: str | None, title: str) -> tuple[list[PageRow], str | None]:
    """The rows with this slug; else those with this title (default language), and how they were found."""
    by_slug = [row for row in rows if slug is not None and row.slug == slug]
    if by_slug:
        return by_slug, "slug"
    by_title = [row for row in rows if same_title(row.title, title)]
    return by_title, "title" if by_title else None


@dataclass(frozen=True)
class PageRow:
    id: int
    #: the title in the shop's default language, as the list shows it
    title: str
    #: the page's editor in the backoffice (absolute), for messages a person can follow
    url: str
    visible: bool
    #: the page's address slug when the list shows it (the same in every language)
    slug: str | None = None


class PagesListPage(BackofficePage):
    path_key = "content_pages"
    twin_key = "content_pages_json"
    page_name = "Content > Pages"

    @property
    def table(self) -> Locator:
        return self.page.get_by_role("table")

    @property
    def add_link(self) -> Locator:
        return self.page.get_by_role("link", name=self.labels["content_pages.add"], exact=True)

    async def rows(self) -> list[PageRow]:
        table = await self.require(self.table, "pages table")
        visible_label, hidden_label = self.labels["content_pages.visible"], self.labels["content_pages.hidden"]
        rows = []
        for raw in await table.locator("tbody tr").evaluate_all(_READ_ROWS):
            page_id = page_id_of(raw["href"] or "", self.labels.path("page_editor"))
            if raw["title"] is None or page_id is None:
                raise self.mismatch("page title link", f"a row without a link to a page editor: {raw['cells']}")
            if visible_label in raw["cells"]:
                visible = True
            elif hidden_label in raw["cells"]:
                visible = False
            else:
                raise self.mismatch(f"visibility {visible_label!r}/{hidden_label!r}",
                                    f"row {raw['title'].strip()!r} shows {raw['cells']}")
            rows.append(PageRow(id=page_id, title=" ".join(raw["title"].split()), url=raw["href"], visible=visible,
                                slug=slug_of(raw["cells"])))
        return rows

    async def find(self, title: str) -> list[PageRow]:
        return [row for row in await self.rows() if same_title(row.title, title)]

    async def find_page(self, slug: str | None, title: str) -> tuple[list[PageRow], str | None]:
        """The page with this slug; else the pages with this title (in the default language). Returns the
        matches and how they were found (`slug`, `title`, or None for no match)."""
        return find_rows(await self.rows(), slug, title)

    async def probe_elements(self) -> list[ElementCheck]:
        # "Add page" is looked at, never followed: on a real store following it may create a page.
        table = await self.present(self.table, "pages table")
        checks = [table, await self.present(self.add_link, f"link {self.labels['content_pages.add']!r}",
                                            "content_pages.add")]
        visibility = (f"visibility {self.labels['content_pages.visible']!r}/"
                      f"{self.labels['content_pages.hidden']!r} of each row")
        if not table.found:
            return [*checks, self.unchecked(visibility, "content_pages.visible", "the pages table is missing")]
        try:
            await self.rows()
        except UiMismatchError as exc:  # a row without an editor link, or with a visibility the table lacks
            return [*checks, ElementCheck(exc.element, "missing", self.labels["content_pages.visible"],
                                          "content_pages.visible", str(exc))]
        return [*checks, ElementCheck(visibility, "found", self.labels["content_pages.visible"],
                                      "content_pages.visible")]

    async def add_page(self) -> None:
        """Click "Add page"; afterwards the page shows an empty editor."""
        await self.submit(await self.require(self.add_link, f"link {self.labels['content_pages.add']!r}"))


class PageEditorPage(BackofficePage):
    page_name = "Content > Pages > page editor"
    path_key = "page_editor"  # `{id}` in it: see `url`
    twin_key = "page_json"

    def twin_placeholders(self) -> dict[str, Any]:
        return {"id": self.page_id}

    def __init__(self, page: Page, backoffice_url: str, labels: Labels, page_id: int | None = None) -> None:
        super().__init__(page, backoffice_url, labels)
        self.page_id = page_id
        #: the fields of the language being edited; None: not chosen yet (then the visible title's)
        self.panel: Locator | None = None
        #: the shop languages whose editor tabs the probe looks for
        self.probe_languages: tuple[str, ...] = ()

    @property
    def url(self) -> str:
        return f"{self.backoffice_url}/{self.labels.path('page_editor').strip('/').replace('{id}', str(self.page_id))}"

    def language_tab(self, name: str) -> Locator:
        """A language's switch in the editor, by the language's name: a tab, or a link or button."""
        return self.page.get_by_role("tab", name=name, exact=True).or_(self.control(name))

    async def select_language(self, language: str, *, default: bool) -> None:
        """Show the fields of one shop language: click its tab when the editor has one. Without tabs (a shop with
        one language) only the default language can be edited."""
        self.panel = None
        names = self.labels.mapping("content_pages.languages")
        name = names.get(language)
        if name is None and not default:
            raise self.mismatch(f"language tab {language!r}", f"the label table has no name for language "
                                f"{language!r} under content_pages.languages")
        tab = self.language_tab(name) if name is not None else None
        if tab is not None and await tab.count():
            await tab.first.click()
        elif not default:
            raise self.mismatch(f"language tab {name!r} ({language})",
                                "the editor shows no tab for it: is this a language of the shop?")
        self.panel = await self._panel()

    async def _panel(self) -> Locator:
        """The fields around the visible title: the nearest element that also holds a text area (the content)."""
        title = await self.require(self.title_input, "title field")
        return title.locator("xpath=ancestor::*[.//textarea][1]")

    async def probe_elements(self) -> list[ElementCheck]:
        checks = []
        names = self.labels.mapping("content_pages.languages")
        if len(self.probe_languages) > 1:
            # Tabs are looked for by name, not clicked; the fields are looked for in the whole form.
            for code in self.probe_languages:
                key = f"content_pages.languages.{code}"
                if code not in names:
                    checks.append(ElementCheck(f"language tab ({code})", "missing", None, key,
                                               "the label table has no name for this language"))
                else:
                    checks.append(await self.present(self.language_tab(names[code]),
                                                     f"language tab {names[code]!r} ({code})", key))
        return [*checks,
                await self.present(self.title_input, "title field", "content_pages.title"),
                await self.present(self.page.locator("form [contenteditable='true']"), "rich text editor",
                                   "content_pages.content"),
                await self.present(self.page.locator("form textarea"), "content field (the editor's stored HTML)"),
                await self.present(self.visibility_switch, "visibility switch", "content_pages.visibility"),
                await self.save_button_check()]

    @property
    def title_input(self) -> Locator:
        # Every language's title field is labelled alike; only the language on show is visible.
        return self.page.get_by_label(self.labels["content_pages.title"], exact=True).filter(visible=True)

    async def editor(self) -> Locator:
        return (self.panel or await self._panel()).locator("[contenteditable='true']")

    async def content_field(self) -> Locator:
        # The hidden field under the rich text editor holds the HTML exactly as the backoffice stored it.
        return (self.panel or await self._panel()).locator("textarea")

    @property
    def visibility_switch(self) -> Locator:
        return self.page.get_by_label(self.labels["content_pages.visibility"], exact=True)

    @property
    def save_button(self) -> Locator:
        return self.button(self.labels["common.save"])

    async def read_title(self) -> str:
        return (await (await self.require(self.title_input, "title field")).input_value()).strip()

    async def read_html(self) -> str:
        return await (await self.require(await self.content_field(), "content field")).input_value()

    async def read_visible(self) -> bool:
        return await (await self.require(self.visibility_switch, "visibility switch")).is_checked()

    async def fill_title(self, title: str) -> None:
        await (await self.require(self.title_input, "title field")).fill(title)

    async def replace_content(self, html: str) -> None:
        self.assets.raise_if_failed(self.page_name)  # without its script the editor's content is never saved
        editor = await self.require(await self.editor(), "rich text editor")
        await editor.evaluate(_REPLACE_CONTENT, html)

    async def set_visible(self, visible: bool) -> None:
        await (await self.require(self.visibility_switch, "visibility switch")).set_checked(visible)

    async def save(self) -> int:
        """Save and wait for the confirmation; returns the id of the saved page (new pages get one here)."""
        await self.submit(await self.require(self.save_button, "Save button"), "Save")
        await self.require_saved(self.labels["content_pages.saved"])
        page_id = page_id_of(self.page.url, self.labels.path("page_editor"))
        if page_id is None:
            raise self.mismatch("page editor address", f"after saving the browser shows {self.page.url}")
        self.page_id = page_id
        return page_id


class PageTwinItem(BaseModel):
    """A page as the twins give it (strict; every name a guess: flows/labels/twins.yaml)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: StrictInt
    slug: StrictStr
    visible: StrictBool
    #: language -> title
    title: dict[StrictStr, StrictStr | None]
    #: language -> stored HTML; only in a page's own twin
    content: dict[StrictStr, StrictStr | None] | None = None


class PagesTwin(JsonTwin):
    """`pages.json` (the list) and `pages/<id>.json` (one page, with its content), both guesses by the pattern
    of the public twins."""

    def _items(self, data: Any, key: str, fields: dict[str, tuple[str, str]]) -> list[PageTwinItem]:
        table = self.table
        found = dig(data, str(table[key]))
        items = [found] if key == "item" and isinstance(found, dict) else found
        if not isinstance(items, list):
            raise TwinUnusable(f"{self.label()} has no list of pages" if key == "list" else
                               f"{self.label()} has no page", f"looked for {table[key]} (twins.{self.name}.{key})")
        return [self.pick(item, fields, PageTwinItem) for item in items]

    def _fields(self, *, content: bool) -> dict[str, tuple[str, str]]:
        fields = {"id": ("id", "page id"), "slug": ("slug", "page address (slug)"),
                  "visible": ("visible", "page visibility"), "title": ("title", "page title")}
        return {**fields, "content": ("content", "page content")} if content else fields

    def editor_url(self, page_id: int) -> str:
        path = self.labels.path("page_editor").strip("/").replace("{id}", str(page_id))
        return f"{self.backoffice_url.rstrip('/')}/{path}"

    async def rows(self, default_language: str) -> list[PageRow]:
        """The list as the pages table would show it: the default language's title, visibility, slug."""
        items = self._items(await self.fetch(), "list", self._fields(content=False))
        return [PageRow(id=item.id, title=" ".join((item.title.get(default_language) or "").split()),
                        url=self.editor_url(item.id), visible=item.visible, slug=item.slug) for item in items]

    async def page_item(self, page_id: int) -> PageTwinItem:
        twin = JsonTwin(self.page, self.backoffice_url, self.labels, self.name, "page_json")
        [item] = self._items(await twin.fetch(id=page_id), "item", self._fields(content=True))
        return item
