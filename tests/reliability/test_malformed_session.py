"""A cached session that is valid JSON but not a session the browser takes is discarded, with a log line
naming its file, and the store logs in as usual: it never fails the store (run after run)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.reliability.conftest import Run


def spoil_value(cookie: dict[str, Any]) -> None:
    del cookie["value"]


def spoil_expires(cookie: dict[str, Any]) -> None:
    cookie["expires"] = "tomorrow"


def spoil_domain(cookie: dict[str, Any]) -> None:
    cookie["domain"] = ""  # passes the shape check; only the browser itself refuses it


@pytest.mark.parametrize("spoil", [spoil_value, spoil_expires, spoil_domain], ids=["no value", "expires tomorrow",
                                                                                     "empty domain"])
def test_malformed_cached_session_is_discarded_named_and_replaced_by_a_login(
        spoil: Callable[[dict[str, Any]], None], run: Callable[..., Run], state, private_session_dir: Path) -> None:
    assert run("plan", "--store", "alpha").code == 2
    [cached] = private_session_dir.glob("*.json")
    data = json.loads(cached.read_text())
    spoil(data["cookies"][0])
    cached.write_text(json.dumps(data))

    again = run("plan", "--store", "alpha")
    assert again.code == 2, again.out + again.err  # planned as usual, not failed
    discarded = [json.loads(line) for line in again.err.splitlines()
                 if '"cached session discarded' in line]
    assert len(discarded) == 1 and discarded[0]["file"] == str(cached), again.err
    assert state()["alpha"]["login"]["successful_logins"] == 2  # a normal login replaced the spoilt session
    assert "reusing cached session" not in again.err
    # The new login was cached in place of the spoilt file, and the next run uses it.
    assert "value" in json.loads(cached.read_text())["cookies"][0]
    third = run("plan", "--store", "alpha")
    assert third.code == 2 and "reusing cached session" in third.err
