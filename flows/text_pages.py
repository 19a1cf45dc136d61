"""What the content settings (privacy_policy, ccpa_page) share: finding a text page by its title, and writing
one through the editor with a backup of what it held before.

Pages are always found by title at the moment of acting, never trusted from an earlier read by id: a run
that created a page and died before finishing it is completed by the next run instead of duplicating it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from automation.errors import SettingError
from flows.base import StoreSession
from flows.content.html_text import page_text
from flows.pages.content_pages import PageEditorPage, PageRow, PagesListPage


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


async def read_titled_page(session: StoreSession, title: str) -> dict[str, Any]:
    """`{"title", "matches": [{id, title, url, visible}], "page": {id, title, url, visible, html} | None}`.

    The editor is opened (for the stored HTML) only when exactly one page has the title.
    """
    listing = PagesListPage(session.page, session.backoffice_url, session.labels)
    await listing.open()
    rows = await listing.find(title)
    state: dict[str, Any] = {"title": title, "matches": [row.to_json() for row in rows], "page": None}
    if len(rows) == 1:
        editor = PageEditorPage(session.page, session.backoffice_url, session.labels, page_id=rows[0].id)
        await editor.open()
        state["page"] = {**rows[0].to_json(), "visible": await editor.read_visible(), "html": await editor.read_html()}
    return state


def backup_name(setting: str, now: datetime | None = None) -> str:
    return f"{setting}-{(now or datetime.now(UTC)).strftime('%Y%m%dT%H%M%SZ')}.html"


async def write_titled_page(session: StoreSession, setting: str, title: str, *, html: str | None,
                            visible: bool) -> bool:
    """Bring the page titled `title` to `html` (None: leave the content) and `visible`; create it when missing.

    Returns False when the page already was as desired (a repeated or retried apply changes nothing).
    The content the page held is saved to the run's artifacts before anything on the page is touched.
    """
    listing = PagesListPage(session.page, session.backoffice_url, session.labels)
    await listing.open()
    rows: list[PageRow] = await listing.find(title)
    if len(rows) > 1:
        raise duplicate_error(setting, title, [row.to_json() for row in rows])
    if not rows and html is None:
        return False  # nothing to hide
    editor = PageEditorPage(session.page, session.backoffice_url, session.labels)
    if rows:
        editor.page_id = rows[0].id
        await editor.open()
    else:
        await listing.add_page()
    old_html = await editor.read_html()
    content_differs = html is not None and page_text(old_html) != page_text(html)
    if rows and not content_differs and await editor.read_visible() == visible:
        return False
    if content_differs and old_html.strip():
        session.artifacts.save(session.store_id, backup_name(setting), old_html)
    if not rows:
        await editor.fill_title(title)
    if content_differs and html is not None:
        await editor.replace_content(html)
    await editor.set_visible(visible)
    await editor.save()
    return True
