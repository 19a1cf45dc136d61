"""Notifying the people affected, Terraform-style: a plan (who gets which message, counts per language, who
was already told) and, with --apply, the sending, one recorded step at a time.

The record per recipient is the guarantee. Before each SMTP transaction a `sending` row is committed; after
it a `sent` (or `failed`) row. A run killed between the two leaves `sending` alone: the message may or may
not have left. The tool then chooses at most once: such a recipient is reported as *uncertain* and is not
written to again unless `--resend-uncertain` says so (after checking the mail server's log). Nobody gets a
second message by accident; nobody is silently skipped either.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from automation.breach.deliveries import FAILED, SENDING, SENT, RecipientState, states
from automation.breach.drafts import Draft
from automation.breach.mailer import DeliveryRefused, Mailer, NotConnected, Pacer, build_message
from automation.breach.recipients import Recipient
from automation.breach.register import Register
from automation.outputs.files import csv_text

__all__ = ["FAILED", "SENDING", "SENT", "NotifyOutcome", "NotifyPlan", "RecipientState", "make_plan",
           "notified_csv", "send_all", "states"]
Render = Callable[[Recipient], Draft]


@dataclass
class NotifyPlan:
    incident_id: int
    store: str
    source: str
    recipients: list[Recipient]
    standing: dict[str, RecipientState]
    samples: dict[str, Draft] = field(default_factory=dict)

    def with_state(self, state: str) -> list[Recipient]:
        return [r for r in self.recipients if self.standing.get(r.key, RecipientState("new", 0)).state == state]

    @property
    def to_send(self) -> list[Recipient]:
        return self.with_state("new") + self.with_state("failed")

    def by_language(self, recipients: list[Recipient]) -> dict[str, int]:
        counts: dict[str, int] = {}
        for recipient in recipients:
            counts[recipient.language] = counts.get(recipient.language, 0) + 1
        return dict(sorted(counts.items()))

    def render_text(self) -> str:
        to_send, uncertain = self.to_send, self.with_state("uncertain")
        languages = ", ".join(f"{lang}: {n}" for lang, n in self.by_language(to_send).items()) or "none"
        lines = [f"incident {self.incident_id}, store {self.store}: {len(self.recipients)} recipient(s) from "
                 f"{self.source}",
                 f"  to send: {len(to_send)} ({languages}); already sent: {len(self.with_state('sent'))}; "
                 f"failed before, to retry: {len(self.with_state('failed'))}"]
        for language, draft in self.samples.items():
            lines.append(f"  message {language}: {draft.subject!r} (template {draft.template})")
        if uncertain:
            lines.append(f"  uncertain (a run stopped while handing these over; NOT sent again without "
                         f"--resend-uncertain): {', '.join(r.email for r in uncertain)}")
        for recipient in to_send:
            lines.append(f"  + {recipient.email} [{recipient.language}] ({recipient.source})")
        return "\n".join(lines)


def make_plan(incident_id: int, store: str, source: str, recipients: list[Recipient], register: Register,
              render: Render, languages: tuple[str, ...] = (),
              check_content: Callable[..., None] = lambda source, *texts: None) -> NotifyPlan:
    """`languages`: the store's shop languages; each one's message is rendered too, even with nobody in it yet,
    so a language the store speaks but cannot be written to fails the plan, not a later run. Each language's
    message goes through `check_content` (a secret of the run in it fails the plan, before anyone is written to)."""
    plan = NotifyPlan(incident_id, store, source, recipients, states(register.deliveries(incident_id, store)))
    for language in languages:
        plan.samples[language] = render(Recipient("", "", language, "sample"))
    for recipient in recipients:  # one message per language, rendered now: a missing fact fails the plan
        if recipient.language not in plan.samples:
            plan.samples[recipient.language] = render(recipient)
    for language, draft in plan.samples.items():
        check_content(f"the {language} message to the people affected ({draft.template})", draft.subject,
                      draft.html, draft.text)
    return plan


@dataclass
class NotifyOutcome:
    sent: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    stopped: str | None = None


def send_all(plan: NotifyPlan, register: Register, mailer: Mailer, pacer: Pacer, render: Render,
             reference: str, resend_uncertain: bool = False,
             on_sent: Callable[[Recipient, str], None] | None = None,
             interrupted: Callable[[], bool] | None = None,
             check_content: Callable[..., None] = lambda source, *texts: None) -> NotifyOutcome:
    """Send to everyone the plan has to send to; every step committed before the next recipient.
    `check_content(source, subject, html)` raises SecretInContentError before a message with a secret of the
    run in it is recorded or sent (it stops the store: every message comes from the same template)."""
    outcome = NotifyOutcome()
    targets = plan.to_send + (plan.with_state("uncertain") if resend_uncertain else [])
    if targets:
        mailer.connect()  # wrong settings or a refused login: an error before anyone's record is touched
    for recipient in targets:
        if interrupted is not None and interrupted():
            outcome.stopped = "interrupted; run the same command again to resume"
            break
        previous = plan.standing.get(recipient.key, RecipientState("new", 0))
        draft = render(recipient)
        attempt = previous.attempt + 1
        try:  # built before anything is recorded: a message that cannot be built was never near the server
            check_content(f"the {draft.language} message to the people affected ({draft.template})",
                          draft.subject, draft.html, draft.text)
            message = build_message(mailer.sender, recipient.email, draft.subject, draft.html, draft.text, reference,
                                    register.clock.now(), mailer.reply_to)
        except ValueError as exc:  # a header the email library refuses (a line break in a name)
            register.record_delivery(plan.incident_id, plan.store, recipient.email, recipient.language, attempt,
                                     FAILED, f"the message could not be built: {exc}")
            outcome.failed.append((recipient.email, f"the message could not be built: {exc}"))
            continue
        pacer.wait()
        if not register.record_delivery(plan.incident_id, plan.store, recipient.email, recipient.language, attempt,
                                        SENDING):
            outcome.skipped.append(recipient.email)  # another run is writing to this person right now
            continue

        try:
            message_id = mailer.send(message)
        except KeyboardInterrupt:  # Ctrl-C while handing over: this recipient stays `sending` (uncertain)
            outcome.stopped = f"{recipient.email}: interrupted while handing the message over"
            break
        except NotConnected as exc:  # the connection was lost and cannot be made again: nothing was handed over
            register.record_delivery(plan.incident_id, plan.store, recipient.email, recipient.language, attempt,
                                     FAILED, str(exc))
            outcome.stopped = f"{recipient.email}: {exc}"
            break
        except DeliveryRefused as exc:
            register.record_delivery(plan.incident_id, plan.store, recipient.email, recipient.language, attempt,
                                     FAILED, str(exc))
            outcome.failed.append((recipient.email, str(exc)))
            continue
        except Exception as exc:  # DeliveryUnknown or anything else: the recipient stays `sending` (uncertain)
            outcome.stopped = f"{recipient.email}: {exc}"
            break
        register.record_delivery(plan.incident_id, plan.store, recipient.email, recipient.language, attempt, SENT,
                                 message_id)
        outcome.sent.append(recipient.email)
        if on_sent is not None:
            on_sent(recipient, message_id)
    return outcome


NOTIFIED_COLUMNS = ("email", "language", "state", "attempts", "at_utc", "message_id_or_error")


def notified_csv(register: Register, incident_id: int, store: str) -> str:
    """Who was notified, when: one row per address with its final standing (UTC times); every cell guarded
    against spreadsheet formulas (addresses and server answers are not ours)."""
    deliveries = register.deliveries(incident_id, store)
    languages = {d.email.casefold(): d.language for d in deliveries}
    emails = {d.email.casefold(): d.email for d in deliveries}
    return csv_text(NOTIFIED_COLUMNS, [[emails[key], languages[key], state.state, state.attempt, state.at,
                                        state.detail] for key, state in sorted(states(deliveries).items())])
