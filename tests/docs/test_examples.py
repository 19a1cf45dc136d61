"""Every YAML, shell, cron, .env and CSV example of README.md and docs/ is checked by the tool itself:

- a YAML block is a whole fleet file, validated by `ecom-privacy validate` (its templates, keep lists and
  `ui_overrides` file put beside it, every `*_env` variable set), unless a `<!-- doc-test: KIND -->` comment
  before it says what else it is: `fleet-fragment` (validated inside a minimal fleet file), `ui-overrides`,
  `breach-facts`;
- a shell or cron block passes `bash -n`, and each command in it that is ours is read by our own parser:
  `ecom-privacy ...` (and `python -m automation ...`) by the CLI parser (an unknown option, a value it refuses
  or a missing argument fails), `make X` needs the target X, `pip install '.[X]'` the extra X,
  `python -m pytest PATH` the path, `python -m benchmarks.X` the module;
- a `dotenv` block is read by the tool's .env reader and a `recipients-csv` block by the breach recipients reader;
- `<!-- doc-test: fragment WHY -->` exempts a block, and must say why.

Blocks marked `run NAME` are also run as written against the mock, by tests/docs/test_readme_runs.py (and
the recipes' blocks by tests/deploy/); a block marked `output NAME` is compared there with what the tool printed.
Other output samples (`text`, no language) are not examples to run.
"""

from __future__ import annotations

import contextlib
import io
import re
import shlex
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from automation.cli import build_merge_parser, build_parser, main
from tests.docs.markdown import ROOT, CodeBlock, code_blocks, documentation_files

DOCS_NOW = datetime(2030, 1, 1, tzinfo=UTC)

SHELL = {"sh", "bash", "shell", "console", "cron"}
CHECKED = SHELL | {"yaml", "yml", "dotenv", "csv"}
BLOCKS = [block for page in documentation_files() for block in code_blocks(page)
          if block.language in CHECKED or block.marker]

DUMMY_SECRETS = {"TOTP": "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", "RECOVERY": "a1b2-c3d4 e5f6-a7b8",
                 "EMAIL": "owner@example.com"}


def _dummy(name: str) -> str:
    for suffix, value in DUMMY_SECRETS.items():
        if suffix in name.upper():
            return value
    return "json://localhost/alerts" if "ALERT" in name.upper() else "a-password-for-the-docs"


def _env_names(node: Any) -> list[str]:
    """The environment variable names a fleet file refers to (`*_env` keys, `urls_env` lists)."""
    names: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if str(key).endswith("_env"):
                names += [value] if isinstance(value, str) else [v for v in value if isinstance(v, str)]
            else:
                names += _env_names(value)
    elif isinstance(node, list):
        for item in node:
            names += _env_names(item)
    return names


def _files_named(node: Any, keys: tuple[str, ...]) -> list[str]:
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            found += [value] if key in keys and isinstance(value, str) else _files_named(value, keys)
    elif isinstance(node, list):
        for item in node:
            found += _files_named(item, keys)
    return found


def _ui_overrides_example() -> str:
    return next(block.text for page in documentation_files() for block in code_blocks(page)
                if block.marker == "ui-overrides")


def _validate_fleet(text: str, folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`ecom-privacy validate` on the fleet file as written, with what it names put beside it."""
    fleet = folder / "fleet.yaml"
    fleet.write_text(text, encoding="utf-8")
    try:
        data = yaml.safe_load(text)  # only to find what to put beside it; validate reads the file itself
    except yaml.YAMLError:
        data = {}
    (folder / "templates").symlink_to(ROOT / "config" / "templates")
    for name in _files_named(data, ("keep_file", "emails_file")):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text("email\nkept@example.com\n", encoding="utf-8")
    for name in _files_named(data, ("ui_overrides",)):
        (folder / name).write_text(_ui_overrides_example(), encoding="utf-8")
    env = folder / ".env"
    env.write_text("".join(f"{name}={_dummy(name)}\n" for name in _env_names(data)), encoding="utf-8")
    code = main(["validate", "-c", str(fleet), "--env-file", str(env)], out=io.StringIO())
    err = capsys.readouterr().err
    assert code == 0, err
    assert "warning:" not in err, err  # an example must not use a deprecated spelling (notify.on)


MINIMAL_STORE = {"id": "docs-shop", "backoffice_url": "https://docs-shop.webshopapp.com/admin",
                 "storefront_url": "https://docs-shop.webshopapp.com/", "backoffice_locale": "en",
                 "credentials": {"email_env": "DOCS_SHOP_EMAIL", "password_env": "DOCS_SHOP_PASSWORD"},
                 "vars": {"company": "Docs Shop Ltd", "address": "1 Example Street, Utrecht",
                          "email": "privacy@docs-shop.example"}}


def _fleet_with_fragment(text: str) -> str:
    """A fleet-file fragment (a `defaults:` or `notify:` section) completed with one store, as YAML text: the
    fragment's own lines are kept as written, so that what YAML makes of them is what is validated."""
    fragment = yaml.safe_load(text)
    assert isinstance(fragment, dict), "a fleet-file fragment is a mapping of top-level fleet keys"
    extra = "" if "stores" in fragment else "\n" + yaml.safe_dump({"stores": [MINIMAL_STORE]}, sort_keys=False)
    named = (fragment.get("notify") or {}).get("group_by") or []
    if named and "groups" not in fragment:  # the groups an alerts fragment names as clients exist in its fleet
        extra += yaml.safe_dump({"groups": {name: {} for name in named}}, sort_keys=False)
    return text + extra


# -- shell ----------------------------------------------------------------------------------------------------

REDIRECT = re.compile(r"\s\d?(?:>>?|<)&?\s*(?:\d\b|[^\s;&|]+)")


def _command_lines(block: CodeBlock) -> list[str]:
    """The block's commands, one per line (continuations joined); cron lines without their five time fields."""
    text = block.text.replace("\\\n", " ")
    lines = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if block.language == "cron":
            fields = line.split(None, 5)
            assert len(fields) == 6, f"{block.where}: a cron line has five time fields and a command: {line}"
            line = fields[5]
        lines.append(line)
    return lines


def _simple_commands(line: str) -> list[list[str]]:
    """The simple commands of one shell line: redirections dropped, split at ; && || | &."""
    lexer = shlex.shlex(REDIRECT.sub(" ", " " + line), posix=True, punctuation_chars=";&|")
    lexer.whitespace_split = True
    lexer.commenters = "#"
    commands: list[list[str]] = [[]]
    for token in lexer:
        if token and set(token) <= set(";&|"):
            commands.append([])
        else:
            commands[-1].append(token)
    return [command for command in commands if command]


def _program(command: list[str]) -> tuple[str, list[str]]:
    """The program and its arguments: leading NAME=value assignments and wrappers (xvfb-run -a, sudo) skipped."""
    words = list(command)
    while words and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=.*", words[0]):
        words.pop(0)
    while words and Path(words[0]).name in ("xvfb-run", "sudo", "env"):
        words.pop(0)
        while words and words[0].startswith("-"):
            words.pop(0)
    return (Path(words[0]).name, words[1:]) if words else ("", [])


def _parse_cli(arguments: list[str], where: str) -> None:
    if arguments[:1] == ["mock"]:
        return  # the mock's own parser (mock_backoffice), checked by its tests
    parser = build_merge_parser() if arguments[:2] == ["report", "merge"] else build_parser()
    rest = arguments[2:] if arguments[:2] == ["report", "merge"] else arguments
    errors = io.StringIO()
    try:
        with contextlib.redirect_stderr(errors):
            parser.parse_args(rest)
    except SystemExit as exc:
        if exc.code:
            pytest.fail(f"{where}: ecom-privacy {shlex.join(arguments)}: {errors.getvalue().strip()}")


def _make_targets() -> set[str]:
    return set(re.findall(r"^([\w-]+):", (ROOT / "Makefile").read_text(encoding="utf-8"), re.M))


def _extras() -> set[str]:
    import tomllib

    return set(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
               ["optional-dependencies"])


def _check_command(program: str, arguments: list[str], where: str) -> None:
    if program == "ecom-privacy":
        _parse_cli(arguments, where)
    elif program.startswith("python") and arguments[:1] == ["-m"] and len(arguments) > 1:
        module, rest = arguments[1], arguments[2:]
        if module == "automation":
            _parse_cli(rest, where)
        elif module == "pytest":
            for path in (word.split("::")[0] for word in rest if word.startswith("tests/")):
                assert (ROOT / path).exists(), f"{where}: pytest {path}: no such test file"
        elif module.startswith(("benchmarks.", "automation.", "mock_backoffice")):
            module_path = ROOT / module.replace(".", "/")
            assert module_path.with_suffix(".py").is_file() or module_path.is_dir(), f"{where}: no module {module}"
    elif program == "make":
        targets = [word for word in arguments if not word.startswith("-") and "=" not in word]
        assert set(targets) <= _make_targets(), f"{where}: make {' '.join(targets)}: no such target in the Makefile"
    elif program in ("pip", "pip3") and arguments[:1] == ["install"]:
        for extra in (e for word in arguments for e in re.findall(r"\[([\w,-]+)\]", word)):
            assert set(extra.split(",")) <= _extras(), f"{where}: pip install: no extra [{extra}] in pyproject.toml"


def _check_shell(block: CodeBlock) -> None:
    lines = _command_lines(block)
    syntax = subprocess.run(["bash", "-n"], input="\n".join(lines) + "\n", capture_output=True, text=True,
                            timeout=30)
    assert syntax.returncode == 0, f"{block.where}: bash -n: {syntax.stderr}"
    for line in lines:
        for command in _simple_commands(line):
            _check_command(*_program(command), block.where)


# -- the tests ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("block", BLOCKS, ids=[block.where for block in BLOCKS])
def test_every_example_is_checked_by_the_tool_or_marked_as_a_fragment(block: CodeBlock, tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    from automation.access.secrets import load_environment
    from automation.breach.facts import build_facts, read_facts_file
    from automation.breach.recipients import read_csv
    from flows.labels.overrides import load_ui_overrides

    kind = block.marker or block.language
    if kind == "run":  # run as written elsewhere; here its syntax and options
        kind = block.language
    if kind == "output":  # compared with what the tool prints, where the note says
        assert block.marker_note, f"{block.where}: name the test that compares this output"
        return
    if kind == "fragment":
        assert block.marker_note, f"{block.where}: say why the block is a fragment: <!-- doc-test: fragment WHY -->"
        return
    file = tmp_path / "example"
    file.write_text(block.text, encoding="utf-8")
    if kind in ("yaml", "yml"):
        _validate_fleet(block.text, tmp_path, capsys)
    elif kind == "fleet-fragment":
        _validate_fleet(_fleet_with_fragment(block.text), tmp_path, capsys)
    elif kind == "ui-overrides":
        load_ui_overrides(file)
    elif kind == "breach-facts":
        # a fixed 'now' after every date the docs' examples use: the check never depends on today
        build_facts(read_facts_file(file), UTC, block.where, DOCS_NOW)
    elif kind == "dotenv":
        values = load_environment(file)
        names = [line.split("=", 1)[0] for line in block.text.splitlines() if line.strip()]
        assert names and all(values.get(name) for name in names), f"{block.where}: every line NAME=value"
    elif kind == "recipients-csv":
        assert read_csv(file, ("en", "de"))
    elif kind in SHELL:
        _check_shell(block)
    else:
        pytest.fail(f"{block.where}: unknown doc-test kind {kind!r}")


def test_the_checks_catch_what_they_are_for(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Each check fails on the mistake it exists for: the README's old fleet example (an unquoted {locale}
    in a flow mapping), `notify: on:` (YAML reads `on` as true), a misspelt option, a missing make target."""
    flow = "defaults:\n  ccpa_page: {state: present, template: templates/ccpa.{locale}.html}\nstores: []\n"
    (tmp_path / "flow").mkdir()
    with pytest.raises(AssertionError):
        _validate_fleet(flow, tmp_path / "flow", capsys)
    boolean_key = "notify:\n  urls_env: [EP_ALERTS]\n  on: [failed]\n"
    (tmp_path / "bool").mkdir()
    with pytest.raises(AssertionError):
        _validate_fleet(_fleet_with_fragment(boolean_key), tmp_path / "bool", capsys)
    block = CodeBlock(ROOT / "README.md", 1, "sh", "ecom-privacy plan --pararellism 4\n", None, "")
    with pytest.raises(pytest.fail.Exception, match="unrecognized arguments: --pararellism"):
        _check_shell(block)
    block = CodeBlock(ROOT / "README.md", 1, "cron", "0 2 * * *  cd /srv && make nightly >> log 2>&1\n", None, "")
    with pytest.raises(AssertionError, match="no such target"):
        _check_shell(block)


def test_shell_lines_are_split_into_the_commands_they_run() -> None:
    line = ("cd /srv/x && .venv/bin/ecom-privacy apply --auto-approve -c fleet.yaml >> logs/apply.out "
            "2>> logs/apply.jsonl || echo \"exited $?: see runs\" | mail -s \"ecom-privacy\" ops@example.com")
    assert [_program(command)[0] for command in _simple_commands(line)] == ["cd", "ecom-privacy", "echo", "mail"]
    assert _program(_simple_commands(line)[1])[1] == ["apply", "--auto-approve", "-c", "fleet.yaml"]
    assert _program(["xvfb-run", "-a", "ecom-privacy", "login", "--store", "ID"]) == \
        ("ecom-privacy", ["login", "--store", "ID"])

