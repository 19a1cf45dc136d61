"""Reading YAML that a person wrote: strict about what YAML itself lets slip, bounded against abuse.

`yaml.safe_load` lets a second `keep:` silently win over the first, and expands a "billion laughs" document
(a few lines of nested aliases) into billions of references that every later walk over the data pays for.
Here a duplicate key is an error naming the file, the line and the key; the size of the file, the nesting
depth, the number of aliases and the size of the data once aliases are expanded are all bounded, so a
hostile or broken file fails fast with one clear line instead of hanging or crashing with a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ecom_privacy.errors import ConfigError

#: a fleet file of thousands of stores is well under this; anything larger is not a hand-written file
MAX_YAML_BYTES = 5_000_000
#: the deepest nesting of mappings and lists (a fleet file needs about 6)
MAX_DEPTH = 64
#: aliases (*name) in one document: sharing a block of vars between stores is fine, thousands of them not
MAX_ALIASES = 1_000
#: values in the document once every alias is expanded, as a walk over the loaded data would see them
MAX_EXPANDED_NODES = 1_000_000


class YamlInputError(ConfigError):
    """A YAML file that cannot be used; the message names the file and, where known, the line."""


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that counts depth and aliases while composing and refuses duplicate mapping keys."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._aliases = 0

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

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            if not isinstance(key_node, ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                continue  # `<<: *defaults` merges are meant to be overridden by the keys beside them
            key = self.construct_object(key_node)
            line = key_node.start_mark.line + 1
            if key in seen:
                raise _Refused(line, f"duplicate key {key!r} (first at line {seen[key]}); YAML would silently "
                                     f"keep only the last one: merge the two or remove one")
            seen[key] = line
        return super().construct_mapping(node, deep=deep)


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


def read_text_file(path: Path, what: str, max_bytes: int | None = None) -> str:
    """A UTF-8 text file of bounded size, or one ConfigError naming it and what to do."""
    max_bytes = max_bytes or MAX_YAML_BYTES
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise YamlInputError(f"{path}: {what} is {size} bytes, more than the limit of {max_bytes}; "
                                 f"check that this is the right file")
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise YamlInputError(f"{path}: {what} not found") from exc
    except IsADirectoryError as exc:
        raise YamlInputError(f"{path}: {what} is a directory, not a file") from exc
    except OSError as exc:
        raise YamlInputError(f"{path}: {what} cannot be read: {exc.strerror}") from exc
    try:
        text = data.decode("utf-8-sig")  # -sig: an editor's byte-order mark is not content
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise YamlInputError(f"{path}, line {line}: {what} is not UTF-8 text (byte 0x{data[exc.start]:02x}); "
                             f"save it as UTF-8") from exc
    if "\x00" in text:
        raise YamlInputError(f"{path}: {what} is a binary file, not text; check the path")
    return text


def load_yaml_file(path: Path, what: str = "YAML file") -> Any:
    """Parse `path` strictly (see the module docstring); every problem is one YamlInputError line."""
    return load_yaml_text(read_text_file(path, what), str(path))


def load_yaml_text(text: str, source: str) -> Any:
    loader = _StrictLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return None
        if _expanded_size(root) > MAX_EXPANDED_NODES:
            raise YamlInputError(f"{source}: more than {MAX_EXPANDED_NODES} values once aliases are expanded "
                                 f"(an alias bomb?); write the values out or share fewer of them")
        return loader.construct_document(root)
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
