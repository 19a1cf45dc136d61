"""Print the mock's state (JSON from GET /__mock__/state on stdin) as a short summary per store.

With the mock's base URL as argument, the privacy policy and CCPA pages are listed with their storefront address.
"""

import json
import sys

CONTENT_PAGES = ("privacy-policy",)
CCPA_TITLES = ("Do not sell my personal information", "Verkoop mijn persoonsgegevens niet")

base = sys.argv[1] if len(sys.argv) > 1 else ""
for store_id, store in json.load(sys.stdin)["stores"].items():
    print(f"  {store_id}: cookie_law={store['cookie_law']}")
    for page in store.get("pages", []):
        if page["slug"] in CONTENT_PAGES or page["title"] in CCPA_TITLES:
            where = f"{base}/{store_id}/service/{page['slug']}/" if page["visible"] else "hidden"
            print(f"    {page['title']!r}: {len(page['content'])} characters, {where}")
