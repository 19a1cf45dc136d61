"""The breach commands open their stores with the fleet file's `ui_overrides` (#23 item 4), as every command
does: real Chromium, the mock over HTTP (its own, whose shop-en reads "Add page (new)" for Content > Pages'
"Add page", `break_ui: [pages_add_renamed]`), the register on SQLite."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path

import pytest

from mock_backoffice import MockServer
from tests.breach.conftest import BreachCli
from tests.support import TEST_SEED, http_json, write_fleet

pytestmark = pytest.mark.browser
TITLE = "Notice of a data breach (incident 1)"


@pytest.fixture(scope="module")
def renamed_server() -> Iterator[MockServer]:
    seed = copy.deepcopy(TEST_SEED)
    next(store for store in seed["stores"] if store["id"] == "shop-en")["break_ui"] = ["pages_add_renamed"]
    with MockServer(seed) as server:
        yield server


def _publish_args(tmp_path: Path, server: MockServer, *, override: bool) -> list[str]:
    extra = {}
    if override:
        (tmp_path / "ui-overrides.yaml").write_text("en:\n  content_pages:\n    add: Add page (new)\n",
                                                    encoding="utf-8")
        extra["ui_overrides"] = "ui-overrides.yaml"
    fleet = write_fleet(tmp_path, server.url, {}, ["shop-nl", "shop-en"], extra=extra)
    return ["publish", "1", "--store", "shop-en", "-c", str(fleet), "--env-file", str(tmp_path / ".env"),
            "--artifacts-dir", str(tmp_path / "runs"), "--apply"]


def test_breach_publish_creates_the_notice_through_a_renamed_label_only_with_the_override(
        tmp_path: Path, renamed_server: MockServer, breach: BreachCli, sqlite_url: str, incident_file: Path) -> None:
    assert breach("new", "--file", str(incident_file), db=sqlite_url).code == 0

    refused = breach(*_publish_args(tmp_path, renamed_server, override=False), db=sqlite_url)
    assert refused.code == 1, refused.out + refused.err
    assert "store shop-en: error:" in refused.out and "'Add page'" in refused.out
    pages = http_json(f"{renamed_server.url}/__mock__/state")["stores"]["shop-en"]["pages"]
    assert TITLE not in [page["title"] for page in pages]

    published = breach(*_publish_args(tmp_path, renamed_server, override=True), db=sqlite_url)
    assert published.code == 0, published.out + published.err
    pages = http_json(f"{renamed_server.url}/__mock__/state")["stores"]["shop-en"]["pages"]
    assert TITLE in [page["title"] for page in pages]
    assert "the notice is public at" in published.out
