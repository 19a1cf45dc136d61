"""Per-locale label tables: every visible text the tool looks for in the backoffice lives in one YAML file
per locale, so that a change of the real UI is mended with a one-file edit."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from core.labels import Labels, MissingLabelError
from core.yaml_input import load_yaml_file

__all__ = ["LABELS_DIR", "SUPPORTED_LOCALES", "Labels", "MissingLabelError", "labels_for"]

LABELS_DIR = Path(__file__).parent
SUPPORTED_LOCALES = ("nl", "en", "de", "fr")


@cache
def labels_for(locale: str) -> Labels:
    if locale not in SUPPORTED_LOCALES:
        raise ValueError(f"no label table for locale {locale!r}; supported: {', '.join(SUPPORTED_LOCALES)}")
    # Strict: a label table is edited by hand when the backoffice's texts change; a duplicate key is an error.
    path = LABELS_DIR / f"{locale}.yaml"
    return Labels(locale, load_yaml_file(path, "the label table"), path)
