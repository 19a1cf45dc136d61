"""Bad input and unwritable outputs end in one line on stderr, exit 1, no traceback, and before any login.

Each case runs the real CLI in-process (`automation.cli.main`, stderr as a person reads it) against the mock
(over HTTP), and the mock proves that nobody logged in; an exception that escaped the CLI would fail the test
with its traceback. One case runs in a process of its own as well, so the process boundary (what the shell
sees: exit status, stderr) is proven too. Read-only folders and a full disk are real: tmpfs mounts (this
needs root, as in the dev container; without it those cases are skipped, saying why).
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from automation.cli import main
from mock_backoffice import MockServer
from tests.support import write_fleet

pytestmark = pytest.mark.launches_browser  # about the launch path: no shared Chromium

ROOT = Path(__file__).resolve().parents[2]
TINY_TMPFS = "size=64k"

Case = Callable[[Path], tuple[list[str], str]]


def run_process(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The CLI in a process of its own, as a shell runs it."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "automation", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300, check=False)


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str],
            monkeypatch: pytest.MonkeyPatch) -> Callable[..., subprocess.CompletedProcess[str]]:
    """The CLI in-process, in `cwd`, with what it wrote to stdout and stderr."""

    def run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
        monkeypatch.chdir(cwd)
        capsys.readouterr()
        out = io.StringIO()
        code = main(list(args), out=out)
        captured = capsys.readouterr()
        return subprocess.CompletedProcess(list(args), code, out.getvalue() + captured.out, captured.err)

    return run


def error_lines(stderr: str) -> list[str]:
    """stderr without the JSON log lines (cron's format): what a person reads."""
    return [line for line in stderr.splitlines() if line.strip() and not line.startswith("{")]


def mount_tmpfs(directory: Path, options: str) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(directory)],
                             capture_output=True, text=True, check=False)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root in a container that allows it): "
                    f"{mounted.stderr.strip() or mounted.returncode}")


@pytest.fixture
def mounts() -> Iterator[Callable[[Path, str], Path]]:
    done: list[Path] = []

    def mount(directory: Path, options: str) -> Path:
        mount_tmpfs(directory, options)
        done.append(directory)
        return directory

    yield mount
    for directory in reversed(done):
        subprocess.run(["umount", str(directory)], check=False)


def fill(directory: Path) -> None:
    """Fill a tiny tmpfs to the last byte (a real ENOSPC for whatever is written next)."""
    fd = os.open(directory / "filler", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while True:
            os.write(fd, b"\0" * 1024)
    except OSError:
        pass
    finally:
        os.close(fd)


# -- the cases: each returns the command line (after `-c FLEET --env-file ENV` is added) and the message ----

def _fleet_not_utf8(tmp: Path) -> tuple[list[str], str]:
    fleet = tmp / "fleet.yaml"
    fleet.write_bytes(fleet.read_bytes().replace(b"company: Winkel NL", b"company: Caf\xe9 NL"))
    return ["plan"], f"{fleet}, line "


def _env_not_utf8(tmp: Path) -> tuple[list[str], str]:
    env = tmp / ".env"
    env.write_bytes(env.read_bytes() + b"NOTE=caf\xe9\n")
    return ["plan"], f"{env}, line 3: the .env file (--env-file) is not UTF-8 text"


def _binary_template(tmp: Path) -> tuple[list[str], str]:
    (tmp / "ccpa.nl.html").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe")
    fleet = tmp / "fleet.yaml"
    fleet.write_text(fleet.read_text().replace("cookie_law:\n    mode: confirm",
                                               "cookie_law:\n    mode: confirm\n  ccpa_page:\n    state: present\n"
                                               "    template: ccpa.{locale}.html"))
    return ["validate"], f"template {tmp / 'ccpa.nl.html'} is not UTF-8 text"


def _binary_plan(tmp: Path) -> tuple[list[str], str]:
    (tmp / "plan.bin").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe")
    return ["apply", str(tmp / "plan.bin")], f"{tmp / 'plan.bin'}: not a JSON plan file"


def _deep_fleet(tmp: Path) -> tuple[list[str], str]:
    (tmp / "fleet.yaml").write_text("stores: " + "[" * 5000 + "]" * 5000 + "\n")
    return ["validate"], f"{tmp / 'fleet.yaml'}, line 1: nested deeper than"


def _deep_plan(tmp: Path) -> tuple[list[str], str]:
    (tmp / "deep.json").write_text('{"format_version": 1, "stores": ' + "[" * 5000 + "]" * 5000 + "}")
    return ["apply", str(tmp / "deep.json")], f"{tmp / 'deep.json'}: not a plan file: nested too deeply"


def _address_file(kind: str, make: Callable[[Path], None], message: str) -> Case:
    """newsletter_archive with a keep_file or emails_file made by `make`: read by the one reader of input files."""
    def case(tmp: Path) -> tuple[list[str], str]:
        make(tmp / "people.csv")
        fleet = tmp / "fleet.yaml"
        fleet.write_text(fleet.read_text().replace("cookie_law:\n    mode: confirm", "cookie_law:\n    mode: confirm\n"
                                                   f"  newsletter_archive:\n    enabled: true\n    {kind}: people.csv"))
        return ["validate"], message.format(path=tmp / "people.csv")
    return case


def _option(*args: str, message: str, command: str = "plan") -> Case:
    return lambda tmp: ([command, *args], message)


def _path_option(option: str, make: Callable[[Path], Path], message: str, command: str = "plan") -> Case:
    def case(tmp: Path) -> tuple[list[str], str]:
        path = make(tmp)
        return [command, option, str(path)], message.format(path=path)
    return case


def _a_file(tmp: Path) -> Path:
    (tmp / "a-file").write_text("not a folder\n")
    return tmp / "a-file"


def _a_dir(tmp: Path) -> Path:
    (tmp / "a-dir").mkdir()
    return tmp / "a-dir"


def _under_a_file(tmp: Path) -> Path:
    return _a_file(tmp) / "junit.xml"


CASES: dict[str, Case] = {
    "fleet file not UTF-8": _fleet_not_utf8,
    ".env not UTF-8": _env_not_utf8,
    "binary template": _binary_template,
    "binary plan file": _binary_plan,
    "5000-deep fleet file": _deep_fleet,
    "5000-deep plan file": _deep_plan,
    # a FIFO used to be read for ever (validate hung), a binary file as text
    "keep_file is a FIFO": _address_file("keep_file", os.mkfifo,
                                         "newsletter_archive.keep_file: {path}: the address file is not a regular "
                                         "file"),
    "emails_file is binary": _address_file("emails_file", lambda path: path.write_bytes(b"email\n\x00\x01\x02\n"),
                                           "newsletter_archive.emails_file: {path}: the address file is a binary "
                                           "file"),
    "--timeout nan": _option("--timeout", "nan", message="--timeout must be a finite number of seconds, not nan"),
    "--timeout inf": _option("--timeout", "inf", message="--timeout must be a finite number of seconds, not inf"),
    "--timeout -1": _option("--timeout", "-1", message="--timeout must be more than 0, not -1"),
    "--timeout 0 (apply)": _option("--timeout", "0", "--auto-approve", command="apply",
                                   message="--timeout must be more than 0, not 0"),
    "--parallelism 0": _option("--parallelism", "0", message="--parallelism must be at least 1, not 0"),
    "--parallelism -3 (apply)": _option("--parallelism", "-3", "--auto-approve", command="apply",
                                        message="--parallelism must be at least 1, not -3"),
    "--wait-lock -1": _option("--wait-lock", "-1", message="--wait-lock must be at least 0, not -1"),
    "--browser /bin/true": _option("--browser", "/bin/true",
                                   message="/bin/true could not be started as Chromium/Chrome"),
    "--browser missing": _option("--browser", "/nonexistent/chrome",
                                 message="--browser /nonexistent/chrome is not an executable file"),
    "--artifacts-dir is a file": _path_option("--artifacts-dir", _a_file, "--artifacts-dir {path} is a file"),
    "--session-dir is a file": _path_option("--session-dir", _a_file, "--session-dir {path} is a file"),
    "--junit is a directory": _path_option("--junit", _a_dir, "--junit {path} is a directory"),
    "--junit under a file (apply)": _path_option("--junit", _under_a_file, "is a file, not a directory",
                                                 command="apply"),
    "plan --out DIR": _path_option("--out", _a_dir, "--out {path} is a directory; pass a file name"),
    "plan --out under a file": _path_option("--out", _under_a_file, "is a file, not a directory"),
    "export --out is a file": _path_option("--out", _a_file, "--out {path} is a file, not a directory",
                                           command="export-subscribers"),
    "verify --junit is a directory": _path_option("--junit", _a_dir, "--junit {path} is a directory",
                                                  command="verify"),
}


def logins(server: MockServer, store: str = "shop-nl") -> int:
    import urllib.request

    with urllib.request.urlopen(f"{server.url}/__mock__/state", timeout=10) as response:
        return json.loads(response.read())["stores"][store]["login"]["attempts"]


def assert_one_line_error(result: subprocess.CompletedProcess[str], message: str) -> str:
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    lines = error_lines(result.stderr)
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ") and message in lines[0], lines[0]
    return lines[0]


@pytest.mark.parametrize("name", list(CASES))
def test_each_bad_input_is_one_line_before_any_login(mock_server: MockServer, tmp_path: Path, name: str,
                                                     run_cli) -> None:
    fleet = write_fleet(tmp_path, mock_server.url, {"cookie_law": {"mode": "confirm"}}, ["shop-nl"])
    args, message = CASES[name](tmp_path)
    extra = [] if args[0] == "validate" else ["--artifacts-dir", str(tmp_path / "runs"), "--log-format", "json"]
    if "--artifacts-dir" in args:
        extra = ["--log-format", "json"]
    result = run_cli(tmp_path, *args, "-c", str(fleet), "--env-file", str(tmp_path / ".env"), *extra)
    assert_one_line_error(result, message)
    assert logins(mock_server) == 0
    written = [p for p in (tmp_path / "runs").rglob("*") if p.is_file()] if (tmp_path / "runs").is_dir() else []
    assert written == []  # no run was carried out


@pytest.mark.parametrize("name", ["fleet file not UTF-8", "--parallelism 0", "--browser /bin/true"])
def test_in_a_process_of_its_own_a_bad_input_is_still_one_line(mock_server: MockServer, tmp_path: Path,
                                                               name: str) -> None:
    """The shell's view: exit status 1 and one line on the process's stderr, nothing more."""
    fleet = write_fleet(tmp_path, mock_server.url, {"cookie_law": {"mode": "confirm"}}, ["shop-nl"])
    args, message = CASES[name](tmp_path)
    result = run_process(tmp_path, *args, "-c", str(fleet), "--env-file", str(tmp_path / ".env"),
                         "--artifacts-dir", str(tmp_path / "runs"), "--log-format", "json")
    assert_one_line_error(result, message)
    assert logins(mock_server) == 0


@pytest.mark.parametrize("option", ["--artifacts-dir", "--session-dir", "--junit"])
def test_read_only_output_is_one_line_before_any_login(mock_server: MockServer, tmp_path: Path, mounts,
                                                       option: str, run_cli) -> None:
    fleet = write_fleet(tmp_path, mock_server.url, {"cookie_law": {"mode": "confirm"}}, ["shop-nl"])
    # A session folder must also be private (0700) or it is refused for that first, before it is written to.
    private = ",mode=0700" if option == "--session-dir" else ""
    read_only = mounts(tmp_path / "read-only", f"ro,{TINY_TMPFS}{private}")
    target = read_only / "junit.xml" if option == "--junit" else read_only
    artifacts = [] if option == "--artifacts-dir" else ["--artifacts-dir", str(tmp_path / "runs")]
    result = run_cli(tmp_path, "apply", "--auto-approve", "-c", str(fleet), "--env-file", str(tmp_path / ".env"),
                     option, str(target), *artifacts, "--log-format", "json")
    line = assert_one_line_error(result, f"{option} {target}")
    assert "Read-only file system" in line
    assert logins(mock_server) == 0


def test_a_full_disk_for_junit_still_writes_the_report(mock_server: MockServer, tmp_path: Path, mounts,
                                                       run_cli) -> None:
    """--junit on a full disk: the stores ran, stdout and the run directory still have the whole report, the
    error is one line, exit 1, and no temporary file is left on the full disk."""
    fleet = write_fleet(tmp_path, mock_server.url, {"cookie_law": {"mode": "confirm"}}, ["shop-nl"])
    full = mounts(tmp_path / "full", TINY_TMPFS)
    fill(full)
    result = run_cli(tmp_path, "plan", "-c", str(fleet), "--env-file", str(tmp_path / ".env"), "--junit",
                     str(full / "junit.xml"), "--artifacts-dir", str(tmp_path / "runs"), "--log-format", "json")
    line = assert_one_line_error(result, f"{full / 'junit.xml'} could not be written (No space left on device)")
    assert "Store shop-nl: 1 change(s) planned" in result.stdout
    [run] = (tmp_path / "runs").iterdir()
    assert {"plan.json", "junit.xml", "report.html"} <= {p.name for p in run.iterdir()}, line
    assert sorted(p.name for p in full.iterdir()) == ["filler"]


def test_a_full_disk_for_artifacts_leaves_no_temporary_files(mock_server: MockServer, tmp_path: Path,
                                                             mounts, run_cli) -> None:
    fleet = write_fleet(tmp_path, mock_server.url, {"cookie_law": {"mode": "confirm"}}, ["shop-nl"])
    full = mounts(tmp_path / "full", TINY_TMPFS)
    (full / "runs").mkdir()
    fill(full)
    result = run_cli(tmp_path, "plan", "-c", str(fleet), "--env-file", str(tmp_path / ".env"),
                     "--artifacts-dir", str(full / "runs"), "--out", str(tmp_path / "PLAN.json"),
                     "--log-format", "json")
    line = assert_one_line_error(result, "could not be written (No space left on device)")
    assert "report.html" in line and "plan.json" in line
    assert "Store shop-nl: 1 change(s) planned" in result.stdout  # stdout still has the plan
    assert json.loads((tmp_path / "PLAN.json").read_text())["plan_sha256"]  # --out is elsewhere: written
    leftovers = [p for p in full.rglob("*") if p.is_file() and p.name != "filler"]
    assert not [p for p in leftovers if p.name.endswith(".tmp")], leftovers


def test_a_full_disk_under_a_backup_fails_the_setting_as_disk_full(mock_server: MockServer, tmp_path: Path,
                                                                   mounts, run_cli) -> None:
    """The backup written before a page is overwritten meets a full disk: the setting fails with the typed kind
    `disk_full` and one line naming the file (not `OSError`), and the page is not touched."""
    templates = ROOT / "config" / "templates"
    fleet = write_fleet(tmp_path, mock_server.url, {"privacy_policy": {
        "mode": "require", "profile": "gdpr", "template": str(templates / "privacy-policy.{locale}.html"),
        "vars": {"address": "Dorpsstraat 1, Utrecht", "email": "privacy@example.test", "updated": "1 March 2025"}}},
        ["shop-nl"])
    full = mounts(tmp_path / "full", TINY_TMPFS)
    (full / "runs").mkdir()
    fill(full)
    result = run_cli(tmp_path, "apply", "--auto-approve", "-c", str(fleet), "--env-file", str(tmp_path / ".env"),
                     "--artifacts-dir", str(full / "runs"), "--format", "json", "--no-trace", "--log-format", "json")
    assert result.returncode == 1, result.stdout + result.stderr
    document = json.loads(result.stdout)
    [setting] = document["stores"][0]["settings"]
    assert setting["status"] == "failed" and setting["error_kind"] == "disk_full", setting
    assert "No space left on device" in setting["error"] and "backups" in setting["error"]
    assert "\n" not in setting["error"]
