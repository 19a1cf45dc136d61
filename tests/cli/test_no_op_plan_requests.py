"""What a no-op plan asks the backoffice for (issue #21): its state read as data (JSON twins), no page rendered
but the login chain's landing page, and no script, style, image or font fetched. Real Chromium, the mock over
HTTP, its access log (`GET /__mock__/requests`)."""

from __future__ import annotations

from pathlib import Path

from benchmarks.floor import classify
from mock_backoffice import MockServer
from tests.cli.conftest import CliRunner
from tests.cli.test_real_stores import EVERY_SETTING, asked, real_like
from tests.support import http_json, write_fleet


def test_a_no_op_plan_renders_no_admin_page_and_fetches_no_asset(cli: CliRunner, mock_server: MockServer,
                                                                  tmp_path: Path) -> None:
    real_like(mock_server, "classic", True)
    # Heavy admin pages, as the real backoffice's: any page the plan rendered would fetch this script.
    http_json(f"{mock_server.url}/__mock__/faults", {"page_weight_kb": 64, "script_cpu_ms": 1})
    fleet = write_fleet(tmp_path, mock_server.url, EVERY_SETTING, ["shop-nl"])
    args = ["-c", str(fleet), "--env-file", str(tmp_path / ".env")]
    assert cli("apply", *args, "--auto-approve", "--allow-archive", "--session-dir", str(tmp_path / "setup")).code == 0
    args += ["--session-dir", str(tmp_path / "sessions")]  # empty: the first plan logs in, the second reuses it

    for cache in ("cold", "warm"):
        http_json(f"{mock_server.url}/__mock__/requests/clear", {})
        noop = cli("plan", *args)
        assert noop.code == 0, noop.out + noop.err
        assert ("by cached session" in noop.out) == (cache == "warm"), noop.out
        paths = asked(mock_server, "shop-nl")
        kinds = {path: classify(path) for path in paths}
        assert {"admin/settings/web_extras.json", "admin/web_statistics.json", "admin/pages.json",
                "admin/newsletter_subscriptions.json"} <= set(paths), cache
        # no script, stylesheet, image, font or media: not even the landing page's, not the page weight's
        assert not [path for path, kind in kinds.items() if kind in ("scripts_styles", "other")], (cache, paths)
        documents = [path for path, kind in kinds.items() if kind == "documents"]
        if cache == "warm":
            assert documents == [], paths
        else:  # only the login chain: the store's hand-over, its callback, and the landing page it ends on
            assert documents and all(path == "admin/" or path.startswith("admin/auth/") for path in documents), paths
