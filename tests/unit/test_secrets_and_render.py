"""Secrets resolution, redaction and the exit-code contract."""

from __future__ import annotations

from pathlib import Path

import pytest

from automation.access.secrets import load_environment, resolve_secrets
from automation.fleet.model import CredentialRefs, StoreConfig
from automation.outputs.render import apply_exit_code, plan_exit_code, render_document
from automation.redaction.redactor import Redactor
from ecom_privacy.errors import ConfigError
from ecom_privacy.models import (
    Change,
    RunDocument,
    RunKind,
    SettingResult,
    SettingStatus,
    StoreResult,
    StoreStatus,
)


def make_store(totp: bool = False) -> StoreConfig:
    refs = CredentialRefs(email_env="S_EMAIL", password_env="S_PASSWORD",
                          totp_secret_env="S_TOTP" if totp else None)
    return StoreConfig(id="s", backoffice_url="http://x/s/admin", storefront_url="http://x/s/", locale="en",
                       credentials=refs, groups=(), vars={}, desired={})


def test_env_file_under_process_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("S_EMAIL=file@x\nS_PASSWORD=from-file\n")
    monkeypatch.setenv("S_PASSWORD", "from-shell")
    env = load_environment(env_file)
    secrets = resolve_secrets(make_store(), env, env_file)
    assert (secrets.email, secrets.password) == ("file@x", "from-shell")
    assert "from-shell" not in repr(secrets)


def test_missing_secret_names_store_variable_and_fix(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        resolve_secrets(make_store(totp=True), {"S_EMAIL": "a", "S_PASSWORD": "b"}, tmp_path / ".env")
    assert "store s" in str(info.value) and "S_TOTP" in str(info.value) and ".env" in str(info.value)


def test_redactor_replaces_every_secret() -> None:
    redact = Redactor(["hunter22", "JBSWY3DPEHPK3PXP"])
    redact.add("ab")  # too short to redact safely
    assert redact("pw=hunter22 totp=JBSWY3DPEHPK3PXP ab") == "pw=*** totp=*** ab"


def document(*stores: StoreResult, kind: RunKind = RunKind.PLAN) -> RunDocument:
    return RunDocument(kind=kind, created_at="now", fleet_file="f.yaml", stores=list(stores))


def change() -> Change:
    return Change(setting="cookie_law", action="update", before={"mode": "none"}, after={"mode": "confirm"},
                  summary="mode none -> confirm")


def test_plan_exit_codes() -> None:
    ok = StoreResult(id="a", settings=[SettingResult(setting="cookie_law", status=SettingStatus.COMPLIANT)])
    drift = StoreResult(id="b", changes=[change()],
                        settings=[SettingResult(setting="cookie_law", status=SettingStatus.DRIFT)])
    failed = StoreResult(id="c", status=StoreStatus.ERROR, error="boom", error_kind="transient")
    assert plan_exit_code(document(ok)) == 0
    assert plan_exit_code(document(ok, drift)) == 2
    assert plan_exit_code(document(ok, drift, failed)) == 1
    text = render_document(document(ok, drift, failed))
    assert "Store a: compliant" in text and "mode none -> confirm" in text and "FAILED (transient): boom" in text
    assert "Stores: 1 ok, 1 drifted, 1 failed\n" in text


def test_apply_exit_codes() -> None:
    changed = StoreResult(id="a", changes=[change()],
                          settings=[SettingResult(setting="cookie_law", status=SettingStatus.CHANGED)])
    blocked = StoreResult(id="b", settings=[SettingResult(setting="x", status=SettingStatus.DRIFT)])
    assert apply_exit_code(document(changed, kind=RunKind.APPLY)) == 0
    assert apply_exit_code(document(changed, blocked, kind=RunKind.APPLY)) == 1
