"""The label-table type: every visible text a page object looks for, read by dotted key.

The tables themselves (one YAML file per locale) belong to the page objects and live in `flows/labels/`;
this is only the lookup, so that the `Setting` base and the engine can name the type.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from core.errors import EcomPrivacyError, UiMismatchError


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
    """The label table of one locale, read by dotted key (`cookie_law.modes.confirm`)."""

    def __init__(self, locale: str, table: dict[str, Any], source: Path | None = None) -> None:
        self.locale = locale
        self._table = table
        #: the file the table was read from, named in a missing-label error
        self.source = source

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
