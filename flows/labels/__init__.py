"""Per-locale label tables: every visible text the tool looks for in the backoffice lives in one YAML file
per locale, so that a change of the real UI is mended with a one-file edit."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from automation.yaml_input import load_yaml_file

LABELS_DIR = Path(__file__).parent
SUPPORTED_LOCALES = ("nl", "en", "de", "fr")


class MissingLabelError(KeyError):
    def __init__(self, locale: str, key: str) -> None:
        super().__init__(f"label {key!r} is missing from the {locale!r} label table ({LABELS_DIR / locale}.yaml)")


class Labels:
    """The label table of one locale, read by dotted key (`cookie_law.modes.confirm`)."""

    def __init__(self, locale: str, table: dict[str, Any]) -> None:
        self.locale = locale
        self._table = table

    def __getitem__(self, key: str) -> str:
        value = self.lookup(key)
        if not isinstance(value, str):
            raise MissingLabelError(self.locale, key)
        return value

    def lookup(self, key: str) -> Any:
        node: Any = self._table
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                raise MissingLabelError(self.locale, key)
            node = node[part]
        return node

    def mapping(self, key: str) -> dict[str, str]:
        value = self.lookup(key)
        if not isinstance(value, dict):
            raise MissingLabelError(self.locale, key)
        return {str(k): str(v) for k, v in value.items()}


@cache
def labels_for(locale: str) -> Labels:
    if locale not in SUPPORTED_LOCALES:
        raise ValueError(f"no label table for locale {locale!r}; supported: {', '.join(SUPPORTED_LOCALES)}")
    # Strict: a label table is edited by hand when the backoffice's texts change; a duplicate key is an error.
    return Labels(locale, load_yaml_file(LABELS_DIR / f"{locale}.yaml", "the label table"))
