"""Marketing > Newsletter: export, then archive the subscribers who were added passively before the GDPR date.

Real stores most likely show no Source column. There `sources: any` (the vendor guide's own procedure: everyone
subscribed before the date, after the re-subscribe email) or an `emails_file` (exactly whom to archive) is the
rule; asking for sources (explicitly, or by the default) fails the store with one configuration error that
says so. Without a source, a subscriber is known by email and date alone.

The list is read from its JSON twin (`newsletter_subscriptions.json`) when it answers, else page by page.

Archiving cannot be undone, so this setting is the most careful one:
- the plan names every subscriber it would archive, and why; the change is irreversible, so the engine
  blocks it unless the run or the store opts in (`--allow-archive`, `allow_irreversible: true`);
- before the first click, exactly the subscribers about to be archived are exported to CSV in the run's
  artifacts (the list the owner emails a re-subscribe link);
- apply ticks only the rows whose email address, date subscribed and (where shown) source are as the plan saw
  them, page by page, never "select all": a subscriber who joined after the plan is never archived (nor one
  archived by someone else who signed up again during the run: same address, new date), and one already
  archived is skipped, so an interrupted apply is finished by the next run without touching anyone else.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ecom_privacy.errors import ConfigError, SettingError
from ecom_privacy.exports import ExportFile
from ecom_privacy.models import ArchiveSelection, Change, ChangeAction, Diagnostic, SubscriberRow
from ecom_privacy.probe import ProbeTarget
from ecom_privacy.setting import CurrentState, PlanInput, Setting, StoreSession
from ecom_privacy.terminal_text import one_line
from flows.email_address import NotAnAddress, keep_entry, normalise_email
from flows.newsletter_rule import (
    ANY_SOURCE,
    GDPR_DATE,
    PASSIVE_SOURCES,
    AddressFileError,
    AddressList,
    ArchiveRule,
    Selection,
    Subscriber,
    read_address_file,
    select_for_archive,
    subscribers_csv,
)
from flows.pages.json_twin import TwinUnusable, fallback_notes
from flows.pages.newsletter_page import Listing, NewsletterPage, NewsletterTwin

NAME = "newsletter_archive"
Source = Literal["form", "checkout", "manual", "import"]
#: full passes over the list before apply gives up on planned rows that keep moving between pages
MAX_PASSES = 3
#: how many subscribers the text plan shows; the JSON plan always has all of them
PREVIEW_ROWS = 10
#: a subscription as apply recognises it: email, date subscribed, source (None where the list shows none)
Identity = tuple[str, date, str | None]


class NewsletterArchiveDesired(BaseModel):
    model_config = ConfigDict(extra="forbid")

    #: required, so that archiving is always a written decision: false leaves the list alone
    enabled: bool
    subscribed_before: date = GDPR_DATE
    #: the sources to archive (default: manual, import), or `any` where the list shows no source (the vendor
    #: guide's own procedure: everyone subscribed before the date, after the re-subscribe email)
    sources: Annotated[list[Source], Field(min_length=1)] | Literal["any"] | None = None
    #: addresses never to archive (people who re-subscribed, the owner, ...)
    keep: list[str] = Field(default_factory=list)
    #: CSV of addresses never to archive, relative to the fleet file's folder
    keep_file: str | None = None
    #: CSV of the only addresses that may be archived (the rule must still match), relative likewise
    emails_file: str | None = None

    @field_validator("keep")
    @classmethod
    def _addresses(cls, value: list[str]) -> list[str]:
        # Each entry reduced to the address it names, so that it can match; one that names none is an error
        # naming its position (keep[2]), never a string that silently keeps nobody.
        problems = []
        for index, entry in enumerate(value):
            try:
                keep_entry(entry)
            except NotAnAddress as exc:
                problems.append(f"keep[{index}]: {exc}")
        if problems:
            raise ValueError("; ".join(problems))
        return value


def _address_file(kind: str, raw: str, context: PlanInput) -> AddressList:
    path = Path(raw).expanduser()
    path = path if path.is_absolute() else context.base_dir / path
    where = f"store {context.store_id}: {NAME}.{kind}: {path}"
    if not path.exists():
        raise ConfigError(f"{where}: file not found (paths are relative to the fleet file's folder)")
    try:
        emails = read_address_file(path)
    except ConfigError as exc:  # the reader's one line names the file: keep what it says after the name
        detail = str(exc).removeprefix(f"{path}: ").removeprefix(f"{path}, ")
        raise ConfigError(f"{where}: {detail}") from None
    except AddressFileError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    return AddressList(f"{kind} {raw}", emails)


def build_rule(desired: NewsletterArchiveDesired, context: PlanInput, *, source_column: bool = True) -> ArchiveRule:
    """The rule with its address files read; a missing or malformed file is a ConfigError naming it. A list
    without a Source column (`source_column` False) takes `sources: any` and an `emails_file` without sources,
    and fails with one ConfigError saying what to do when the fleet file asks for sources."""
    keep = [AddressList.of("keep", desired.keep)] if desired.keep else []
    if desired.keep_file:
        keep.append(_address_file("keep_file", desired.keep_file, context))
    only = _address_file("emails_file", desired.emails_file, context) if desired.emails_file else None
    sources: frozenset[str] | None
    if desired.sources == ANY_SOURCE or (desired.sources is None and only is not None and not source_column):
        sources = None  # email and date alone (the emails_file names whom)
    elif not source_column:
        asked = "sources " + ", ".join(desired.sources or PASSIVE_SOURCES) + ("" if desired.sources else
                                                                               " (the default)")
        raise ConfigError(f"store {context.store_id}: {NAME}: the newsletter list shows no Source column, so the "
                          f"rule's {asked} cannot be evaluated; set {NAME}.sources: any (everyone subscribed before "
                          f"{desired.subscribed_before.isoformat()}, after the re-subscribe email; keep lists still "
                          f"apply) or give an emails_file with the addresses to archive")
    else:
        sources = frozenset(desired.sources or PASSIVE_SOURCES)
    return ArchiveRule(subscribed_before=desired.subscribed_before, sources=sources, keep=tuple(keep), only=only)


class NewsletterArchiveCurrent(CurrentState):
    """The active newsletter list as read, page by page, each subscriber once, in list order, and whether the
    list shows how each subscriber was added (a Source column; most real stores do not)."""

    subscribers: tuple[Subscriber, ...] = ()
    source_column: bool = True


def planned_rows(changes: list[Change]) -> list[SubscriberRow]:
    """The subscribers these archive changes archive, as the plan lists them."""
    return [row for change in changes if change.selection is not None for row in change.selection.subscribers]


def _preview(selection: Selection) -> str:
    # One subscriber per line: a name holding a line break (or an escape code) must not add forged lines.
    lines = [f"- {one_line(d.subscriber.email)}  {one_line(d.subscriber.name)}  "
             f"{d.subscriber.subscribed_at.isoformat()}" + (f"  {d.subscriber.source}" if d.subscriber.source else "")
             for d in selection.archive[:PREVIEW_ROWS]]
    more = len(selection.archive) - PREVIEW_ROWS
    if more > 0:
        lines.append(f"  ... and {more} more: every address is in the JSON plan (--format json, --out)")
    lines += [f"= {one_line(d.subscriber.email)}  {one_line(d.reason)}" for d in selection.kept[:PREVIEW_ROWS]]
    return "\n".join(lines)


def export_stamp(now: datetime) -> str:
    # Microseconds: a retried apply writes a second export instead of overwriting the first one (and with a
    # clock that stands still, as in a test, the artifact sink adds a suffix rather than overwrite).
    return now.astimezone(UTC).strftime("%Y%m%dT%H%M%S.%fZ")


class NewsletterArchiveSetting(Setting[NewsletterArchiveDesired, NewsletterArchiveCurrent]):
    name = NAME
    desired_model = NewsletterArchiveDesired
    current_model = NewsletterArchiveCurrent

    async def read(self, session: StoreSession) -> NewsletterArchiveCurrent:
        """From the JSON twin (all pages of up to 250) when it answers, else the list page by page (of 25)."""
        notes: list[Diagnostic] = []
        try:
            listing = await NewsletterTwin(session.page, session.backoffice_url, session.labels, "newsletter",
                                           "newsletter_json").read_all()
        except TwinUnusable as problem:
            notes = fallback_notes(session, problem)
            listing = await NewsletterPage(session.page, session.backoffice_url, session.labels).read_all()
        # An empty list shows nothing to go by: nothing can be archived, and nothing is asked of the rule.
        source_column = listing.source_column or not listing.subscribers
        return NewsletterArchiveCurrent(subscribers=tuple(listing.subscribers),
                                        source_column=source_column).noting(notes)

    def probe_targets(self, session: StoreSession) -> list[ProbeTarget]:
        return [NewsletterPage(session.page, session.backoffice_url, session.labels).probe_target()]

    def check(self, desired: NewsletterArchiveDesired, context: PlanInput) -> None:
        """`validate` reads the keep_file and emails_file (even with enabled: false: export-subscribers uses
        them), so a missing file or an entry that is not an address is found before any login."""
        build_rule(desired, context)

    def selection(self, current: NewsletterArchiveCurrent, desired: NewsletterArchiveDesired,
                  context: PlanInput) -> tuple[ArchiveRule, Selection] | None:
        """The rule and whom it selects; None when archiving is switched off for the store."""
        if not desired.enabled:
            return None
        rule = build_rule(desired, context, source_column=current.source_column)
        return rule, select_for_archive(current.subscribers, rule)

    def plan(self, current: NewsletterArchiveCurrent, desired: NewsletterArchiveDesired,
             context: PlanInput) -> list[Change]:
        chosen = self.selection(current, desired, context)
        if chosen is None or not chosen[1].archive:
            return []
        rule, selection = chosen
        total, count = len(current.subscribers), len(selection.archive)
        summary = f"{count} of {total} active subscriber(s): {rule.describe()}"
        if selection.kept:
            summary += f"; {len(selection.kept)} more kept by keep lists"
        return [Change(
            setting=self.name, action=ChangeAction.ARCHIVE, irreversible=True, summary=summary,
            before={"active_subscribers": total},
            after={"active_subscribers": total - count, "archived": [d.subscriber.email for d in selection.archive]},
            diff=_preview(selection),
            selection=ArchiveSelection(
                rule=rule.record(),
                subscribers=[d.subscriber.row(d.reason) for d in selection.archive],
                kept=[d.subscriber.row(d.reason) for d in selection.kept],
            ),
        )]

    # -- stale-plan detection ---------------------------------------------------------------------------
    def observe(self, current: NewsletterArchiveCurrent, desired: NewsletterArchiveDesired,
                context: PlanInput) -> Any:
        """Not the whole list: a signup that the rule does not select must not make a saved plan stale."""
        chosen = self.selection(current, desired, context)
        return {"active_subscribers": len(current.subscribers),
                "to_archive": [d.subscriber.model_dump(mode="json") for d in chosen[1].archive] if chosen else []}

    def stale_reason(self, observed: Any, current: NewsletterArchiveCurrent, desired: NewsletterArchiveDesired,
                     context: PlanInput) -> str | None:
        """A saved plan still fits when the rule now selects exactly the planned subscribers that are still
        active. Planned ones archived meanwhile (an interrupted apply) are fine: apply skips them."""
        try:
            planned = {s.key: s for s in map(Subscriber.model_validate, observed["to_archive"])}
        except (KeyError, TypeError, ValueError):  # a pydantic ValidationError is a ValueError
            return "the plan's observed newsletter selection is unreadable"
        chosen = self.selection(current, desired, context)
        fresh = {d.subscriber.key: d.subscriber for d in chosen[1].archive} if chosen else {}
        active = {s.key for s in current.subscribers}
        new = [fresh[key].email for key in fresh if key not in planned]
        changed = [planned[key].email for key in planned if key in active and fresh.get(key) != planned[key]]
        reasons = []
        if new:
            reasons.append(f"{len(new)} subscriber(s) now match the rule that the plan does not name: {_few(new)}")
        if changed:
            reasons.append(f"{len(changed)} planned subscriber(s) changed or are now kept: {_few(changed)}")
        return "; ".join(reasons) or None

    def saved_plan_mismatch(self, saved: list[dict[str, Any]], observed: Any, current: NewsletterArchiveCurrent,
                            desired: NewsletterArchiveDesired, context: PlanInput) -> str | None:
        """Not a plain re-derivation: a saved archive plan rightly survives signups (counts change) and an
        interrupted apply (planned people already archived). What must hold: one archive change, irreversible,
        with the fleet file's rule; every listed subscriber who is still active is one the rule selects now,
        exactly as listed; `after.archived` names exactly the listed people; they are the ones observed."""
        if not saved:
            return None
        if len(saved) != 1:
            return f"changes (the file lists {len(saved)} {self.name} changes; a plan has at most one)"
        fixed = {"setting": self.name, "action": ChangeAction.ARCHIVE.value, "irreversible": True, "blocked": None}
        for key, value in fixed.items():
            if saved[0].get(key) != value:
                return (f"changes[0].{key} (the file says {saved[0].get(key)!r}, an archive change is always "
                        f"{value!r})")
        try:
            change = Change.model_validate(saved[0])  # the plan file was validated on loading: typed from here
        except ValidationError as exc:
            return f"changes[0] (not a change: {exc.errors()[0]['msg']})"
        chosen = self.selection(current, desired, context)
        if chosen is None:
            return "changes[0] (the fleet file switches archiving off for this store: enabled: false)"
        rule, selection = chosen
        if change.selection is None:
            return "changes[0].selection (missing: an archive change lists whom it archives and by which rule)"
        if change.selection.rule != rule.record():
            return (f"changes[0].selection.rule (the file says {change.selection.rule.model_dump(mode='json')!r}, "
                    f"the fleet file {rule.record().model_dump(mode='json')!r})")
        selected = {d.subscriber.key: d.subscriber.row(d.reason) for d in selection.archive}
        active = {subscriber.key for subscriber in current.subscribers}
        rows = change.selection.subscribers
        for index, row in enumerate(rows):
            key = normalise_email(row.email)
            if key in active and selected.get(key) != row:
                return (f"changes[0].selection.subscribers[{index}] ({row.email}: the rule does not select this "
                        f"subscriber as listed)")
        emails = [row.email for row in rows]
        after = change.after if isinstance(change.after, dict) else {}
        if after.get("archived") != emails:
            return "changes[0].after.archived (not the subscribers listed in changes[0].selection.subscribers)"
        planned_keys = sorted(normalise_email(email) for email in emails)
        try:
            observed_keys = sorted(normalise_email(str(item["email"])) for item in observed["to_archive"])
        except (KeyError, TypeError):
            return "settings.observed (the plan's observed newsletter selection is unreadable)"
        if planned_keys != observed_keys:
            return "changes[0].selection.subscribers (not the subscribers the plan observed in settings.observed)"
        return None

    # -- apply --------------------------------------------------------------------------------------------
    # -- export-subscribers ---------------------------------------------------------------------------------
    def export_desired(self, desired: NewsletterArchiveDesired | None) -> NewsletterArchiveDesired | None:
        """Switched on whatever the fleet file says (exporting archives nothing, so it needs no opt-in); a
        store without the setting gets the default rule."""
        if desired is None:
            return NewsletterArchiveDesired(enabled=True)
        return desired.model_copy(update={"enabled": True})

    def exports(self, changes: list[Change]) -> list[ExportFile]:
        return [ExportFile("newsletter-archive.csv", export_csv(changes), len(planned_rows(changes)),
                           "subscriber(s) the rule would archive")]

    async def apply(self, session: StoreSession, changes: list[Change]) -> bool:
        """True when this call archived anyone; False when every planned subscriber was archived already."""
        # A row is ticked only when email, date and (where shown) source are what the plan saw: someone archived
        # by a colleague who signed up again during the run has the same address but is a new subscription.
        planned = {Subscriber.of_row(row).identity for row in planned_rows(changes)}
        if not planned:
            return False
        page = NewsletterPage(session.page, session.backoffice_url, session.labels)
        listing = await page.read_all(session.step)
        targets = [subscriber for subscriber in listing.subscribers if subscriber.identity in planned]
        if not targets:
            return False  # an earlier run archived them all
        # Before the first click: the exact list, for the re-subscribe email. Never skipped, never after.
        session.artifacts.save(session.store_id, f"newsletter-archive-{export_stamp(session.clock.now())}.csv",
                               subscribers_csv(targets), kind="exports")
        progress = ArchivePass({subscriber.identity for subscriber in targets})
        for _ in range(MAX_PASSES):
            await self._archive_pass(session, page, listing, progress)
            if not progress.remaining and not progress.unconfirmed:
                return progress.archived_any
            # Rows moved while we worked (signups push rows down), or an archive's answer was lost: look again,
            # still only for planned ones; the list as read decides what is left.
            listing = await page.read_all(session.step)
            progress.left_in(listing)
            if not progress.remaining:
                return progress.archived_any
        emails = sorted(key for key, _, _ in progress.remaining)
        raise SettingError(f"{self.name}: {len(progress.remaining)} planned subscriber(s) are still active after "
                           f"{MAX_PASSES} passes over the list: {_few(emails)}; run apply again")

    async def _archive_pass(self, session: StoreSession, page: NewsletterPage, listing: Listing,
                            progress: ArchivePass) -> None:
        """Archive the planned rows page by page from the last page to the first: archiving on a page only
        moves rows of later pages, which were done already, so every page is read once. Each page is one
        resumable piece (`session.step`): a fault on page 2 of 5 reads page 2 again and archives only the
        planned rows still on it, never pages 5 to 3 again, and never a row twice."""
        for url in reversed(listing.page_urls):
            await session.step(lambda url=url: self._archive_page(page, url, progress))

    async def _archive_page(self, page: NewsletterPage, url: str, progress: ArchivePass) -> None:
        on_page = await page.read_at(url)
        hits = [row for row in on_page.rows if row.subscriber.identity in progress.remaining]
        if not hits:
            return
        sent = {row.subscriber.identity for row in hits}
        progress.unconfirmed |= sent  # until the backoffice confirms: its answer may be lost after it archived
        await page.archive(hits, on_page)
        progress.done(sent)


class ArchivePass:
    """What is left of an apply's planned subscribers: the read-back decides, never a count of clicks."""

    def __init__(self, planned: set[Identity]) -> None:
        self.remaining = set(planned)
        #: sent to be archived without the backoffice's confirmation (a 5xx or a lost answer): the next read says
        self.unconfirmed: set[Identity] = set()
        self.archived_any = False

    def done(self, archived: set[Identity]) -> None:
        self.remaining -= archived
        self.unconfirmed -= archived
        self.archived_any = self.archived_any or bool(archived)

    def left_in(self, listing: Listing) -> None:
        """`listing` read afresh: planned rows gone from it were archived (a lost answer's among them)."""
        active = {subscriber.identity for subscriber in listing.subscribers}
        gone = self.remaining - active
        self.archived_any = self.archived_any or bool(gone & self.unconfirmed)
        self.remaining &= active
        self.unconfirmed = set()


def _few(emails: list[str], limit: int = 5) -> str:
    shown = ", ".join(emails[:limit])
    return shown + (f" and {len(emails) - limit} more" if len(emails) > limit else "")


def export_csv(changes: list[Change]) -> str:
    """The CSV of the subscribers these changes would archive (for `ecom-privacy export-subscribers`)."""
    return subscribers_csv(Subscriber.of_row(row) for row in planned_rows(changes))
