"""Store ids as file names: a store's backups, exports and traces live under a name made from its id."""

from __future__ import annotations

import re

SAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]+")
#: what a store id may be (the fleet file's rule): letters, digits, - _ . and never a leading dot or slash
STORE_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"


def valid_store_id(store_id: object) -> bool:
    """Whether `store_id` is one the fleet file could have declared: ids read back from files (reports, shard
    manifests, progress records) are checked with it before any path is made from them (`../../x` is not)."""
    return isinstance(store_id, str) and re.fullmatch(STORE_ID_PATTERN, store_id) is not None


def safe_name(name: str) -> str:
    """A file name for `name`. Not one-to-one (`shop`, `shop.` and `shop_` all give `shop`), so the fleet
    file refuses store ids that collide here (fleet/model.py)."""
    return SAFE_NAME.sub("_", name).strip("._") or "_"
