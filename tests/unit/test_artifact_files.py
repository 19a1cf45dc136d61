"""Issue #9 findings 7 and 11e: one file name per store id, backups and exports never overwritten, and run
artifacts (subscriber data) private to the user. Real files in a temporary folder."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from automation.fleet.composition import read_fleet
from automation.outputs.artifacts import RunArtifacts, create_exclusive
from automation.run.export import write_exports
from ecom_privacy.errors import ConfigError
from ecom_privacy.models import Change, RunDocument, SettingResult, SettingStatus, StoreResult
from flows.registry import all_settings

#: the run's time, as the CLI's clock gives it; any instant will do, the real clock is never read
AT = datetime(2026, 1, 1, 2, 0, 0, 500_000, tzinfo=UTC)

STORE = """
  - id: {id}
    backoffice_url: http://127.0.0.1:9/x/admin
    storefront_url: http://127.0.0.1:9/x/
    locale: en
    credentials: {{email_env: E, password_env: P}}
"""


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def fleet_with(tmp_path: Path, *ids: str) -> Path:
    path = tmp_path / "fleet.yaml"
    path.write_text("stores:" + "".join(STORE.format(id=store_id) for store_id in ids), encoding="utf-8")
    return path


def test_store_ids_that_share_a_file_name_are_refused_naming_both(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        read_fleet(fleet_with(tmp_path, "shop", "shop.", "shop_", "Shop", "other"))
    lines = str(info.value).splitlines()
    assert len(lines) == 3, lines
    for clash in ("'shop.'", "'shop_'", "'Shop'"):
        [line] = [line for line in lines if f"store ids 'shop' and {clash}" in line]
        assert line.startswith(f"{tmp_path / 'fleet.yaml'}, line ") and ": stores[" in line
        assert "rename one of them" in line
    assert [s.id for s in read_fleet(fleet_with(tmp_path, "shop", "shop-2", "shop.nl")).stores] == [
        "shop", "shop-2", "shop.nl"]


def test_a_second_backup_or_export_of_the_same_name_never_overwrites_the_first(tmp_path: Path) -> None:
    artifacts = RunArtifacts.create(tmp_path / "runs", now=AT)
    assert artifacts.root.name == "20260101T020000Z"  # named after the run's clock, to the second
    assert RunArtifacts.create(tmp_path / "runs", now=AT).root.name == "20260101T020000Z-2"  # same second
    first = artifacts.save("shop", "privacy_policy-20250101T000000Z.html", "<p>old</p>")
    second = artifacts.save("shop", "privacy_policy-20250101T000000Z.html", "<p>older still</p>")
    third = artifacts.save("shop", "newsletter-archive-x.csv", b"email\n", kind="exports")
    fourth = artifacts.save("shop", "newsletter-archive-x.csv", b"email\na@x.test\n", kind="exports")
    assert (first.read_text(), second.read_text()) == ("<p>old</p>", "<p>older still</p>")
    assert second.name == "privacy_policy-20250101T000000Z-2.html"
    assert (third.read_bytes(), fourth.read_bytes(), fourth.name) == (
        b"email\n", b"email\na@x.test\n", "newsletter-archive-x-2.csv")


def test_exclusive_creation_does_not_write_through_a_planted_symlink(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "a.csv").symlink_to(victim)
    written = create_exclusive(tmp_path / "out" / "a.csv", b"export")
    assert victim.read_text() == "precious" and written.name == "a-2.csv" and written.read_bytes() == b"export"


def test_export_subscribers_keeps_the_earlier_file(tmp_path: Path) -> None:
    change = Change.model_validate({"setting": "newsletter_archive", "action": "archive", "irreversible": True,
                                    "selection": {"rule": {"subscribed_before": "2018-05-25", "sources": ["import"]},
                                                  "subscribers": [{"email": "a@x.test", "name": "A", "source": "import",
                                                                   "subscribed_at": "2016-01-01", "reason": "r"}]}})
    drift = SettingResult(setting="newsletter_archive", status=SettingStatus.DRIFT)
    document = RunDocument(created_at="now", fleet_file="f.yaml",
                           stores=[StoreResult(id="shop", changes=[change], settings=[drift])])
    out = tmp_path / "out"
    out.mkdir()
    (out / "shop-newsletter-archive.csv").write_text("the list someone is working from\n")
    [result] = write_exports(document, out, lambda text: text, all_settings())
    assert result.path == out / "shop-newsletter-archive-2.csv" and "a@x.test" in result.path.read_text()
    assert (out / "shop-newsletter-archive.csv").read_text() == "the list someone is working from\n"
    assert mode(result.path) == 0o600


def test_run_directory_and_everything_in_it_is_private(tmp_path: Path) -> None:
    old_umask = os.umask(0o022)
    try:
        artifacts = RunArtifacts.create(tmp_path / "runs", now=AT)
        files = [artifacts.write_text("plan.json", "{}"), artifacts.save("shop", "page.html", "<p>x</p>"),
                 artifacts.save("shop", "list.csv", "email\n", kind="exports"),
                 artifacts.save("shop", "first-view.png", b"png", kind="evidence")]
        browser_file = artifacts.path("stores", "shop", "trace.zip")
        browser_file.write_bytes(b"zip")  # as Playwright writes it: with the umask
        assert mode(browser_file) == 0o644
        artifacts.make_private()
    finally:
        os.umask(old_umask)
    assert mode(artifacts.root) == 0o700
    folders = [p for p in artifacts.root.rglob("*") if p.is_dir()]
    assert folders and all(mode(folder) == 0o700 for folder in folders)
    assert all(mode(path) == 0o600 for path in [*files, browser_file])
