"""Print the mock's state (JSON from GET /__mock__/state on stdin) as a short summary per store."""

import json
import sys

for store_id, store in json.load(sys.stdin)["stores"].items():
    print(f"  {store_id}: cookie_law={store['cookie_law']}")
