"""Load and validate the mock's seed file into immutable specs.

The seed's shape is a set of pydantic models (strict: YAML's `123456` or `yes` is never silently a password
or a flag). Every error is one line naming the key path, `stores[2].cookie_law.mode: must be one of none,
notify, confirm, custom (got 'loud')`, so a broken seed is fixed in one look. Adding a per-store seed key
means adding one field to `StoreSpec` (and copying it into `state.Store`), nothing else here.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import random
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Annotated, Any

import pyotp
import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Strict,
    Tag,
    ValidationError,
    model_validator,
)

from .i18n import LOCALES

__all__ = ["LOCALES", "SeedError", "SeedSpec", "StoreSpec", "load_default_seed", "load_seed_file", "parse_seed"]

#: generated stores cycle through these backoffice languages unless the seed lists its own
GENERATED_LOCALES: tuple[str, ...] = LOCALES
COOKIE_LAW_MODES: tuple[str, ...] = ("none", "notify", "confirm", "custom")
#: how a newsletter subscriber was added: actively (form, checkout box) or passively (manual, import)
SUBSCRIBER_SOURCES: tuple[str, ...] = ("form", "checkout", "manual", "import")
PASSIVE_SOURCES: tuple[str, ...] = ("manual", "import")
#: the GDPR date the vendor's guide uses; the generator's `passive_before_2018` counts subscribers before it
GDPR_DATE = dt.date(2018, 5, 25)
#: parts of the backoffice a test can remove from one store, to see how the tool reports a changed UI
BREAKABLE_UI: tuple[str, ...] = ("cookie_law_section", "cookie_law_renamed", "pages_add_renamed")
#: how the backoffice's HTML is written: `classic` the real one's shape (Rails forms, Turbolinks, class-based
#: markup, no ARIA roles beyond native HTML), `aria` the mock's older markup (roles, <dialog>, full page loads)
MARKUPS: tuple[str, ...] = ("classic", "aria")
#: the admin pages that answer `.json` (their JSON twins), by the seed's name for each
JSON_TWINS: tuple[str, ...] = ("web_extras", "web_statistics", "pages", "newsletter_subscriptions", "customers")
#: the platform's clusters, as a storefront's /whois.json names them
CLUSTERS: tuple[str, ...] = ("eu1", "us1")
MEASUREMENT_ID_PATTERN = re.compile(r"^G-[A-Z0-9]{4,12}$")
DEFAULT_SEED_PATH = Path(__file__).with_name("default_seed.yaml")

_STORE_ID_RE = re.compile(r"^[a-z0-9-]+$")
_RECOVERY_CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{5,31}$")
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


class At(ValueError):
    """A validator's problem at a path below the value it validates (`pages[0].translations.fr`)."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(message)
        self.where, self.message = where, message


# --- value checks: each raises ValueError with the text after `<key path>: ` ------------------------------
def _non_empty(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value


def _one_of(choices: tuple[str, ...]) -> Callable[[str], str]:
    def check(value: str) -> str:
        if value not in choices:
            raise ValueError(f"must be one of {', '.join(choices)} (got {value!r})")
        return value

    return check


def _store_id(value: str) -> str:
    if not _STORE_ID_RE.match(value):
        raise ValueError(f"must match [a-z0-9-]+ (got {value!r})")
    return value


def _email(value: str) -> str:
    if "@" not in value or value != value.strip():
        raise ValueError(f"not an email address (got {value!r})")
    return value


def _totp_secret(value: str) -> str:
    try:
        pyotp.TOTP(value).at(0)  # any instant: this checks the key, not the time
    except Exception as exc:  # pyotp raises binascii.Error / ValueError / TypeError for bad secrets
        raise ValueError(f"not a valid base32 TOTP secret ({exc})") from None
    return value


def _between(minimum: int, maximum: int) -> Callable[[int], int]:
    def check(value: int) -> int:
        if not minimum <= value <= maximum:
            raise ValueError(f"must be an integer from {minimum} to {maximum} (got {value!r})")
        return value

    return check


def _measurement_id(value: str | None) -> str:
    if value in (None, ""):
        return ""
    if not MEASUREMENT_ID_PATTERN.match(value):
        raise ValueError(f"must look like G-XXXXXXXXXX (got {value!r})")
    return value


def _as_date(value: Any) -> Any:
    # YAML reads an unquoted 2016-03-01 as a date already; a quoted one arrives as a string.
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    if not isinstance(value, dt.date):
        raise ValueError(f"must be a date YYYY-MM-DD (got {value!r})")
    return value


def normalise_recovery_code(code: str) -> str:
    """How a typed recovery code is compared: case, spaces and dashes do not matter."""
    return re.sub(r"[\s-]+", "", code).lower()


def _recovery_codes(codes: tuple[str, ...]) -> tuple[str, ...]:
    if not codes:
        raise ValueError("must be a non-empty list of codes")
    seen: set[str] = set()
    for index, code in enumerate(codes):
        # letters, digits and dashes only: the .env written by --write-fleet joins them with commas
        if not _RECOVERY_CODE_RE.match(code):
            raise At(f"[{index}]", f"6 to 32 letters, digits or dashes (got {code!r})")
        if normalise_recovery_code(code) in seen:
            raise At(f"[{index}]", f"{code!r} is listed twice")
        seen.add(normalise_recovery_code(code))
    return codes


def _languages(languages: tuple[str, ...]) -> tuple[str, ...]:
    if not languages:
        raise ValueError("must be a non-empty list of locales")
    return languages


def _twins(value: bool | dict[str, bool]) -> frozenset[str]:
    """`json_twins: false` switches every twin off; a mapping switches the named ones (the rest stay on)."""
    if isinstance(value, bool):
        return frozenset(JSON_TWINS) if value else frozenset()
    for name in value:
        if name not in JSON_TWINS:
            raise At(name, f"unknown JSON twin; one of {', '.join(JSON_TWINS)}")
    return frozenset(name for name in JSON_TWINS if value.get(name, True))


def _distinct(languages: tuple[str, ...]) -> tuple[str, ...]:
    if len(set(languages)) != len(languages):
        raise ValueError(f"a language is listed twice ({', '.join(languages)})")
    return languages


# YAML turns unquoted 123456 or yes into int/bool: strict scalars refuse them (a silently wrong password), and
# refuse "yes" for a flag. Lists stay lists (a strict tuple would refuse YAML's lists).
Str = Annotated[str, Strict()]
Flag = Annotated[bool, Strict()]
Int = Annotated[int, Strict()]
Text = Annotated[str, Strict(), AfterValidator(_non_empty)]
Locale = Annotated[str, Strict(), AfterValidator(_one_of(LOCALES))]
Locales = Annotated[tuple[Locale, ...], AfterValidator(_languages)]
Day = Annotated[dt.date, BeforeValidator(_as_date)]


class Spec(BaseModel):
    """Base of the seed's models: unknown keys and loose types are errors; specs never change."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class CookieLawSpec(Spec):
    mode: Annotated[str, Strict(), AfterValidator(_one_of(COOKIE_LAW_MODES))] = "none"
    #: the custom message: one text (the shop's default language) or one per shop language
    message: Str | dict[Locale, Str] = ""
    #: the custom-message bar shows its "Manage cookies" control (a guess: the switch is not documented)
    manage_cookies: Flag = True

    def messages(self, languages: tuple[str, ...]) -> dict[str, str]:
        """The message per shop language (`languages`, default first); one text is the default language's."""
        if isinstance(self.message, str):
            return {languages[0]: self.message}
        return dict(self.message)


class ReviewsSpec(Spec):
    enabled: Flag = True


class CompareSpec(Spec):
    enabled: Flag = False


class WebExtrasSpec(Spec):
    """`web_extras: {reviews: {enabled}, compare: {enabled}}`."""

    reviews: ReviewsSpec = ReviewsSpec()
    compare: CompareSpec = CompareSpec()

    @property
    def reviews_enabled(self) -> bool:
        return self.reviews.enabled

    @property
    def compare_enabled(self) -> bool:
        return self.compare.enabled


class AnalyticsSpec(Spec):
    # Empty: no Google Analytics 4 configured.
    measurement_id: Annotated[Str | None, AfterValidator(_measurement_id)] = ""


class PageText(Spec):
    title: Str = ""
    content: Str = ""


class PageSpec(Spec):
    #: the title in the shop's default language
    title: Annotated[Text, AfterValidator(str.strip)]
    # None means "not given": a page that replaces a default page keeps the default's value.
    content: Str | None = None
    visible: Flag | None = None
    #: the page to change, by its slug (a default page retitled); else matched by title, else created
    slug: Annotated[Text, AfterValidator(str.strip)] | None = None
    #: the page's title and content in the shop's other languages
    translations: dict[Locale, PageText] = Field(default_factory=dict)


class SubscriberSpec(Spec):
    email: Annotated[Text, AfterValidator(_email)]
    name: Str = ""
    subscribed_at: Day
    source: Annotated[Str, AfterValidator(_one_of(SUBSCRIBER_SOURCES))]
    archived: Flag = False


class GenerateSubscribers(Spec):
    count: Annotated[Int, AfterValidator(_between(0, _MAX_SUBSCRIBERS))]
    passive_before_2018: Int = 0
    seed: Annotated[Int, AfterValidator(_between(0, 2**31))] = 0

    @model_validator(mode="after")
    def _passive_fits(self) -> GenerateSubscribers:
        if not 0 <= self.passive_before_2018 <= self.count:
            raise At("passive_before_2018", f"must be an integer from 0 to {self.count} "
                                            f"(got {self.passive_before_2018!r})")
        return self


class SubscriberGenerator(Spec):
    generate: GenerateSubscribers


def _list_or_generator(value: Any) -> str | None:
    if isinstance(value, list | tuple):
        return "<list>"
    return "<generate>" if isinstance(value, Mapping | SubscriberGenerator) else None


def _subscribers(value: Any) -> tuple[SubscriberSpec, ...]:
    subscribers = (generate_subscribers(value.generate.count, value.generate.passive_before_2018, value.generate.seed)
                   if isinstance(value, SubscriberGenerator) else tuple(value))
    seen: set[str] = set()
    for index, subscriber in enumerate(subscribers):
        key = subscriber.email.casefold()
        if key in seen and not subscriber.archived:
            raise At(f"[{index}].email", f"{subscriber.email!r} is already an active subscriber")
        if not subscriber.archived:
            seen.add(key)
    return subscribers


#: either an explicit list or `{generate: {count, passive_before_2018, seed}}`
Subscribers = Annotated[
    Annotated[tuple[SubscriberSpec, ...], Tag("<list>")] | Annotated[SubscriberGenerator, Tag("<generate>")],
    Discriminator(_list_or_generator),
    AfterValidator(_subscribers),
]


class StoreSpec(Spec):
    """One store of the seed, with what the seed leaves out derived (name, password, two-step secret)."""

    id: Annotated[Text, AfterValidator(_store_id)]
    email: Annotated[Text, AfterValidator(_email)]
    # Optional: without it the store gets a password derived from its id, so that a committed seed file
    # holds no password at all; --write-fleet puts the real one in .env.
    password: Text | None = None
    locale: Locale = "en"
    name: Text | None = None
    totp_secret: Annotated[Text, AfterValidator(_totp_secret)] | None = None
    # true: two-step verification with a secret derived from the id (again nothing secret in the file)
    two_step: Flag = False
    cookie_law: CookieLawSpec = CookieLawSpec()
    web_extras: WebExtrasSpec = WebExtrasSpec()
    pages: tuple[PageSpec, ...] = ()
    analytics: AnalyticsSpec = AnalyticsSpec()
    # A misconfigured theme that loads analytics on first paint, whatever the visitor chose.
    theme_loads_analytics_early: Flag = False
    subscribers: Subscribers = ()
    break_ui: tuple[Annotated[Str, AfterValidator(_one_of(BREAKABLE_UI))], ...] = ()
    #: the shop's languages, default first; empty: the backoffice locale only
    languages: Annotated[Locales, AfterValidator(_distinct)] = ()
    #: the theme shows its own consent banner instead of the platform's wsa-cookielaw bar
    theme_cookie_bar: Flag = False
    # Optional: without it a two-step account gets ten codes derived from its first store's id.
    #: single-use recovery codes of the account's two-step verification (empty without two-step)
    recovery_codes: Annotated[tuple[Text, ...], AfterValidator(_recovery_codes)] = ()
    #: the login chain answers with a Cloudflare-like "Just a moment..." interstitial first
    bot_challenge: Flag = False
    #: how the backoffice's HTML is written (see MARKUPS)
    markup: Annotated[Str, AfterValidator(_one_of(MARKUPS))] = "classic"
    #: which admin pages answer `.json`: true (all), false (none), or per twin `{pages: false}`
    json_twins: Annotated[Flag | dict[Str, Flag], AfterValidator(_twins)] = frozenset(JSON_TWINS)
    #: the newsletter list shows how each subscriber was added (real stores most likely do not)
    newsletter_source_column: Flag = False
    #: the platform cluster the shop runs on (/whois.json)
    cluster: Annotated[Str, AfterValidator(_one_of(CLUSTERS))] = "eu1"

    @model_validator(mode="after")
    def _derived(self) -> StoreSpec:
        if isinstance(self.cookie_law.message, dict):
            for language in self.cookie_law.message:
                if language not in (self.languages or (self.locale,)):
                    raise At(f"cookie_law.message.{language}", f"not a language of the shop "
                                                               f"({', '.join(self.languages or (self.locale,))})")
        for index, page in enumerate(self.pages):
            for language in page.translations:
                if language not in self.languages[1:]:
                    raise At(f"pages[{index}].translations.{language}",
                             f"not one of the store's other languages ({', '.join(self.languages[1:]) or 'none'}"
                             f"{'' if self.languages[1:] else ': set languages'})")
        if self.two_step and self.totp_secret is not None:
            raise At("two_step", "give either two_step or totp_secret, not both")
        derived: dict[str, Any] = {}
        if self.name is None:
            derived["name"] = derived_name(self.id)
        if self.password is None:
            derived["password"] = derived_password(self.id)
        if self.two_step:
            derived["totp_secret"] = derived_totp_secret(self.id)
        if (self.totp_secret or derived.get("totp_secret")) and not self.recovery_codes:
            derived["recovery_codes"] = derived_recovery_codes(self.id)
        for key, value in derived.items():
            object.__setattr__(self, key, value)  # frozen: the derived values are set once, while validating
        return self


class GenerateSpec(Spec):
    """Deterministic extra stores (`<prefix>-001` ...) for benchmarks with many stores."""

    count: Annotated[Int, AfterValidator(_between(1, _MAX_GENERATED))]
    prefix: Annotated[Text, AfterValidator(_store_id)] = "store"
    locales: Locales = GENERATED_LOCALES
    password: Text | None = None
    cookie_law: CookieLawSpec = CookieLawSpec()
    subscribers: Subscribers = ()


class SeedFile(Spec):
    stores: tuple[dict[str, Any], ...] = ()
    generate: dict[str, Any] | None = None


class SeedSpec(Spec):
    stores: tuple[StoreSpec, ...]

    def store_ids(self) -> list[str]:
        return [store.id for store in self.stores]


# --- errors as one line each ------------------------------------------------------------------------------
def _path(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif not part.startswith("<") and part not in ("function-after", "function-before"):
            text += f".{part}" if text else part
    return text


def _type_name(value: Any) -> str:
    return type(value).__name__


def seed_error(exc: ValidationError, prefix: str = "") -> SeedError:
    """The first problem of a validation, as `key.path: what is wrong` (pydantic's own words only as a last
    resort). An unknown key comes first: a misspelt key also makes the key it was meant to be missing."""
    errors = exc.errors(include_url=False)
    error = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
    loc = tuple(error["loc"])
    where = _path(loc)
    kind, value = error["type"], error.get("input")
    original = (error.get("ctx") or {}).get("error")
    if isinstance(original, At):
        sub = original.where
        where = f"{where}{sub}" if sub.startswith("[") else _path((*loc, *sub.split(".")))
        message = original.message
    elif kind == "extra_forbidden":
        message = "unknown key"
    elif kind == "missing":
        message = "required key missing"
    elif kind == "string_type":
        message = f"must be a string (got {_type_name(value)}; quote it in YAML)"
    elif kind == "bool_type":
        message = f"must be true or false (got {value!r})"
    elif kind == "int_type":
        message = f"must be an integer (got {value!r})"
    elif kind in ("tuple_type", "list_type"):
        message = f"must be a list (got {_type_name(value)})"
    elif kind in ("dict_type", "model_type", "model_attributes_type"):
        message = f"must be a mapping (got {_type_name(value)})"
    elif kind in ("union_tag_invalid", "union_tag_not_found"):
        message = f"must be a list, or a mapping such as {{generate: {{count: 10}}}} (got {_type_name(value)})"
    elif original is not None:
        message = str(original)
    else:
        message = error["msg"]
    prefixed = f"{prefix}.{where}" if prefix and where else prefix or where
    return SeedError(f"{prefixed}: {message}" if prefixed else message)


def _validate(model: type[Spec], data: Any, prefix: str) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise seed_error(exc, prefix) from None


# --- generators -----------------------------------------------------------------------------------------
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
        subscribers.append(SubscriberSpec.model_construct(email=f"{local}.{number + 1}@example.test",
                                                          name=f"{first} {last}", subscribed_at=day, source=source,
                                                          archived=False))
    return tuple(subscribers)


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
    return _validate(StoreSpec, data, path)


def generate_stores(data: Any, path: str = "generate") -> list[StoreSpec]:
    """Deterministic extra stores (`<prefix>-001` ...) for benchmarks with many stores."""
    spec: GenerateSpec = _validate(GenerateSpec, data, path)
    width = max(3, len(str(spec.count)))
    stores = []
    for number in range(1, spec.count + 1):
        store_id = f"{spec.prefix}-{number:0{width}d}"
        # Built, not validated: every value is valid by construction; the other keys take StoreSpec's defaults.
        stores.append(StoreSpec.model_construct(
            id=store_id, email=f"owner@{store_id}.test", password=spec.password or derived_password(store_id),
            locale=spec.locales[(number - 1) % len(spec.locales)], name=derived_name(store_id),
            cookie_law=spec.cookie_law, subscribers=spec.subscribers))
    return stores


def parse_seed(data: Any) -> SeedSpec:
    """Validate a raw seed (as loaded from YAML) and return immutable specs."""
    if data is None:
        raise SeedError("seed: empty; expected a mapping with 'stores' and/or 'generate'")
    if not isinstance(data, Mapping):
        raise SeedError(f"seed: must be a mapping (got {_type_name(data)})")
    root: SeedFile = _validate(SeedFile, dict(data), "")
    stores: list[StoreSpec] = []
    #: per store: where it is in the seed, and which account keys the seed gave it explicitly
    claims: list[tuple[str, Mapping[str, Any]]] = []
    for index, item in enumerate(root.stores):
        stores.append(parse_store(item, f"stores[{index}]"))
        claims.append((f"stores[{index}]", {key: item[key] for key in ACCOUNT_KEYS if key in item}))
    if root.generate is not None:
        generated = generate_stores(root.generate)
        stores.extend(generated)
        explicit = {"password": root.generate["password"]} if "password" in root.generate else {}
        claims.extend(("generate", explicit) for _ in generated)
    if not stores:
        raise SeedError("stores: the seed defines no stores")
    seen: set[str] = set()
    for index, store in enumerate(stores):
        if store.id in seen:
            where = f"stores[{index}].id" if index < len(root.stores) else "generate"
            raise SeedError(f"{where}: duplicate store id {store.id!r}")
        seen.add(store.id)
    return SeedSpec.model_construct(stores=share_accounts(stores, claims))


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
            resolved[index] = stores[index].model_copy(update={"password": password, "totp_secret": totp,
                                                               "recovery_codes": tuple(codes or ())})
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
