"""The mock's own texts: every visible text of the mock, one YAML file per locale in `texts/`.

These tables belong to the "outside world". The tool keeps its own tables in `flows/labels/`; the two are never
shared, so that a wrong label in the tool fails against the mock instead of passing silently. Where the real
backoffice's wording is unknown, the text is a guess (see the shared docs/backoffice.md).

`LOCALES` is the one list of languages the mock speaks (backoffice, identity service and storefront): a locale
is one only with a text file here and default pages (`default_pages.py`); the seed accepts these and no other.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

#: the languages the mock can show, in the order the seed's errors list them
LOCALES: tuple[str, ...] = ("nl", "en", "de", "fr")
TEXTS_DIR = Path(__file__).with_name("texts")


class _UniqueKeyLoader(yaml.SafeLoader):
    """A SafeLoader that refuses a key given twice: in a hand-edited text table the second would win silently."""


def _mapping_without_duplicates(loader: _UniqueKeyLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"key {key!r} is given twice", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_without_duplicates)


def load_texts(locale: str) -> dict[str, str]:
    """The texts of one locale: a flat mapping of key to text (a mistake in the file is a bug of the mock)."""
    path = TEXTS_DIR / f"{locale}.yaml"
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        raise ValueError(f"{path}: must map text keys to texts")
    return data


LABELS: dict[str, dict[str, str]] = {locale: load_texts(locale) for locale in LOCALES}


def label(locale: str, key: str) -> str:
    """Return the text for `key`; a missing key is a bug in the mock, so fail loudly."""
    return LABELS[locale][key]
