"""Content > Pages in the mock: list, editor, Add page, the editor's server-side rewrite, CSRF, storefront."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from mock_backoffice.richtext import clean_html
from mock_backoffice.state import World
from mock_backoffice.testing import BackofficeClient

Backoffice = Callable[[str], BackofficeClient]


@pytest.fixture
def nl(backoffice: Backoffice) -> BackofficeClient:
    client = backoffice("shop-nl")
    client.login()
    return client


def test_list_shows_every_page_with_its_visibility_and_an_add_link(nl: BackofficeClient, world: World) -> None:
    world.stores["shop-nl"].pages[0].visible = False
    html = nl.client.get("/shop-nl/admin/pages").get_data(as_text=True)
    rows = re.findall(r'<a href="/shop-nl/admin/pages/(\d+)">([^<]+)</a></td>\s*<td><span[^>]*>(\w+)<', html)
    assert rows[:2] == [("1", "Over ons", "Verborgen"), ("2", "Privacybeleid", "Zichtbaar")]
    assert len(rows) == 5
    assert '<a class="btn btn-primary" href="/shop-nl/admin/pages/new">Pagina toevoegen</a>' in html


def test_pages_require_login(client: FlaskClient) -> None:
    response = client.get("/shop-nl/admin/pages/2")
    assert response.status_code == 302 and "/shop-nl/admin/auth/login" in response.headers["Location"]


def test_editor_holds_the_stored_html_in_the_editor_and_the_hidden_field(nl: BackofficeClient) -> None:
    html = nl.client.get("/shop-nl/admin/pages/2").get_data(as_text=True)
    assert '<label for="page-title">Titel</label>' in html and 'value="Privacybeleid"' in html
    assert 'aria-labelledby="page-content-label"><p>Wij respecteren je privacy.</p></div>' in html
    assert '<textarea name="content" id="page-content" class="editor-field" hidden>&lt;p&gt;Wij respecteren' in html
    assert 'role="switch" id="page-visible" name="visible" value="1" checked>' in html
    assert '<label for="page-visible">ZICHTBAARHEID</label>' in html
    assert "/shop-nl/static/editor.js" in html


def test_save_rewrites_the_html_and_confirms(nl: BackofficeClient, world: World) -> None:
    sent = "<div>Wij  verwerken <b>je naam</b> &amp; adres.</div><p></p><p>&nbsp;</p>Los <i>tekst</i>"
    response = nl.post("/pages/2", {"title": "Privacybeleid", "content": sent, "visible": ["0"]})
    assert response.status_code == 302
    page = world.stores["shop-nl"].page_by_id(2)
    assert page is not None
    assert page.content == "<p>Wij verwerken <strong>je naam</strong> &amp; adres.</p>\n<p>Los <em>tekst</em></p>"
    assert page.visible is False
    shown = nl.client.get(response.headers["Location"]).get_data(as_text=True)
    assert '<div class="alert alert-success" role="status">De pagina is opgeslagen.</div>' in shown


def test_a_field_left_out_keeps_its_value_and_an_empty_title_is_refused(nl: BackofficeClient, world: World) -> None:
    nl.post("/pages/2", {"visible": ["0"]})
    page = world.stores["shop-nl"].page_by_id(2)
    assert page is not None and page.visible is False and page.content == "<p>Wij respecteren je privacy.</p>"
    refused = nl.post("/pages/2", {"title": "  ", "content": "<p>x</p>"})
    assert refused.status_code == 200 and 'role="alert">Vul een titel in' in refused.get_data(as_text=True)
    assert page.title == "Privacybeleid" and page.content == "<p>Wij respecteren je privacy.</p>"


def test_add_page_creates_a_hidden_page_by_default_even_with_a_taken_title(nl: BackofficeClient,
                                                                           world: World) -> None:
    title = "Verkoop mijn persoonsgegevens niet"
    first = nl.post("/pages", {"title": title, "content": "<p>Eerste</p>"})
    second = nl.post("/pages", {"title": title, "content": "<p>Tweede</p>", "visible": ["0", "1"]})
    assert first.headers["Location"].endswith("/shop-nl/admin/pages/6")
    assert second.headers["Location"].endswith("/shop-nl/admin/pages/7")
    pages = [p for p in world.stores["shop-nl"].pages if p.title == title]
    assert [(p.id, p.slug, p.visible) for p in pages] == [
        (6, "verkoop-mijn-persoonsgegevens-niet", False), (7, "verkoop-mijn-persoonsgegevens-niet-2", True)]


def test_every_post_needs_the_csrf_token(nl: BackofficeClient, world: World) -> None:
    assert nl.client.post("/shop-nl/admin/pages/2", data={"title": "X"}).status_code == 403
    assert nl.client.post("/shop-nl/admin/pages", data={"title": "X"}).status_code == 403
    assert len(world.stores["shop-nl"].pages) == 5
    assert world.stores["shop-nl"].page_by_id(2).title == "Privacybeleid"  # type: ignore[union-attr]


def test_unknown_page_is_404(nl: BackofficeClient) -> None:
    assert nl.client.get("/shop-nl/admin/pages/99").status_code == 404


def test_saved_pages_show_in_the_storefront_and_hidden_ones_do_not(nl: BackofficeClient, client: FlaskClient) -> None:
    nl.post("/pages", {"title": "Do not sell", "content": "<p>Opt out</p>", "visible": ["0", "1"]})
    nl.post("/pages", {"title": "Draft", "content": "<p>Not yet</p>"})
    home = client.get("/shop-nl/").get_data(as_text=True)
    assert '<a href="/shop-nl/service/do-not-sell/">Do not sell</a>' in home and "Draft" not in home
    assert "<p>Opt out</p>" in client.get("/shop-nl/service/do-not-sell/").get_data(as_text=True)
    assert client.get("/shop-nl/service/draft/").status_code == 404


def test_state_lists_pages(nl: BackofficeClient, client: FlaskClient) -> None:
    pages = client.get("/__mock__/state").get_json()["stores"]["shop-nl"]["pages"]
    assert pages[1] == {"id": 2, "title": "Privacybeleid", "slug": "privacy-policy",
                        "content": "<p>Wij respecteren je privacy.</p>", "visible": True}


def test_control_endpoint_stores_pages_raw(client: FlaskClient, world: World) -> None:
    made = client.post("/__mock__/pages", json={"store": "shop-en", "title": "Raw", "content": "<b>x</b>",
                                               "visible": False}).get_json()
    assert made == {"id": 6, "title": "Raw", "slug": "raw", "content": "<b>x</b>", "visible": False}
    changed = client.post("/__mock__/pages", json={"store": "shop-en", "id": 2, "content": "<i>y</i>"}).get_json()
    assert changed["content"] == "<i>y</i>" and changed["title"] == "Privacy policy"
    for body, message in (({"store": "nope", "title": "x"}, "store:"), ({"store": "shop-en"}, "title:"),
                          ({"store": "shop-en", "id": 99}, "id:"), ({"store": "shop-en", "visible": "yes"}, "visible:"),
                          ({"store": "shop-en", "colour": 1}, "colour:")):
        response = client.post("/__mock__/pages", json=body)
        assert response.status_code == 400 and response.get_json()["error"].startswith(message), body


@pytest.mark.parametrize(("sent", "stored"), [
    ("<p>a</p>\n\n<p>b</p>", "<p>a</p>\n<p>b</p>"),
    ("<p>caf\u00e9 \u20ac 5 &#39;ok&#39;</p>", "<p>caf&eacute; &euro; 5 'ok'</p>"),
    ('<a target="_blank" href="https://x.test" class="c" onclick="evil()">x</a>',
     '<p><a href="https://x.test" rel="noopener noreferrer" target="_blank">x</a></p>'),
    ('<p><a href="javascript:alert(1)">x</a><script>alert(2)</script></p>', "<p><a>x</a></p>"),
    ("<ul><li>one<li>two</ul><p>a<br>b<br></p>", "<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n<p>a<br />b</p>"),
    ("<h2 style='x'>Title</h2>", "<h2>Title</h2>"),
])
def test_clean_html_rewrites_like_a_rich_text_editor(sent: str, stored: str) -> None:
    assert clean_html(sent) == stored
    assert clean_html(stored) == stored  # saving again without an edit changes nothing
