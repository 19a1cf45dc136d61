"""What the content settings (privacy_policy, ccpa_page, ...) share: finding a text page (by its slug first,
then by its title), reading and writing its title and content in every shop language through the editor, with
a backup of what each language held before.

Pages are always found at the moment of acting, never trusted from an earlier read by id: a run that created
a page and died before finishing it is completed by the next run instead of duplicating it. A page whose
title differs from the one the tool expects is still found by its slug, and is updated, never duplicated.

Entry points: `read_text_page` (into a typed, frozen `TextPageState`) / `write_text_page` (every language);
`read_titled_page` / `write_titled_page` are the one-language forms kept for settings that manage a page in the
default language only. The settings built on these are in flows/text_page_setting.py; the breach notice
(automation/breach/publish.py) uses them directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ecom_privacy.errors import ConfigError, SettingError
from ecom_privacy.models import Diagnostic
from ecom_privacy.setting import CurrentState, PlanInput, StoreSession
from flows.content.html_text import page_text
from flows.labels import SUPPORTED_LOCALES, Labels, labels_for
from flows.pages.content_pages import PageEditorPage, PageRow, PagesListPage, PagesTwin, find_rows, same_title
from flows.pages.json_twin import TwinUnusable, fallback_notes


def shop_languages(context: PlanInput) -> tuple[str, ...]:
    """The store's shop languages, default first (a store without `languages` has its one locale)."""
    return context.languages or (context.locale,)


def shipped_labels(language: str) -> Labels | None:
    """The shipped table of a shop language (no overrides): for a PlanInput that was handed none (tests)."""
    return labels_for(language) if language in SUPPORTED_LOCALES else None


def page_titles(setting: str, titles: dict[str, str], label_key: str | None, context: PlanInput) -> dict[str, str]:
    """The page's title in every shop language: the fleet file's `title`, else the label table's default
    (`label_key`; None: the page has no default title, the fleet file must give it).

    A language with neither is a configuration error naming the store, the setting and the language."""
    resolved = {}
    for language in shop_languages(context):
        title = (titles.get(language) or "").strip()
        table = (context.shop_labels or shipped_labels)(language)
        if not title and label_key is not None and table is not None:
            title = table[label_key]
        if not title:
            source = (f"no label table flows/labels/{language}.yaml to take a default from" if label_key is not None
                      else "this page has no default title")
            raise ConfigError(
                f"store {context.store_id}: {setting}.title.{language}: no title for shop language {language!r} "
                f"and {source}; set {setting}: {{title: {{{language}: ...}}}} in the fleet file")
        resolved[language] = title
    return resolved


def titles_per_language(value: Any) -> Any:
    """A setting's `title` is a mapping language -> title (a pydantic "before" validator)."""
    if isinstance(value, str):
        raise ValueError("give the title per shop language, e.g. title: {nl: Privacyverklaring, en: Privacy policy}")
    return value


class PageLanguageText(BaseModel):
    """What apply writes in one language: the title (None: keep the page's) and the content (None: keep it)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    title: str | None = None
    html: str | None = None


class TextPageAfter(BaseModel):
    """The `after` of a text page's change (a plan holds it as JSON): the page apply brings about, and how apply
    finds it again (its slug first, then its titles; never a remembered id)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    visible: bool
    #: its title in the default language (as the plan found or will create it)
    title: str
    #: the default language's content; None: leave it (a hide)
    html: str | None = None
    slug: str | None = None
    #: language -> the title it is found by
    find_titles: dict[str, str] = Field(default_factory=dict)
    #: language -> what to write; None: nothing to write (a hide). Not set: a plan saved before plans carried
    #: every language (the default language only: `title`, `html`)
    languages: dict[str, PageLanguageText] | None = None
    #: the page the plan found (for the record: apply looks it up again)
    page_id: int | None = None

    @property
    def one_language_only(self) -> bool:
        """A plan saved by an earlier version: it holds the default language's title and content only."""
        return "languages" not in self.model_fields_set

    @property
    def target(self) -> PageTarget:
        """The page this change is for, as the plan found it (slug, then titles per language)."""
        titles = self.find_titles or {language: self.title for language in self.languages or {}}
        return PageTarget(slug=self.slug, titles=dict(titles))


class PageTexts(BaseModel):
    """A page's title and content (HTML as the editor stored it) in one language; empty: none there."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    title: str = ""
    html: str = ""

    def differs_from(self, title: str | None, html: str | None) -> bool:
        """True when writing `title` / `html` (None: leave it) would change what a reader sees: content compared
        by its text (the editor rewrites HTML), titles whatever their case and spacing."""
        return content_differs(self.html, html) or (title is not None and not same_title(self.title, title))


def content_differs(old_html: str, new_html: str | None) -> bool:
    """True when `new_html` (None: leave the content) reads differently from `old_html`."""
    return new_html is not None and page_text(old_html) != page_text(new_html)


class PageMatch(BaseModel):
    """A row of Content > Pages that matched the page looked for."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: int
    #: the title in the shop's default language, as the list shows it
    title: str
    #: the page's editor in the backoffice, for messages a person can follow
    url: str
    visible: bool
    #: the page's address slug, when the list shows it (the same in every language)
    slug: str | None = None

    @classmethod
    def of(cls, row: PageRow) -> PageMatch:
        return cls(id=row.id, title=row.title, url=row.url, visible=row.visible, slug=row.slug)


class FoundPage(PageMatch):
    """The one page that matched, read in its editor: visibility (the editor's switch) and every language."""

    #: the default language's content (also under `languages`; kept because saved plans observed it so)
    html: str = ""
    #: language -> title and content, default language first; empty for a page known in one language only
    languages: dict[str, PageTexts] = Field(default_factory=dict)

    def text(self, language: str, default_language: str) -> PageTexts:
        """The page in one language (empty when it has nothing there). A page known in one language only (no
        `languages`) has the list's title and `html` in the default language."""
        if self.languages:
            return self.languages.get(language) or PageTexts()
        return PageTexts(title=self.title, html=self.html) if language == default_language else PageTexts()

    def row(self) -> PageMatch:
        return PageMatch(id=self.id, title=self.title, url=self.url, visible=self.visible, slug=self.slug)


class TextPageState(CurrentState):
    """What a read found for a page looked for by its slug, then by its title: every match, and the page itself
    when exactly one matched. Its JSON form is what a plan records as observed."""

    #: the slug looked for (None: by title only)
    slug: str | None = None
    #: the title looked for, in the default language
    title: str = ""
    #: how the matches were found; None: no match
    found_by: Literal["slug", "title"] | None = None
    matches: tuple[PageMatch, ...] = ()
    #: the page, read in its editor, when exactly one matched
    page: FoundPage | None = None

    def found(self, setting: str) -> FoundPage | None:
        """The one page the read found (None when there is none); two or more with the title is an error."""
        if len(self.matches) > 1:
            raise duplicate_error(setting, self.title, list(self.matches))
        return self.page


def duplicate_error(setting: str, title: str, matches: list[PageMatch]) -> SettingError:
    pages = ", ".join(f"page {match.id} ({match.url})" for match in matches)
    return SettingError(
        f"{setting}: {len(matches)} pages are titled {title!r}: {pages}; the tool will not guess which one is "
        f"meant: rename or delete the extra one(s) in Content > Pages, then run again"
    )


@dataclass(frozen=True)
class PageTarget:
    """Which page a content setting manages: its slug (looked for first) and title per shop language."""

    slug: str | None
    #: language -> title, default language first
    titles: dict[str, str]

    @property
    def default_title(self) -> str:
        return next(iter(self.titles.values()))

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(self.titles)


def page_target(setting: str, titles: dict[str, str], slug: str | None, label: str | None,
                context: PlanInput) -> PageTarget:
    """The page a content setting manages: its slug, and its title in every shop language (see `page_titles`)."""
    return PageTarget(slug=slug, titles=page_titles(setting, titles, label, context))




async def read_text_page(session: StoreSession, target: PageTarget) -> TextPageState:
    """Find the page (slug first, then default-language title) and, when exactly one matched, read its visibility
    and its title and HTML in every language of `target`: from the JSON twins (`pages.json`, `pages/<id>.json`)
    when they answer, else from the list and the editor (opened only for a single match), saying so once."""
    twin = PagesTwin(session.page, session.backoffice_url, session.labels, "pages", "content_pages_json")
    notes: list[Diagnostic] = []
    try:
        return await _read_twin(twin, target)
    except TwinUnusable as problem:
        notes = fallback_notes(session, problem)
    return (await _read_pages(session, target)).noting(notes)


async def _read_twin(twin: PagesTwin, target: PageTarget) -> TextPageState:
    rows, found_by = find_rows(await twin.rows(target.languages[0]), target.slug, target.default_title)
    page = None
    if len(rows) == 1:
        item = await twin.page_item(rows[0].id)
        contents = item.content or {}
        texts = {language: PageTexts(title=(item.title.get(language) or "").strip(),
                                     html=contents.get(language) or "") for language in target.languages}
        row = PageMatch.of(rows[0])
        page = FoundPage(**{**row.model_dump(), "visible": item.visible}, html=texts[target.languages[0]].html,
                         languages=texts)
    return TextPageState(slug=target.slug, title=target.default_title, found_by=found_by,
                         matches=tuple(PageMatch.of(row) for row in rows), page=page)


async def _read_pages(session: StoreSession, target: PageTarget) -> TextPageState:
    listing = PagesListPage(session.page, session.backoffice_url, session.labels)
    await listing.open()
    rows, found_by = await listing.find_page(target.slug, target.default_title)
    page = None
    if len(rows) == 1:
        editor = PageEditorPage(session.page, session.backoffice_url, session.labels, page_id=rows[0].id)
        await editor.open()
        texts = {}
        for index, language in enumerate(target.languages):
            await editor.select_language(language, default=index == 0)
            texts[language] = PageTexts(title=await editor.read_title(), html=await editor.read_html())
        row = PageMatch.of(rows[0])
        page = FoundPage(**{**row.model_dump(), "visible": await editor.read_visible()},
                         html=texts[target.languages[0]].html, languages=texts)
    return TextPageState(slug=target.slug, title=target.default_title, found_by=found_by,
                         matches=tuple(PageMatch.of(row) for row in rows), page=page)


def backup_name(setting: str, now: datetime, language: str | None = None) -> str:
    stamp = now.astimezone(UTC).strftime('%Y%m%dT%H%M%SZ')
    return f"{setting}-{stamp}.html" if language is None else f"{setting}-{stamp}.{language}.html"


async def write_text_page(session: StoreSession, setting: str, target: PageTarget, *,
                          texts: dict[str, PageLanguageText] | None, visible: bool) -> bool:
    """Bring the page to `texts` (language -> its new title and content, None in either to keep it) and
    `visible`; create it when missing (texts None: only visibility, nothing to create).

    Returns False when the page already was as desired (a repeated or retried apply changes nothing). Each
    language's old content is saved to the run's artifacts before anything on the page is touched, and all
    languages are saved together with one Save.
    """
    listing = PagesListPage(session.page, session.backoffice_url, session.labels)
    await listing.open()
    rows: list[PageRow]
    rows, _ = await listing.find_page(target.slug, target.default_title)
    if len(rows) > 1:
        raise duplicate_error(setting, target.default_title, [PageMatch.of(row) for row in rows])
    if not rows and texts is None:
        return False  # nothing to hide
    editor = PageEditorPage(session.page, session.backoffice_url, session.labels)
    if rows:
        editor.page_id = rows[0].id
        await editor.open()
    else:
        await listing.add_page()
    # Read every language first: the backups are written before any field is touched.
    plan: list[tuple[str, str | None, str | None]] = []
    backups: dict[str, str] = {}
    for index, language in enumerate(target.languages):
        wanted = (texts or {}).get(language) or PageLanguageText()
        await editor.select_language(language, default=index == 0)
        old_title, old_html = await editor.read_title(), await editor.read_html()
        new_title, new_html = wanted.title, wanted.html
        title_differs = new_title is not None and not same_title(old_title, new_title)
        html_differs = content_differs(old_html, new_html)
        if html_differs and old_html.strip():
            backups[language] = old_html
        if title_differs or html_differs:
            plan.append((language, new_title if title_differs else None, new_html if html_differs else None))
    if rows and not plan and await editor.read_visible() == visible:
        return False
    for language, old_html in backups.items():
        session.artifacts.save(session.store_id,
                               backup_name(setting, session.clock.now(), _backup_language(target, language)), old_html)
    for language, new_title, new_html in plan:
        await editor.select_language(language, default=language == target.languages[0])
        if new_title is not None:
            await editor.fill_title(new_title)
        if new_html is not None:
            await editor.replace_content(new_html)
    await editor.set_visible(visible)
    await editor.save()
    return True


def _backup_language(target: PageTarget, language: str) -> str | None:
    """One-language shops keep the old backup name (`<setting>-<time>.html`); others name the language."""
    return None if len(target.languages) == 1 else language


def _default_language(session: StoreSession) -> str:
    return shop_languages(session.plan_input)[0]


async def read_titled_page(session: StoreSession, title: str) -> TextPageState:
    """The one-language form of `read_text_page`: the page with this title in the default language."""
    return await read_text_page(session, PageTarget(slug=None, titles={_default_language(session): title}))


async def write_titled_page(session: StoreSession, setting: str, title: str, *, html: str | None,
                            visible: bool) -> bool:
    """The one-language form of `write_text_page`: bring the page titled `title` (default language) to `html`
    (None: leave the content) and `visible`; create it when missing."""
    language = _default_language(session)
    target = PageTarget(slug=None, titles={language: title})
    texts = None if html is None else {language: PageLanguageText(title=title, html=html)}
    return await write_text_page(session, setting, target, texts=texts, visible=visible)
