"""A CDP endpoint's token never reaches a log: what is shown and what is redacted."""

from __future__ import annotations

import pytest

from automation.browser.cdp_endpoint import endpoint_secrets, public_endpoint
from automation.cli import build_parser


def test_the_endpoint_is_shown_without_its_query_or_password() -> None:
    assert public_endpoint("wss://user:s3cret-pass@farm.example:3000/chromium?token=abcd-1234&stealth=true") == (
        "wss://farm.example:3000/chromium")
    assert public_endpoint("http://127.0.0.1:9222") == "http://127.0.0.1:9222"


def test_tokens_and_passwords_of_the_endpoint_are_redacted() -> None:
    assert endpoint_secrets("wss://user:s3cret-pass@farm.example/?token=abcd-1234&x=1") == ["abcd-1234",
                                                                                            "s3cret-pass"]
    assert endpoint_secrets("http://127.0.0.1:9222") == []


def test_cdp_endpoint_comes_from_the_environment_unless_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ECOM_PRIVACY_CDP_ENDPOINT", "http://10.0.0.5:9222")
    assert build_parser().parse_args(["plan"]).cdp_endpoint == "http://10.0.0.5:9222"
    given = build_parser().parse_args(["plan", "--cdp-endpoint", "http://127.0.0.1:9333"])
    assert given.cdp_endpoint == "http://127.0.0.1:9333"
    monkeypatch.delenv("ECOM_PRIVACY_CDP_ENDPOINT")
    assert build_parser().parse_args(["verify"]).cdp_endpoint is None


def test_a_bad_shard_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args(["plan", "--shard", "4/3"])
    assert exit_info.value.code == 1  # a usage error: 1, never 2 ("changes planned")
    assert "--shard '4/3': K must be between 1 and N" in capsys.readouterr().err
