"""Notifying the people affected, Terraform-style: a plan (who gets which message, counts per language, who
was already told) and, with --apply, the sending, one recorded step at a time.

The record per recipient is the guarantee. Before each SMTP transaction a `sending` row is committed; after
it a `sent` (or `failed`) row. A run killed between the two leaves `sending` alone: the message may or may
not have left. The tool then chooses at most once: such a recipient is reported as *uncertain* and is not
written to again unless `--resend-uncertain` says so (after checking the mail server's log). Nobody gets a
second message by accident; nobody is silently skipped either.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field

from automation.breach.drafts import Draft
from automation.breach.mailer import DeliveryRefused, Mailer, NotConnected, Pacer, build_message
from automation.breach.recipients import Recipient
from automation.breach.register import Delivery, Register

SENDING, SENT, FAILED = "sending", "sent", "failed"
Render = Callable[[Recipient], Draft]


@dataclass(frozen=True)
class RecipientState:
    state: str  # new | sent | failed | uncertain
    attempt: int
    at: str = ""
    detail: str = ""


def states(deliveries: list[Delivery]) -> dict[str, RecipientState]:
    """Each address's standing from its delivery rows (the latest attempt decides)."""
    by_key: dict[str, dict[int, dict[str, Delivery]]] = {}
    for delivery in deliveries:
        by_key.setdefault(delivery.email.casefold(), {}).setdefault(delivery.attempt, {})[delivery.state] = delivery
    result = {}
    for key, attempts in by_key.items():
        if any(SENT in steps for steps in attempts.values()):
            sent = next(steps[SENT] for steps in attempts.values() if SENT in steps)
            result[key] = RecipientState("sent", max(attempts), sent.at.isoformat(), sent.detail)
            continue
        last = max(attempts)
        steps = attempts[last]
        if FAILED in steps:
            result[key] = RecipientState("failed", last, steps[FAILED].at.isoformat(), steps[FAILED].detail)
        else:
            result[key] = RecipientState("uncertain", last, steps[SENDING].at.isoformat(), "")
    return result


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
              render: Render, languages: tuple[str, ...] = ()) -> NotifyPlan:
    """`languages`: the store's shop languages; each one's message is rendered too, even with nobody in it yet,
    so a language the store speaks but cannot be written to fails the plan, not a later run."""
    plan = NotifyPlan(incident_id, store, source, recipients, states(register.deliveries(incident_id, store)))
    for language in languages:
        plan.samples[language] = render(Recipient("", "", language, "sample"))
    for recipient in recipients:  # one message per language, rendered now: a missing fact fails the plan
        if recipient.language not in plan.samples:
            plan.samples[recipient.language] = render(recipient)
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
             interrupted: Callable[[], bool] | None = None) -> NotifyOutcome:
    """Send to everyone the plan has to send to; every step committed before the next recipient."""
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
        pacer.wait()
        if not register.record_delivery(plan.incident_id, plan.store, recipient.email, recipient.language, attempt,
                                        SENDING):
            outcome.skipped.append(recipient.email)  # another run is writing to this person right now
            continue
        message = build_message(mailer.sender, recipient.email, draft.subject, draft.html, draft.text, reference,
                                register.clock.now(), mailer.reply_to)
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


def notified_csv(register: Register, incident_id: int, store: str) -> str:
    """Who was notified, when: one row per address with its final standing (UTC times)."""
    deliveries = register.deliveries(incident_id, store)
    languages = {d.email.casefold(): d.language for d in deliveries}
    emails = {d.email.casefold(): d.email for d in deliveries}
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["email", "language", "state", "attempts", "at_utc", "message_id_or_error"])
    for key, state in sorted(states(deliveries).items()):
        writer.writerow([emails[key], languages[key], state.state, state.attempt, state.at, state.detail])
    return buffer.getvalue()
