"""Print the mock's state (JSON from GET /__mock__/state on stdin) as a short summary per store.

With a runs directory as argument, also compare each store's archived subscribers with the CSV that the
latest apply run exported before archiving.
"""

import csv
import json
import sys
from pathlib import Path

state = json.load(sys.stdin)["stores"]
runs = Path(sys.argv[1]) if len(sys.argv) > 1 else None
applies = sorted(p.parent for p in runs.glob("*/report.json")) if runs else []
for store_id, store in state.items():
    subscribers = store.get("subscribers", [])
    archived = {s["email"] for s in subscribers if s["archived"]}
    line = f"  {store_id}: cookie_law={store['cookie_law']}"
    if subscribers:
        line += f"; subscribers: {len(subscribers) - len(archived)} active, {len(archived)} archived"
    exported: set[str] = set()
    for path in (applies[-1] / "exports" / store_id).glob("newsletter-archive-*.csv") if applies else ():
        with path.open(encoding="utf-8") as handle:
            exported |= {row["email"] for row in csv.DictReader(handle)}
    if archived or exported:
        line += f"; exported before archiving: {len(exported)} ({'matches' if exported == archived else 'DIFFERS'})"
    print(line)
