"""A user's corrections of the shipped label tables and page paths (`ui_overrides: FILE` in the fleet file,
or `--ui-overrides FILE`), merged over them per locale, without touching the package.

The file has the shape of the shipped tables:

    en:                          # a backoffice locale: keys as in flows/labels/en.yaml
      cookie_law:
        section: COOKIE CONSENT
    paths:                       # page paths as in flows/labels/paths.yaml
      web_extras: settings/web-extras
    twins:                       # where values sit in the JSON twins, as in flows/labels/twins.yaml
      web_extras:
        cookie_law_mode: settings.cookielaw.type

Strict, because a misspelt key would otherwise be ignored in silence and the tool would go on looking for
the old text: every key must exist in the shipped table (the error names it and the closest known key),
a text replaces a text and a group replaces keys of a group. The one open group is the names of the shop
languages on the page editor's tabs (`content_pages.languages`), where a shop language the shipped tables
do not name may be added.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ecom_privacy.errors import ConfigError
from ecom_privacy.labels import Labels
from ecom_privacy.yaml_input import load_yaml_file
from flows.labels import SUPPORTED_LOCALES, shipped_paths, shipped_table, shipped_twins, table_file

PATHS_KEY = "paths"
TWINS_KEY = "twins"
#: groups whose keys are not fixed: a user may add entries (a shop language's name on the editor's tabs)
OPEN_GROUPS = frozenset({"content_pages.languages"})
#: a path below the backoffice URL: letters, digits and -._~/ and, for the page editor, one {id}
_PATH = re.compile(r"^[A-Za-z0-9._~-]+(/[A-Za-z0-9._~{}-]+)*/?$")
#: pages whose path needs the page's number
_NEEDS_ID = frozenset({"page_editor", "page_json"})
#: a dotted path into a JSON answer (`settings.cookie_law.mode`)
_DOTTED = re.compile(r"^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$")


@dataclass(eq=False)
class UiOverrides:
    """A validated overrides file: per-locale label corrections and page paths."""

    source: Path
    labels: dict[str, dict[str, Any]] = field(default_factory=dict)
    paths: dict[str, str] = field(default_factory=dict)
    twins: dict[str, dict[str, Any]] = field(default_factory=dict)
    _merged: dict[str, Labels] = field(default_factory=dict, repr=False)

    def labels_for(self, locale: str) -> Labels:
        """The shipped table of `locale` with this file's corrections (ValueError for a locale without one)."""
        if locale not in self._merged:
            table = _merge(shipped_table(locale), self.labels.get(locale, {}))
            self._merged[locale] = Labels(locale, table, table_file(locale), paths={**shipped_paths(), **self.paths},
                                          overridden=self.overridden_keys(locale), overrides_source=self.source,
                                          twins=_merge(shipped_twins(), self.twins))
        return self._merged[locale]

    def overridden_keys(self, locale: str) -> frozenset[str]:
        keys = {f"{PATHS_KEY}.{page}" for page in self.paths}
        keys |= {f"{TWINS_KEY}.{leaf}" for leaf in _dotted_leaves(self.twins)}
        keys |= set(_dotted_leaves(self.labels.get(locale, {})))
        return frozenset(keys)


def labels_source(overrides: UiOverrides | None) -> Callable[[str], Labels]:
    """What a Driver reads label tables with: the shipped tables, or the shipped tables under `overrides`."""
    from flows.labels import labels_for

    return labels_for if overrides is None else overrides.labels_for


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            base[key] = _merge(base[key], value)
        else:
            base[key] = value
    return base


def _dotted_leaves(node: dict[str, Any], prefix: str = "") -> Iterator[str]:
    for key, value in node.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict):
            yield from _dotted_leaves(value, dotted + ".")
        else:
            yield dotted


def _closest(wanted: str, known: list[str]) -> str:
    match = difflib.get_close_matches(wanted, known, n=1, cutoff=0.5)
    return f"did you mean {match[0]!r}?" if match else f"known: {', '.join(known)}"


def _label_hint(locale: str, prefix: str, key: str, shipped: dict[str, Any]) -> str:
    """The closest known key: a misspelt sibling first, else a key of that name in another group (a label
    put under the wrong parent), else the keys that exist here."""
    sibling = difflib.get_close_matches(key, list(shipped), n=1, cutoff=0.5)
    if sibling:
        return f"did you mean '{locale}.{prefix}{sibling[0]}'?"
    leaves = list(_dotted_leaves(shipped_table(locale)))
    last_parts = {leaf: leaf.rsplit(".", 1)[-1] for leaf in leaves}
    named = [leaf for leaf, last in last_parts.items() if difflib.get_close_matches(key, [last], cutoff=0.8)]
    if named:
        return f"did you mean '{locale}.{named[0]}'?"
    return f"known here: {', '.join(shipped)}"


def _check_group(source: Path, locale: str, given: Any, shipped: dict[str, Any], prefix: str) -> list[str]:
    where = f"{source}: {locale}.{prefix.rstrip('.')}" if prefix else f"{source}: {locale}"
    if not isinstance(given, dict):
        return [f"{where}: must be a group of labels (a mapping), as in {table_file(locale).name}"]
    errors = []
    for key, value in given.items():
        dotted = f"{prefix}{key}"
        if not isinstance(key, str):
            errors.append(f"{where}: {key!r}: a label's key must be text")
        elif key not in shipped and prefix.rstrip(".") in OPEN_GROUPS:
            if not isinstance(value, str) or not value.strip():
                errors.append(f"{source}: {locale}.{dotted}: must be a non-empty text")
        elif key not in shipped:
            errors.append(f"{source}: {locale}.{dotted}: unknown label; {_label_hint(locale, prefix, key, shipped)}")
        elif isinstance(shipped[key], dict):
            errors += _check_group(source, locale, value, shipped[key], dotted + ".")
        elif not isinstance(value, str) or not value.strip():
            errors.append(f"{source}: {locale}.{dotted}: must be a non-empty text (the label as the backoffice "
                          f"shows it), not {type(value).__name__}")
    return errors


def _check_paths(source: Path, given: Any) -> list[str]:
    if not isinstance(given, dict):
        return [f"{source}: {PATHS_KEY}: must map page names to paths, as in flows/labels/paths.yaml"]
    known = list(shipped_paths())
    errors = []
    for page, path in given.items():
        where = f"{source}: {PATHS_KEY}.{page}"
        if page not in known:
            match = difflib.get_close_matches(str(page), known, n=1, cutoff=0.5)
            hint = f"did you mean '{PATHS_KEY}.{match[0]}'?" if match else f"known: {', '.join(known)}"
            errors.append(f"{where}: unknown page; {hint}")
        elif not isinstance(path, str) or not _PATH.match(path) or ".." in path.split("/"):
            errors.append(f"{where}: {path!r} is not a path below the backoffice URL (like "
                          f"{shipped_paths()[page]!r}: letters, digits, - . _ ~ and /, no '..', no host)")
        elif (path.count("{id}") == 1) != (page in _NEEDS_ID) or path.replace("{id}", "").count("{") > 0 or \
                "}" in path.replace("{id}", ""):
            need = "must contain {id} once (the page's number)" if page in _NEEDS_ID else "takes no {placeholder}"
            errors.append(f"{where}: {path!r} {need}")
    return errors


def _check_twins(source: Path, given: Any) -> list[str]:
    """Twin entries: a dotted path replaces a dotted path, a value map replaces keys of a value map."""
    where = f"{source}: {TWINS_KEY}"
    if not isinstance(given, dict):
        return [f"{where}: must map twins to what is read from them, as in flows/labels/twins.yaml"]
    shipped = shipped_twins()
    errors = []
    for twin, entries in given.items():
        if twin not in shipped:
            errors.append(f"{where}.{twin}: unknown twin; {_closest(str(twin), list(shipped))}")
            continue
        if not isinstance(entries, dict):
            errors.append(f"{where}.{twin}: must map what is read to where it is, as in flows/labels/twins.yaml")
            continue
        for key, value in entries.items():
            known = shipped[twin]
            if key not in known:
                errors.append(f"{where}.{twin}.{key}: unknown entry; {_closest(str(key), list(known))}")
            elif isinstance(known[key], dict):
                if not isinstance(value, dict) or not all(isinstance(v, str) and k in known[key]
                                                          for k, v in value.items()):
                    errors.append(f"{where}.{twin}.{key}: must map some of {', '.join(known[key])} to the values "
                                  f"the answer uses (texts)")
            elif not isinstance(value, str) or not (_DOTTED.match(value) or value.isdigit()):
                errors.append(f"{where}.{twin}.{key}: {value!r} is not a dotted path into the answer (like "
                              f"{known[key]!r})")
    return errors


def load_ui_overrides(path: Path) -> UiOverrides:
    """Read and check an overrides file; every problem is reported at once, each naming file and key."""
    raw = load_yaml_file(path, "the ui_overrides file")
    if raw is None:
        return UiOverrides(source=path)
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: the ui_overrides file must be a mapping of backoffice locales "
                          f"({', '.join(SUPPORTED_LOCALES)}) and '{PATHS_KEY}'")
    known = [*SUPPORTED_LOCALES, PATHS_KEY, TWINS_KEY]
    errors: list[str] = []
    labels: dict[str, dict[str, Any]] = {}
    for key, value in raw.items():
        if key == PATHS_KEY:
            errors += _check_paths(path, value)
        elif key == TWINS_KEY:
            errors += _check_twins(path, value)
        elif key in SUPPORTED_LOCALES:
            found = _check_group(path, key, value, shipped_table(key), "")
            errors += found
            if not found:
                labels[key] = value
        else:
            errors.append(f"{path}: {key}: unknown key; {_closest(str(key), known)} (the file holds backoffice "
                          f"locales {', '.join(SUPPORTED_LOCALES)}, '{PATHS_KEY}' and '{TWINS_KEY}')")
    if errors:
        raise ConfigError("\n".join(errors))
    return UiOverrides(source=path, labels=labels, paths=dict(raw.get(PATHS_KEY) or {}),
                       twins=dict(raw.get(TWINS_KEY) or {}))
