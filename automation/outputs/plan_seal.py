"""A saved plan's seal: the SHA-256 of its own body, written with the plan and checked when it is applied."""

from __future__ import annotations

import hashlib
import json
from typing import Any

HASH_FIELD = "plan_sha256"


def plan_body_sha256(raw: dict[str, Any]) -> str:
    """SHA-256 of the plan's canonical JSON without its own hash field."""
    body = {key: value for key, value in raw.items() if key != HASH_FIELD}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def seal_plan_json(text: str) -> str:
    """The plan JSON `text` (already redacted: the hash covers what is written) with its `plan_sha256` set."""
    raw = json.loads(text)
    raw[HASH_FIELD] = plan_body_sha256(raw)
    return json.dumps(raw, indent=2, ensure_ascii=False) + "\n"
