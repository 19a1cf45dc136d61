"""The one reader of input files: strict about what YAML and JSON themselves let slip, bounded against abuse.

Every file the tool reads that a person or another process wrote goes through here: the fleet file, ui
overrides, label tables, breach facts and answers (YAML); saved plans, shard reports and manifests, run
documents (JSON, `load_json_file`); keep lists, emails files, recipient lists and .env files (text,
`read_text_file`).

`yaml.safe_load` lets a second `keep:` silently win over the first, reads an unquoted `on:` or `no:` key as a
boolean, and expands a "billion laughs" document (a few lines of nested aliases) into billions of references
that every later walk over the data pays for. Here a duplicate key and a key that is not text are errors
naming the file, the line and the key (with the quoting fix); the size of the file (a regular file, never a
FIFO that would block), its encoding, the nesting depth, the number of aliases and the size of the data once
aliases are expanded are all bounded, so a hostile or broken file fails fast with one clear line instead of
hanging or crashing with a traceback. `load_yaml_document` also returns the line of every key, so that an
error found later (by the fleet file's models) can still name its line.
"""

from __future__ import annotations

import json
import stat
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ecom_privacy.errors import ConfigError

#: a fleet file of thousands of stores is well under this; anything larger is not a hand-written file
MAX_YAML_BYTES = 5_000_000
#: the deepest nesting of mappings and lists (a fleet file needs about 6, a saved plan about 10)
MAX_DEPTH = 64
#: aliases (*name) in one document: sharing a block of vars between stores is fine, thousands of them not
MAX_ALIASES = 1_000
#: values in the document once every alias is expanded, as a walk over the loaded data would see them
MAX_EXPANDED_NODES = 1_000_000

#: a key path in a document: mapping keys and list indexes from the top
KeyPath = tuple[str | int, ...]


class YamlInputError(ConfigError):
    """An input file that cannot be used; the message names the file and, where known, the line."""


class NotTextError(YamlInputError):
    """The file is not UTF-8 text (a binary file, another encoding): a caller may say what file it expected."""


class TooDeepError(YamlInputError):
    """The document nests deeper than the tool reads (MAX_DEPTH): a guard, not a syntax error."""


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that counts depth and aliases while composing, refuses duplicate mapping keys and keys that
    YAML does not read as text (`on:` is the boolean true, `1:` a number) unless the caller keeps that
    spelling as text (`text_keys`: a deprecated key whose plain spelling must keep working)."""

    def __init__(self, stream: str, text_keys: Collection[str] = ()) -> None:
        super().__init__(stream)
        self._depth = 0
        self._aliases = 0
        self._text_keys = frozenset(text_keys)

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                mark = self.peek_event().start_mark
                raise _Refused(mark.line + 1, f"more than {MAX_ALIASES} aliases (*name); expand the "
                                              f"shared values or use fewer references")
            return super().compose_node(parent, index)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise _Refused(mark.line + 1, f"nested deeper than {MAX_DEPTH} levels")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def key_of(self, key_node: Node) -> Any:
        """The mapping key `key_node` stands for: text, or one line of error naming it and the quoting fix."""
        line = key_node.start_mark.line + 1
        if not isinstance(key_node, ScalarNode):
            raise _Refused(line, "a key that is a list or a mapping; keys must be text")
        if key_node.style is None and key_node.value in self._text_keys:
            return key_node.value
        key = self.construct_object(key_node)
        if not isinstance(key, str):
            what = "nothing (null)" if key is None else f"the {_yaml_type(key)} {key!r}"
            raise _Refused(line, f"key {key_node.value!r} is read by YAML as {what}, not as text; quote it: "
                                 f"'{key_node.value}':")
        return key

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            if isinstance(key_node, ScalarNode) and key_node.tag == "tag:yaml.org,2002:merge":
                continue  # `<<: *defaults` merges are meant to be overridden by the keys beside them
            key = self.key_of(key_node)
            line = key_node.start_mark.line + 1
            if key in seen:
                raise _Refused(line, f"duplicate key {key!r} (first at line {seen[key]}); YAML would silently "
                                     f"keep only the last one: merge the two or remove one")
            seen[key] = line
        mapping = super().construct_mapping(node, deep=deep)
        # The keys kept as text (a deprecated plain `on:`) were constructed as booleans by the base class.
        for key_node, _ in node.value:
            if isinstance(key_node, ScalarNode) and key_node.style is None and key_node.value in self._text_keys:
                constructed = self.construct_object(key_node)
                if constructed != key_node.value and constructed in mapping:
                    mapping[key_node.value] = mapping.pop(constructed)
        return mapping


def _yaml_type(value: Any) -> str:
    return {bool: "boolean", int: "number", float: "number"}.get(type(value), type(value).__name__)


class _Refused(Exception):
    def __init__(self, line: int, problem: str) -> None:
        super().__init__(problem)
        self.line = line
        self.problem = problem


def _expanded_size(root: Node) -> int:
    """How many values a walk over the loaded data visits, aliases expanded (memoised per shared node)."""
    sizes: dict[int, int] = {}

    def size(node: Node) -> int:
        known = sizes.get(id(node))
        if known is not None:
            return known
        sizes[id(node)] = 1  # a recursive alias counts once here; the loader's own check refuses cycles later
        total = 1
        if isinstance(node, SequenceNode):
            total += sum(size(child) for child in node.value)
        elif isinstance(node, MappingNode):
            total += sum(size(key) + size(value) for key, value in node.value)
        total = min(total, MAX_EXPANDED_NODES + 1)
        sizes[id(node)] = total
        return total

    return size(root)


def _key_lines(root: Node) -> dict[KeyPath, int]:
    """The line of every key and list item reachable without following an alias twice."""
    lines: dict[KeyPath, int] = {}
    seen: set[int] = set()
    stack: list[tuple[Node, KeyPath]] = [(root, ())]
    while stack:
        node, path = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, MappingNode):
            for key_node, value in node.value:
                if isinstance(key_node, ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
                    here = (*path, key_node.value)
                    lines.setdefault(here, key_node.start_mark.line + 1)
                    stack.append((value, here))
        elif isinstance(node, SequenceNode):
            for index, item in enumerate(node.value):
                here = (*path, index)
                lines.setdefault(here, item.start_mark.line + 1)
                stack.append((item, here))
    return lines


def read_text_file(path: Path, what: str, max_bytes: int | None = None) -> str:
    """A UTF-8 text file of bounded size, or one ConfigError naming it and what to do."""
    max_bytes = max_bytes or MAX_YAML_BYTES
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise YamlInputError(f"{path}: {what} is a directory, not a file")
        if not stat.S_ISREG(info.st_mode):  # a FIFO or a device would block or never end
            raise YamlInputError(f"{path}: {what} is not a regular file (a pipe or a device); pass a file")
        if info.st_size > max_bytes:
            raise YamlInputError(f"{path}: {what} is {info.st_size} bytes, more than the limit of {max_bytes}; "
                                 f"check that this is the right file")
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise YamlInputError(f"{path}: {what} not found") from exc
    except IsADirectoryError as exc:
        raise YamlInputError(f"{path}: {what} is a directory, not a file") from exc
    except OSError as exc:
        raise YamlInputError(f"{path}: {what} cannot be read: {exc.strerror}") from exc
    if len(data) > max_bytes:  # grew between stat and read
        raise YamlInputError(f"{path}: {what} is more than the limit of {max_bytes} bytes")
    try:
        text = data.decode("utf-8-sig")  # -sig: an editor's byte-order mark is not content
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise NotTextError(f"{path}, line {line}: {what} is not UTF-8 text (byte 0x{data[exc.start]:02x}); "
                             f"save it as UTF-8") from exc
    if "\x00" in text:
        raise NotTextError(f"{path}: {what} is a binary file, not text; check the path")
    return text


@dataclass(frozen=True)
class YamlDocument:
    """A loaded document and the line of each of its keys (`KeyPath` -> line), for errors found later."""

    data: Any
    source: str
    lines: dict[KeyPath, int] = field(default_factory=dict)

    def line_of(self, path: KeyPath) -> int | None:
        """The line of `path`, or of its nearest ancestor that has one."""
        for end in range(len(path), 0, -1):
            line = self.lines.get(tuple(path[:end]))
            if line is not None:
                return line
        return None

    def where(self, path: KeyPath) -> str:
        """`file, line N` for `path` (just the file when no line is known)."""
        line = self.line_of(path)
        return f"{self.source}, line {line}" if line is not None else self.source


def load_yaml_file(path: Path, what: str = "YAML file", text_keys: Collection[str] = ()) -> Any:
    """Parse `path` strictly (see the module docstring); every problem is one YamlInputError line."""
    return load_yaml_text(read_text_file(path, what), str(path), text_keys)


def load_yaml_document(path: Path, what: str = "YAML file", text_keys: Collection[str] = ()) -> YamlDocument:
    """`load_yaml_file`, with the line of every key."""
    return _load(read_text_file(path, what), str(path), text_keys, with_lines=True)


def load_yaml_text(text: str, source: str, text_keys: Collection[str] = ()) -> Any:
    return _load(text, source, text_keys, with_lines=False).data


def _load(text: str, source: str, text_keys: Collection[str], with_lines: bool) -> YamlDocument:
    loader = _StrictLoader(text, text_keys)
    try:
        root = loader.get_single_node()
        if root is None:
            return YamlDocument(None, source)
        if _expanded_size(root) > MAX_EXPANDED_NODES:
            raise YamlInputError(f"{source}: more than {MAX_EXPANDED_NODES} values once aliases are expanded "
                                 f"(an alias bomb?); write the values out or share fewer of them")
        data = loader.construct_document(root)
        return YamlDocument(data, source, _key_lines(root) if with_lines else {})
    except _Refused as exc:
        raise YamlInputError(f"{source}, line {exc.line}: {exc.problem}") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f", line {mark.line + 1}" if mark is not None else ""
        problem = " ".join(str(exc.problem or exc.context or "invalid YAML").split())
        raise YamlInputError(f"{source}{where}: not valid YAML: {problem}") from None
    except yaml.YAMLError as exc:
        raise YamlInputError(f"{source}: not valid YAML: {' '.join(str(exc).split())}") from None
    except RecursionError:
        raise YamlInputError(f"{source}: nested too deeply to read") from None
    finally:
        loader.dispose()


# -- JSON: saved plans, shard reports and manifests, run documents ------------------------------------------

def _no_duplicates(source: str) -> Any:
    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        mapping: dict[str, Any] = {}
        for key, value in items:
            if key in mapping:
                raise YamlInputError(f"{source}: duplicate key {key!r} in one object; a reader would silently keep "
                                     f"only the last one: the file was not written by this tool as it is")
            mapping[key] = value
        return mapping

    return pairs


def _json_depth_exceeds(value: Any, limit: int) -> bool:
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list):
            if depth > limit:
                return True
            stack.extend((child, depth + 1) for child in (node.values() if isinstance(node, dict) else node))
    return False


def load_json_text(text: str, source: str, what: str = "JSON file") -> Any:
    """`text` parsed strictly: duplicate keys, nesting deeper than MAX_DEPTH and invalid JSON are one line."""
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicates(source))
    except json.JSONDecodeError as exc:
        raise YamlInputError(f"{source}, line {exc.lineno}: {what} is not valid JSON: {exc.msg}") from None
    except RecursionError:
        raise TooDeepError(f"{source}: {what} is nested too deeply to read") from None
    if _json_depth_exceeds(data, MAX_DEPTH):
        raise TooDeepError(f"{source}: {what} is nested deeper than {MAX_DEPTH} levels")
    return data


def load_json_file(path: Path, what: str = "JSON file", max_bytes: int | None = None) -> Any:
    """A JSON file through the same checks as YAML: size, regular file, UTF-8, no NUL, duplicates, depth."""
    return load_json_text(read_text_file(path, what, max_bytes), str(path), what)
