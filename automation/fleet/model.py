"""The fleet file: which stores exist and what every one of them must look like.

Layers merge as defaults < groups (in the store's listed order) < store overrides. A setting's desired state
is validated by the setting's own model, so the engine never needs to know what a setting means. The loader is
handed the settings it checks the file against (the composition root's catalogue, `flows.registry`, through
`automation.fleet.composition`): it imports no setting, and neither does the engine, which imports it.
"""

from __future__ import annotations

import hashlib
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from automation.fleet.breach_mail import KEY as BREACH_MAIL_KEY
from automation.fleet.breach_mail import BreachMail, breach_mail_errors, resolve_breach_mail
from automation.fleet.defaults import DEFAULT_FLEET_FILE as DEFAULT_FLEET_FILE  # re-exported: its old home
from automation.fleet.ids import STORE_ID_PATTERN, safe_name
from automation.fleet.languages import (
    LANGUAGE_PATTERN,
    STORE_FACT_KEYS,
    SUPPORTED_LOCALES,
    language_errors,
    store_languages,
)
from automation.fleet.notify import NotifyConfig, notify_group_errors
from ecom_privacy.config_errors import describe, did_you_mean, key_path
from ecom_privacy.errors import ConfigError
from ecom_privacy.labels import Labels
from ecom_privacy.setting import PlanInput, Setting
from ecom_privacy.terminal_text import printable
from ecom_privacy.yaml_input import KeyPath, YamlDocument, load_yaml_document

#: keys that would hold a literal secret; the fleet file must name environment variables instead
LITERAL_SECRET_KEYS = {"password", "totp_secret", "totp", "secret", "api_key", "api_secret", "recovery_codes"}
#: plain keys YAML would read as something else, kept as text because they are a deprecated spelling
#: (`notify: on:` is read as the boolean true; its new name is `events`)
DEPRECATED_TEXT_KEYS = frozenset({"on"})
#: keys of `defaults` and groups that are facts about a store, not settings (languages, breach letters' sender)
LAYER_FACT_KEYS = (*STORE_FACT_KEYS, BREACH_MAIL_KEY)


class CredentialRefs(BaseModel):
    """Names of environment variables (or `.env` keys) holding the login secrets; never the secrets."""

    model_config = ConfigDict(extra="forbid")

    email_env: str
    password_env: str
    totp_secret_env: str | None = None
    #: the account's single-use recovery codes (separated by spaces, commas or new lines): answer the code
    #: step when no TOTP secret is set; a used one is remembered (hashed) and never sent again
    recovery_codes_env: str | None = None

    @field_validator("email_env", "password_env", "totp_secret_env", "recovery_codes_env")
    @classmethod
    def _env_name(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", value):
            raise ValueError(f"{value!r} is not an environment variable name (letters, digits, _)")
        return value


class StoreEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=STORE_ID_PATTERN)
    backoffice_url: str
    storefront_url: str
    #: deprecated: sets backoffice_locale and languages [locale] where they are not given
    locale: str | None = None
    #: the backoffice user's language: which label table (flows/labels/<locale>.yaml) the tool reads
    backoffice_locale: str | None = None
    #: the shop's storefront languages, the default first
    languages: list[str] | None = None
    credentials: CredentialRefs
    groups: list[str] = Field(default_factory=list)
    vars: dict[str, Any] = Field(default_factory=dict)
    overrides: dict[str, Any] = Field(default_factory=dict)
    #: opt-in for changes that cannot be undone (archiving subscribers), for this store only
    allow_irreversible: bool = False
    #: whom breach letters to this store's people come from (automation/fleet/breach_mail.py)
    breach_mail: BreachMail | None = None

    @field_validator("locale", "backoffice_locale")
    @classmethod
    def _has_label_table(cls, value: str | None) -> str | None:
        if value is not None and value not in SUPPORTED_LOCALES:
            raise ValueError(f"{value!r} has no label table (flows/labels/{value}.yaml); supported: "
                             f"{', '.join(SUPPORTED_LOCALES)}")
        return value

    @field_validator("languages")
    @classmethod
    def _language_codes(cls, value: list[str] | None) -> list[str] | None:
        for language in value or []:
            if not re.fullmatch(LANGUAGE_PATTERN, language):
                raise ValueError(f"{language!r} is not a two-letter language code (nl, en, de, ...)")
        if value is not None and len(set(value)) != len(value):
            raise ValueError(f"a language is listed twice: {', '.join(value)}")
        return value

    @field_validator("vars")
    @classmethod
    def _name_is_one_line(cls, value: dict[str, Any]) -> dict[str, Any]:
        company = value.get("company")
        if isinstance(company, str) and (not company.isprintable() or not company.strip()):
            raise ValueError(f"company {company[:40]!r} must be one line of text: it is the store's name in email "
                             f"subjects and page titles, where a line break would end the header; write it on one line")
        return value

    @field_validator("backoffice_url", "storefront_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not re.match(r"^https?://[^/\s]+", value):
            raise ValueError(f"{value!r} is not an http(s) URL")
        return value


class FleetModel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: Literal[1] = 1
    defaults: dict[str, Any] = Field(default_factory=dict)
    groups: dict[str, dict[str, Any] | None] = Field(default_factory=dict)
    stores: list[StoreEntry]
    #: alerts of scheduled runs (see automation/alerts): Apprise URLs named by environment variable
    notify: NotifyConfig | None = None
    #: a user's corrections of the label tables and page paths (flows/labels/overrides.py), relative to the
    #: fleet file's folder
    ui_overrides: str | None = None
    #: how often a run logs each store in with its credentials instead of reusing a cached session, so that a
    #: rotated password is found by a scheduled run and not when the session expires (`login --check` does it
    #: on purpose)
    check_credentials: Literal["never", "daily", "weekly", "monthly"] = "never"


#: the periods of `check_credentials`
CHECK_PERIODS = {"never": None, "daily": timedelta(days=1), "weekly": timedelta(days=7),
                 "monthly": timedelta(days=30)}


@dataclass(frozen=True)
class StoreConfig:
    """One store with its desired state resolved from all layers."""

    id: str
    backoffice_url: str
    storefront_url: str
    #: the backoffice user's language (`backoffice_locale`): which label table the tool reads
    locale: str
    credentials: CredentialRefs
    groups: tuple[str, ...]
    vars: dict[str, Any]
    #: setting name -> validated desired model; settings set to null in every layer are absent
    desired: dict[str, BaseModel]
    allow_irreversible: bool = False
    #: the shop's languages, the default first (a storefront URL prefix for every other one)
    languages: tuple[str, ...] = ()
    #: whom breach letters come from and where replies go (defaults < groups < store)
    breach_mail: BreachMail = field(default_factory=BreachMail)

    @property
    def backoffice_locale(self) -> str:
        return self.locale

    @property
    def shop_languages(self) -> tuple[str, ...]:
        return self.languages or (self.locale,)


@dataclass(frozen=True)
class Fleet:
    path: Path
    sha256: str
    stores: list[StoreConfig]
    group_names: tuple[str, ...] = ()
    base_dir: Path = field(default=Path("."))
    notify: NotifyConfig | None = None
    #: the `ui_overrides` file, resolved from the fleet file's folder (None: the shipped tables as they are)
    ui_overrides: Path | None = None
    #: `check_credentials`: a cached session is not used when the store's credentials were proven longer ago
    check_every: timedelta | None = None
    #: deprecated spellings found in the file, each one line naming file, line and the new spelling
    warnings: tuple[str, ...] = ()

    def select(self, store_ids: list[str] | None = None, groups: list[str] | None = None) -> list[StoreConfig]:
        """Stores named by id or belonging to a group; unknown names are configuration errors."""
        known = {store.id for store in self.stores}
        unknown = [sid for sid in store_ids or [] if sid not in known]
        if unknown:
            raise ConfigError(f"{self.path}: no store with id {', '.join(unknown)}; known: {', '.join(sorted(known))}")
        bad_groups = [g for g in groups or [] if g not in self.group_names]
        if bad_groups:
            raise ConfigError(f"{self.path}: no group {', '.join(bad_groups)}; known: "
                              f"{', '.join(self.group_names) or '(none)'}")
        if not store_ids and not groups:
            return list(self.stores)
        return [s for s in self.stores
                if s.id in (store_ids or []) or set(s.groups) & set(groups or [])]


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Nested dicts merge key by key; anything else (lists, scalars, null) replaces."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _group_layers(model: FleetModel, entry: StoreEntry) -> list[tuple[str, dict[str, Any]]]:
    return [(f"groups.{group}", model.groups.get(group) or {}) for group in entry.groups]


def _find_literal_secrets(node: Any, path: str = "") -> list[str]:
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{path}.{key}" if path else str(key)
            if str(key).lower() in LITERAL_SECRET_KEYS and isinstance(value, str | int):
                found.append(here)
            else:
                found.extend(_find_literal_secrets(value, here))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found.extend(_find_literal_secrets(value, f"{path}[{index}]"))
    return found


def _store_label(raw: dict[str, Any], index: int) -> str:
    stores = raw.get("stores")
    if isinstance(stores, list) and index < len(stores) and isinstance(stores[index], dict):
        return f" (store {stores[index].get('id', '?')})"
    return ""


def _read_yaml(path: Path) -> YamlDocument:
    if not path.exists():
        raise ConfigError(f"{path}: fleet file not found; pass -c FILE or create it (see the README, 'Fleet file')")
    # Strict and bounded: duplicate keys, keys YAML does not read as text, alias bombs, deep nesting and
    # non-UTF-8 bytes are one-line errors. `on:` is kept as text: the deprecated spelling of notify.events.
    document = load_yaml_document(path, "the fleet file", text_keys=DEPRECATED_TEXT_KEYS)
    if not isinstance(document.data, dict):
        raise ConfigError(f"{path}: the fleet file must be a mapping with 'stores' (and optional 'defaults', 'groups')")
    return document


def _check_setting_keys(document: YamlDocument, layer: dict[str, Any] | None, at: KeyPath,
                        known: Mapping[str, Setting], facts_allowed: bool = True, label: str = "") -> list[str]:
    errors = []
    for key, value in (layer or {}).items():
        where = f"{document.where((*at, key))}: {key_path((*at, key))}{label}"
        if key in LAYER_FACT_KEYS and facts_allowed:
            continue
        if key in LAYER_FACT_KEYS:
            errors.append(f"{where}: a store fact, not a setting: put it on the store itself, not in overrides")
            continue
        if key not in known:
            errors.append(f"{where}: unknown setting{did_you_mean(str(key), known)}")
        elif value is not None and not isinstance(value, dict):
            errors.append(f"{where}: must be a mapping of options (or null to leave the setting unmanaged)")
    return errors


def _setting_source(model: FleetModel, index: int, loc: KeyPath) -> KeyPath:
    """Where in the file the value at `loc` (setting name, then its keys) of store `index` comes from: the
    store's overrides, else the last of its groups, else defaults, whichever holds the longest part of `loc`."""
    entry = model.stores[index]
    layers: list[tuple[KeyPath, Any]] = [(("stores", index, "overrides"), entry.overrides)]
    layers += [(("groups", group), model.groups.get(group) or {}) for group in reversed(entry.groups)]
    layers.append((("defaults",), model.defaults))
    best: tuple[int, KeyPath] = (-1, layers[-1][0])
    for prefix, layer in layers:
        node: Any = layer
        depth = 0
        for part in loc:
            present = (isinstance(node, dict) and part in node) or (
                isinstance(node, list) and isinstance(part, int) and part < len(node))
            if not present:
                break
            node, depth = node[part], depth + 1
        if depth > best[0]:
            best = (depth, prefix)
    return best[1]


def _deprecations(document: YamlDocument) -> tuple[dict[str, Any], list[str], list[str]]:
    """The file's data with deprecated spellings renamed, the warnings about them, and errors (both spellings)."""
    raw = dict(document.data)
    notify = raw.get("notify")
    if not isinstance(notify, dict) or "on" not in notify:
        return raw, [], []
    where = f"{document.where(('notify', 'on'))}: notify.on"
    if "events" in notify:
        return raw, [], [f"{where}: give the alert kinds once, as notify.events (notify.on is its deprecated "
                         f"spelling)"]
    renamed = {("events" if key == "on" else key): value for key, value in notify.items()}
    raw["notify"] = renamed
    return raw, [f"{where}: deprecated: rename it to notify.events (YAML reads an unquoted on: as the boolean "
                 f"true; the old spelling still works for now)"], []


def _file_name_clash(store_id: str, file_names: dict[str, str], where: str) -> list[str]:
    """A store's files (backups, exports, traces) live under its id as a file name; two ids that give the
    same name (`shop`, `shop.`, `shop_`; `Shop` and `shop` on a case-insensitive disk) would share them."""
    name = safe_name(store_id)
    other = file_names.setdefault(name.casefold(), store_id)
    if other == store_id:
        return []
    return [f"{where}.id: store ids {other!r} and {store_id!r} would share the file name {name!r} of their "
            f"backups, exports and traces; rename one of them (ids must differ in more than letter case or a "
            f"trailing '.' or '_')"]


def load_fleet(path: Path, settings: Mapping[str, Setting]) -> Fleet:
    """Read and validate a fleet file against `settings` (the catalogue: every setting a fleet file may name, by
    name, each with its desired model); every problem found is reported at once in one ConfigError, one line per
    cause (a mistake in `defaults` is one line, not one per store), each naming file, line and key path."""
    document = _read_yaml(path)
    raw, warnings, errors = _deprecations(document)
    errors += [
        f"{document.where(_loc_of(where))}: {where}: a literal secret is not allowed in the fleet file; put it in "
        f"the environment or .env and reference the variable (for example credentials.password_env: SHOP_PASSWORD)"
        for where in _find_literal_secrets(raw)
    ]
    if errors:
        raise ConfigError("\n".join(errors))
    try:
        model = FleetModel.model_validate(raw)
    except ValidationError as exc:
        messages = []
        for error in exc.errors():
            loc = tuple(error["loc"])
            store = _store_label(raw, loc[1]) if len(loc) > 1 and loc[0] == "stores" and isinstance(loc[1], int) else ""
            messages.append(f"{document.where(loc)}: {key_path(loc)}{store}: {describe(error, FleetModel)}")
        raise ConfigError("\n".join(dict.fromkeys(messages))) from exc

    errors = _check_setting_keys(document, model.defaults, ("defaults",), settings)
    for name, layer in model.groups.items():
        errors += _check_setting_keys(document, layer, ("groups", name), settings)
    seen: set[str] = set()
    file_names: dict[str, str] = {}
    for index, store in enumerate(model.stores):
        where = f"stores[{index}] (store {store.id})"
        if store.id in seen:
            errors.append(f"{document.where(('stores', index, 'id'))}: {where}.id: duplicate store id {store.id!r}; "
                          f"store ids must be unique")
        else:
            errors += [f"{document.where(('stores', index, 'id'))}: {e}"
                       for e in _file_name_clash(store.id, file_names, where)]
        seen.add(store.id)
        for group in store.groups:
            if group not in model.groups:
                errors.append(f"{document.where(('stores', index, 'groups'))}: {where}.groups: unknown group "
                              f"{group!r}; declare it under 'groups'"
                              f"{did_you_mean(group, model.groups) if model.groups else ' (none declared)'}")
    for index, store in enumerate(model.stores):
        errors += _check_setting_keys(document, store.overrides, ("stores", index, "overrides"), settings,
                                      facts_allowed=False, label=f" (store {store.id})")
    for index, store in enumerate(model.stores):
        errors += [f"{path}: {e}" for e in language_errors(model.defaults, _group_layers(model, store), store,
                                                           f"stores[{index}] (store {store.id})")]
    errors += [f"{path}: {e}" for e in breach_mail_errors(
        [("defaults", model.defaults), *((f"groups.{name}", layer or {}) for name, layer in model.groups.items())])]
    errors += [f"{path}: {e}" for e in notify_group_errors(model.notify, model.groups)]
    if errors:
        raise ConfigError("\n".join(dict.fromkeys(errors)))

    stores = []
    #: one line per cause: the same mistake in defaults or a group is one entry, with every store it reaches
    causes: dict[str, list[str]] = {}
    for index, entry in enumerate(model.stores):
        backoffice_locale, languages = store_languages(model.defaults, _group_layers(model, entry), entry)
        merged = {key: value for key, value in model.defaults.items() if key not in LAYER_FACT_KEYS}
        for group in entry.groups:
            merged = deep_merge(merged, {key: value for key, value in (model.groups.get(group) or {}).items()
                                         if key not in LAYER_FACT_KEYS})
        merged = deep_merge(merged, entry.overrides)
        desired: dict[str, BaseModel] = {}
        for name, setting in settings.items():
            value = merged.get(name)
            if value is None:
                continue
            try:
                desired[name] = setting.desired_model.model_validate(value)
            except ValidationError as exc:
                for error in exc.errors():
                    loc = (name, *error["loc"])
                    source = _setting_source(model, index, loc)
                    line = (f"{document.where((*source, *loc))}: {key_path((*source, *loc))}: "
                            f"{describe(error, setting.desired_model if len(loc) > 1 else None)}")
                    causes.setdefault(line, []).append(entry.id)
        stores.append(StoreConfig(
            id=entry.id, backoffice_url=entry.backoffice_url.rstrip("/"), storefront_url=entry.storefront_url,
            locale=backoffice_locale, credentials=entry.credentials, groups=tuple(entry.groups), vars=entry.vars,
            desired=desired, allow_irreversible=entry.allow_irreversible, languages=languages,
            breach_mail=resolve_breach_mail([("defaults", model.defaults), *_group_layers(model, entry)],
                                            entry.breach_mail),
        ))
    for warning in warnings:  # every command reads the fleet file here: each says it, on stderr, once
        print(printable(f"warning: {warning}"), file=sys.stderr)
    for line, store_ids in causes.items():
        errors.append(f"{line} (store {store_ids[0]})" if len(store_ids) == 1 else
                      f"{line} (stores {', '.join(store_ids)})")
    if errors:
        raise ConfigError("\n".join(errors))
    return Fleet(
        path=path, sha256=hashlib.sha256(path.read_bytes()).hexdigest(), stores=stores,
        group_names=tuple(model.groups), base_dir=path.resolve().parent, notify=model.notify,
        ui_overrides=path.resolve().parent / Path(model.ui_overrides).expanduser() if model.ui_overrides else None,
        check_every=CHECK_PERIODS[model.check_credentials],
        warnings=tuple(warnings),
    )


def _loc_of(dotted: str) -> KeyPath:
    """`stores[0].credentials.password` -> ("stores", 0, "credentials", "password")."""
    parts: list[str | int] = []
    for piece in re.findall(r"[^.\[\]]+|\[\d+\]", dotted):
        parts.append(int(piece[1:-1]) if piece.startswith("[") else piece)
    return tuple(parts)


def plan_input_for(fleet: Fleet, store: StoreConfig, shop_labels: Callable[[str], Labels | None],
                   allow_irreversible: bool = False) -> PlanInput:
    """What a setting's pure plan (and its offline check) may know about a store; `shop_labels`: the driver's
    label tables under the user's `ui_overrides` (`Driver.shop_labels`)."""
    return PlanInput(
        store_id=store.id, locale=store.locale, vars=store.vars, base_dir=fleet.base_dir,
        allow_irreversible=allow_irreversible, storefront_url=store.storefront_url,
        languages=store.shop_languages, desired=store.desired, shop_labels=shop_labels,
    )
