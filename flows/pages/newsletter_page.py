"""Marketing > Newsletter (Marketing > Nieuwsbrief): the paginated subscriber list, archiving ticked rows, and
the list's JSON twin.

Reading a page of the list is one `evaluate` over its table, not one browser round trip per row, so a
store with thousands of subscribers costs one navigation per page of 25. Columns are found by their
header text (label table), dates by the `<time datetime>` of the date cell, the next page by `rel="next"`.
The Source column is optional: real stores most likely do not show how a subscriber was added.
Archiving is confirmed with OK in whatever asks: the browser's own confirm() (Rails' data-confirm) or a
dialog on the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from playwright.async_api import Dialog, Locator
from playwright.async_api import TimeoutError as PlaywrightTimeoutError
from pydantic import BaseModel, ConfigDict, StrictStr

from ecom_privacy.errors import SettingError, UiMismatchError
from ecom_privacy.probe import ElementCheck
from ecom_privacy.setting import Step, at_once
from flows.newsletter_rule import Subscriber
from flows.pages.base import STALE_MARK, BackofficePage
from flows.pages.json_twin import JsonTwin, TwinUnusable, dig, is_missing, validated

#: a script-driven element (menu, dialog) must appear this soon after the click that reveals it
REVEAL_TIMEOUT_MS = 5_000
#: more pages than this means the pagination is going round in circles, not a real list
MAX_PAGES = 4_000

_READ_TABLE = """
(table, columns) => {
  const headers = Array.from(table.querySelectorAll("thead th"), (th) => th.textContent.trim());
  const index = {};
  for (const [key, label] of Object.entries(columns)) index[key] = headers.indexOf(label);
  const next = document.querySelector("a[rel='next']");
  const result = {headers, index, rows: [], next: next ? next.href : null};
  // Email, name and date are needed; the source column is optional (most stores have none).
  if (["email", "name", "subscribed"].some((key) => index[key] < 0)) return result;
  Array.from(table.querySelectorAll("tbody tr")).forEach((tr, position) => {
    const cells = tr.cells;
    if (cells.length < headers.length) return;  // an empty-state row, not a subscriber
    const time = cells[index.subscribed].querySelector("time");
    result.rows.push({
      position,
      email: cells[index.email].textContent.trim(),
      name: cells[index.name].textContent.trim(),
      date: time ? time.getAttribute("datetime") : null,
      source: index.source >= 0 ? cells[index.source].textContent.trim() : null,
      checkbox: tr.querySelector("input[type='checkbox']") !== null,
    });
  });
  return result;
}
"""

_TICKED_EMAILS = """
(table, emailColumn) => Array.from(table.querySelectorAll("tbody tr"))
  .filter((tr) => { const box = tr.querySelector("input[type='checkbox']"); return box && box.checked; })
  .map((tr) => tr.cells[emailColumn].textContent.trim())
"""


@dataclass(frozen=True)
class ListedRow:
    """A subscriber as listed on the current page; `position` is its row in the table body."""

    position: int
    subscriber: Subscriber
    selectable: bool


@dataclass(frozen=True)
class ListingPage:
    rows: list[ListedRow]
    next_url: str | None
    email_column: int
    #: the list shows how each subscriber was added (a Source column)
    source_column: bool = False


@dataclass(frozen=True)
class Listing:
    """The whole active list: every subscriber once, and the URL of each page in order."""

    subscribers: list[Subscriber]
    page_urls: list[str]
    source_column: bool = False


class NewsletterPage(BackofficePage):
    path_key = "newsletter"
    twin_key = "newsletter_json"
    page_name = "Marketing > Newsletter"

    def twin_query(self) -> dict[str, str | int]:
        return {"page": 1, "limit": 250}

    @property
    def table(self) -> Locator:
        email_header = self.page.get_by_role(
            "columnheader", name=self.labels["newsletter.columns.email"], exact=True
        )
        return self.page.locator("table").filter(has=email_header)

    async def open_at(self, url: str) -> None:
        self.check_landing(await self.load(url))

    async def read_at(self, url: str) -> ListingPage:
        await self.open_at(url)
        return await self.read_page()

    async def read_page(self) -> ListingPage:
        """The rows of the page on screen, read in one evaluate."""
        email_label = self.labels["newsletter.columns.email"]
        table = await self.require(self.table, f"subscribers table (column {email_label!r})")
        columns = self.labels.mapping("newsletter.columns")
        data: dict[str, Any] = await table.evaluate(_READ_TABLE, columns)
        missing = [columns[key] for key, index in data["index"].items() if index < 0 and key != "source"]
        if missing:
            raise self.mismatch(f"column {missing[0]!r}", f"the table's columns are {data['headers']}")
        sources = {text: source for source, text in self.labels.mapping("newsletter.sources").items()}
        rows = []
        for row in data["rows"]:
            if "@" not in row["email"]:
                raise self.mismatch("email cell", f"{row['email']!r} is not an email address")
            try:
                subscribed = date.fromisoformat(row["date"] or "")
            except ValueError:
                raise self.mismatch("date subscribed <time datetime>",
                                    f"row {row['email']!r} has {row['date']!r}") from None
            if row["source"] is not None and row["source"] not in sources:
                raise self.mismatch(f"source {row['source']!r}", f"known sources: {sorted(sources)}")
            subscriber = Subscriber(email=row["email"], name=row["name"], subscribed_at=subscribed,
                                    source=None if row["source"] is None else sources[row["source"]])
            rows.append(ListedRow(row["position"], subscriber, row["checkbox"]))
        return ListingPage(rows, data["next"], data["index"]["email"], data["index"]["source"] >= 0)

    async def read_all(self, step: Step = at_once) -> Listing:
        """Every active subscriber, page by page. A row that a concurrent signup pushed onto the next page is
        listed once (the first time it is seen). `step` runs each page as a resumable piece (a fault on page 4
        reads page 4 again, not pages 1 to 3)."""
        subscribers: dict[str, Subscriber] = {}
        urls: list[str] = []
        url: str | None = self.url
        source_column = False
        while url is not None:
            if url in urls or len(urls) >= MAX_PAGES:
                raise self.mismatch("next page link", f"the pagination leads back to {url}")
            listing = await step(lambda url=url: self.read_at(url))
            urls.append(url)
            source_column = source_column or listing.source_column
            for row in listing.rows:
                subscribers.setdefault(row.subscriber.key, row.subscriber)
            url = listing.next_url
        return Listing(list(subscribers.values()), urls, source_column)

    async def _revealed(self, locator: Locator, element: str) -> Locator:
        """An element a script shows after a click: wait briefly, then call it a UI mismatch."""
        try:
            await locator.first.wait_for(state="visible", timeout=REVEAL_TIMEOUT_MS)
        except PlaywrightTimeoutError:
            self.assets.raise_if_failed(self.page_name)  # the script that shows it did not load: not a UI change
            raise self.mismatch(element, f"not shown within {REVEAL_TIMEOUT_MS} ms (url {self.page.url})") from None
        return locator.first

    async def archive(self, rows: list[ListedRow], listing: ListingPage) -> None:
        """Tick exactly these rows of the page on screen, check that nothing else is ticked, then archive
        them through "N items selected" > "Archive selected newsletter subscribers" > OK."""
        if not rows:
            return
        if not all(row.selectable for row in rows):
            raise self.mismatch("row checkbox", "a subscriber's row has no checkbox")
        self.assets.raise_if_failed(self.page_name)  # its script shows the menu: nothing is ticked without it
        table = await self.require(self.table, "subscribers table")
        body_rows = table.locator("tbody tr")
        for number, row in enumerate(rows):
            # A real click on each box, as a person ticks it. The first waits for Playwright's every check
            # (visible, stable over two animation frames, hit by the click); once one box of the table took a
            # click the table is settled, and the others skip the stability wait (30 ms of a 48 ms tick: a page
            # of 25 old subscribers, thousands in a big store). Playwright still fails a click that did not tick
            # its box, and the read of every ticked box below refuses a page where another box took it.
            await body_rows.nth(row.position).locator("input[type='checkbox']").check(force=number > 0)
        ticked = await table.evaluate(_TICKED_EMAILS, listing.email_column)
        wanted = sorted(row.subscriber.key for row in rows)
        if sorted(email.casefold() for email in ticked) != wanted:
            raise SettingError(f"{self.page_name}: the ticked rows {sorted(ticked)} are not the planned "
                               f"{wanted}; nothing was archived from this page")

        count = str(len(rows))
        selected = self.labels["newsletter.items_selected"].replace("{count}", count)
        # The menu's own count must agree with ours before anything irreversible is clicked.
        await (await self._revealed(self.control(selected), f"button {selected!r}")).click()
        entry = self.labels["newsletter.archive_selected"]
        item = await self._revealed(self.control(entry), f"menu item {entry!r}")
        await self.follow(lambda: self._confirm(item, count), f"{entry!r} confirmed with OK")
        await self._check_archived(count)

    async def _confirm(self, item: Locator, count: str) -> None:
        """Click the archive entry and say OK to whatever asks: the browser's own confirm() (answered here, only
        when it names our count) or a dialog on the page."""
        asked: list[str] = []

        async def answer(dialog: Dialog) -> None:
            asked.append(dialog.message)
            await (dialog.accept() if count in dialog.message.split() else dialog.dismiss())

        self.page.on("dialog", answer)
        try:
            await item.click()  # a confirm() is answered before the click returns
        finally:
            self.page.remove_listener("dialog", answer)
        if asked:
            if count not in asked[0].split():
                raise SettingError(f"{self.page_name}: the confirmation asked {asked[0]!r}, not about the {count} "
                                   f"planned subscriber(s); cancelled, nothing was archived from this page")
            return
        dialog = self.page.get_by_role("dialog")
        # Either a dialog asks, or the page has moved on already (a confirm answered elsewhere): wait for either.
        await self._revealed(dialog.or_(self.page.locator(f"body:not([{STALE_MARK}])")), "confirmation dialog")
        if await dialog.count():
            ok = self.labels["newsletter.confirm_ok"]
            await (await self.require(dialog.get_by_role("button", name=ok, exact=True), f"{ok} button")).click()

    async def _check_archived(self, count: str) -> None:
        alerts = self.page.locator("[role='alert']")
        if await alerts.count():
            raise SettingError(f"{self.page_name}: the backoffice refused to archive: "
                               f"{(await alerts.first.inner_text()).strip()}")
        expected = self.labels["newsletter.archived"].replace("{count}", count)
        if not await self.page.get_by_text(expected, exact=True).count():
            raise SettingError(f"{self.page_name}: expected the confirmation {expected!r} after archiving, the "
                               f"page does not say it; check the Archived view before running again")

    async def probe_elements(self) -> list[ElementCheck]:
        """The list's columns, source names and row checkboxes; then, with one row ticked in the browser only
        (nothing is posted), the "N items selected" menu and its archive entry, which is never clicked."""
        email_label = self.labels["newsletter.columns.email"]
        table = await self.present(self.table, f"subscribers table (column {email_label!r})",
                                   "newsletter.columns.email")
        if not table.found:
            reason = "the subscribers table is missing"
            return [table, *[self.unchecked(f"column {key}", f"newsletter.columns.{key}", reason)
                             for key in self.labels.mapping("newsletter.columns") if key != "email"],
                    self.unchecked("row checkbox", None, reason),
                    self.unchecked("button 'N items selected'", "newsletter.items_selected", reason),
                    self.unchecked("menu item archive selected", "newsletter.archive_selected", reason)]
        columns = self.labels.mapping("newsletter.columns")
        data: dict[str, Any] = await self.table.first.evaluate(_READ_TABLE, columns)
        checks = [table, *[self.label_check(f"column {key}", f"newsletter.columns.{key}", data["index"][key] >= 0,
                                            f"the table's columns are {data['headers']}")
                           for key in columns if key not in ("email", "source")]]
        source_shown = data["index"]["source"] >= 0
        # Optional: most stores show no Source column; then the archive rule needs `sources: any`.
        checks.append(ElementCheck("column source", "found" if source_shown else "not checked",
                                   columns["source"], "newsletter.columns.source",
                                   "" if source_shown else "the list shows no Source column (most stores have "
                                   "none): the archive rule works on email and date (sources: any)"))
        if any(data["index"][key] < 0 for key in ("email", "name", "subscribed")) or not data["rows"]:
            reason = "the list has no subscribers on its first page" if not data["rows"] else "a column is missing"
            return [*checks, self.unchecked("source names", "newsletter.sources", reason),
                    self.unchecked("row checkbox", None, reason),
                    self.unchecked("button 'N items selected'", "newsletter.items_selected", reason),
                    self.unchecked("menu item archive selected", "newsletter.archive_selected", reason)]
        known = set(self.labels.mapping("newsletter.sources").values())
        if source_shown:
            unknown = sorted({row["source"] for row in data["rows"]} - known)
            checks.append(ElementCheck("source names", "missing" if unknown else "found",
                                       ", ".join(sorted(known)), "newsletter.sources",
                                       f"the list shows sources {unknown} that the label table does not name"
                                       if unknown else ""))
        else:
            checks.append(self.unchecked("source names", "newsletter.sources", "the list shows no Source column"))
        box = self.table.first.locator("tbody tr input[type='checkbox']")
        checks.append(await self.present(box, "row checkbox"))
        if not checks[-1].found:
            reason = "no row can be ticked"
            return [*checks, self.unchecked("button 'N items selected'", "newsletter.items_selected", reason),
                    self.unchecked("menu item archive selected", "newsletter.archive_selected", reason)]
        return [*checks, *await self._probe_menu(box.first)]

    async def _probe_menu(self, box: Locator) -> list[ElementCheck]:
        await box.check()  # in the browser only: the form is never submitted
        try:
            selected = self.labels["newsletter.items_selected"].replace("{count}", "1")
            toggle = self.control(selected)
            try:
                await (await self._revealed(toggle, f"button {selected!r}")).click()  # opens the menu, saves nothing
            except UiMismatchError as exc:
                return [ElementCheck("button 'N items selected'", "missing", selected, "newsletter.items_selected",
                                     str(exc)),
                        self.unchecked("menu item archive selected", "newsletter.archive_selected",
                                       "the selection menu did not appear")]
            entry = self.labels["newsletter.archive_selected"]
            item = self.control(entry)
            try:
                await self._revealed(item, f"menu item {entry!r}")  # looked at, never clicked
                found = ElementCheck("menu item archive selected", "found", entry, "newsletter.archive_selected")
            except UiMismatchError as exc:
                found = ElementCheck("menu item archive selected", "missing", entry, "newsletter.archive_selected",
                                     str(exc))
            await toggle.click()  # close the menu again
            return [ElementCheck("button 'N items selected'", "found", selected, "newsletter.items_selected"), found]
        finally:
            await box.uncheck()


class SubscriberTwin(BaseModel):
    """One subscriber as the twin gives it (strict; email, firstname, lastname are the REST API's names)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    email: StrictStr
    firstname: StrictStr | None = None
    lastname: StrictStr | None = None
    subscribed_at: StrictStr
    source: StrictStr | None = None


class NewsletterTwin(JsonTwin):
    """`newsletter_subscriptions.json`, paged like customers.json (`?page=N&limit=250`, `links.pages`): a guess by
    the pattern of the public twins (flows/labels/twins.yaml)."""

    async def read_all(self) -> Listing:
        """Every active subscriber, as the list would show them (no URLs: the page objects archive). A subscriber
        shown twice (a signup moved the pages under us) counts once, as on the list."""
        table = self.table
        limit = int(str(table["limit"]))
        subscribers: dict[str, Subscriber] = {}
        source_column = False
        page, pages = 1, 1
        while page <= pages:
            data = await self.fetch({"page": page, "limit": limit})
            items = dig(data, str(table["list"]))
            count = dig(data, str(table["pages"]))
            if not isinstance(items, list):
                raise TwinUnusable(f"{self.label()} has no list of subscribers",
                                   f"looked for {table['list']} (twins.{self.name}.list)")
            if not isinstance(count, int) or isinstance(count, bool) or not 0 <= count <= MAX_PAGES:
                raise TwinUnusable(f"{self.label()} has no number of pages",
                                   f"looked for {table['pages']} (twins.{self.name}.pages)")
            pages = max(1, count)
            for item in items:
                subscriber = self._subscriber(item)
                source_column = source_column or subscriber.source is not None
                subscribers.setdefault(subscriber.key, subscriber)
            page += 1
        return Listing(list(subscribers.values()), [], source_column)

    def _subscriber(self, item: Any) -> Subscriber:
        fields = {"email": ("email", "subscriber email"), "subscribed_at": ("subscribed_at", "date subscribed")}
        values: dict[str, Any] = {field: dig(item, str(self.table[key])) for field, (key, _) in fields.items()}
        for field, (key, what) in fields.items():
            if is_missing(values[field]):
                raise TwinUnusable(f"{self.label()} has no {what} field",
                                   f"looked for {self.table[key]} (twins.{self.name}.{key})")
        for field in ("firstname", "lastname", "source"):  # optional: a store may have no source, a person no name
            value = dig(item, str(self.table[field]))
            values[field] = None if is_missing(value) else value
        row = validated(SubscriberTwin, values, self.label())
        try:
            subscribed = date.fromisoformat(row.subscribed_at[:10])
        except ValueError:
            raise TwinUnusable(f"{self.label()} has a date subscribed that is not a date ({row.subscribed_at!r})") \
                from None
        sources = {str(value): source for source, value in dict(self.table["sources"]).items()}
        if row.source is not None and row.source not in sources:
            raise TwinUnusable(f"{self.label()} has a source the tool does not know ({row.source!r})",
                               f"known: {sorted(sources)} (twins.{self.name}.sources)")
        name = " ".join(part.strip() for part in (row.firstname or "", row.lastname or "") if part.strip())
        return Subscriber(email=row.email.strip(), name=name, subscribed_at=subscribed,
                          source=None if row.source is None else sources[row.source])
