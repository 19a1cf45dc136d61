"""What the content settings (privacy_policy, ccpa_page, ...) share: finding a text page (by its slug first,
then by its title), reading and writing its title and content in every shop language through the editor, with
a backup of what each language held before.

Pages are always found at the moment of acting, never trusted from an earlier read by id: a run that created
a page and died before finishing it is completed by the next run instead of duplicating it. A page whose
title differs from the one the tool expects is still found by its slug, and is updated, never duplicated.

Entry points: `read_text_page` / `write_text_page` (every language); `read_titled_page` /
`write_titled_page` are the one-language forms kept for settings that manage a page in the default
language only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from core.errors import ConfigError, SettingError
from core.models import Change
from core.setting import PlanInput, StoreSession
from flows.content.html_text import page_text
from flows.labels import SUPPORTED_LOCALES, labels_for
from flows.pages.content_pages import PageEditorPage, PageRow, PagesListPage, same_title


def shop_languages(context: PlanInput) -> tuple[str, ...]:
    """The store's shop languages, default first (a store without `languages` has its one locale)."""
    return context.languages or (context.locale,)


def page_titles(setting: str, titles: dict[str, str], label_key: str, context: PlanInput) -> dict[str, str]:
    """The page's title in every shop language: the fleet file's `title`, else the label table's default.

    A language with neither is a configuration error naming the store, the setting and the language."""
    resolved = {}
    for language in shop_languages(context):
        title = (titles.get(language) or "").strip()
        if not title and language in SUPPORTED_LOCALES:
            title = labels_for(language)[label_key]
        if not title:
            raise ConfigError(
                f"store {context.store_id}: {setting}.title.{language}: no title for shop language {language!r} "
                f"and no label table flows/labels/{language}.yaml to take a default from; set "
                f"{setting}: {{title: {{{language}: ...}}}} in the fleet file")
        resolved[language] = title
    return resolved


def titles_per_language(value: Any) -> Any:
    """A setting's `title` is a mapping language -> title (a pydantic "before" validator)."""
    if isinstance(value, str):
        raise ValueError("give the title per shop language, e.g. title: {nl: Privacyverklaring, en: Privacy policy}")
    return value


def duplicate_error(setting: str, title: str, matches: list[dict[str, Any]]) -> SettingError:
    pages = ", ".join(f"page {match['id']} ({match['url']})" for match in matches)
    return SettingError(
        f"{setting}: {len(matches)} pages are titled {title!r}: {pages}; the tool will not guess which one is "
        f"meant: rename or delete the extra one(s) in Content > Pages, then run again"
    )


def the_page(setting: str, state: dict[str, Any]) -> dict[str, Any] | None:
    """The one page a read found (None when there is none); two or more with the title is an error."""
    matches = state.get("matches") or []
    if len(matches) > 1:
        raise duplicate_error(setting, state.get("title", ""), matches)
    return state.get("page")


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


def page_target(setting: str, titles: dict[str, str], slug: str | None, label: str, context: PlanInput) -> PageTarget:
    """The page a content setting manages: its slug, and its title in every shop language (see `page_titles`)."""
    return PageTarget(slug=slug, titles=page_titles(setting, titles, label, context))


def applied_target(change: Change) -> PageTarget:
    """The page a planned change is for, as the plan found it (slug, then titles per language)."""
    after = change.after
    titles = after.get("find_titles") or {language: after["title"] for language in after.get("languages", {})}
    return PageTarget(slug=after.get("slug"), titles=dict(titles))


async def read_text_page(session: StoreSession, target: PageTarget) -> dict[str, Any]:
    """`{"slug", "title", "found_by", "matches": [row...], "page": {id, title, url, visible, slug, html,
    "languages": {language: {"title", "html"}}} | None}`.

    The editor is opened (for the stored title and HTML of every language) only when exactly one page matched.
    """
    listing = PagesListPage(session.page, session.backoffice_url, session.labels)
    await listing.open()
    rows, found_by = await listing.find_page(target.slug, target.default_title)
    state: dict[str, Any] = {"slug": target.slug, "title": target.default_title, "found_by": found_by,
                             "matches": [row.to_json() for row in rows], "page": None}
    if len(rows) == 1:
        editor = PageEditorPage(session.page, session.backoffice_url, session.labels, page_id=rows[0].id)
        await editor.open()
        texts = {}
        for index, language in enumerate(target.languages):
            await editor.select_language(language, default=index == 0)
            texts[language] = {"title": await editor.read_title(), "html": await editor.read_html()}
        default = texts[target.languages[0]]
        state["page"] = {**rows[0].to_json(), "visible": await editor.read_visible(), "html": default["html"],
                         "languages": texts}
    return state


def page_language(page: dict[str, Any] | None, language: str, default_language: str) -> dict[str, str]:
    """A read page's title and HTML in one language (`{"title": "", "html": ""}` when it has none there).

    A page read by a one-language read (or recorded by an older plan) has only `title` and `html`: those are the
    default language's."""
    if page is None:
        return {"title": "", "html": ""}
    texts = page.get("languages")
    if texts:
        return texts.get(language) or {"title": "", "html": ""}
    if language == default_language:
        return {"title": page.get("title", ""), "html": page.get("html", "")}
    return {"title": "", "html": ""}


def backup_name(setting: str, now: datetime | None = None, language: str | None = None) -> str:
    stamp = (now or datetime.now(UTC)).strftime('%Y%m%dT%H%M%SZ')
    return f"{setting}-{stamp}.html" if language is None else f"{setting}-{stamp}.{language}.html"


async def write_text_page(session: StoreSession, setting: str, target: PageTarget, *,
                          texts: dict[str, dict[str, str | None]] | None, visible: bool) -> bool:
    """Bring the page to `texts` (language -> {"title": new title or None to keep, "html": new content or None
    to keep}) and `visible`; create it when missing (texts None: only visibility, nothing to create).

    Returns False when the page already was as desired (a repeated or retried apply changes nothing). Each
    language's old content is saved to the run's artifacts before anything on the page is touched, and all
    languages are saved together with one Save.
    """
    listing = PagesListPage(session.page, session.backoffice_url, session.labels)
    await listing.open()
    rows: list[PageRow]
    rows, _ = await listing.find_page(target.slug, target.default_title)
    if len(rows) > 1:
        raise duplicate_error(setting, target.default_title, [row.to_json() for row in rows])
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
        wanted = (texts or {}).get(language) or {}
        await editor.select_language(language, default=index == 0)
        old_title, old_html = await editor.read_title(), await editor.read_html()
        new_title, new_html = wanted.get("title"), wanted.get("html")
        title_differs = new_title is not None and not same_title(old_title, new_title)
        content_differs = new_html is not None and page_text(old_html) != page_text(new_html)
        if content_differs and old_html.strip():
            backups[language] = old_html
        if title_differs or content_differs:
            plan.append((language, new_title if title_differs else None, new_html if content_differs else None))
    if rows and not plan and await editor.read_visible() == visible:
        return False
    for language, old_html in backups.items():
        session.artifacts.save(session.store_id, backup_name(setting, language=_backup_language(target, language)),
                               old_html)
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


async def read_titled_page(session: StoreSession, title: str) -> dict[str, Any]:
    """The one-language form of `read_text_page`: the page with this title in the default language."""
    return await read_text_page(session, PageTarget(slug=None, titles={_default_language(session): title}))


async def write_titled_page(session: StoreSession, setting: str, title: str, *, html: str | None,
                            visible: bool) -> bool:
    """The one-language form of `write_text_page`: bring the page titled `title` (default language) to `html`
    (None: leave the content) and `visible`; create it when missing."""
    language = _default_language(session)
    target = PageTarget(slug=None, titles={language: title})
    texts = None if html is None else {language: {"title": title, "html": html}}
    return await write_text_page(session, setting, target, texts=texts, visible=visible)
