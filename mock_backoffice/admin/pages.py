"""Content > Pages (`/admin/pages`; Inhoud > Pagina's): the list of text pages, the page editor
(`/admin/pages/<id>`, a guess by the Rails pattern), "Add page" (`/admin/pages/new`, posting to `/admin/pages`),
and their JSON twins `pages.json` and `pages/<id>.json`.

The editor is a contenteditable area whose HTML `static/editor.js` copies into the hidden `content` field
on submit, like a real rich text editor over a hidden textarea. On save the server rewrites the HTML
(`richtext.clean_html`), as real editors do, so stored content never equals what a client sent byte for byte.
New pages start hidden: the vendor's guide has the owner switch VISIBILITY on after adding a page.
A shop with several languages gets one tab per language in the editor; all languages are saved together.
The list shows each page's address in the shop (`/service/<slug>/`), so a page is recognisable whatever its
title (the real list's columns are not documented: a guess).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import abort, jsonify, redirect, request, url_for
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from ..context import current_store, mock
from ..markup import render_admin, require_twin, require_update_method
from ..richtext import clean_html
from ..sessions import flash, pop_flashes
from ..state import Page, Store
from ..storebp import admin_blueprint

bp = admin_blueprint("pages", __name__)


@dataclass
class PageForm:
    """The editor's fields: per shop language (default first) a title and content, and the page's visibility.

    The default language's fields are `title` and `content`; another language's are `title[de]`, `content[de]`.
    """

    languages: tuple[str, ...]
    #: the store's dialect: it decides the fields' names (see `field`)
    markup: str = "aria"
    #: language -> (title, content)
    texts: dict[str, tuple[str, str]] = field(default_factory=dict)
    visible: bool = False

    @classmethod
    def empty(cls, store: Store) -> PageForm:
        return cls(languages=store.shop_languages, markup=store.markup,
                   texts=dict.fromkeys(store.shop_languages, ("", "")))

    @classmethod
    def from_page(cls, store: Store, page: Page) -> PageForm:
        texts = {code: (page.text(code).title, page.text(code).content) for code in store.shop_languages}
        return cls(languages=store.shop_languages, markup=store.markup, texts=texts, visible=page.visible)

    @property
    def title(self) -> str:
        return self.texts[self.languages[0]][0]

    @property
    def visible_field(self) -> str:
        return "page[is_visible]" if self.markup == "classic" else "visible"

    def field(self, name: str, language: str) -> str:
        """classic: Rails' `page[<language>][title]` for every language; aria: `title`, and `title[de]` for
        another language than the default."""
        if self.markup == "classic":
            return f"page[{language}][{name}]"
        return name if language == self.languages[0] else f"{name}[{language}]"

    def suffix(self, language: str) -> str:
        """Element ids of a language's fields: none for the default language (`page-title`), else `-de`."""
        return "" if language == self.languages[0] else f"-{language}"

    def storefront_url(self, language: str, slug: str) -> str:
        if language == self.languages[0]:
            return url_for("storefront.service_page", slug=slug)
        return url_for("storefront.service_page_in", language=language, slug=slug)

    def update_from(self, form: MultiDict[str, str]) -> str | None:
        """Apply submitted fields (a field left out keeps its value); returns an error label key or None."""
        for code in self.languages:
            title, content = self.texts[code]
            if self.field("title", code) in form:
                title = form[self.field("title", code)].strip()
            if self.field("content", code) in form:
                content = clean_html(form[self.field("content", code)])
            self.texts[code] = (title, content)
        values = form.getlist(self.visible_field)
        if values:
            self.visible = values[-1] == "1"  # a hidden "0" precedes the switch, so "off" arrives too
        return None if self.title else "page_title_required"

    def save_to(self, page: Page) -> None:
        for code, (title, content) in self.texts.items():
            page.text(code).title, page.text(code).content = title, content
        page.visible = self.visible


def _page_or_404(store: Store, page_id: int) -> Page:
    page = store.page_by_id(page_id)
    if page is None:
        abort(404)
    return page


def _render_editor(form: PageForm, page: Page | None, *, error: str | None = None, saved: bool = False) -> str:
    return render_admin("page_edit.html", form=form, page=page, error=error, saved=saved, active="content",
                        languages=form.languages)


@bp.get("/pages")
def page_list() -> str:
    store = current_store()
    with mock().world.lock:
        pages = [(page.id, page.title, page.visible, page.slug) for page in store.pages]
    return render_admin("pages.html", pages=pages, active="content")


@bp.get("/pages/new")
def new_page() -> str:
    return _render_editor(PageForm.empty(current_store()), None)


@bp.post("/pages")
def create_page() -> Response | str:
    store = current_store()
    form = PageForm.empty(store)
    error = form.update_from(request.form)
    if error is not None:
        return _render_editor(form, None, error=error)
    with mock().world.lock:
        page = store.add_page(form.title, "", form.visible)
        form.save_to(page)
        store.count_write(f"page {page.id}", changed=True)
    flash("page_saved")
    return redirect(url_for("pages.edit_page", page_id=page.id))


@bp.get("/pages/<int:page_id>")
def edit_page(page_id: int) -> str:
    store = current_store()
    with mock().world.lock:
        page = _page_or_404(store, page_id)
        form = PageForm.from_page(store, page)
    return _render_editor(form, page, saved="page_saved" in pop_flashes())


@bp.route("/pages/<int:page_id>", methods=["POST", "PATCH"])
def update_page(page_id: int) -> Response | str:
    store = current_store()
    require_update_method()
    with mock().world.lock:
        page = _page_or_404(store, page_id)
        form = PageForm.from_page(store, page)
    error = form.update_from(request.form)
    if error is not None:
        return _render_editor(form, page, error=error)
    with mock().world.lock:
        store.count_write(f"page {page.id}", changed=form != PageForm.from_page(store, page))
        form.save_to(page)
    flash("page_saved")
    return redirect(url_for("pages.edit_page", page_id=page.id))


# --- the JSON twins: not seen in public code, likely by the same pattern as customers.json; every name below is
# --- the mock's guess (REST's textpages name the slug `url` and keep title and content per language, as here)
def _page_json(store: Store, page: Page, *, content: bool) -> dict[str, Any]:
    data: dict[str, Any] = {"id": page.id, "url": page.slug, "is_visible": page.visible,
                            "title": {language: page.text(language).title for language in store.shop_languages}}
    if content:
        data["content"] = {language: page.text(language).content for language in store.shop_languages}
    return data


@bp.get("/pages.json")
def page_list_json() -> Response:
    require_twin("pages")
    store = current_store()
    with mock().world.lock:
        pages = [_page_json(store, page, content=False) for page in store.pages]
    return jsonify({"pages": pages, "links": {"pages": 1, "page": 1, "count": len(pages)}})


@bp.get("/pages/<int:page_id>.json")
def page_json(page_id: int) -> Response:
    require_twin("pages")
    store = current_store()
    with mock().world.lock:
        return jsonify({"page": _page_json(store, _page_or_404(store, page_id), content=True)})
