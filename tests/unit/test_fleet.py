"""Fleet-file loading: layering, validation errors that name file, key and store, literal secrets refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from automation.fleet.composition import read_fleet
from automation.fleet.model import deep_merge
from ecom_privacy.errors import ConfigError

STORE = """
  - id: {id}
    backoffice_url: http://127.0.0.1:9/{id}/admin
    storefront_url: http://127.0.0.1:9/{id}/
    locale: {locale}
    credentials: {{email_env: E_{env}, password_env: P_{env}}}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "fleet.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def store(id_: str = "shop-a", locale: str = "nl", extra: str = "") -> str:
    return STORE.format(id=id_, locale=locale, env=id_.upper().replace("-", "_")) + extra


def test_layers_merge_defaults_groups_then_overrides(tmp_path: Path) -> None:
    stores = (
        store("a")
        + store("b", extra="    groups: [custom]\n")
        + store("c", extra="    groups: [custom, notify]\n")
        + store("d", extra="    groups: [custom]\n    overrides: {cookie_law: {message: own words}}\n")
        + store("e", extra="    overrides: {cookie_law: null}\n")
    )
    path = write(
        tmp_path,
        """
defaults:
  cookie_law: {mode: confirm}
groups:
  custom: {cookie_law: {mode: custom, message: from group}}
  notify: {cookie_law: {mode: notify}}
stores:"""
        + stores,
    )
    fleet = read_fleet(path)
    desired = {s.id: s.desired.get("cookie_law") for s in fleet.stores}
    assert desired["a"].mode == "confirm"
    assert (desired["b"].mode, desired["b"].message) == ("custom", "from group")
    assert desired["c"].mode == "notify"  # later group wins
    assert (desired["d"].mode, desired["d"].message) == ("custom", "own words")
    assert desired["e"] is None  # null leaves the setting unmanaged


def test_unknown_key_names_file_path_and_store(tmp_path: Path) -> None:
    path = write(tmp_path, f"stores:{store('shop-a', extra='    colour: blue')}")
    with pytest.raises(ConfigError) as info:
        read_fleet(path)
    message = str(info.value)
    assert str(path) in message and "stores[0].colour" in message and "store shop-a" in message
    assert "unknown key" in message


def test_unknown_setting_names_its_line_and_the_closest_setting(tmp_path: Path) -> None:
    path = write(tmp_path, f"defaults:\n  cookie_lawz: {{mode: confirm}}\nstores:{store()}")
    with pytest.raises(ConfigError) as info:
        read_fleet(path)
    assert str(info.value) == f"{path}, line 2: defaults.cookie_lawz: unknown setting; did you mean 'cookie_law'?"


def test_bad_setting_value_names_store_key_and_layer(tmp_path: Path) -> None:
    path = write(
        tmp_path, f"groups:\n  g: {{cookie_law: {{mode: loud}}}}\nstores:{store('x', extra='    groups: [g]')}"
    )
    with pytest.raises(ConfigError) as info:
        read_fleet(path)
    message = str(info.value)
    assert "store x" in message and "cookie_law.mode" in message and "groups.g" in message


def test_custom_mode_requires_message(tmp_path: Path) -> None:
    path = write(tmp_path, f"defaults:\n  cookie_law: {{mode: custom}}\nstores:{store()}")
    with pytest.raises(ConfigError, match="needs a non-empty 'message'"):
        read_fleet(path)


def test_literal_password_is_refused(tmp_path: Path) -> None:
    text = store().replace(
        "credentials: {email_env: E_SHOP_A, password_env: P_SHOP_A}",
        "credentials: {email_env: E_SHOP_A, password: hunter22}",
    )
    path = write(tmp_path, f"stores:{text}")
    with pytest.raises(ConfigError) as info:
        read_fleet(path)
    assert "stores[0].credentials.password" in str(info.value)
    assert "literal secret" in str(info.value)
    assert "hunter22" not in str(info.value)


def test_duplicate_ids_and_unknown_groups(tmp_path: Path) -> None:
    path = write(tmp_path, f"stores:{store('a')}{store('a', extra='    groups: [nope]')}")
    with pytest.raises(ConfigError) as info:
        read_fleet(path)
    assert "duplicate store id 'a'" in str(info.value)
    assert "unknown group 'nope'" in str(info.value)


def test_missing_file_and_bad_yaml(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="fleet file not found"):
        read_fleet(tmp_path / "absent.yaml")
    with pytest.raises(ConfigError, match="not valid YAML"):
        read_fleet(write(tmp_path, "stores: [\n"))


def test_bad_locale_and_url(tmp_path: Path) -> None:
    text = store(locale="xx").replace("http://127.0.0.1:9/shop-a/admin", "ftp://nope")
    with pytest.raises(ConfigError) as info:
        read_fleet(write(tmp_path, f"stores:{text}"))
    assert "stores[0].locale" in str(info.value) and "stores[0].backoffice_url" in str(info.value)


def test_select_by_store_and_group(tmp_path: Path) -> None:
    path = write(tmp_path, f"groups: {{us: {{}}}}\nstores:{store('a')}{store('b', extra='    groups: [us]')}")
    fleet = read_fleet(path)
    assert [s.id for s in fleet.select(["a"], [])] == ["a"]
    assert [s.id for s in fleet.select([], ["us"])] == ["b"]
    assert [s.id for s in fleet.select([], [])] == ["a", "b"]
    with pytest.raises(ConfigError, match="no store with id zz"):
        fleet.select(["zz"], [])
    with pytest.raises(ConfigError, match="no group eu"):
        fleet.select([], ["eu"])


def test_deep_merge_replaces_lists_and_scalars() -> None:
    assert deep_merge({"a": {"x": 1, "y": [1]}}, {"a": {"y": [2]}}) == {"a": {"x": 1, "y": [2]}}
    assert deep_merge({"a": {"x": 1}}, {"a": None}) == {"a": None}


def test_demo_and_default_fleet_files_are_valid() -> None:
    root = Path(__file__).resolve().parents[2]
    for name in ("config/demo.yaml", "config/fleet.yaml"):
        assert read_fleet(root / name).stores


PYDANTIC_WORDS = ("Input should", "Extra inputs", "Value error", "Field required", "List should", "String should",
                  "validation error", "pydantic")


def test_a_mistake_in_defaults_is_one_line_with_its_line_and_stores_and_a_suggestion(tmp_path: Path) -> None:
    """Three stores inherit one misspelt value from defaults: one line naming the file, the line, the key path
    in defaults, the stores it reaches and the closest valid value; no pydantic wording."""
    path = write(tmp_path, "defaults:\n  cookie_law:\n    mode: confrim\n"
                           f"stores:{store('a')}{store('b')}{store('c')}")
    with pytest.raises(ConfigError) as info:
        read_fleet(path)
    assert str(info.value) == (f"{path}, line 3: defaults.cookie_law.mode: 'confrim' is not one of none, notify, "
                               f"confirm, custom; did you mean 'confirm'? (stores a, b, c)")


def test_a_misspelt_key_names_the_closest_key_in_the_layer_that_set_it(tmp_path: Path) -> None:
    path = write(tmp_path, f"groups:\n  g:\n    cookie_law: {{mdoe: confirm}}\n"
                           f"stores:{store('a', extra='    groups: [g]')}{store('b', extra='    groups: [g]')}")
    with pytest.raises(ConfigError) as info:
        read_fleet(path)
    assert str(info.value).splitlines() == [
        f"{path}, line 3: groups.g.cookie_law.mode: required, but not given (stores a, b)",
        f"{path}, line 3: groups.g.cookie_law.mdoe: unknown key; did you mean 'mode'? (stores a, b)"]


def test_top_level_and_store_errors_speak_the_tools_words(tmp_path: Path) -> None:
    path = write(tmp_path, f"defaults: {{}}\nstors: []\nstores:{store('a', extra='    allow_irreversible: maybe')}")
    with pytest.raises(ConfigError) as info:
        read_fleet(path)
    lines = str(info.value).splitlines()
    assert f"{path}, line 2: stors: unknown key; did you mean 'stores'?" in lines
    assert any(line.startswith(f"{path}, line 9: stores[0].allow_irreversible (store a): must be true or false")
               for line in lines), lines
    assert not [word for word in PYDANTIC_WORDS if word in str(info.value)]
