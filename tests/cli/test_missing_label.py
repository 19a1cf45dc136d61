"""A label table without a key the page objects need (bug 3 of issue #10): that one setting fails as a UI
mismatch naming the key, the locale and the table file; the store's other settings and the other stores
go on. Real Chromium, the mock over HTTP; the shipped tables stay untouched: the lookup of one key in the
Dutch table is made to miss in this test process only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ecom_privacy.labels import Labels, MissingLabelError
from mock_backoffice import MockServer
from tests.cli.conftest import CliRunner
from tests.support import http_json, write_fleet

MISSING = "analytics.section"


def test_a_missing_label_fails_one_setting_as_ui_mismatch(cli: CliRunner, mock_server: MockServer,
                                                          monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    lookup = Labels.lookup

    def without_one_key(self: Labels, key: str) -> object:
        if self.locale == "nl" and key == MISSING:
            raise MissingLabelError(self.locale, key, self.source)
        return lookup(self, key)

    monkeypatch.setattr(Labels, "lookup", without_one_key)
    # The page must be read to need its labels: without the JSON twins (which need none) the plan reads it.
    http_json(f"{mock_server.url}/__mock__/store-options", {"json_twins": False})
    fleet = write_fleet(tmp_path, mock_server.url, {"cookie_law": {"mode": "confirm"},
                                                    "analytics": {"measurement_id": "G-TEST1234"}},
                        ["shop-nl", "shop-en"])
    result = cli("plan", "-c", str(fleet), "--env-file", str(tmp_path / ".env"), "--format", "json",
                 "--no-session-cache")
    assert result.code == 1, result.err
    stores = {store["id"]: store for store in json.loads(result.out)["stores"]}

    dutch = stores["shop-nl"]
    assert dutch["error_kind"] is None, dutch["error"]  # the store itself did not fail
    settings = {s["setting"]: s for s in dutch["settings"]}
    assert settings["analytics"]["status"] == "failed"
    assert settings["analytics"]["error_kind"] == "ui_mismatch"
    error = settings["analytics"]["error"]
    assert f"'{MISSING}'" in error and "'nl'" in error and "nl.yaml" in error, error
    assert settings["cookie_law"]["status"] != "failed", settings["cookie_law"]

    english = {s["setting"]: s["status"] for s in stores["shop-en"]["settings"]}
    assert "failed" not in english.values(), stores["shop-en"]
