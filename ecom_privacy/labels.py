"""The label-table type: every visible text a page object looks for, read by dotted key, where each page
lives (the page paths), and where each value sits in a page's JSON twin (the twin table).

The tables themselves (one YAML file per locale, `paths.yaml`, `twins.yaml`) belong to the page objects and
live in `flows/labels/`; this is only the lookup, so that the `Setting` base and the engine can name the type.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ecom_privacy.errors import EcomPrivacyError, UiMismatchError


class MissingLabelError(UiMismatchError, KeyError):
    """A label table lacks a key a page object needs: the page cannot be recognised, as when the UI changed.

    A UI mismatch (kind `ui_mismatch`, never retried) so that it fails the one setting whose page needs it and
    the run goes on; still a KeyError for code that looks labels up by key.
    """

    def __init__(self, locale: str, key: str, source: Path | None = None) -> None:
        where = f" ({source})" if source is not None else ""
        EcomPrivacyError.__init__(self, f"label {key!r} is missing from the {locale!r} label table{where}: "
                                        f"add it to that table")
        self.page, self.element, self.locale = "label table", key, locale
        self.screenshot: str | None = None

    #: the message as written, not KeyError's quoted repr of it
    __str__ = Exception.__str__


class Labels:
    """The label table of one locale, read by dotted key (`cookie_law.modes.confirm`), and the page paths."""

    def __init__(self, locale: str, table: dict[str, Any], source: Path | None = None,
                 paths: Mapping[str, str] | None = None, overridden: frozenset[str] = frozenset(),
                 overrides_source: Path | None = None, twins: Mapping[str, Mapping[str, Any]] | None = None) -> None:
        self.locale = locale
        self._table = table
        #: the file the table was read from, named in a missing-label error
        self.source = source
        #: page key (`web_extras`) -> path below the backoffice URL (`settings/web_extras`)
        self.paths: Mapping[str, str] = dict(paths or {})
        #: twin (`web_extras`) -> what is read from it -> where (`cookie_law_mode: settings.cookie_law.mode`)
        self.twins: Mapping[str, Mapping[str, Any]] = dict(twins or {})
        #: dotted keys (`cookie_law.section`, `paths.web_extras`) whose value a user's ui_overrides file set
        self.overridden = overridden
        self.overrides_source = overrides_source

    def __getitem__(self, key: str) -> str:
        value = self.lookup(key)
        if not isinstance(value, str):
            raise MissingLabelError(self.locale, key, self.source)
        return value

    def lookup(self, key: str) -> Any:
        node: Any = self._table
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                raise MissingLabelError(self.locale, key, self.source)
            node = node[part]
        return node

    def mapping(self, key: str) -> dict[str, str]:
        value = self.lookup(key)
        if not isinstance(value, dict):
            raise MissingLabelError(self.locale, key, self.source)
        return {str(k): str(v) for k, v in value.items()}

    def texts(self) -> frozenset[str]:
        """Every text of the table (for the probe bundle: texts the tool looks for are never data)."""
        found: set[str] = set()
        nodes: list[Any] = [self._table]
        while nodes:
            node = nodes.pop()
            if isinstance(node, dict):
                nodes.extend(node.values())
            elif isinstance(node, str):
                found.add(node.strip())
        return frozenset(found)

    def path(self, page: str) -> str:
        """Where page `page` lives, relative to the backoffice URL."""
        if page not in self.paths:
            raise MissingLabelError(self.locale, f"paths.{page}", self.source)
        return self.paths[page]

    def twin(self, name: str) -> Mapping[str, Any]:
        """What is read from twin `name` and where (flows/labels/twins.yaml, under a user's `twins:` overrides)."""
        if name not in self.twins:
            raise MissingLabelError(self.locale, f"twins.{name}", self.source)
        return self.twins[name]

    def origin(self, key: str) -> Path | None:
        """The file a label (or `paths.<page>`) was taken from: the user's overrides file or the shipped table."""
        if self.overrides_source is not None and any(key == done or key.startswith(done + ".")
                                                     for done in self.overridden):
            return self.overrides_source
        return self.source
