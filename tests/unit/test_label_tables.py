"""The tool's label tables: every locale has every key the English table has (German and French are guesses,
but complete), and the mock's own tables cover the same languages without sharing a line with the tool."""

from __future__ import annotations

from typing import Any

import pytest

from flows.labels import SUPPORTED_LOCALES, labels_for
from mock_backoffice.i18n import LABELS


def keys(node: Any, prefix: str = "") -> set[str]:
    if not isinstance(node, dict):
        return {prefix}
    return {key for name, value in node.items() for key in keys(value, f"{prefix}.{name}" if prefix else name)}


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_every_table_has_every_key(locale: str) -> None:
    assert keys(labels_for(locale)._table) == keys(labels_for("en")._table)


def test_the_mock_speaks_every_language_the_tool_has_a_table_for() -> None:
    assert set(SUPPORTED_LOCALES) <= set(LABELS)
    for locale in LABELS:
        assert set(LABELS[locale]) == set(LABELS["en"]), locale


@pytest.mark.parametrize("locale", ["de", "fr"])
def test_german_and_french_tables_say_they_are_guesses(locale: str) -> None:
    from flows.labels import LABELS_DIR

    assert "EVERY text here is a guess" in (LABELS_DIR / f"{locale}.yaml").read_text(encoding="utf-8")
