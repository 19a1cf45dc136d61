"""export-subscribers without a browser: which desired state it runs with and what it writes per store."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from automation.fleet.model import CredentialRefs, StoreConfig
from automation.run.export import export_stores, render_exports, write_exports
from ecom_privacy.exports import ExportFile
from ecom_privacy.models import Change, RunDocument, SettingResult, SettingStatus, StoreResult, StoreStatus
from flows.cookie_law import CookieLawDesired, CookieLawSetting
from flows.newsletter_archive import NewsletterArchiveDesired
from flows.registry import all_settings


def store(store_id: str, **desired: BaseModel) -> StoreConfig:
    return StoreConfig(id=store_id, backoffice_url="http://x/admin", storefront_url="http://x/", locale="en",
                       credentials=CredentialRefs(email_env="E", password_env="P"), groups=(), vars={},
                       desired=dict(desired))


def test_export_runs_only_newsletter_archive_switched_on() -> None:
    off = NewsletterArchiveDesired(enabled=False, sources=["import"])
    [configured, unmanaged] = export_stores([
        store("a", cookie_law=CookieLawDesired(mode="confirm"), newsletter_archive=off),
        store("b", cookie_law=CookieLawDesired(mode="confirm")),
    ], all_settings())
    assert configured.desired == {"newsletter_archive": NewsletterArchiveDesired(enabled=True, sources=["import"])}
    assert unmanaged.desired == {"newsletter_archive": NewsletterArchiveDesired(enabled=True)}


def test_one_csv_per_read_store_and_none_for_a_failed_one(tmp_path: Path) -> None:
    change = Change.model_validate({"setting": "newsletter_archive", "action": "archive", "irreversible": True,
                                    "selection": {"rule": {"subscribed_before": "2018-05-25", "sources": ["import"]},
                                                  "subscribers": [{"email": "a@x.test", "name": "A", "source": "import",
                                                                   "subscribed_at": "2016-01-01", "reason": "r"}]}})
    document = RunDocument(created_at="now", fleet_file="f.yaml", stores=[
        StoreResult(id="ok", changes=[change],
                    settings=[SettingResult(setting="newsletter_archive", status=SettingStatus.DRIFT)]),
        StoreResult(id="broken", settings=[SettingResult(
            setting="newsletter_archive", status=SettingStatus.FAILED, error="no table", error_kind="ui_mismatch")]),
        StoreResult(id="locked", status=StoreStatus.ERROR, error="account locked", error_kind="account_locked"),
    ])
    results = write_exports(document, tmp_path / "out", lambda text: text, all_settings())
    assert (tmp_path / "out" / "ok-newsletter-archive.csv").read_text() == (
        "email,name,date,source\na@x.test,A,2016-01-01,import\n")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["ok-newsletter-archive.csv"]
    text = render_exports(results)
    assert "ok: 1 subscriber(s) the rule would archive" in text
    assert "broken: FAILED (ui_mismatch: no table)" in text
    assert "locked: FAILED (account_locked: account locked)" in text
    assert "3 store(s), 1 written, 2 failed; nothing was archived" in text


class _Consents(CookieLawSetting):
    """Another setting that exports: the loop must write its file too, without knowing its name."""

    name = "consents"

    def export_desired(self, desired: BaseModel | None) -> BaseModel | None:
        return CookieLawDesired(mode="confirm")

    def exports(self, changes: list[Change]) -> list[ExportFile]:
        return [ExportFile("consents.txt", "one\n", 1, "consent record(s)")]


def test_every_exporting_setting_writes_its_files(tmp_path: Path) -> None:
    settings = {**all_settings(), "consents": _Consents()}
    [exported] = export_stores([store("a", cookie_law=CookieLawDesired(mode="none"))], settings)
    assert sorted(exported.desired) == ["consents", "newsletter_archive"]
    document = RunDocument(created_at="now", fleet_file="f.yaml", stores=[StoreResult(id="a", settings=[
        SettingResult(setting="newsletter_archive", status=SettingStatus.COMPLIANT),
        SettingResult(setting="consents", status=SettingStatus.COMPLIANT)])])
    results = write_exports(document, tmp_path, lambda text: text, settings)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-consents.txt", "a-newsletter-archive.csv"]
    assert (tmp_path / "a-newsletter-archive.csv").read_text() == "email,name,date,source\n"
    text = render_exports(results)
    assert "a: 1 consent record(s) -> " in text and "a: 0 subscriber(s) the rule would archive" in text
    assert "1 store(s), 1 written, 0 failed" in text
