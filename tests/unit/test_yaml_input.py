"""Strict, bounded YAML: duplicate keys, alias bombs, deep nesting and bad bytes are one-line errors."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from automation.fleet.composition import read_fleet
from ecom_privacy.errors import ConfigError
from ecom_privacy.yaml_input import MAX_ALIASES, load_json_file, load_yaml_file, load_yaml_text
from tests.support import write_fleet


def billion_laughs(levels: int = 9) -> str:
    text = 'lol0: &lol0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n'
    for level in range(1, levels + 1):
        text += f"lol{level}: &lol{level} [" + ", ".join([f"*lol{level - 1}"] * 9) + "]\n"
    return text


def one_line_error(excinfo: pytest.ExceptionInfo[ConfigError]) -> str:
    message = str(excinfo.value)
    assert "\n" not in message, message
    return message


def test_duplicate_top_level_key_names_file_line_and_key() -> None:
    with pytest.raises(ConfigError) as excinfo:
        load_yaml_text("defaults: {}\nstores: []\ndefaults: {cookie_law: null}\n", "fleet.yaml")
    assert one_line_error(excinfo).startswith("fleet.yaml, line 3: duplicate key 'defaults' (first at line 1)")


def test_duplicate_nested_key_in_flow_and_block_style() -> None:
    with pytest.raises(ConfigError, match=r"f, line 4: duplicate key 'keep' \(first at line 3\)"):
        load_yaml_text("rule:\n  enabled: true\n  keep: [a@x.test]\n  keep: [b@x.test]\n", "f")
    with pytest.raises(ConfigError, match=r"f, line 1: duplicate key 'a'"):
        load_yaml_text("x: {a: 1, b: 2, a: 3}\n", "f")


@pytest.mark.parametrize(("text", "key", "what"), [
    ("notify:\n  urls_env: [A]\n  on: [failed]\n", "on", "the boolean True"),
    ("title:\n  no: Personvern\n", "no", "the boolean False"),
    ("vars:\n  2025: launch\n", "2025", "the number 2025"),
    ("vars:\n  null: x\n", "null", "nothing (null)"),
])
def test_a_key_yaml_does_not_read_as_text_is_one_line_with_the_quoting_fix(text: str, key: str, what: str) -> None:
    with pytest.raises(ConfigError) as excinfo:
        load_yaml_text(text, "fleet.yaml")
    line = text.splitlines().index(next(row for row in text.splitlines() if row.strip().startswith(f"{key}:"))) + 1
    assert one_line_error(excinfo) == (f"fleet.yaml, line {line}: key {key!r} is read by YAML as {what}, not as text; "
                                       f"quote it: '{key}':")


def test_a_quoted_key_and_a_kept_deprecated_spelling_load_as_text() -> None:
    assert load_yaml_text("title:\n  'no': Personvern\n", "f") == {"title": {"no": "Personvern"}}
    assert load_yaml_text("notify:\n  on: [failed]\n", "f", text_keys={"on"}) == {"notify": {"on": ["failed"]}}


def test_a_fifo_is_refused_instead_of_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "fleet.yaml"
    os.mkfifo(fifo)
    with pytest.raises(ConfigError, match="is not a regular file"):
        load_yaml_file(fifo, "the fleet file")


@pytest.mark.parametrize(("text", "expected"), [
    ('{"a": 1, "a": 2}', "duplicate key 'a'"),
    ("[" * 100 + "]" * 100, "nested deeper than 64 levels"),
    ("[" * 50000 + "]" * 50000, "nested"),
    ('{"a": ', "line 1: the plan is not valid JSON"),
])
def test_json_input_is_read_as_strictly(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "plan.json"
    path.write_text(text)
    with pytest.raises(ConfigError) as excinfo:
        load_json_file(path, "the plan")
    assert str(path) in one_line_error(excinfo) and expected in str(excinfo.value)


def test_merge_keys_and_distinct_keys_still_load() -> None:
    loaded = load_yaml_text("base: &b {mode: confirm, message: hi}\nuse:\n  <<: *b\n  mode: custom\n", "f")
    assert loaded["use"] == {"mode": "custom", "message": "hi"}


def test_billion_laughs_fails_fast() -> None:
    with pytest.raises(ConfigError) as excinfo:
        load_yaml_text(billion_laughs(), "bomb.yaml")
    assert "once aliases are expanded" in one_line_error(excinfo)


def test_too_many_aliases() -> None:
    text = "v: &v 1\nlist:\n" + "".join("  - *v\n" for _ in range(MAX_ALIASES + 1))
    with pytest.raises(ConfigError, match=f"more than {MAX_ALIASES} aliases"):
        load_yaml_text(text, "f")


@pytest.mark.parametrize("text", ["[" * 5000 + "]" * 5000, "x: " + "{a: " * 5000 + "1" + "}" * 5000,
                                  "".join("  " * depth + f"k{depth}:\n" for depth in range(3000)) + "  " * 3000 + "v"],
                         ids=["flow-list", "flow-map", "block"])
def test_deep_nesting_is_refused(text: str) -> None:
    with pytest.raises(ConfigError) as excinfo:
        load_yaml_text(text, "deep.yaml")
    assert "deep.yaml, line" in one_line_error(excinfo) and "nested deeper than" in str(excinfo.value)


@pytest.mark.parametrize(("content", "expected"), [
    (b"stores: []\nname: caf\xe9\n", "line 2: the fleet file is not UTF-8 text (byte 0xe9)"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "is not UTF-8 text"),
    (b"stores: []\x00\n", "is a binary file"),
])
def test_bad_bytes_name_the_file(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "fleet.yaml"
    path.write_bytes(content)
    with pytest.raises(ConfigError) as excinfo:
        load_yaml_file(path, "the fleet file")
    assert str(path) in one_line_error(excinfo) and expected in str(excinfo.value)


def test_oversized_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("ecom_privacy.yaml_input.MAX_YAML_BYTES", 100)
    path = tmp_path / "fleet.yaml"
    path.write_text("stores: []\n" + "# padding\n" * 20)
    with pytest.raises(ConfigError, match="more than the limit of 100"):
        load_yaml_file(path, "the fleet file")


def test_fleet_file_with_a_second_keep_is_refused(tmp_path: Path) -> None:
    """The reproduction: a second `keep:` used to drop the first one's people silently."""
    path = write_fleet(tmp_path, "http://127.0.0.1:9", {"newsletter_archive": {"enabled": True}}, ["shop-nl"])
    text = path.read_text().replace("    enabled: true\n", "    enabled: true\n    keep: [jane@x.test]\n"
                                                            "    keep: [john@x.test]\n")
    path.write_text(text)
    with pytest.raises(ConfigError) as excinfo:
        read_fleet(path)
    assert f"{path}, line " in one_line_error(excinfo) and "duplicate key 'keep'" in str(excinfo.value)


def test_billion_laughs_fleet_file_fails_fast(tmp_path: Path) -> None:
    path = tmp_path / "fleet.yaml"
    path.write_text(billion_laughs() + "stores: []\n")
    with pytest.raises(ConfigError, match="once aliases are expanded"):
        read_fleet(path)
