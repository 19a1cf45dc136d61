"""Content > Pages (Inhoud > Pagina's): the list of text pages, the page editor and "Add page".

The editor is a contenteditable area whose HTML `static/editor.js` copies into the hidden `content` field
on submit, like a real rich text editor over a hidden textarea. On save the server rewrites the HTML
(`richtext.clean_html`), as real editors do, so stored content never equals what a client sent byte for byte.
New pages start hidden: the vendor's guide has the owner switch VISIBILITY on after adding a page.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from .context import current_store, mock
from .richtext import clean_html
from .sessions import flash, pop_flashes
from .state import Page, Store
from .storebp import admin_blueprint

bp = admin_blueprint("pages", __name__)


@dataclass
class PageForm:
    title: str = ""
    content: str = ""
    visible: bool = False

    @classmethod
    def from_page(cls, page: Page) -> PageForm:
        return cls(title=page.title, content=page.content, visible=page.visible)

    def update_from(self, form: MultiDict[str, str]) -> str | None:
        """Apply submitted fields (a field left out keeps its value); returns an error label key or None."""
        if "title" in form:
            self.title = form["title"].strip()
        if "content" in form:
            self.content = clean_html(form["content"])
        values = form.getlist("visible")
        if values:
            self.visible = values[-1] == "1"  # a hidden "0" precedes the switch, so "off" arrives too
        return None if self.title else "page_title_required"


def _page_or_404(store: Store, page_id: int) -> Page:
    page = store.page_by_id(page_id)
    if page is None:
        abort(404)
    return page


def _render_editor(form: PageForm, page: Page | None, *, error: str | None = None, saved: bool = False) -> str:
    return render_template("admin/page_edit.html", form=form, page=page, error=error, saved=saved, active="content")


@bp.get("/content/pages")
def page_list() -> str:
    store = current_store()
    with mock().world.lock:
        pages = [(page.id, page.title, page.visible) for page in store.pages]
    return render_template("admin/pages.html", pages=pages, active="content")


@bp.route("/content/pages/new", methods=["GET", "POST"])
def new_page() -> Response | str:
    store = current_store()
    form = PageForm()
    if request.method == "GET":
        return _render_editor(form, None)
    error = form.update_from(request.form)
    if error is not None:
        return _render_editor(form, None, error=error)
    with mock().world.lock:
        page = store.add_page(form.title, form.content, form.visible)
    flash("page_saved")
    return redirect(url_for("pages.edit_page", page_id=page.id))


@bp.route("/content/pages/<int:page_id>", methods=["GET", "POST"])
def edit_page(page_id: int) -> Response | str:
    store = current_store()
    with mock().world.lock:
        page = _page_or_404(store, page_id)
        form = PageForm.from_page(page)
    if request.method == "GET":
        return _render_editor(form, page, saved="page_saved" in pop_flashes())
    error = form.update_from(request.form)
    if error is not None:
        return _render_editor(form, page, error=error)
    with mock().world.lock:
        page.title, page.content, page.visible = form.title, form.content, form.visible
    flash("page_saved")
    return redirect(url_for("pages.edit_page", page_id=page.id))
