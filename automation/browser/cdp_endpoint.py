"""The `--cdp-endpoint` URL: its environment variable, and how to show it and hide its secrets.

Apart from automation.browser.source (which loads Playwright) so that the command line can name the
variable and register the URL's secrets with the redactor without loading a browser driver.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

CDP_ENV = "ECOM_PRIVACY_CDP_ENDPOINT"


def public_endpoint(url: str) -> str:
    """The endpoint without its query and user info: Browserless and others put an API token there."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def endpoint_secrets(url: str) -> list[str]:
    """Values that must never reach a log or an artifact: the query's values and a password."""
    parts = urlsplit(url)
    values = [pair.split("=", 1)[1] for pair in parts.query.split("&") if "=" in pair]
    if parts.password:
        values.append(parts.password)
    return [value for value in values if len(value) >= 4]
