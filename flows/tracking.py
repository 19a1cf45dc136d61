"""What counts as tracking: cookie names and request URLs of analytics and advertising, by category.

Pure tables and functions (no browser), in the spirit of the EDPS Website Evidence Collector and The
Markup's Blacklight: a cookie or request is reported when its name or address matches a known pattern.
"""

from __future__ import annotations

import re
from urllib.parse import urlparse

ANALYTICS = "analytics"
ADVERTISING = "advertising"

COOKIE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (ANALYTICS, re.compile(r"^(_ga|_ga_[A-Z0-9]+|_gid|_gat(_.*)?|_hj.*|_pk_(id|ses)\..*|_clck|_clsk|ajs_.*)$")),
    (ADVERTISING, re.compile(r"^(_gcl_.*|_fbp|_fbc|IDE|DSID|test_cookie|_uet(sid|vid)|_ttp|_pin_unauth)$")),
)
REQUEST_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    # Google Analytics 4 beacons (also the mock's local stand-in at /<store>/g/collect), Universal Analytics
    (ANALYTICS, re.compile(r"(/g/collect\b|google-analytics\.com/|/j/collect\b|/r/collect\b)")),
    (ANALYTICS, re.compile(r"(static\.hotjar\.com|hotjar\.io|/matomo\.php|/piwik\.php)")),
    (ADVERTISING, re.compile(r"(doubleclick\.net|googleadservices\.com|facebook\.com/tr|connect\.facebook\.net)")),
    (ADVERTISING, re.compile(r"(bat\.bing\.com|analytics\.tiktok\.com|ct\.pinterest\.com)")),
)


def classify_cookie(name: str) -> str | None:
    return next((category for category, pattern in COOKIE_PATTERNS if pattern.match(name)), None)


def classify_request(url: str) -> str | None:
    parsed = urlparse(url)
    target = f"{parsed.netloc}{parsed.path}"
    return next((category for category, pattern in REQUEST_PATTERNS if pattern.search(target)), None)


def tracking_cookies(cookies: list[dict[str, object]], categories: tuple[str, ...] = (ANALYTICS, ADVERTISING)
                     ) -> list[str]:
    """Names of the tracking cookies among `cookies` (Playwright's cookie dicts), in the given categories."""
    return sorted({str(c["name"]) for c in cookies if classify_cookie(str(c["name"])) in categories})


def tracking_requests(urls: list[str], categories: tuple[str, ...] = (ANALYTICS, ADVERTISING)) -> list[str]:
    return [url for url in urls if classify_request(url) in categories]
