"""Store ids as file names: a store's backups, exports and traces live under a name made from its id."""

from __future__ import annotations

import re

SAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]+")


def safe_name(name: str) -> str:
    """A file name for `name`. Not one-to-one (`shop`, `shop.` and `shop_` all give `shop`), so the fleet
    file refuses store ids that collide here (fleet/model.py)."""
    return SAFE_NAME.sub("_", name).strip("._") or "_"
