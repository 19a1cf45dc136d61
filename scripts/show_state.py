"""Print the mock's state (JSON from GET /__mock__/state on stdin) as a short summary per store.

Arguments: the mock's base URL (the privacy policy and CCPA pages are listed with their storefront address)
and a runs directory (each store's archived subscribers are compared with the CSV that the latest apply run
exported before archiving).
"""

import json
import sys
from pathlib import Path

from flows.newsletter_rule import read_subscribers_csv  # the export read back exactly (formula guard undone)

CONTENT_PAGES = ("privacy-policy",)
CCPA_TITLES = ("Do not sell my personal information", "Verkoop mijn persoonsgegevens niet",
               "Meine personenbezogenen Daten nicht verkaufen", "Ne pas vendre mes informations personnelles")

state = json.load(sys.stdin)["stores"]
base = sys.argv[1] if len(sys.argv) > 1 else ""
runs = Path(sys.argv[2]) if len(sys.argv) > 2 else None
# Only apply runs export before archiving (verify runs write a report.json too).
applies = sorted(p.parent for p in runs.glob("*/report.json")
                 if json.loads(p.read_text(encoding="utf-8")).get("kind") == "apply") if runs else []
for store_id, store in state.items():
    subscribers = store.get("subscribers", [])
    archived = {s["email"] for s in subscribers if s["archived"]}
    law = store["cookie_law"]
    said = {language: text for language, text in law.get("messages", {}).items() if text}
    line = f"  {store_id}: cookie_law={law['mode']}" + (f" {said}" if law["mode"] == "custom" else "")
    if subscribers:
        line += f"; subscribers: {len(subscribers) - len(archived)} active, {len(archived)} archived"
    exported: set[str] = set()
    for path in (applies[-1] / "exports" / store_id).glob("newsletter-archive-*.csv") if applies else ():
        exported |= {subscriber.email for subscriber in read_subscribers_csv(path.read_bytes().decode("utf-8"))}
    if archived or exported:
        line += f"; exported before archiving: {len(exported)} ({'matches' if exported == archived else 'DIFFERS'})"
    print(line)
    for page in store.get("pages", []):
        if page["slug"] in CONTENT_PAGES or page["title"] in CCPA_TITLES:
            where = f"{base}/{store_id}/service/{page['slug']}/" if page["visible"] else "hidden"
            print(f"    {page['title']!r}: {len(page['content'])} characters, {where}")
            # the page's other shop languages, each under its URL prefix
            for language, text in page.get("translations", {}).items():
                where = f"{base}/{store_id}/{language}/service/{page['slug']}/" if page["visible"] else "hidden"
                print(f"      [{language}] {text['title']!r}: {len(text['content'])} characters, {where}")
