"""Helpers of the content-page flow tests: a logged-in session that knows its storefront and template vars."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from ecom_privacy.models import LoginSecrets
from ecom_privacy.setting import StoreSession
from flows.login import login
from tests.flows.conftest import SessionFactory
from tests.support import EMAILS, PASSWORDS, http_json

TEMPLATES = Path(__file__).resolve().parents[2] / "config" / "templates"
POLICY_TEMPLATE = str(TEMPLATES / "privacy-policy.{locale}.html")
CCPA_TEMPLATE = str(TEMPLATES / "ccpa.{locale}.html")
STORE_VARS: dict[str, dict[str, Any]] = {
    "shop-nl": {"company": "Winkel NL B.V.", "address": "Dorpsstraat 1, 1234 AB Utrecht",
                "email": "privacy@shop-nl.test", "updated": "1 maart 2025"},
    "shop-en": {"company": "Shop EN Ltd", "address": "1 High Street, Bristol BS1 4DJ",
                "email": "privacy@shop-en.test", "updated": "1 March 2025"},
}


async def logged_in(store_session: SessionFactory, store_id: str, **extra_vars: Any) -> StoreSession:
    session = await store_session(store_id)
    session.plan_input = dataclasses.replace(
        session.plan_input, storefront_url=session.storefront_url, vars={**STORE_VARS[store_id], **extra_vars})
    await login(session.page, session.backoffice_url, session.labels,
                LoginSecrets(EMAILS[store_id], PASSWORDS[store_id]), clock=session.clock)
    return session


def put_page(base_url: str, **fields: Any) -> dict[str, Any]:
    """Create or change a page directly in the mock (stored as given, no editor rewrite)."""
    return http_json(f"{base_url}/__mock__/pages", fields)


def pages_titled(state: dict[str, Any], store_id: str, title: str) -> list[dict[str, Any]]:
    return [page for page in state[store_id]["pages"] if page["title"] == title]
