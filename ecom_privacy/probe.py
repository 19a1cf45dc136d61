"""What `ecom-privacy probe` asks of a setting: the backoffice pages it uses, and on each the elements its page
object needs, checked without changing anything (read-only first contact with a store)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal

#: `not checked`: the element could not be looked for (it sits inside a missing one, or only appears after a
#: click the probe never makes); it counts neither as found nor as missing
ProbeStatus = Literal["found", "missing", "not checked"]


@dataclass(frozen=True)
class ElementCheck:
    """One element a page object needs, and whether the page has it."""

    #: what the page object needs, in words ("cookie law mode dropdown", "page address")
    element: str
    status: ProbeStatus
    #: the text it looked for (a label, or for "page address" the path); None for elements found by markup
    label: str | None = None
    #: where that text lives: a label table key (`cookie_law.section`) or `paths.<page>`
    key: str | None = None
    #: what was seen instead when it is missing, or why it was not checked
    detail: str = ""

    @property
    def found(self) -> bool:
        return self.status == "found"


@dataclass(frozen=True)
class ProbeTarget:
    """A page to visit: `visit` navigates there with GET requests only (and clicks nothing that saves,
    archives or deletes) and checks every element; the page is then left open for its snapshot."""

    #: unique per page and store (two settings on one page visit it once): the paths table key, plus a
    #: qualifier for pages of one kind (`page_editor:privacy-policy`)
    key: str
    page_name: str
    visit: Callable[[], Awaitable[list[ElementCheck]]]
    #: the page's JSON twin(s) as data, for the bundle: {address below the backoffice: the parsed answer, or
    #: {"unavailable": why}}; fetched after `visit` (GET only). None: the page has no twin
    data: Callable[[], Awaitable[dict[str, Any]]] | None = None
