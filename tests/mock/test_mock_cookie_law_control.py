"""`POST /__mock__/cookie-law`: drift made outside the tool, as a person in the backoffice would make it."""

from __future__ import annotations

from flask.testing import FlaskClient

from mock_backoffice.state import World


def test_sets_the_mode_and_keeps_the_message_unless_given(client: FlaskClient, world: World) -> None:
    answer = client.post("/__mock__/cookie-law", json={"store": "shop-en", "mode": "none"})
    assert answer.status_code == 200 and answer.get_json()["mode"] == "none"
    assert world.store("shop-en").cookie_law.mode == "none"
    client.post("/__mock__/cookie-law", json={"store": "shop-en", "mode": "custom", "message": "Cookies?"})
    assert (world.store("shop-en").cookie_law.mode, world.store("shop-en").cookie_law.message("en")) == ("custom",
                                                                                                       "Cookies?")
    answer = client.post("/__mock__/cookie-law", json={"store": "shop-en", "mode": "confirm", "manage_cookies": False})
    assert answer.get_json() == {"mode": "confirm", "message": "Cookies?", "messages": {"en": "Cookies?"},
                                 "manage_cookies": False}  # the message is kept, as the real form keeps it


def test_refuses_what_it_cannot_do(client: FlaskClient) -> None:
    for body, error in (({"store": "nope", "mode": "none"}, "store: unknown store"),
                        ({"store": "shop-en", "mode": "off"}, "mode: one of none, notify, confirm, custom"),
                        ({"store": "shop-en", "mode": "none", "colour": "red"}, "colour: unknown key"),
                        ({"store": "shop-en", "mode": "custom", "message": {"de": "x"}}, "message: a string, or")):
        answer = client.post("/__mock__/cookie-law", json=body)
        assert answer.status_code == 400 and error in answer.get_json()["error"]
