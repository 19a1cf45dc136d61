"""Every form a secret takes on its way through a browser, so redaction finds it in each of them.

A password typed into a login form travels URL-encoded in the request body (`%20` or `+` for a space),
is stored JSON-escaped in a trace's network log, HTML-escaped in a DOM snapshot, and base64-encoded where a
body is kept as binary. Replacing only the raw value misses all of those.
"""

from __future__ import annotations

import base64
import html
import json
from collections.abc import Iterable
from urllib.parse import quote, quote_plus

#: base64 fragments shorter than this would match ordinary base64 data (images, hashes) by chance
MIN_BASE64_FRAGMENT = 8


def _url_forms(secret: str) -> set[str]:
    forms = {quote(secret, safe=""), quote(secret), quote_plus(secret, safe=""), quote_plus(secret)}
    # Percent escapes in lower case (%2f) are as valid as upper case; some clients write them that way.
    forms |= {_lower_percent(form) for form in forms}
    return forms


def _lower_percent(text: str) -> str:
    parts = text.split("%")
    return parts[0] + "".join("%" + part[:2].lower() + part[2:] for part in parts[1:])


def _html_forms(secret: str) -> set[str]:
    escaped = html.escape(secret, quote=True)
    return {escaped, html.escape(secret, quote=False), escaped.replace("&#x27;", "&#39;"),
            escaped.replace("&quot;", "&#34;").replace("&#x27;", "&#39;")}


def _json_forms(secret: str) -> set[str]:
    forms = {json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1]}
    return forms | {form.replace("/", "\\/") for form in forms}


def base64_fragments(data: bytes) -> set[str]:
    """The part of base64 text that is the same wherever `data` sits in the encoded bytes.

    base64 turns 3 bytes into 4 characters, so the encoding of `data` depends on its offset modulo 3 within
    the whole body; for each offset, the characters that depend only on `data` are kept. Standard and
    URL-safe alphabets.
    """
    fragments: set[str] = set()
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + data).decode("ascii").rstrip("=")
        # Characters covering a prefix byte, and the last one (it shares bits with whatever follows), go.
        start = (offset * 8 + 5) // 6
        end = (len(b"\0" * offset + data) * 8) // 6
        fragment = encoded[start:end]
        if len(fragment) >= MIN_BASE64_FRAGMENT:
            fragments.add(fragment)
            fragments.add(fragment.replace("+", "-").replace("/", "_"))
    return fragments


def secret_forms(secret: str) -> set[str]:
    """The secret raw, JSON-escaped, URL-encoded (%20 and +), HTML-escaped, and as base64 of each of those
    (a form body is URL-encoded before it is base64-encoded)."""
    url = _url_forms(secret)
    textual = {secret} | _json_forms(secret) | url | _html_forms(secret)
    # An escaped form may itself be escaped once more: a URL-encoded body inside a JSON string, HTML in JSON.
    textual |= {nested for form in list(textual) for nested in _json_forms(form)}
    # What is base64-encoded is the value itself or a body holding it, and a body is URL-encoded.
    encoded = {fragment for form in {secret} | url for fragment in base64_fragments(form.encode("utf-8"))}
    return {form for form in textual | encoded if form}


def all_forms(secrets: Iterable[str]) -> list[str]:
    """Every form of every secret, longest first (so a longer form is replaced before a part of it)."""
    forms: set[str] = set()
    for secret in secrets:
        forms |= secret_forms(secret)
    return sorted(forms, key=len, reverse=True)

