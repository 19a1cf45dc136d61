"""Issue #9 findings 2, 7 and 11 through the CLI: what an attacker or a careless operator tried, and lost."""

from __future__ import annotations

import csv
import io
import stat
from pathlib import Path
from typing import Any

import pytest
import yaml

from mock_backoffice import MockServer
from tests.cli.conftest import CliRunner
from tests.support import TOTP_SECRET, http_json, write_fleet

# Not about logging in: each store starts logged in (tests/warm_sessions.py).
pytestmark = pytest.mark.usefixtures("warm_sessions")

RULE = {"enabled": True}


def fleet_args(tmp_path: Path, server: MockServer, stores: list[str], rule: dict[str, Any] | None = None) -> list[str]:
    path = write_fleet(tmp_path, server.url, {"newsletter_archive": rule or RULE}, stores)
    return ["-c", str(path), "--env-file", str(tmp_path / ".env")]


def active(mock_state, store_id: str = "shop-nl") -> set[str]:
    return {s["email"] for s in mock_state()[store_id]["subscribers"] if not s["archived"]}


def add(server: MockServer, email: str, name: str = "", source: str = "import", day: str = "2016-03-03") -> None:
    http_json(f"{server.url}/__mock__/subscribers", {"store": "shop-nl", "email": email, "name": name,
                                                     "source": source, "subscribed_at": day})


def test_own_export_as_keep_file_keeps_everyone_in_it(cli: CliRunner, mock_server: MockServer, mock_state,
                                                      tmp_path: Path) -> None:
    """Finding 2 as reported: -jane@ and +tag@ from the tool's own export were archived with exit 0."""
    for email, name in (("-jane@x.test", "-Jane"), ("+tag@x.test", "=Tag;@Me"), ("plain@x.test", "Jan;=cmd|x")):
        add(mock_server, email, name)
    args = fleet_args(tmp_path, mock_server, ["shop-nl"])
    exported = cli("export-subscribers", *args, "--out", str(tmp_path / "lists"),
                   "--artifacts-dir", str(tmp_path / "runs"), "--log-format", "json")
    assert exported.code == 0, exported.out + exported.err
    export = tmp_path / "lists" / "shop-nl-newsletter-archive.csv"
    rows = list(csv.DictReader(io.StringIO(export.read_text(encoding="utf-8"))))
    assert {"'-jane@x.test", "'+tag@x.test"} <= {row["email"] for row in rows}  # guarded for spreadsheets

    # The owner answers: keep these three (the export's own rows, as they are), archive the rest.
    keep = export.read_text(encoding="utf-8").splitlines()
    keeps = [line for line in keep if "jane@" in line or "tag@" in line or "plain@" in line]
    (tmp_path / "keep.csv").write_text("\n".join([keep[0], *keeps]) + "\n", encoding="utf-8")
    args = fleet_args(tmp_path, mock_server, ["shop-nl"], {**RULE, "keep_file": "keep.csv"})
    assert cli("validate", *args).code == 0
    applied = cli("apply", *args, "--auto-approve", "--allow-archive")
    assert applied.code == 0, applied.out + applied.err
    assert "3 more kept by keep lists" in applied.out
    assert {"-jane@x.test", "+tag@x.test", "plain@x.test"} <= active(mock_state)


def test_validate_refuses_keep_entries_that_are_not_addresses(cli: CliRunner, mock_server: MockServer,
                                                              tmp_path: Path) -> None:
    (tmp_path / "keep.csv").write_text("email\njan@x.test\nJan Jansen\n", encoding="utf-8")
    args = fleet_args(tmp_path, mock_server, ["shop-nl"], {**RULE, "keep_file": "keep.csv"})
    result = cli("validate", *args)
    assert result.code == 1
    assert (f"newsletter_archive.keep_file: {tmp_path / 'keep.csv'}: line 3: 'Jan Jansen' is not "
            f"an email address") in result.err and "(store shop-nl)" in result.err
    planned = cli("plan", *args)
    assert planned.code == 1 and "line 3: 'Jan Jansen' is not an email address" in planned.out

    args = fleet_args(tmp_path, mock_server, ["shop-nl"], {**RULE, "keep": ["ok@x.test", "mailto:"]})
    result = cli("validate", *args)
    assert result.code == 1 and "keep[1]: 'mailto:' is not an email address" in result.err


def test_validate_refuses_store_ids_sharing_a_file_name(cli: CliRunner, tmp_path: Path) -> None:
    path = write_fleet(tmp_path, "http://127.0.0.1:9", {"cookie_law": {"mode": "confirm"}}, ["shop-nl"])
    fleet = yaml.safe_load(path.read_text())
    fleet["stores"] = [{**fleet["stores"][0], "id": store_id} for store_id in ("shop", "shop.", "shop_")]
    path.write_text(yaml.safe_dump(fleet, sort_keys=False))
    result = cli("validate", "-c", str(path), "--env-file", str(tmp_path / ".env"))
    assert result.code == 1
    assert "store ids 'shop' and 'shop.' would share the file name 'shop'" in result.err
    assert "store ids 'shop' and 'shop_' would share the file name 'shop'" in result.err


def test_validate_refuses_a_totp_secret_that_is_not_base32(cli: CliRunner, tmp_path: Path) -> None:
    path = write_fleet(tmp_path, "http://127.0.0.1:9", {"cookie_law": {"mode": "confirm"}}, ["shop-totp"])
    env = tmp_path / ".env"
    env.write_text(env.read_text().replace(TOTP_SECRET, "not-base32-0189!"))
    result = cli("validate", "-c", str(path), "--env-file", str(env))
    assert result.code == 1
    [line] = result.err.strip().splitlines()
    assert "store shop-totp: EP_SHOP_TOTP_TOTP is not a usable TOTP secret: it holds characters that are not " \
           "base32" in line
    assert "not-base32" not in line


def test_export_subscribers_failing_early_leaves_no_run_folder(cli: CliRunner, mock_server: MockServer,
                                                               tmp_path: Path) -> None:
    args = fleet_args(tmp_path, mock_server, ["shop-nl"])
    result = cli("export-subscribers", *args, "--parallelism", "0", "--artifacts-dir", str(tmp_path / "runs"))
    assert result.code == 1 and "--parallelism must be at least 1" in result.err
    assert not (tmp_path / "runs").exists() or list((tmp_path / "runs").iterdir()) == []


def test_a_subscriber_name_cannot_forge_the_plan(cli: CliRunner, mock_server: MockServer, tmp_path: Path) -> None:
    """Finding 11a: escape codes and line breaks in a name printed raw could rewrite the plan on screen."""
    forged = "\x1b[2K\x1b[1A\r  ~ cookie_law: update\n= nobody is archived\x9b31m\u202eevil"
    add(mock_server, "forger@x.test", forged)
    args = fleet_args(tmp_path, mock_server, ["shop-nl"])
    result = cli("plan", *args, "--diff")  # the subscribers an archive selects are listed with --diff
    assert result.code == 2, result.out + result.err
    assert not any(char in result.out for char in "\x1b\x9b\r\u202e")
    [line] = [line for line in result.out.splitlines() if "forger@x.test" in line]
    assert "~ cookie_law: update" in line and "= nobody is archived" in line  # shown, inert, on its own line
    assert not any(text.lstrip().startswith("= nobody") for text in result.out.splitlines())

    as_json = cli("plan", *args, "--format", "json")
    assert "\x9b" not in as_json.out and "\\u009b" in as_json.out

    run = sorted((tmp_path / "runs").iterdir())[-1]  # finding 11e: subscriber data is private to the user
    assert stat.S_IMODE(run.stat().st_mode) == 0o700
    assert all(stat.S_IMODE(p.stat().st_mode) == (0o700 if p.is_dir() else 0o600) for p in run.rglob("*"))
