"""The probe targets of a text-page setting (`TextPageSetting.probe_targets`): Content > Pages and the editor
of the setting's page, found as `read` finds it (slug first, then title), or of any page when it does not exist
yet (the editor is the same form for every page; the probe never follows "Add page").
"""

from __future__ import annotations

from ecom_privacy.probe import ElementCheck, ProbeTarget
from ecom_privacy.setting import StoreSession
from flows.pages.content_pages import PageEditorPage, PagesListPage
from flows.text_pages import PageTarget


def text_page_targets(session: StoreSession, target: PageTarget) -> list[ProbeTarget]:
    listing = PagesListPage(session.page, session.backoffice_url, session.labels)
    editor = PageEditorPage(session.page, session.backoffice_url, session.labels)
    editor.probe_languages = target.languages

    async def visit_editor() -> list[ElementCheck]:
        # The list is read (a GET) to find the page's editor, as `read` does; its own checks are the list's.
        await listing.open()
        rows, _ = await listing.find_page(target.slug, target.default_title)
        rows = rows or await listing.rows()
        if not rows:
            return [ElementCheck("a page to open the editor of", "not checked", None, None,
                                 "Content > Pages lists no page")]
        editor.page_id = rows[0].id
        return await editor.probe_visit()

    return [listing.probe_target(),
            ProbeTarget(f"page_editor:{target.slug or target.default_title}", editor.page_name, visit_editor,
                        editor.probe_data)]
