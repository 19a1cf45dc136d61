"""The JSON twin reader's pure parts: where values sit (the twin table), strict validation, the fallback note
said once per store. The fetching is covered against the mock (tests/flows/test_read_paths.py)."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict, StrictBool, StrictStr

from ecom_privacy.clock import SYSTEM_CLOCK
from ecom_privacy.setting import PlanInput, StoreSession
from flows.labels import labels_for
from flows.pages.json_twin import JsonTwin, TwinUnusable, dig, fallback_notes, is_missing


class Sample(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mode: StrictStr
    manage_cookies: StrictBool


def twin() -> JsonTwin:
    return JsonTwin(page=None, backoffice_url="https://shop.test/admin/", labels=labels_for("en"),  # type: ignore[arg-type]
                    name="web_extras", path_key="web_extras_json")


def test_values_are_found_by_the_twin_tables_dotted_paths() -> None:
    data = {"settings": {"cookie_law": {"mode": "custom", "manage_cookies": False}}}
    assert dig(data, "settings.cookie_law.mode") == "custom"
    assert is_missing(dig(data, "settings.cookielaw.mode")) and is_missing(dig({"a": 1}, "a.b"))
    fields = {"mode": ("cookie_law_mode", "cookie law"), "manage_cookies": ("cookie_law_manage", "Manage cookies")}
    assert twin().pick(data, fields, Sample) == Sample(mode="custom", manage_cookies=False)
    assert twin().url() == "https://shop.test/admin/settings/web_extras.json"
    assert twin().label() == "web_extras.json"


@pytest.mark.parametrize(("data", "reason"), [
    ({"settings": {}}, "web_extras.json has no cookie law field"),
    ({"settings": {"cookie_law": {"mode": 2, "manage_cookies": True}}}, "web_extras.json has an unexpected mode"),
    ({"settings": {"cookie_law": {"mode": "confirm", "manage_cookies": "yes"}}},
     "web_extras.json has an unexpected manage_cookies"),
])
def test_a_missing_or_loose_value_makes_the_twin_unusable(data: dict[str, Any], reason: str) -> None:
    fields = {"mode": ("cookie_law_mode", "cookie law"), "manage_cookies": ("cookie_law_manage", "Manage cookies")}
    with pytest.raises(TwinUnusable) as problem:
        twin().pick(data, fields, Sample)
    assert problem.value.reason == reason


def test_the_fallback_is_said_once_per_store() -> None:
    session = StoreSession(page=None, store_id="s", locale="en", backoffice_url="", storefront_url="",  # type: ignore[arg-type]
                           labels=labels_for("en"), artifacts=None, plan_input=PlanInput("s", "en"),  # type: ignore[arg-type]
                           clock=SYSTEM_CLOCK)
    problem = TwinUnusable("web_extras.json answered HTTP 404")
    [note] = fallback_notes(session, problem)
    assert note.summary == "read from the page: web_extras.json answered HTTP 404" and "ui_overrides" in note.detail
    assert fallback_notes(session, problem) == []
    assert fallback_notes(session, TwinUnusable("pages.json answered HTTP 404"))  # another twin: said too
