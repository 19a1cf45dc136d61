"""Load and validate the mock's seed file into immutable specs.

Validation is table-driven (`STORE_FIELDS`, `GENERATE_FIELDS`): adding a per-store seed key means adding
one parser to a table and one attribute to `StoreSpec`, nothing else here. Every error names the key path
(`stores[2].cookie_law.mode`) so that a broken seed is fixed in one look.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import random
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pyotp
import yaml

#: languages the mock can show (backoffice and storefront): those with a label table and default pages
LOCALES: tuple[str, ...] = ("nl", "en", "de", "fr")
#: generated stores cycle through these backoffice languages unless the seed lists its own
GENERATED_LOCALES: tuple[str, ...] = ("nl", "en", "de", "fr")
COOKIE_LAW_MODES: tuple[str, ...] = ("none", "notify", "confirm", "custom")
#: how a newsletter subscriber was added: actively (form, checkout box) or passively (manual, import)
SUBSCRIBER_SOURCES: tuple[str, ...] = ("form", "checkout", "manual", "import")
PASSIVE_SOURCES: tuple[str, ...] = ("manual", "import")
#: the GDPR date the vendor's guide uses; the generator's `passive_before_2018` counts subscribers before it
GDPR_DATE = dt.date(2018, 5, 25)
#: parts of the backoffice a test can remove from one store, to see how the tool reports a changed UI
BREAKABLE_UI: tuple[str, ...] = ("cookie_law_section", "cookie_law_renamed")
DEFAULT_SEED_PATH = Path(__file__).with_name("default_seed.yaml")

_STORE_ID_RE = re.compile(r"^[a-z0-9-]+$")
_MAX_GENERATED = 10_000
_MAX_SUBSCRIBERS = 100_000
# Generated subscription dates span these years; fixed, so a seed gives the same store on every machine.
_FIRST_DAY = dt.date(2012, 1, 1)
_LAST_DAY = dt.date(2025, 6, 30)
_FIRST_NAMES = ("Anna", "Bram", "Chloe", "Daan", "Emma", "Finn", "Grace", "Hugo", "Iris", "Jesse", "Kim", "Lars",
                "Mila", "Noah", "Olivia", "Pieter", "Quinn", "Roos", "Sem", "Tess", "Umar", "Vera", "Wout", "Yara")
_LAST_NAMES = ("de Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "Brown", "Smith",
               "Taylor", "Wilson", "Evans", "Hughes", "van Dijk", "Peters")


class SeedError(ValueError):
    """The seed file is malformed; the message names the offending key path."""


@dataclass(frozen=True)
class CookieLawSpec:
    mode: str = "none"
    message: str = ""


@dataclass(frozen=True)
class WebExtrasSpec:
    reviews_enabled: bool = True
    compare_enabled: bool = False


@dataclass(frozen=True)
class AnalyticsSpec:
    # Empty: no Google Analytics 4 configured.
    measurement_id: str = ""


@dataclass(frozen=True)
class PageSpec:
    #: the title in the shop's default language
    title: str
    # None means "not given": a page that replaces a default page keeps the default's value.
    content: str | None = None
    visible: bool | None = None
    #: the page to change, by its slug (a default page retitled); else matched by title, else created
    slug: str | None = None
    #: language -> (title, content) in the shop's other languages
    translations: dict[str, tuple[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class SubscriberSpec:
    email: str
    name: str
    subscribed_at: dt.date
    source: str
    archived: bool = False


@dataclass(frozen=True)
class StoreSpec:
    id: str
    email: str
    password: str
    locale: str = "en"
    name: str = ""
    totp_secret: str | None = None
    cookie_law: CookieLawSpec = field(default_factory=CookieLawSpec)
    web_extras: WebExtrasSpec = field(default_factory=WebExtrasSpec)
    pages: tuple[PageSpec, ...] = ()
    analytics: AnalyticsSpec = field(default_factory=AnalyticsSpec)
    # A misconfigured theme that loads analytics on first paint, whatever the visitor chose.
    theme_loads_analytics_early: bool = False
    subscribers: tuple[SubscriberSpec, ...] = ()
    break_ui: tuple[str, ...] = ()
    #: the shop's languages, default first; empty: the backoffice locale only
    languages: tuple[str, ...] = ()
    #: the theme shows its own consent banner instead of the platform's wsa-cookielaw bar
    theme_cookie_bar: bool = False
    #: single-use recovery codes of the account's two-step verification (empty without two-step)
    recovery_codes: tuple[str, ...] = ()
    #: the login chain answers with a Cloudflare-like "Just a moment..." interstitial first
    bot_challenge: bool = False


@dataclass(frozen=True)
class SeedSpec:
    stores: tuple[StoreSpec, ...]

    def store_ids(self) -> list[str]:
        return [store.id for store in self.stores]


# --- small typed readers ----------------------------------------------------------------------------------
def _mapping(value: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise SeedError(f"{path}: must be a mapping (got {type(value).__name__})")
    for key in value:
        if not isinstance(key, str):
            raise SeedError(f"{path}: keys must be strings (got {key!r})")
    return value


def _check_keys(value: Mapping[str, Any], allowed: Mapping[str, Any] | tuple[str, ...], path: str) -> None:
    for key in value:
        if key not in allowed:
            raise SeedError(f"{_join(path, key)}: unknown key")


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _string(value: Any, path: str, *, allow_empty: bool = False) -> str:
    # YAML turns unquoted 123456 or yes into int/bool; refusing them avoids a silently wrong password.
    if not isinstance(value, str):
        raise SeedError(f"{path}: must be a string (got {type(value).__name__}; quote it in YAML)")
    if not allow_empty and not value.strip():
        raise SeedError(f"{path}: must not be empty")
    return value


def _bool(value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        raise SeedError(f"{path}: must be true or false (got {value!r})")
    return value


def _choice(value: Any, path: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise SeedError(f"{path}: must be one of {', '.join(choices)} (got {value!r})")
    return str(value)


def _store_id(value: Any, path: str) -> str:
    text = _string(value, path)
    if not _STORE_ID_RE.match(text):
        raise SeedError(f"{path}: must match [a-z0-9-]+ (got {text!r})")
    return text


def _email(value: Any, path: str) -> str:
    text = _string(value, path)
    if "@" not in text or text != text.strip():
        raise SeedError(f"{path}: not an email address (got {text!r})")
    return text


def _totp_secret(value: Any, path: str) -> str:
    text = _string(value, path)
    try:
        pyotp.TOTP(text).at(0)  # any instant: this checks the key, not the time
    except Exception as exc:  # pyotp raises binascii.Error / ValueError / TypeError for bad secrets
        raise SeedError(f"{path}: not a valid base32 TOTP secret ({exc})") from exc
    return text


_RECOVERY_CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{5,31}$")


def normalise_recovery_code(code: str) -> str:
    """How a typed recovery code is compared: case, spaces and dashes do not matter."""
    return re.sub(r"[\s-]+", "", code).lower()


def _recovery_codes(value: Any, path: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise SeedError(f"{path}: must be a non-empty list of codes")
    codes: list[str] = []
    for index, item in enumerate(value):
        code = _string(item, f"{path}[{index}]")
        # letters, digits and dashes only: the .env written by --write-fleet joins them with commas
        if not _RECOVERY_CODE_RE.match(code):
            raise SeedError(f"{path}[{index}]: 6 to 32 letters, digits or dashes (got {code!r})")
        if normalise_recovery_code(code) in {normalise_recovery_code(c) for c in codes}:
            raise SeedError(f"{path}[{index}]: {code!r} is listed twice")
        codes.append(code)
    return tuple(codes)


def _locale(value: Any, path: str) -> str:
    return _choice(value, path, LOCALES)


def _cookie_law(value: Any, path: str) -> CookieLawSpec:
    data = _mapping(value, path)
    _check_keys(data, ("mode", "message"), path)
    mode = _choice(data.get("mode", "none"), _join(path, "mode"), COOKIE_LAW_MODES)
    message = _string(data.get("message", ""), _join(path, "message"), allow_empty=True)
    return CookieLawSpec(mode=mode, message=message)


def _web_extras(value: Any, path: str) -> WebExtrasSpec:
    data = _mapping(value, path)
    _check_keys(data, ("reviews", "compare"), path)
    flags: dict[str, bool] = {}
    for section in ("reviews", "compare"):
        if section in data:
            sub_path = _join(path, section)
            sub = _mapping(data[section], sub_path)
            _check_keys(sub, ("enabled",), sub_path)
            if "enabled" in sub:
                flags[f"{section}_enabled"] = _bool(sub["enabled"], _join(sub_path, "enabled"))
    return WebExtrasSpec(**flags)


def _pages(value: Any, path: str) -> tuple[PageSpec, ...]:
    if not isinstance(value, list):
        raise SeedError(f"{path}: must be a list (got {type(value).__name__})")
    pages = []
    for index, item in enumerate(value):
        item_path = f"{path}[{index}]"
        data = _mapping(item, item_path)
        _check_keys(data, ("title", "content", "visible", "slug", "translations"), item_path)
        if "title" not in data:
            raise SeedError(f"{_join(item_path, 'title')}: required key missing")
        pages.append(
            PageSpec(
                title=_string(data["title"], _join(item_path, "title")).strip(),
                content=(
                    _string(data["content"], _join(item_path, "content"), allow_empty=True)
                    if "content" in data
                    else None
                ),
                visible=_bool(data["visible"], _join(item_path, "visible")) if "visible" in data else None,
                slug=_string(data["slug"], _join(item_path, "slug")).strip() if "slug" in data else None,
                translations=_translations(data.get("translations", {}), _join(item_path, "translations")),
            )
        )
    return tuple(pages)


def _translations(value: Any, path: str) -> dict[str, tuple[str, str]]:
    data = _mapping(value, path)
    translations = {}
    for language, item in data.items():
        _locale(language, _join(path, language))
        item_path = _join(path, language)
        text = _mapping(item, item_path)
        _check_keys(text, ("title", "content"), item_path)
        translations[language] = (_string(text.get("title", ""), _join(item_path, "title"), allow_empty=True),
                                  _string(text.get("content", ""), _join(item_path, "content"), allow_empty=True))
    return translations


MEASUREMENT_ID_PATTERN = re.compile(r"^G-[A-Z0-9]{4,12}$")


def _measurement_id(value: Any, path: str) -> str:
    if value in (None, ""):
        return ""
    if not isinstance(value, str) or not MEASUREMENT_ID_PATTERN.match(value):
        raise SeedError(f"{path}: must look like G-XXXXXXXXXX (got {value!r})")
    return value


def _analytics(value: Any, path: str) -> AnalyticsSpec:
    data = _mapping(value, path)
    _check_keys(data, ("measurement_id",), path)
    return AnalyticsSpec(measurement_id=_measurement_id(data.get("measurement_id"), _join(path, "measurement_id")))
def _date(value: Any, path: str) -> dt.date:
    # YAML reads an unquoted 2016-03-01 as a date already; a quoted one arrives as a string.
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise SeedError(f"{path}: must be a date YYYY-MM-DD (got {value!r})")


def _count(value: Any, path: str, maximum: int, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        raise SeedError(f"{path}: must be an integer from {minimum} to {maximum} (got {value!r})")
    return value


def _subscriber(value: Any, path: str) -> SubscriberSpec:
    data = _mapping(value, path)
    _check_keys(data, ("email", "name", "subscribed_at", "source", "archived"), path)
    for key in ("email", "subscribed_at", "source"):
        if key not in data:
            raise SeedError(f"{_join(path, key)}: required key missing")
    return SubscriberSpec(
        email=_email(data["email"], _join(path, "email")),
        name=_string(data.get("name", ""), _join(path, "name"), allow_empty=True),
        subscribed_at=_date(data["subscribed_at"], _join(path, "subscribed_at")),
        source=_choice(data["source"], _join(path, "source"), SUBSCRIBER_SOURCES),
        archived=_bool(data["archived"], _join(path, "archived")) if "archived" in data else False,
    )


def _random_day(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=rng.randrange((last - first).days + 1))


def generate_subscribers(count: int, passive_before: int, seed: int) -> tuple[SubscriberSpec, ...]:
    """`count` subscribers, exactly `passive_before` of them added passively (manual, import) before the GDPR
    date; the others subscribed actively (any date) or were added passively on or after it. Deterministic."""
    rng = random.Random(seed)
    passive_rows = set(rng.sample(range(count), passive_before))
    subscribers = []
    for number in range(count):
        first, last = rng.choice(_FIRST_NAMES), rng.choice(_LAST_NAMES)
        local = re.sub(r"[^a-z]+", ".", f"{first} {last}".lower())
        if number in passive_rows:
            source = rng.choice(PASSIVE_SOURCES)
            day = _random_day(rng, _FIRST_DAY, GDPR_DATE - dt.timedelta(days=1))
        elif rng.random() < 0.3:
            source = rng.choice(PASSIVE_SOURCES)
            day = _random_day(rng, GDPR_DATE, _LAST_DAY)
        else:
            source = rng.choice(("form", "checkout"))
            day = _random_day(rng, _FIRST_DAY, _LAST_DAY)
        subscribers.append(SubscriberSpec(email=f"{local}.{number + 1}@example.test", name=f"{first} {last}",
                                          subscribed_at=day, source=source))
    return tuple(subscribers)


def _subscribers(value: Any, path: str) -> tuple[SubscriberSpec, ...]:
    """Either an explicit list or `{generate: {count, passive_before_2018, seed}}`."""
    if isinstance(value, list):
        subscribers = tuple(_subscriber(item, f"{path}[{index}]") for index, item in enumerate(value))
    else:
        data = _mapping(value, path)
        _check_keys(data, ("generate",), path)
        gen_path = _join(path, "generate")
        gen = _mapping(data.get("generate"), gen_path)
        _check_keys(gen, ("count", "passive_before_2018", "seed"), gen_path)
        if "count" not in gen:
            raise SeedError(f"{_join(gen_path, 'count')}: required key missing")
        count = _count(gen["count"], _join(gen_path, "count"), _MAX_SUBSCRIBERS)
        passive = _count(gen.get("passive_before_2018", 0), _join(gen_path, "passive_before_2018"), count)
        seed = _count(gen.get("seed", 0), _join(gen_path, "seed"), 2**31)
        subscribers = generate_subscribers(count, passive, seed)
    seen: set[str] = set()
    for index, subscriber in enumerate(subscribers):
        key = subscriber.email.casefold()
        if key in seen and not subscriber.archived:
            raise SeedError(f"{path}[{index}].email: {subscriber.email!r} is already an active subscriber")
        if not subscriber.archived:
            seen.add(key)
    return subscribers
def _break_ui(value: Any, path: str) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise SeedError(f"{path}: must be a list (got {type(value).__name__})")
    return tuple(_choice(item, f"{path}[{index}]", BREAKABLE_UI) for index, item in enumerate(value))


# --- field tables: one entry per seed key -----------------------------------------------------------------
@dataclass(frozen=True)
class Field:
    parse: Callable[[Any, str], Any]
    required: bool = False


STORE_FIELDS: dict[str, Field] = {
    "id": Field(_store_id, required=True),
    "name": Field(_string),
    "locale": Field(_locale),
    "email": Field(_email, required=True),
    # Optional: without it the store gets a password derived from its id, so that a committed seed file
    # holds no password at all; --write-fleet puts the real one in .env.
    "password": Field(_string),
    "totp_secret": Field(_totp_secret),
    # true: two-step verification with a secret derived from the id (again nothing secret in the file)
    "two_step": Field(_bool),
    "cookie_law": Field(_cookie_law),
    "web_extras": Field(_web_extras),
    "pages": Field(_pages),
    "analytics": Field(_analytics),
    "theme_loads_analytics_early": Field(_bool),
    "subscribers": Field(_subscribers),
    "break_ui": Field(_break_ui),
    "languages": Field(lambda value, path: _languages(value, path)),
    "theme_cookie_bar": Field(_bool),
    # Optional: without it a two-step account gets ten codes derived from its first store's id.
    "recovery_codes": Field(_recovery_codes),
    "bot_challenge": Field(_bool),
}


def _positive_count(value: Any, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= _MAX_GENERATED:
        raise SeedError(f"{path}: must be an integer from 1 to {_MAX_GENERATED} (got {value!r})")
    return value


def _languages(value: Any, path: str) -> tuple[str, ...]:
    languages = _locale_list(value, path)
    if len(set(languages)) != len(languages):
        raise SeedError(f"{path}: a language is listed twice ({', '.join(languages)})")
    return languages


def _locale_list(value: Any, path: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise SeedError(f"{path}: must be a non-empty list of locales")
    return tuple(_locale(item, f"{path}[{index}]") for index, item in enumerate(value))


GENERATE_FIELDS: dict[str, Field] = {
    "count": Field(_positive_count, required=True),
    "prefix": Field(_store_id),
    "locales": Field(_locale_list),
    "password": Field(_string),
    "cookie_law": Field(_cookie_law),
    "subscribers": Field(_subscribers),
}


def _parse_fields(data: Mapping[str, Any], fields: Mapping[str, Field], path: str) -> dict[str, Any]:
    _check_keys(data, fields, path)
    parsed: dict[str, Any] = {}
    for key, spec in fields.items():
        if key in data:
            parsed[key] = spec.parse(data[key], _join(path, key))
        elif spec.required:
            raise SeedError(f"{_join(path, key)}: required key missing")
    return parsed


# --- public API ------------------------------------------------------------------------------------------
def derived_name(store_id: str) -> str:
    return " ".join(part.capitalize() for part in store_id.split("-") if part) or store_id


def derived_password(store_id: str) -> str:
    """A deterministic per-store password, so generated fleets are reproducible across runs."""
    return hashlib.sha256(f"mock-backoffice:{store_id}".encode()).hexdigest()[:20]


def derived_totp_secret(store_id: str) -> str:
    """A deterministic base32 TOTP secret (160 bits) per store, for seeds that ask for `two_step: true`."""
    return base64.b32encode(hashlib.sha256(f"mock-backoffice-totp:{store_id}".encode()).digest()[:20]).decode()


def derived_recovery_codes(store_id: str) -> tuple[str, ...]:
    """Ten deterministic single-use recovery codes (`xxxx-xxxx`, hex) for a two-step account."""
    digest = hashlib.sha512(f"mock-backoffice-recovery:{store_id}".encode()).hexdigest()  # 128 hex digits
    return tuple(f"{digest[i:i + 4]}-{digest[i + 4:i + 8]}" for i in range(0, 80, 8))


#: the seed keys that make up a login account; stores with the same email share one account
ACCOUNT_KEYS: tuple[str, ...] = ("password", "totp_secret", "two_step", "recovery_codes")


def parse_store(data: Any, path: str) -> StoreSpec:
    values = _parse_fields(_mapping(data, path), STORE_FIELDS, path)
    languages = values.get("languages", ())
    for index, page in enumerate(values.get("pages", ())):
        for language in page.translations:
            if language not in languages[1:]:
                raise SeedError(f"{path}.pages[{index}].translations.{language}: not one of the store's other "
                                f"languages ({', '.join(languages[1:]) or 'none: set languages'})")
    values.setdefault("name", derived_name(values["id"]))
    values.setdefault("password", derived_password(values["id"]))
    if values.pop("two_step", False):
        if "totp_secret" in values:
            raise SeedError(f"{_join(path, 'two_step')}: give either two_step or totp_secret, not both")
        values["totp_secret"] = derived_totp_secret(values["id"])
    if "totp_secret" in values:
        values.setdefault("recovery_codes", derived_recovery_codes(values["id"]))
    return StoreSpec(**values)


def generate_stores(data: Any, path: str = "generate") -> list[StoreSpec]:
    """Deterministic extra stores (`<prefix>-001` ...) for benchmarks with many stores."""
    values = _parse_fields(_mapping(data, path), GENERATE_FIELDS, path)
    count: int = values["count"]
    prefix: str = values.get("prefix", "store")
    locales: tuple[str, ...] = values.get("locales", GENERATED_LOCALES)
    width = max(3, len(str(count)))
    stores = []
    for number in range(1, count + 1):
        store_id = f"{prefix}-{number:0{width}d}"
        stores.append(
            StoreSpec(
                id=store_id,
                name=derived_name(store_id),
                locale=locales[(number - 1) % len(locales)],
                email=f"owner@{store_id}.test",
                password=values.get("password") or derived_password(store_id),
                cookie_law=values.get("cookie_law", CookieLawSpec()),
                subscribers=values.get("subscribers", ()),
            )
        )
    return stores


def parse_seed(data: Any) -> SeedSpec:
    """Validate a raw seed (as loaded from YAML) and return immutable specs."""
    if data is None:
        raise SeedError("seed: empty; expected a mapping with 'stores' and/or 'generate'")
    root = _mapping(data, "seed")
    _check_keys(root, ("stores", "generate"), "")
    stores: list[StoreSpec] = []
    #: per store: where it is in the seed, and which account keys the seed gave it explicitly
    claims: list[tuple[str, Mapping[str, Any]]] = []
    if "stores" in root:
        if not isinstance(root["stores"], list):
            raise SeedError(f"stores: must be a list (got {type(root['stores']).__name__})")
        for index, item in enumerate(root["stores"]):
            stores.append(parse_store(item, f"stores[{index}]"))
            claims.append((f"stores[{index}]", {key: item[key] for key in ACCOUNT_KEYS if key in item}))
    if "generate" in root:
        generated = generate_stores(root["generate"])
        stores.extend(generated)
        explicit = {"password": root["generate"]["password"]} if "password" in root["generate"] else {}
        claims.extend(("generate", explicit) for _ in generated)
    if not stores:
        raise SeedError("stores: the seed defines no stores")
    seen: set[str] = set()
    for index, store in enumerate(stores):
        if store.id in seen:
            where = f"stores[{index}].id" if index < len(root.get("stores") or []) else "generate"
            raise SeedError(f"{where}: duplicate store id {store.id!r}")
        seen.add(store.id)
    return SeedSpec(stores=share_accounts(stores, claims))


def share_accounts(stores: list[StoreSpec], claims: list[tuple[str, Mapping[str, Any]]]) -> tuple[StoreSpec, ...]:
    """Stores seeded with the same email are one login account (an agency's): one password, one two-step
    secret, one set of recovery codes. The account takes what any of its stores gives (the values given
    must agree) and derives the rest from its first store's id, as a single store would."""
    groups: dict[str, list[int]] = {}
    for index, store in enumerate(stores):
        groups.setdefault(store.email.casefold(), []).append(index)
    resolved = list(stores)
    for members in groups.values():
        first = stores[members[0]]
        password = _agreed(members, claims, stores, "password") or derived_password(first.id)
        totp = _agreed(members, claims, stores, "totp_secret")
        if totp is None and any(claims[i][1].get("two_step") for i in members):
            totp = derived_totp_secret(first.id)
        codes = _agreed(members, claims, stores, "recovery_codes")
        if codes is not None and totp is None:
            where = next(claims[i][0] for i in members if "recovery_codes" in claims[i][1])
            raise SeedError(f"{where}.recovery_codes: only for an account with two-step verification "
                            "(two_step: true or totp_secret)")
        if totp is not None and codes is None:
            codes = derived_recovery_codes(first.id)
        for index in members:
            resolved[index] = replace(stores[index], password=password, totp_secret=totp,
                                      recovery_codes=tuple(codes or ()))
    return tuple(resolved)


def _agreed(members: list[int], claims: list[tuple[str, Mapping[str, Any]]], stores: list[StoreSpec],
            key: str) -> Any:
    """The one value the seed gives `key` among stores sharing an account (None: none gives it)."""
    given = [(claims[i][0], getattr(stores[i], key)) for i in members if key in claims[i][1]]
    for where, value in given[1:]:
        if value != given[0][1]:
            raise SeedError(f"{where}.{key}: differs from {given[0][0]}.{key}, a store with the same email "
                            "(stores with one email share one login account)")
    return given[0][1] if given else None


def load_seed_file(path: str | Path) -> dict[str, Any]:
    """Read a seed YAML file into a raw dict (validate it with `parse_seed`)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise SeedError(f"cannot read seed file {path}: {exc.strerror or exc}") from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise SeedError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise SeedError(f"{path}: the seed must be a YAML mapping with 'stores' and/or 'generate'")
    return data


def load_default_seed() -> dict[str, Any]:
    return load_seed_file(DEFAULT_SEED_PATH)
