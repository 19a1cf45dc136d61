"""One home for a site's state (#22 item 3): `--home` / `$ECOM_PRIVACY_HOME` hold the history and breach
database, the session cache, the refused-login memory, the spent recovery codes and the store locks;
`ecom-privacy where` prints every path and where it came from."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mock_backoffice import MockServer
from tests.cli.conftest import CliRunner
from tests.support import write_fleet

pytestmark = pytest.mark.browser


@pytest.fixture
def bare_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No home and no path variable set; the XDG folders in tmp_path."""
    for name in ("ECOM_PRIVACY_HOME", "ECOM_PRIVACY_SESSION_DIR", "ECOM_PRIVACY_DB"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    return tmp_path


def where(cli: CliRunner, *args: str) -> dict[str, dict[str, str] | None]:
    result = cli("where", "--format", "json", *args)
    assert result.code == 0, result.err
    return json.loads(result.out)


def test_without_a_home_every_path_keeps_its_old_default(cli: CliRunner, bare_environment: Path) -> None:
    paths = where(cli)
    assert paths["home"] is None
    assert paths["database"]["value"] == f"sqlite:///{bare_environment}/data/ecom-privacy/ecom-privacy.sqlite3"
    assert paths["sessions"]["value"] == f"{bare_environment}/cache/ecom-privacy/sessions"
    assert paths["database"]["source"].startswith("default") and paths["sessions"]["source"].startswith("default")
    assert paths["locks"] == {"value": paths["sessions"]["value"], "source": "the session folder: no home set"}
    text = cli("where").out
    assert "(neither --home nor $ECOM_PRIVACY_HOME)" in text and "refused logins" in text


def test_the_home_holds_every_path_and_says_where_it_came_from(cli: CliRunner, bare_environment: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    home = bare_environment / "site"
    monkeypatch.setenv("ECOM_PRIVACY_HOME", str(home))
    paths = where(cli)
    assert paths["home"] == {"value": str(home), "source": "$ECOM_PRIVACY_HOME"}
    assert paths["database"] == {"value": f"sqlite:///{home}/ecom-privacy.sqlite3",
                                 "source": "the home ($ECOM_PRIVACY_HOME)"}
    assert paths["sessions"] == {"value": f"{home}/sessions", "source": "the home ($ECOM_PRIVACY_HOME)"}
    assert paths["locks"] == {"value": f"{home}/locks", "source": "the home ($ECOM_PRIVACY_HOME)"}

    # A flag wins over every variable: `--home` over $ECOM_PRIVACY_DB (the demo never writes a user's database)
    monkeypatch.setenv("ECOM_PRIVACY_DB", "postgresql://ops@db.test/real")
    assert where(cli)["database"]["source"] == "$ECOM_PRIVACY_DB"  # the specific variable over the general
    demo = bare_environment / "demo-home"
    flagged = where(cli, "--home", str(demo))
    assert flagged["home"] == {"value": str(demo), "source": "--home"}
    assert flagged["database"] == {"value": f"sqlite:///{demo}/ecom-privacy.sqlite3", "source": "the home (--home)"}
    both = where(cli, "--home", str(demo), "--db", str(bare_environment / "x.sqlite3"), "--session-dir",
                 str(bare_environment / "s"))
    assert both["database"]["source"] == "--db" and both["sessions"]["source"] == "--session-dir"
    assert both["locks"]["value"] == f"{demo}/locks"  # locks stay in the home: one per store for the whole site


def test_a_run_the_register_and_status_share_the_home(cli: CliRunner, bare_environment: Path,
                                                      mock_server: MockServer) -> None:
    """#22 item 3: `make demo` wrote into the user's history; the service, the operator's shell and the DPO's
    shell each used another database, session cache and lock."""
    home = bare_environment / "site"
    fleet = write_fleet(bare_environment, mock_server.url, {"cookie_law": {"mode": "confirm"}}, ["shop-nl"])
    env = ["-c", str(fleet), "--env-file", str(bare_environment / ".env")]
    assert cli("plan", *env, "--home", str(home)).code == 2
    assert (home / "ecom-privacy.sqlite3").is_file()
    assert len(list((home / "sessions").glob("*.json"))) == 1  # the cached session
    assert list((home / "locks").glob("store-*.lock"))  # the store's lock
    assert not (bare_environment / "cache").exists() and not (bare_environment / "data").exists()
    status = cli("status", "--home", str(home), "--format", "json")
    assert [store["id"] for store in json.loads(status.out)["stores"]] == ["shop-nl"]
    assert "No runs recorded yet" in cli("status").out  # elsewhere: another site
    assert cli("breach", "list", "--home", str(home)).code == 0
    assert list((home).glob("ecom-privacy.sqlite3*"))  # the register is the same database


def test_every_command_takes_home(cli: CliRunner) -> None:
    from automation.cli import build_merge_parser, build_parser

    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    for name, command in commands.items():
        if name == "mock":
            continue
        actions = command._actions
        sub = next((a for a in actions if a.__class__.__name__ == "_SubParsersAction"), None)
        for each in (sub.choices.values() if sub else [command]):
            assert any("--home" in action.option_strings for action in each._actions), (name, each.prog)
    assert any("--home" in action.option_strings for action in build_merge_parser()._actions)
