"""The shipped fleet files (config/demo.yaml, config/fleet.yaml) render every template for every store: a
sweep over shipped content, pure but too slow for the unit loop (tests/unit)."""

from __future__ import annotations

from pathlib import Path

from automation.fleet.composition import read_fleet
from automation.fleet.model import plan_input_for
from flows.registry import all_settings, lightspeed_ecom

CONFIG = Path(__file__).resolve().parents[2] / "config"


def test_the_shipped_fleet_files_render_their_templates() -> None:
    settings, labels = all_settings(), lightspeed_ecom().shop_labels
    for name in ("demo.yaml", "fleet.yaml"):
        fleet = read_fleet(CONFIG / name)
        for store in fleet.stores:
            assert "privacy_policy" in store.desired, (name, store.id)
            for setting, desired in store.desired.items():
                settings[setting].check(desired, plan_input_for(fleet, store, labels))
    demo = {store.id: store for store in read_fleet(CONFIG / "demo.yaml").stores}
    assert "ccpa_page" in demo["desert-boots"].desired and "ccpa_page" not in demo["green-teas"].desired
