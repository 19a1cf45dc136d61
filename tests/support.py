"""Helpers shared by the browser and CLI tests: talk to the mock's test-control endpoints over HTTP."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Any

import yaml

PASSWORDS = {
    "shop-nl": "Nl-Wachtwoord-2018!",
    "shop-en": "En-Password-2018!",
    "shop-totp": "Totp-Password-77",
    "shop-lock": "Lock-Password-55",
}
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

# The two stores with subscribers show the newsletter's Source column, so the vendor's source rule can be tested;
# real stores most likely show none (the mock's default): the tests of that switch it off per test
# (POST /__mock__/store-options {"newsletter_source_column": false}). Markup: the mock's default, classic.
TEST_SEED: dict[str, Any] = {
    "stores": [
        {"id": "shop-nl", "name": "Winkel NL", "locale": "nl", "email": "eigenaar@shop-nl.test",
         "password": PASSWORDS["shop-nl"], "cookie_law": {"mode": "none"}, "newsletter_source_column": True,
         "subscribers": {"generate": {"count": 60, "passive_before_2018": 15, "seed": 11}}},
        {"id": "shop-en", "name": "Shop EN", "locale": "en", "email": "owner@shop-en.test",
         "password": PASSWORDS["shop-en"], "cookie_law": {"mode": "notify"}, "newsletter_source_column": True,
         # more than 500 subscribers over 25 pages: archiving across many pages
         "subscribers": {"generate": {"count": 610, "passive_before_2018": 180, "seed": 7}}},
        {"id": "shop-totp", "name": "Shop TOTP", "locale": "en", "email": "owner@shop-totp.test",
         "password": PASSWORDS["shop-totp"], "totp_secret": TOTP_SECRET, "cookie_law": {"mode": "confirm"}},
        {"id": "shop-lock", "name": "Shop Lock", "locale": "en", "email": "owner@shop-lock.test",
         "password": PASSWORDS["shop-lock"], "cookie_law": {"mode": "none"}},
    ]
}
EMAILS = {store["id"]: store["email"] for store in TEST_SEED["stores"]}


def http_json(url: str, payload: dict[str, Any] | None = None) -> Any:
    data = None if payload is None else json.dumps(payload).encode()
    request = urllib.request.Request(url, data=data, method="GET" if payload is None else "POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read().decode() or "null")


def http_text(url: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def env_name(store_id: str, suffix: str) -> str:
    return "EP_" + "".join(c if c.isalnum() else "_" for c in store_id.upper()) + "_" + suffix


def write_fleet(directory: Path, base_url: str, defaults: dict[str, Any], store_ids: list[str] | None = None,
                overrides: dict[str, dict[str, Any]] | None = None, extra: dict[str, Any] | None = None) -> Path:
    """A fleet file + .env for the test stores, as an agency would write them."""
    stores, env_lines = [], []
    for seed in TEST_SEED["stores"]:
        sid = seed["id"]
        if store_ids is not None and sid not in store_ids:
            continue
        credentials = {"email_env": env_name(sid, "EMAIL"), "password_env": env_name(sid, "PASSWORD")}
        env_lines += [f"{env_name(sid, 'EMAIL')}={seed['email']}", f"{env_name(sid, 'PASSWORD')}={seed['password']}"]
        if seed.get("totp_secret"):
            credentials["totp_secret_env"] = env_name(sid, "TOTP")
            env_lines.append(f"{env_name(sid, 'TOTP')}={seed['totp_secret']}")
        entry: dict[str, Any] = {
            "id": sid, "backoffice_url": f"{base_url}/{sid}/admin", "storefront_url": f"{base_url}/{sid}/",
            "locale": seed["locale"], "credentials": credentials, "vars": {"company": seed["name"]},
        }
        if overrides and sid in overrides:
            entry["overrides"] = overrides[sid]
        stores.append(entry)
    fleet = {"defaults": defaults, "stores": stores, **(extra or {})}
    path = directory / "fleet.yaml"
    path.write_text(yaml.safe_dump(fleet, sort_keys=False), encoding="utf-8")
    (directory / ".env").write_text("\n".join(env_lines) + "\n", encoding="utf-8")
    return path


def all_secrets() -> list[str]:
    return [*PASSWORDS.values(), TOTP_SECRET]
