"""SMTP is checked before any store is opened (connect, STARTTLS, login, each sender), and every failure names
the variable to change. Real servers: the STARTTLS + AUTH sink, a plain aiosmtpd without STARTTLS, a port with
nothing behind it."""

from __future__ import annotations

from pathlib import Path

import pytest

from automation.breach.mailer import NotConnected, SmtpSettings, check_smtp
from mock_backoffice.smtp_sink import SmtpSink
from tests.alerts.receivers import free_port, smtp_receiver
from tests.breach.conftest import BreachCli
from tests.support import write_fleet

SENDER = "Winkel NL <privacy@winkel-nl.test>"


def _check(env: dict[str, str], senders: tuple[str, ...] = (SENDER,)) -> str:
    with pytest.raises(NotConnected) as caught:
        check_smtp(SmtpSettings.from_env(env), list(senders))
    return str(caught.value)


def test_a_server_without_starttls_names_the_starttls_variable() -> None:
    with smtp_receiver() as plain:
        said = _check({"ECOM_PRIVACY_SMTP_HOST": "127.0.0.1", "ECOM_PRIVACY_SMTP_PORT": str(plain.port),
                       "ECOM_PRIVACY_SMTP_FROM": SENDER})
    assert said.startswith(f"SMTP 127.0.0.1:{plain.port}: the server offers no STARTTLS; ")
    assert "ECOM_PRIVACY_SMTP_PORT" in said and "set ECOM_PRIVACY_SMTP_STARTTLS=no" in said


def test_nothing_listening_names_host_and_port() -> None:
    port = free_port()
    said = _check({"ECOM_PRIVACY_SMTP_HOST": "127.0.0.1", "ECOM_PRIVACY_SMTP_PORT": str(port),
                   "ECOM_PRIVACY_SMTP_FROM": SENDER})
    assert said == (f"SMTP 127.0.0.1:{port}: nothing accepts connections there; check ECOM_PRIVACY_SMTP_HOST and "
                    f"ECOM_PRIVACY_SMTP_PORT")


def test_an_untrusted_certificate_names_the_ca_file(smtp: SmtpSink) -> None:
    env = {key: value for key, value in smtp.env().items() if key != "ECOM_PRIVACY_SMTP_CA_FILE"}
    said = _check(env)
    assert "its certificate is not trusted" in said and "set ECOM_PRIVACY_SMTP_CA_FILE" in said
    missing = _check({**smtp.env(), "ECOM_PRIVACY_SMTP_CA_FILE": "/nonexistent/ca.pem"})
    assert "ECOM_PRIVACY_SMTP_CA_FILE /nonexistent/ca.pem: cannot be read" in missing


def test_a_refused_login_names_user_and_password(smtp: SmtpSink) -> None:
    said = _check({**smtp.env(), "ECOM_PRIVACY_SMTP_PASSWORD": "Wrong-Password-123"})
    assert "login refused for 'agency' (535); check ECOM_PRIVACY_SMTP_USER and ECOM_PRIVACY_SMTP_PASSWORD" in said
    assert "Wrong-Password-123" not in said


def test_a_server_that_wants_a_login_says_so_before_anything_is_sent(smtp: SmtpSink) -> None:
    env = {k: v for k, v in smtp.env().items() if k not in ("ECOM_PRIVACY_SMTP_USER", "ECOM_PRIVACY_SMTP_PASSWORD")}
    said = _check(env)
    assert f"refuses letters from {SENDER!r} (530" in said
    assert "set ECOM_PRIVACY_SMTP_USER and ECOM_PRIVACY_SMTP_PASSWORD" in said
    assert smtp.received == []


def test_good_settings_pass_and_send_nothing(smtp: SmtpSink) -> None:
    check_smtp(SmtpSettings.from_env(smtp.env()), [SENDER, "Shop EN <privacy@shop-en.test>"])
    assert smtp.received == [] and smtp.logins == [("PLAIN", True)]


def test_breach_notify_checks_smtp_before_any_backoffice_login(
        tmp_path: Path, breach: BreachCli, sqlite_url: str, incident_file: Path) -> None:
    """The recipients come from the backoffice (no --recipients): a wrong SMTP setting must be said before
    the tool logs in to a store, reads its customers and only then finds it cannot send."""
    fleet = write_fleet(tmp_path, "http://127.0.0.1:9", {}, ["shop-nl", "shop-en"])
    assert breach("new", "--file", str(incident_file), db=sqlite_url).code == 0
    with smtp_receiver() as plain:
        with (tmp_path / ".env").open("a", encoding="utf-8") as env:
            env.write(f"ECOM_PRIVACY_SMTP_HOST=127.0.0.1\nECOM_PRIVACY_SMTP_PORT={plain.port}\n"
                      f"ECOM_PRIVACY_SMTP_FROM={SENDER}\n")
        result = breach("notify", "1", "--store", "shop-nl", "--store", "shop-en", "-c", str(fleet), "--env-file",
                        str(tmp_path / ".env"), "--artifacts-dir", str(tmp_path / "runs"), "--apply", db=sqlite_url)
    assert result.code == 1
    assert "offers no STARTTLS" in result.err and "ECOM_PRIVACY_SMTP_STARTTLS" in result.err
    assert "store shop-nl" not in result.out + result.err  # no store was opened
    assert not (tmp_path / "runs").exists()  # no run was started: no browser, no login, no list read
