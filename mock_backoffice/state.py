"""The mock's mutable world: stores, their users and settings, and backoffice sessions.

The werkzeug server is threaded, so every read-modify-write happens under `World.lock` (re-entrant, so
helpers may call each other). The world is rebuilt from the immutable seed on reset, which is what makes
tests independent of each other.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
import secrets
import threading
import time
import unicodedata
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from .challenge_state import ChallengeBook
from .default_pages import DEFAULT_PAGES
from .identity_state import Account, IdentityBook, IdentitySession
from .seed import SeedSpec, StoreSpec


@dataclass
class PageText:
    """A page's title and content in one shop language."""

    title: str
    content: str


@dataclass
class Page:
    """A text page: one slug and one visibility for the whole shop, a title and content per shop language."""

    id: int
    slug: str
    visible: bool
    #: the shop's default language: `title` and `content` read and write its text
    default_language: str
    texts: dict[str, PageText] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return self.text(self.default_language).title

    @title.setter
    def title(self, value: str) -> None:
        self.text(self.default_language).title = value

    @property
    def content(self) -> str:
        return self.text(self.default_language).content

    @content.setter
    def content(self, value: str) -> None:
        self.text(self.default_language).content = value

    def text(self, language: str) -> PageText:
        """The page's text in `language` (created empty on first use, like a new translation)."""
        return self.texts.setdefault(language, PageText(title="", content=""))

    def title_in(self, language: str) -> str:
        """What the storefront shows as the title in `language`: the default language's when not translated."""
        return self.texts[language].title if self.texts.get(language) and self.texts[language].title else self.title

    def to_json(self) -> dict[str, Any]:
        """The default language's title and content; the other languages' under `translations` (when any)."""
        data: dict[str, Any] = {"id": self.id, "title": self.title, "slug": self.slug, "content": self.content,
                                "visible": self.visible}
        others = {language: asdict(text) for language, text in self.texts.items() if language != self.default_language}
        if others:
            data["translations"] = others
        return data


@dataclass
class CookieLaw:
    mode: str = "none"
    #: the custom message per shop language; kept when another mode is chosen, like the real form keeps the
    #: hidden textarea's value
    messages: dict[str, str] = field(default_factory=dict)
    #: the custom-message bar shows its "Manage cookies" control (the switch is a guess)
    manage_cookies: bool = True

    def message(self, language: str) -> str:
        return self.messages.get(language, "")


@dataclass
class WebExtras:
    reviews_enabled: bool = True
    compare_enabled: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"reviews": {"enabled": self.reviews_enabled}, "compare": {"enabled": self.compare_enabled}}


@dataclass
class Analytics:
    measurement_id: str = ""
    # Beacons received by the local collect endpoint: {"measurement_id", "event", "consent", "path"}.
    hits: list[dict[str, str]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"measurement_id": self.measurement_id, "hits": [dict(hit) for hit in self.hits]}


@dataclass
class Subscriber:
    # Shown nowhere: it is only the value of the row's checkbox, like the real list's record id.
    id: int
    email: str
    name: str
    subscribed_at: dt.date
    source: str
    #: world clock time of archiving; None while active. There is no way back, as in the real backoffice.
    archived_at: float | None = None

    @property
    def archived(self) -> bool:
        return self.archived_at is not None

    def to_json(self) -> dict[str, Any]:
        archived_at = None
        if self.archived_at is not None:
            archived_at = dt.datetime.fromtimestamp(self.archived_at, dt.UTC).isoformat()
        return {"email": self.email, "name": self.name, "subscribed_at": self.subscribed_at.isoformat(),
                "source": self.source, "archived": self.archived, "archived_at": archived_at}


def newest_first(subscribers: list[Subscriber]) -> list[Subscriber]:
    """The list's order: date subscribed descending, newest record first on equal dates. A signup lands on
    top and pushes every row one place down, across page boundaries."""
    return sorted(subscribers, key=lambda s: (s.subscribed_at, s.id), reverse=True)


@dataclass
class LoginCounters:
    """This store's side of logging in; failures and the lock belong to the account (`Store.account`)."""

    #: logins completed into this store (a one-time SSO token redeemed), with or without the password form
    successful_logins: int = 0
    # Every credential submission (password or code) in a login chain started by this store, refused ones
    # included: lets tests prove the tool never retries a failed login blindly.
    attempts: int = 0


@dataclass
class WriteCount:
    """Writes to one target of a store: those that changed it, and those that set what already was (a change
    applied twice, e.g. a retry that did not read first after the answer to its first write was lost)."""

    changed: int = 0
    unchanged: int = 0

    def to_json(self) -> dict[str, int]:
        return {"changed": self.changed, "unchanged": self.unchanged}


@dataclass
class Store:
    id: str
    name: str
    #: the backoffice user's language (the admin's labels)
    locale: str
    #: the login account (shared with the other stores seeded with the same email)
    account: Account
    cookie_law: CookieLaw
    web_extras: WebExtras
    pages: list[Page] = field(default_factory=list)
    login: LoginCounters = field(default_factory=LoginCounters)
    subscribers: list[Subscriber] = field(default_factory=list)
    next_page_id: int = 1
    analytics: Analytics = field(default_factory=Analytics)
    theme_loads_analytics_early: bool = False
    next_subscriber_id: int = 1001
    #: seed `break_ui`: parts of the backoffice left out of this store's pages (tests of a changed UI)
    break_ui: frozenset[str] = frozenset()
    #: the shop's (storefront) languages, the default first; other languages live under /<id>/<language>/
    languages: tuple[str, ...] = ()
    #: the theme replaces the platform's cookie bar with its own banner (an ARIA region with buttons)
    theme_cookie_bar: bool = False
    #: the login chain is behind a Cloudflare-like bot check
    bot_challenge: bool = False
    #: how the backoffice's HTML is written: `classic` (Rails, Turbolinks, classes) or `aria` (roles)
    markup: str = "classic"
    #: the admin pages that answer `.json` (seed `json_twins`)
    json_twins: frozenset[str] = frozenset()
    #: the newsletter list shows a Source column (seed `newsletter_source_column`)
    newsletter_source_column: bool = False
    #: the platform cluster (/whois.json)
    cluster: str = "eu1"
    #: every write the backoffice carried out, by what it wrote (`GET /__mock__/writes`)
    writes: dict[str, WriteCount] = field(default_factory=dict)

    def count_write(self, target: str, changed: bool) -> None:
        """A write carried out on `target` (`web_extras`, `page 3`, `newsletter archive`); `changed` False when it
        set what already was: the same change made a second time."""
        count = self.writes.setdefault(target, WriteCount())
        if changed:
            count.changed += 1
        else:
            count.unchanged += 1

    @property
    def default_language(self) -> str:
        return self.languages[0] if self.languages else self.locale

    @property
    def shop_languages(self) -> tuple[str, ...]:
        return self.languages or (self.locale,)

    def page_by_slug(self, slug: str) -> Page | None:
        return next((page for page in self.pages if page.slug == slug), None)

    def page_by_id(self, page_id: int) -> Page | None:
        return next((page for page in self.pages if page.id == page_id), None)

    def page_by_title(self, title: str) -> Page | None:
        return next((page for page in self.pages if page.title == title), None)

    def visible_pages(self) -> list[Page]:
        return [page for page in self.pages if page.visible]

    def add_page(self, title: str, content: str, visible: bool, slug: str | None = None) -> Page:
        """A page with `title` and `content` in the default language (other languages start empty)."""
        page = Page(id=self.next_page_id, slug=self.unique_slug(slug or slugify(title)), visible=visible,
                    default_language=self.default_language)
        page.texts = {language: PageText(title="", content="") for language in self.shop_languages}
        page.title, page.content = title, content
        self.next_page_id += 1
        self.pages.append(page)
        return page

    def unique_slug(self, base: str) -> str:
        taken = {page.slug for page in self.pages}
        candidate, number = base, 2
        while candidate in taken:
            candidate, number = f"{base}-{number}", number + 1
        return candidate

    def active_subscribers(self) -> list[Subscriber]:
        return newest_first([s for s in self.subscribers if not s.archived])

    def archived_subscribers(self) -> list[Subscriber]:
        return newest_first([s for s in self.subscribers if s.archived])

    def active_subscriber(self, email: str) -> Subscriber | None:
        key = email.casefold()
        return next((s for s in self.subscribers if not s.archived and s.email.casefold() == key), None)

    def add_subscriber(self, email: str, name: str, subscribed_at: dt.date, source: str,
                       archived_at: float | None = None) -> Subscriber:
        subscriber = Subscriber(id=self.next_subscriber_id, email=email, name=name, subscribed_at=subscribed_at,
                                source=source, archived_at=archived_at)
        self.next_subscriber_id += 1
        self.subscribers.append(subscriber)
        return subscriber

    def archive_subscribers(self, ids: set[int], now: float) -> int:
        """Archive the active subscribers with these ids; unknown or already archived ids are ignored."""
        count = 0
        for subscriber in self.subscribers:
            if subscriber.id in ids and not subscriber.archived:
                subscriber.archived_at = now
                count += 1
        return count

    def cookie_law_json(self) -> dict[str, Any]:
        """The COOKIE LAW as tests see it: `message` is the default language's, `messages` every language's."""
        return {"mode": self.cookie_law.mode, "message": self.cookie_law.message(self.default_language),
                "messages": dict(self.cookie_law.messages), "manage_cookies": self.cookie_law.manage_cookies}

    def to_json(self) -> dict[str, Any]:
        return {
            "locale": self.locale,
            "name": self.name,
            "markup": self.markup,
            "json_twins": sorted(self.json_twins),
            "newsletter_source_column": self.newsletter_source_column,
            "cookie_law": self.cookie_law_json(),
            "web_extras": self.web_extras.to_json(),
            "languages": list(self.shop_languages),
            "pages": [page.to_json() for page in self.pages],
            # failures and the lock are the account's (shared by its stores); the rest this store's
            "login": {"failed_attempts": self.account.failed_attempts, "locked": self.account.locked,
                      **asdict(self.login)},
            "account": self.account.email,
            "bot_challenge": self.bot_challenge,
            "analytics": self.analytics.to_json(),
            "theme_loads_analytics_early": self.theme_loads_analytics_early,
            "subscribers": [subscriber.to_json() for subscriber in self.subscribers],
        }


@dataclass(frozen=True)
class RequestRecord:
    """One answered request of a store, for the access log (`GET /__mock__/requests`): the path only, never a
    query (the login chain's carry one-time tokens)."""

    store: str
    method: str
    #: below the store: `admin/settings/web_extras.json`, `service/privacy-policy/`
    path: str
    status: int

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


#: the access log keeps this many requests (the oldest go first): enough for any test, bounded for a benchmark
ACCESS_LOG_SIZE = 200_000


@dataclass
class Session:
    id: str
    store_id: str
    csrf_token: str
    created_at: float
    authenticated_at: float | None = None
    #: the `state` of the login chain this browser started, and where to go once it comes back
    login_state: str | None = None
    next_path: str | None = None
    # Shown on the account page and used to revoke; the real id is a secret and never rendered.
    public_id: str = field(default_factory=lambda: secrets.token_hex(4))
    flashes: list[str] = field(default_factory=list)

    @property
    def authenticated(self) -> bool:
        return self.authenticated_at is not None


def slugify(title: str) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-") or "page"


def build_store(spec: StoreSpec, account: Account, now: float = 0.0) -> Store:
    languages = spec.languages or (spec.locale,)
    store = Store(
        id=spec.id,
        name=spec.name or spec.id,
        locale=spec.locale,
        account=account,
        cookie_law=CookieLaw(mode=spec.cookie_law.mode, messages=spec.cookie_law.messages(languages),
                             manage_cookies=spec.cookie_law.manage_cookies),
        web_extras=WebExtras(
            reviews_enabled=spec.web_extras.reviews_enabled,
            compare_enabled=spec.web_extras.compare_enabled,
        ),
        break_ui=frozenset(spec.break_ui),
        languages=languages,
        theme_cookie_bar=spec.theme_cookie_bar,
        bot_challenge=spec.bot_challenge,
        markup=spec.markup,
        json_twins=frozenset(spec.json_twins),
        newsletter_source_column=spec.newsletter_source_column,
        cluster=spec.cluster,
    )
    store.analytics.measurement_id = spec.analytics.measurement_id
    store.theme_loads_analytics_early = spec.theme_loads_analytics_early
    for default in DEFAULT_PAGES[store.default_language]:
        page = store.add_page(default.title, default.content, default.visible, slug=default.slug)
        for language in store.shop_languages[1:]:
            translated = next(d for d in DEFAULT_PAGES[language] if d.slug == default.slug)
            page.texts[language] = PageText(title=translated.title, content=translated.content)
    for page_spec in spec.pages:
        existing = (store.page_by_slug(page_spec.slug) if page_spec.slug else None) or store.page_by_title(
            page_spec.title)
        if existing is None:
            existing = store.add_page(page_spec.title, "", True, slug=page_spec.slug)
        existing.title = page_spec.title
        if page_spec.content is not None:
            existing.content = page_spec.content
        if page_spec.visible is not None:
            existing.visible = page_spec.visible
        for language, text in page_spec.translations.items():
            existing.texts[language] = PageText(title=text.title, content=text.content)
    for sub in spec.subscribers:
        store.add_subscriber(sub.email, sub.name, sub.subscribed_at, sub.source,
                             archived_at=now if sub.archived else None)
    return store


@dataclass(frozen=True)
class SessionSnapshot:
    """Logged-in sessions kept across resets (`POST /__mock__/sessions/snapshot`): the authenticated backoffice
    sessions and the signed-in identity sessions, as they were when taken. A test suite logs each store in
    once, takes the snapshot, and resets with `keep_sessions` before each test, so the cached sessions the tool
    saved still work while everything else starts from the seed."""

    sessions: tuple[Session, ...]
    identity_sessions: tuple[IdentitySession, ...]

    def to_json(self) -> dict[str, int]:
        return {"sessions": len(self.sessions), "identity_sessions": len(self.identity_sessions)}


class World:
    """All stores and their sessions, the identity service's accounts and sessions, and the bot check;
    `clock` is an attribute so tests can move time without sleeping."""

    def __init__(self, seed: SeedSpec, clock: Callable[[], float] = time.time) -> None:
        self.lock = threading.RLock()
        self.seed = seed
        self.clock = clock
        self.stores: dict[str, Store] = {}
        self.sessions: dict[str, Session] = {}
        self.identity = IdentityBook(seed.stores)
        self.challenges = ChallengeBook()
        self.requests: deque[RequestRecord] = deque(maxlen=ACCESS_LOG_SIZE)
        #: what `reset(keep_sessions=True)` restores; a plain reset leaves it as it is
        self.session_snapshot: SessionSnapshot | None = None
        self.reset()

    def reset(self, keep_sessions: bool = False) -> None:
        """Back to the seed: stores, accounts (counters, lockouts, recovery codes), sessions, one-time tokens,
        challenges and the access log. `keep_sessions`: then the snapshot's sessions are restored, copies of
        them exactly as taken (the caller checks that there is a snapshot)."""
        with self.lock:
            now = self.clock()
            self.identity = IdentityBook(self.seed.stores)
            self.challenges = ChallengeBook()
            self.stores = {}
            for spec in self.seed.stores:
                account = self.identity.account(spec.email)
                assert account is not None  # IdentityBook made one per email
                self.stores[spec.id] = build_store(spec, account, now)
            self.sessions = {}
            self.requests.clear()
            if keep_sessions and self.session_snapshot is not None:
                self._restore(self.session_snapshot)

    def snapshot_sessions(self) -> SessionSnapshot:
        """Take (and keep) copies of the authenticated backoffice sessions and signed-in identity sessions."""
        with self.lock:
            self.session_snapshot = SessionSnapshot(
                sessions=tuple(copy.deepcopy(s) for s in self.sessions.values() if s.authenticated),
                identity_sessions=tuple(copy.deepcopy(s) for s in self.identity.sessions.values()
                                        if s.email is not None))
            return self.session_snapshot

    def _restore(self, snapshot: SessionSnapshot) -> None:
        """Copies, so that what a test does to a session (a flash message) never reaches the next test."""
        for session in snapshot.sessions:
            if session.store_id in self.stores:
                self.sessions[session.id] = copy.deepcopy(session)
        for identity_session in snapshot.identity_sessions:
            if self.identity.account(identity_session.email or "") is not None:
                self.identity.sessions[identity_session.id] = copy.deepcopy(identity_session)

    def log_request(self, record: RequestRecord) -> None:
        with self.lock:
            self.requests.append(record)

    def access_log(self, store_id: str | None = None) -> list[RequestRecord]:
        with self.lock:
            return [record for record in self.requests if store_id is None or record.store == store_id]

    def store(self, store_id: str) -> Store | None:
        return self.stores.get(store_id)

    # --- sessions ---------------------------------------------------------------------------------------
    def new_session(self, store_id: str) -> Session:
        with self.lock:
            session = Session(
                id=secrets.token_urlsafe(32),
                store_id=store_id,
                csrf_token=secrets.token_urlsafe(32),
                created_at=self.clock(),
            )
            self.sessions[session.id] = session
            return session

    def session(self, session_id: str | None, store_id: str) -> Session | None:
        """The session with this id, only if it belongs to `store_id`: stores never share a login."""
        if not session_id:
            return None
        with self.lock:
            session = self.sessions.get(session_id)
            return session if session is not None and session.store_id == store_id else None

    def drop_session(self, session_id: str) -> None:
        with self.lock:
            self.sessions.pop(session_id, None)

    def drop_sessions(self, store_id: str | None = None) -> int:
        with self.lock:
            doomed = [sid for sid, s in self.sessions.items() if store_id is None or s.store_id == store_id]
            for sid in doomed:
                del self.sessions[sid]
            return len(doomed)

    def store_sessions(self, store_id: str) -> list[Session]:
        with self.lock:
            return [s for s in self.sessions.values() if s.store_id == store_id and s.authenticated]

    def to_json(self) -> dict[str, Any]:
        with self.lock:
            stores = {}
            for store_id, store in self.stores.items():
                data = store.to_json()
                data["active_sessions"] = len(self.store_sessions(store_id))
                if store.bot_challenge:
                    data["challenges"] = self.challenges.to_json(store_id)
                stores[store_id] = data
            return {"stores": stores, "accounts": self.accounts_json()}

    def accounts_json(self) -> dict[str, dict[str, Any]]:
        with self.lock:
            return {account.email: {**account.to_json(),
                                    "identity_sessions": self.identity.signed_in_sessions(account.email)}
                    for account in self.identity.accounts.values()}
