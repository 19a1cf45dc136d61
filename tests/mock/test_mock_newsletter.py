"""Marketing > Newsletter in the mock: seed, list, pagination, order, archiving, CSRF, control endpoints."""

from __future__ import annotations

import copy
import datetime as dt
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from mock_backoffice import create_app, world_of
from mock_backoffice.seed import GDPR_DATE, SeedError, parse_seed
from mock_backoffice.testing import BackofficeClient, csrf_of

NEWSLETTER = "/newsletter_subscriptions"
ROW = re.compile(
    r'<input type="checkbox" name="subscriber_ids" value="(\d+)"[^>]*></td>\s*<td>([^<]*)</td><td>([^<]*)</td>'
    r'<td><time datetime="([\d-]+)">([^<]*)</time></td><td>([^<]*)</td>'
)

SUBSCRIBERS: list[dict[str, Any]] = [
    {"email": "old.import@x.test", "name": "Old Import", "subscribed_at": "2016-03-01", "source": "import"},
    {"email": "old.form@x.test", "name": "Old Form", "subscribed_at": dt.date(2017, 1, 2), "source": "form"},
    {"email": "new.manual@x.test", "name": "New Manual", "subscribed_at": "2019-07-08", "source": "manual"},
    {"email": "gone@x.test", "name": "Gone", "subscribed_at": "2015-05-05", "source": "manual", "archived": True},
]


def seed_with(subscribers: Any, locale: str = "en", **store: Any) -> dict[str, Any]:
    """One store with these subscribers, in the aria markup these HTML tests were written for, showing the Source
    column (which real stores most likely lack: see test_without_a_source_column)."""
    return {"stores": [{"id": "s", "locale": locale, "email": "o@s.test", "password": "pw-s", "markup": "aria",
                        "newsletter_source_column": True, "subscribers": copy.deepcopy(subscribers), **store}]}


def logged_in(app: Flask) -> BackofficeClient:
    bo = BackofficeClient(app.test_client(), "s")
    bo.login()
    return bo


def rows(bo: BackofficeClient, query: str = "") -> list[tuple[str, ...]]:
    html = bo.client.get(bo.admin + NEWSLETTER + query).get_data(as_text=True)
    return ROW.findall(html)


def state(client: FlaskClient) -> list[dict[str, Any]]:
    return client.get("/__mock__/state").get_json()["stores"]["s"]["subscribers"]


def test_explicit_seed_and_state() -> None:
    app = create_app(seed_with(SUBSCRIBERS))
    subscribers = state(app.test_client())
    assert [(s["email"], s["subscribed_at"], s["source"], s["archived"]) for s in subscribers] == [
        ("old.import@x.test", "2016-03-01", "import", False),
        ("old.form@x.test", "2017-01-02", "form", False),
        ("new.manual@x.test", "2019-07-08", "manual", False),
        ("gone@x.test", "2015-05-05", "manual", True),
    ]
    assert subscribers[0]["archived_at"] is None and subscribers[3]["archived_at"] is not None


def test_generator_is_deterministic_and_exact() -> None:
    spec = parse_seed(seed_with({"generate": {"count": 300, "passive_before_2018": 77, "seed": 5}}))
    again = parse_seed(seed_with({"generate": {"count": 300, "passive_before_2018": 77, "seed": 5}}))
    subscribers = spec.stores[0].subscribers
    assert subscribers == again.stores[0].subscribers and len(subscribers) == 300
    passive_old = [s for s in subscribers if s.source in ("manual", "import") and s.subscribed_at < GDPR_DATE]
    assert len(passive_old) == 77
    assert len({s.email for s in subscribers}) == 300
    assert {s.source for s in subscribers} == {"form", "checkout", "manual", "import"}
    other = parse_seed(seed_with({"generate": {"count": 300, "passive_before_2018": 77, "seed": 6}}))
    assert other.stores[0].subscribers != subscribers


@pytest.mark.parametrize(
    ("subscribers", "message"),
    [
        ([{"email": "a@x.test", "subscribed_at": "2016-01-01"}], "stores[0].subscribers[0].source: required"),
        ([{"email": "a@x.test", "subscribed_at": "yesterday", "source": "form"}],
         "stores[0].subscribers[0].subscribed_at: must be a date"),
        ([{"email": "a@x.test", "subscribed_at": "2016-01-01", "source": "ad"}],
         "stores[0].subscribers[0].source: must be one of form, checkout, manual, import"),
        ([{"email": "A@x.test", "subscribed_at": "2016-01-01", "source": "form"},
          {"email": "a@X.test", "subscribed_at": "2017-01-01", "source": "form"}],
         "stores[0].subscribers[1].email: 'a@X.test' is already an active subscriber"),
        ({"generate": {"count": 10, "passive_before_2018": 11}}, "generate.passive_before_2018: must be an integer"),
        ({"generate": {"passive_before_2018": 1}}, "stores[0].subscribers.generate.count: required key missing"),
        ({"make": {}}, "stores[0].subscribers.make: unknown key"),
    ],
)
def test_seed_errors_name_the_key(subscribers: Any, message: str) -> None:
    with pytest.raises(SeedError, match=re.escape(message)):
        parse_seed(seed_with(subscribers))


def test_list_columns_order_and_labels_in_english() -> None:
    bo = logged_in(create_app(seed_with(SUBSCRIBERS)))
    html = bo.client.get(bo.admin + NEWSLETTER).get_data(as_text=True)
    assert "<h1>Newsletter</h1>" in html
    assert "<th>Email address</th><th>Name</th><th>Date subscribed</th><th>Source</th>" in html
    assert 'aria-label="Select all subscribers on this page"' in html
    assert "Archive selected newsletter subscribers" in html and 'data-template="{count} items selected"' in html
    # newest first; the archived one is not in the active list; the id is only the checkbox value
    assert [(r[1], r[3], r[4], r[5]) for r in rows(bo)] == [
        ("new.manual@x.test", "2019-07-08", "Jul 8, 2019", "Manual"),
        ("old.form@x.test", "2017-01-02", "Jan 2, 2017", "Form"),
        ("old.import@x.test", "2016-03-01", "Mar 1, 2016", "Import"),
    ]
    archived = bo.client.get(bo.admin + NEWSLETTER + "?view=archived").get_data(as_text=True)
    assert "gone@x.test" in archived and "subscriber_ids" not in archived  # no way to unarchive


def test_labels_in_dutch() -> None:
    bo = logged_in(create_app(seed_with(SUBSCRIBERS, locale="nl")))
    html = bo.client.get(bo.admin + NEWSLETTER).get_data(as_text=True)
    assert "<h1>Nieuwsbrief</h1>" in html
    assert "<th>E-mailadres</th><th>Naam</th><th>Datum van inschrijving</th><th>Bron</th>" in html
    assert "Geselecteerde nieuwsbriefabonnees archiveren" in html
    assert 'data-template="{count} items geselecteerd"' in html
    assert [(r[4], r[5]) for r in rows(bo)] == [("08-07-2019", "Handmatig"), ("02-01-2017", "Formulier"),
                                                 ("01-03-2016", "Import")]


def test_pagination_25_per_page_and_a_signup_shifts_rows() -> None:
    app = create_app(seed_with({"generate": {"count": 60, "passive_before_2018": 10, "seed": 1}}))
    bo = logged_in(app)
    pages = [rows(bo, f"?page={n}") for n in (1, 2, 3, 4)]
    assert [len(p) for p in pages] == [25, 25, 10, 0]
    dates = [r[3] for p in pages for r in p]
    assert dates == sorted(dates, reverse=True)
    html = bo.client.get(bo.admin + NEWSLETTER + "?page=2").get_data(as_text=True)
    assert 'rel="prev" href="/s/admin/newsletter_subscriptions?page=1"' in html
    assert 'rel="next" href="/s/admin/newsletter_subscriptions?page=3"' in html
    assert "Page 2 of 3" in html and "60 subscribers" in html

    response = bo.client.post("/__mock__/subscribers", json={"store": "s", "email": "fresh@x.test"})
    assert response.status_code == 200 and response.get_json()["source"] == "form"
    assert rows(bo)[0][1] == "fresh@x.test"
    assert rows(bo, "?page=2")[0][1] == pages[0][-1][1]  # the last row of page 1 moved to page 2


def test_archive_selected_rows_redirects_back_with_message() -> None:
    app = create_app(seed_with({"generate": {"count": 30, "passive_before_2018": 10, "seed": 2}}))
    bo = logged_in(app)
    page2 = rows(bo, "?page=2")
    chosen = [page2[0], page2[2]]
    token = csrf_of(bo.client.get(bo.admin + NEWSLETTER + "?page=2"))
    response = bo.client.post(bo.admin + NEWSLETTER + "/archive",
                              data={"csrf_token": token, "page": "2", "subscriber_ids": [r[0] for r in chosen]})
    assert response.status_code == 302 and response.headers["Location"].endswith(NEWSLETTER + "?page=2")
    html = bo.client.get(response.headers["Location"]).get_data(as_text=True)
    assert '<div class="alert alert-success" role="status">2 newsletter subscribers have been archived.</div>' in html
    archived = {s["email"] for s in state(bo.client) if s["archived"]}
    assert archived == {chosen[0][1], chosen[1][1]}
    # An already archived id is ignored, and nothing else is touched.
    token = csrf_of(bo.client.get(bo.admin + NEWSLETTER))
    bo.client.post(bo.admin + NEWSLETTER + "/archive", data={"csrf_token": token, "subscriber_ids": [chosen[0][0]]})
    assert "0 newsletter subscribers have been archived." in bo.client.get(bo.admin + NEWSLETTER).get_data(True)
    assert {s["email"] for s in state(bo.client) if s["archived"]} == archived


def test_archive_needs_csrf_login_and_a_selection() -> None:
    app = create_app(seed_with(SUBSCRIBERS))
    bo = logged_in(app)
    [first, *_] = rows(bo)
    refused = bo.client.post(bo.admin + NEWSLETTER + "/archive", data={"subscriber_ids": [first[0]]})
    assert refused.status_code == 403
    token = csrf_of(bo.client.get(bo.admin + NEWSLETTER))
    bo.client.post(bo.admin + NEWSLETTER + "/archive", data={"csrf_token": token})
    assert "Select at least one subscriber." in bo.client.get(bo.admin + NEWSLETTER).get_data(as_text=True)
    anonymous = app.test_client().post("/s/admin" + NEWSLETTER + "/archive", data={"subscriber_ids": [first[0]]})
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    assert [s["archived"] for s in state(bo.client)] == [False, False, False, True]


def test_control_endpoints_validate_and_reset_restores() -> None:
    app = create_app(seed_with(SUBSCRIBERS))
    client = app.test_client()
    world_of(app).clock = lambda: dt.datetime(2024, 2, 29, 12, tzinfo=dt.UTC).timestamp()
    added = client.post("/__mock__/subscribers", json={"store": "s", "email": "new@x.test", "name": "N"}).get_json()
    assert (added["subscribed_at"], added["source"], added["archived"]) == ("2024-02-29", "form", False)
    for body, message in [
        ({"store": "s", "email": "OLD.IMPORT@x.test"}, "already an active subscriber"),
        ({"store": "nope", "email": "a@x.test"}, "store: unknown store"),
        ({"store": "s", "email": "a@x.test", "source": "ad"}, "source: must be one of"),
        ({"store": "s", "email": "a@x.test", "subscribed_at": "soon"}, "subscribed_at: must be a date"),
        ({"store": "s", "email": "a@x.test", "colour": 1}, "colour: unknown key"),
    ]:
        response = client.post("/__mock__/subscribers", json=body)
        assert response.status_code == 400 and message in response.get_json()["error"], body
    # a re-subscription of an archived address is a new active subscriber
    assert client.post("/__mock__/subscribers", json={"store": "s", "email": "gone@x.test"}).status_code == 200

    archived = client.post("/__mock__/subscribers/archive", json={"store": "s", "emails": ["Old.Form@x.test"]})
    assert archived.get_json() == {"archived": 1}
    missing = client.post("/__mock__/subscribers/archive", json={"store": "s", "emails": ["old.form@x.test"]})
    assert missing.status_code == 400 and "not active subscribers" in missing.get_json()["error"]
    assert {s["email"] for s in state(client) if s["archived"]} == {"old.form@x.test", "gone@x.test"}

    client.post("/__mock__/reset")
    assert len(state(client)) == 4 and [s["archived"] for s in state(client)] == [False, False, False, True]


def test_generated_stores_can_have_subscribers() -> None:
    spec = parse_seed({"generate": {"count": 2, "subscribers": {"generate": {"count": 3, "seed": 9}}}})
    assert [len(store.subscribers) for store in spec.stores] == [3, 3]
