"""Shared data of the content unit tests: the shipped templates and values for their variables."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ecom_privacy.setting import PlanInput
from flows.content.templates import load_template, template_variables

CONFIG = Path(__file__).resolve().parents[2] / "config"
POLICY_TEMPLATE = "templates/privacy-policy.{locale}.html"
CCPA_TEMPLATE = "templates/ccpa.{locale}.html"
VARS: dict[str, dict[str, Any]] = {
    "en": {"company": "Green Teas Ltd", "address": "1 Tea Lane, Bristol", "email": "privacy@green.test",
           "updated": "1 March 2025"},
    "nl": {"company": "Fietsen Jansen B.V.", "address": "Dorpsstraat 1, Utrecht", "email": "privacy@fiets.test",
           "updated": "1 maart 2025"},
    "de": {"company": "Radhaus Müller GmbH", "address": "Hauptstraße 12, 10115 Berlin",
           "email": "datenschutz@radhaus.test", "updated": "15. März 2025"},
    "fr": {"company": "Vélos Dupont SARL", "address": "12 rue des Lilas, 69003 Lyon",
           "email": "vie-privee@velos.test", "updated": "1er mars 2025"},
}
STOREFRONT = "https://shop.example.test/"


def context(locale: str, **overrides: Any) -> PlanInput:
    values: dict[str, Any] = {"store_id": f"shop-{locale}", "locale": locale, "vars": VARS[locale],
                              "base_dir": CONFIG, "storefront_url": STOREFRONT}
    return PlanInput(**{**values, **overrides})


def render_policy(locale: str) -> str:
    template = load_template(POLICY_TEMPLATE, CONFIG, locale, f"shop-{locale}")
    return template.render(template_variables(STOREFRONT, VARS[locale]))
