"""The probe bundle: what each visited backoffice page looked like (its ARIA snapshot and its HTML) and what its
JSON twin answered, scrubbed so that a user can send it to whoever corrects the label and twin tables.

A twin's answer keeps its shape and field names (what the bundle is for) and loses the store's data: lists keep
their first few items, numbers and true/false stay, a string stays only when it is a short lowercase word under a
key that does not name personal data (a mode, a state, a source: the values the twin table maps), then the
text is scrubbed as a page's is.

Scrubbed, in this order: in the browser, the text of every table body cell that is not a text of the label
table (names, addresses, dates of customers and subscribers; the page has been probed, and this changes
only what the browser shows, nothing is sent); then a copy of the document loses every form value (input
values, textarea contents), its CSRF meta tags and the bodies of its inline scripts;
then, in the text, URL parameters that carry tokens, codes or sessions, long random-looking tokens and email
addresses are replaced, and last the run's redactor removes every known password, TOTP secret and cookie
value of the store's browser context in each of its encodings.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from playwright.async_api import Page

SCRUBBED = "***"

#: runs in the page, on a clone of the document: the page itself (and the form's state) stays as it is
_SCRUBBED_DOCUMENT = """() => {
  const root = document.documentElement.cloneNode(true);
  for (const input of root.querySelectorAll("input")) {
    if (input.hasAttribute("value")) input.setAttribute("value", "***");
  }
  for (const box of root.querySelectorAll("textarea")) {
    if (box.textContent) box.textContent = "***";
  }
  for (const meta of root.querySelectorAll("meta[name*='csrf' i], meta[name*='token' i]")) {
    meta.setAttribute("content", "***");
  }
  for (const script of root.querySelectorAll("script:not([src])")) {
    if (script.textContent.trim()) script.textContent = "/* inline script removed by the probe */";
  }
  return "<!DOCTYPE html>\\n" + root.outerHTML;
}"""

#: runs in the page: table data is the store's (customers, subscribers), the labels among it are the tool's
_MASK_TABLE_DATA = """(labels) => {
  const keep = new Set(labels);
  for (const cell of document.querySelectorAll("tbody td, tbody th")) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent.trim();
      if (text && !keep.has(text)) node.textContent = "***";
    }
    for (const element of cell.querySelectorAll("[aria-label], [title], time[datetime]")) {
      for (const name of ["aria-label", "title", "datetime"]) {
        if (element.hasAttribute(name)) element.setAttribute(name, "***");
      }
    }
  }
}"""

#: a URL parameter whose name says it is a credential (token=, code=, session_id=, sso=, key=, ...)
_SECRET_PARAMETER = re.compile(
    r"(?i)([?&;](?:amp;)?[\w.-]*(?:token|code|session|sso|secret|key|auth|password|sig)[\w.-]*=)[^&\s\"'<>#]*")
#: a long run of letters and digits (session ids, one-time tokens); words and paths are shorter or lack digits
_RANDOM_TOKEN = re.compile(r"(?<![\w-])(?=[\w-]*\d)(?=[\w-]*[A-Za-z])[\w-]{32,}(?![\w-])")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
#: the value an ARIA snapshot shows after a text field's name: `- textbox "Measurement ID": G-ABC123`
_ARIA_FIELD_VALUE = re.compile(r"^(\s*- (?:textbox|searchbox|spinbutton)\b[^\n:]*?(?:\"[^\"\n]*\")?[^\n:]*): .+$",
                               re.MULTILINE)


def scrub_text(text: str, redact: Callable[[str], str]) -> str:
    text = _SECRET_PARAMETER.sub(lambda match: match.group(1) + SCRUBBED, text)
    text = _RANDOM_TOKEN.sub(SCRUBBED, text)
    text = _EMAIL.sub("***@***", text)
    return redact(text)


async def mask_table_data(page: Page, labels: frozenset[str]) -> None:
    """Replace the store's data in table body cells by ***, keeping the texts the label table knows."""
    await page.evaluate(_MASK_TABLE_DATA, sorted(labels))


async def scrubbed_html(page: Page, redact: Callable[[str], str]) -> str:
    return scrub_text(await page.evaluate(_SCRUBBED_DOCUMENT), redact)


def scrub_aria(snapshot: str, redact: Callable[[str], str]) -> str:
    """An ARIA snapshot without the values of its text fields, then as `scrub_text`."""
    return scrub_text(_ARIA_FIELD_VALUE.sub(lambda match: match.group(1) + ": " + SCRUBBED, snapshot), redact)


async def scrubbed_aria_snapshot(page: Page, redact: Callable[[str], str]) -> str:
    return scrub_aria(await page.locator("body").aria_snapshot(), redact)


#: a twin's list keeps this many items in the bundle: their shape is what is needed, not the store's data
TWIN_LIST_ITEMS = 3
#: a string kept in a twin's answer: a short word that names a choice (`confirm`, `denied`, `import`, `eu1`)
_CHOICE_WORD = re.compile(r"^(?=.*[a-z])[a-z0-9_-]{1,24}$")
#: keys whose strings are a person's or the shop's own words, whatever they look like
_PERSONAL_KEY = re.compile(r"(?i)name|mail|title|content|message|text|address|phone|city|street|zip|company|"
                           r"url|id$|token|key|secret|tag")


def scrub_data(value: Any, key: str = "") -> Any:
    """A JSON answer with the store's data replaced by *** (see the module's docstring)."""
    if isinstance(value, dict):
        return {name: scrub_data(item, str(name)) for name, item in value.items()}
    if isinstance(value, list):
        kept = [scrub_data(item, key) for item in value[:TWIN_LIST_ITEMS]]
        return kept + ([f"{SCRUBBED} {len(value) - TWIN_LIST_ITEMS} more"] if len(value) > TWIN_LIST_ITEMS else [])
    if isinstance(value, str):
        if value == "" or (_CHOICE_WORD.match(value) and not _PERSONAL_KEY.search(key)):
            return value
        return SCRUBBED
    return value  # numbers, true/false, null


def scrubbed_json(data: Any, redact: Callable[[str], str]) -> str:
    return scrub_text(json.dumps(scrub_data(data), indent=2, ensure_ascii=False), redact) + "\n"
