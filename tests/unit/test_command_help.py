"""Every sub-command's --help says what it does, gives an example and lists its exit codes; each example is
one the parser accepts. The walk covers every sub-command the parser has, nested ones (breach notify) too,
and the two with parsers of their own (report merge, mock)."""

from __future__ import annotations

import contextlib
import io
import shlex

import pytest

from automation.cli import build_merge_parser, build_parser, main
from automation.command_help import COMMANDS, subcommands

PATHS = sorted([*subcommands(build_parser()), "report merge"])


def _help_of(path: str, capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as exited:
        main([*path.split(), "--help"])
    assert exited.value.code == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("path", PATHS)
def test_every_subcommand_help_has_a_description_an_example_and_exit_codes(
        path: str, capsys: pytest.CaptureFixture[str]) -> None:
    if path == "mock":
        pytest.importorskip("flask")
    text = _help_of(path, capsys)
    entry = COMMANDS[path]
    assert " ".join(entry.description.split()[:6]) in " ".join(text.split())
    assert "\nexamples:\n  ecom-privacy " in text or "\nexamples:\n  xvfb-run " in text
    assert "\nexit codes:\n  0  " in text
    assert all(f"  {code}  {meaning}" in text for code, meaning in entry.exit_codes)


def test_the_table_names_no_command_the_parser_does_not_have() -> None:
    assert sorted(COMMANDS) == PATHS


@pytest.mark.parametrize("path", [path for path in PATHS if path != "mock"])
def test_every_example_is_accepted_by_the_parser(path: str) -> None:
    for example in COMMANDS[path].examples:
        words = shlex.split(example, comments=True)
        while words[0] != "ecom-privacy":
            words.pop(0)  # xvfb-run -a
        arguments = words[1:]
        parser = build_merge_parser() if arguments[:2] == ["report", "merge"] else build_parser()
        errors = io.StringIO()
        with contextlib.redirect_stderr(errors):
            parser.parse_args(arguments[2:] if arguments[:2] == ["report", "merge"] else arguments)
        assert errors.getvalue() == "", example


def test_a_usage_error_of_the_mock_exits_1_too(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("flask")
    assert main(["mock", "--no-such-option"]) == 1
