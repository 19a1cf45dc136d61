"""Email addresses in text that leaves the run (history rows, alerts): found by one pattern, shown as <address>."""

from __future__ import annotations

import re

#: addresses never reach the history: subscribers and logins are personal data, not evidence of compliance
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
