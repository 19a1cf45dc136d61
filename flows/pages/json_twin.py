"""An admin page's JSON twin: the same page with `.json`, answered as data for the logged-in session.

Reading state as data does not depend on the backoffice's language, markup or scripts, and renders nothing:
the twin is fetched through the browser context's own request API (`page.context.request`, the context's
cookies, no page). Where each twin lives is in the page paths table (`*_json` in flows/labels/paths.yaml) and
what is read from it, as dotted paths into the answer, in the twin table (flows/labels/twins.yaml); most of
those names are guesses until a real store's answer (saved by `ecom-privacy probe`) confirms them.

A twin that cannot be used (not there, not JSON, a field missing or of an unexpected type) is `TwinUnusable`,
whose reason the setting reports once per store when it reads the rendered page instead (`fallback_notes`).
A twin that sends us into the login chain is an expired session, as a page would be.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urljoin

from playwright.async_api import APIResponse, Page
from playwright.async_api import Error as PlaywrightError
from pydantic import BaseModel, ValidationError
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, wait_exponential

from ecom_privacy.errors import BotChallengeError, SessionExpiredError, TransientError
from ecom_privacy.labels import Labels
from ecom_privacy.models import Diagnostic
from ecom_privacy.setting import StoreSession
from flows.pages.base import GET_ATTEMPTS, is_login_url, without_query

ModelT = TypeVar("ModelT", bound=BaseModel)
#: an answer larger than this is not the page's settings (and must not fill the memory)
MAX_TWIN_BYTES = 20_000_000
_MISSING = object()


def _worth_repeating(exc: BaseException) -> bool:
    """A 5xx or no answer: the same GET may well work. An ended session does not come back by asking again:
    the opener renews it (SessionExpiredError, on its own budget) and the step resumes."""
    return isinstance(exc, TransientError) and not isinstance(exc, SessionExpiredError)


class TwinUnusable(Exception):
    """The twin cannot be read: the reason is said once per store, and the page is read instead."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason)
        self.reason, self.detail = reason, detail


def dig(data: Any, dotted: str) -> Any:
    """The value at `a.b.c` in a JSON answer, or `_MISSING`."""
    node = data
    for part in dotted.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return _MISSING
        node = node[part]
    return node


def is_missing(value: Any) -> bool:
    return value is _MISSING


@dataclass
class JsonTwin:
    """One twin of one store: `name` in the twin table, `path_key` in the page paths table."""

    page: Page
    backoffice_url: str
    labels: Labels
    name: str
    path_key: str

    @property
    def table(self) -> Mapping[str, Any]:
        return self.labels.twin(self.name)

    def url(self, **placeholders: Any) -> str:
        path = self.labels.path(self.path_key)
        for key, value in placeholders.items():
            path = path.replace("{" + key + "}", str(value))
        return f"{self.backoffice_url.rstrip('/')}/{path.lstrip('/')}"

    def label(self, **placeholders: Any) -> str:
        """How messages name the twin: its file name (`web_extras.json`)."""
        return self.url(**placeholders).rsplit("/", 1)[-1]

    async def fetch(self, params: Mapping[str, str | int] | None = None, **placeholders: Any) -> Any:
        """The parsed answer. Raises TwinUnusable (not there, not JSON), SessionExpiredError (sent into the login
        chain), BotChallengeError, or TransientError (5xx or no answer, after a few tries: a GET is safe to
        repeat)."""
        url = self.url(**placeholders)
        retrying = AsyncRetrying(stop=stop_after_attempt(GET_ATTEMPTS), wait=wait_exponential(multiplier=0.1, max=1),
                                 retry=retry_if_exception(_worth_repeating), reraise=True)
        async for attempt in retrying:
            with attempt:
                return await self._fetch_once(url, params)
        raise AssertionError("unreachable: tenacity re-raises the last error")

    async def _fetch_once(self, url: str, params: Mapping[str, str | int] | None) -> Any:
        try:
            # No redirects followed: a redirect into the login chain must be seen, not silently walked through
            # with the identity service's cookie (the engine counts and caches a renewed session).
            response = await self.page.context.request.get(url, params=dict(params or {}), max_redirects=0,
                                                           fail_on_status_code=False,
                                                           headers={"Accept": "application/json"})
        except PlaywrightError as exc:
            raise TransientError(f"no answer from {without_query(url)}: {str(exc).splitlines()[0]}") from exc
        try:
            return await self._parse(url, response)
        finally:
            await response.dispose()

    async def _parse(self, url: str, response: APIResponse) -> Any:
        name = self.label()
        if (response.headers.get("cf-mitigated") or "").lower() == "challenge":
            raise BotChallengeError(f"{name}: the site answered with a bot challenge (HTTP {response.status}); log "
                                    f"in once in a visible browser ('ecom-privacy login --store ID')")
        if 300 <= response.status < 400:
            target = urljoin(url, response.headers.get("location", ""))
            if is_login_url(target, self.backoffice_url):
                raise SessionExpiredError(f"{name}: the backoffice sent us into the login chain "
                                          f"({without_query(target)})")
            raise TwinUnusable(f"{name} redirects to {without_query(target)}")
        if response.status >= 500:
            raise TransientError(f"{name}: the backoffice answered HTTP {response.status}")
        if response.status != 200:
            raise TwinUnusable(f"{name} answered HTTP {response.status}")
        body = await response.body()
        if len(body) > MAX_TWIN_BYTES:
            raise TwinUnusable(f"{name} is {len(body)} bytes, larger than a page's data")
        try:
            return json.loads(body)
        except ValueError:
            raise TwinUnusable(f"{name} is not JSON ({response.headers.get('content-type', 'no content type')})") \
                from None

    def pick(self, data: Any, fields: Mapping[str, tuple[str, str]], model: type[ModelT]) -> ModelT:
        """The values `fields` names (model field -> (twin table key, how a person calls it)), validated by the
        strict `model`. A value the answer lacks, or of another type, makes the twin unusable, naming it."""
        values: dict[str, Any] = {}
        for field, (key, what) in fields.items():
            dotted = str(self.table[key])
            value = dig(data, dotted)
            if is_missing(value):
                raise TwinUnusable(f"{self.label()} has no {what} field",
                                   f"looked for {dotted} (twins.{self.name}.{key} in flows/labels/twins.yaml)")
            values[field] = value
        return validated(model, values, self.label())


def validated(model: type[ModelT], values: Any, name: str) -> ModelT:
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        where = ".".join(str(part) for part in error["loc"]) or "the answer"
        raise TwinUnusable(f"{name} has an unexpected {where}", f"{error['msg']} (got {error.get('input')!r:.80})") \
            from None


def fallback_notes(session: StoreSession, problem: TwinUnusable) -> list[Diagnostic]:
    """The diagnostic for reading the page instead of the twin: once per store (a second setting that reads the
    same twin, or the read-back after apply, says nothing new)."""
    summary = f"read from the page: {problem.reason}"
    if summary in session.notes_said:
        return []
    session.notes_said.add(summary)
    detail = ("the page gives the same state, only slower and in the backoffice's language; correct the twin's "
              "address or field names in a ui_overrides file (paths: / twins:) once `ecom-privacy probe` has "
              "saved a real answer")
    return [Diagnostic(summary=summary, detail=f"{problem.detail}; {detail}" if problem.detail else detail)]
