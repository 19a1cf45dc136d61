"""Is a TOTP secret usable, before any login? A bad one would only fail at the login form, store by store,
and every failed one-time code brings the account closer to being locked."""

from __future__ import annotations

import binascii
import re

import pyotp

_BASE32 = re.compile(r"[A-Za-z2-7]+=*")


def totp_secret_problem(secret: str) -> str | None:
    """Why `secret` is not a base32 TOTP key the login can use, or None. Never quotes the secret."""
    if any(char.isspace() for char in secret):
        return "it contains spaces; write the key without them"
    if not _BASE32.fullmatch(secret):
        return "it holds characters that are not base32 (only letters A-Z and digits 2-7, optional = at the end)"
    try:
        # The very computation the login makes, at an arbitrary instant: this checks the key, not the time.
        pyotp.TOTP(secret).at(0)
    except binascii.Error:
        return "it is not valid base32 (wrong length or padding)"
    except ValueError as exc:  # pyotp's own rules, e.g. a minimum length; its message never holds the secret
        return f"pyotp refuses it: {exc}"
    return None
