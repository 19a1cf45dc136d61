"""Handlers of the commands that reach stores and people: notify (backoffice + SMTP) and publish (storefront)."""

from __future__ import annotations

import argparse
import signal
from typing import Any, TextIO

from automation.access.backoffice import StoreAccess
from automation.access.secrets import fleet_secrets, load_environment
from automation.breach.backoffice import BrowserOptions, breach_access, open_browser
from automation.breach.commands import EXIT_CHANGES, EXIT_ERROR, EXIT_OK, _now, _tz, open_register
from automation.breach.drafts import (
    Draft,
    check_templates,
    render,
    store_info,
    template_dir,
    template_languages,
)
from automation.breach.mailer import PREFIX as SMTP_PREFIX
from automation.breach.mailer import Letterhead, Mailer, Pacer, SmtpSettings, check_smtp
from automation.breach.notify import make_plan, notified_csv, send_all, states
from automation.breach.publish import apply_notice, plan_notice, verify_published, verify_withdrawn
from automation.breach.recipients import Recipient, read_backoffice, read_csv
from automation.breach.register import (
    CUSTOMERS_NOTIFIED,
    NOTICE_PUBLISHED,
    NOTICE_WITHDRAWN,
    RECIPIENTS,
    SUBJECTS_DECISION,
    Incident,
    Register,
)
from automation.browser.driver import run_command
from automation.browser.retry import as_typed_error
from automation.fleet.composition import read_fleet
from automation.fleet.model import Fleet, StoreConfig, plan_input_for
from automation.outputs.artifacts import RunArtifacts
from automation.outputs.files import csv_text
from automation.redaction.redactor import Redactor
from ecom_privacy.errors import ConfigError, EcomPrivacyError


class StopRequest:
    """Ctrl-C or SIGTERM while sending: finish the recipient in hand, record, stop; a second Ctrl-C stops at once
    (that recipient then stays `sending`, reported as uncertain)."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.requested = False
        self._previous: dict[int, object] = {}

    def _handle(self, signum: int, _frame: object) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True
        self.out.write("stopping after the current recipient (Ctrl-C again to stop at once)\n")
        self.out.flush()

    def __enter__(self) -> StopRequest:
        for signum in (signal.SIGINT, signal.SIGTERM):
            self._previous[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)  # type: ignore[arg-type]


def _browser_options(args: argparse.Namespace, access: StoreAccess) -> BrowserOptions:
    return BrowserOptions(browser_path=args.browser, headed=args.headed, timeout_ms=int(args.timeout * 1000),
                          cdp_endpoint=getattr(args, "cdp_endpoint", None), clock=args.clock,
                          shop_labels=access.driver.shop_labels)


def _stores(fleet: Fleet, wanted: list[str]) -> list[StoreConfig]:
    by_id = {store.id: store for store in fleet.stores}
    unknown = [store_id for store_id in wanted if store_id not in by_id]
    if unknown:
        raise ConfigError(f"{fleet.path}: no store {unknown[0]!r} in the fleet file; known: {', '.join(by_id)}")
    return [by_id[store_id] for store_id in dict.fromkeys(wanted)]


def _recipients_csv(recipients: list[Recipient]) -> str:
    """Names come from a public signup form: every cell guarded against spreadsheet formulas."""
    return csv_text(["email", "name", "language", "source"], [[r.email, r.name, r.language, r.source]
                                                              for r in recipients])


async def _read_recipients(args: argparse.Namespace, fleet: Fleet, stores: list[StoreConfig], env: dict[str, str],
                           artifacts: RunArtifacts, redactor: Redactor) -> dict[str, list[Recipient] | Exception]:
    found: dict[str, list[Recipient] | Exception] = {}
    if args.recipients:
        written = template_languages("customers", template_dir(args.templates))
        found[stores[0].id] = read_csv(args.recipients, stores[0].shop_languages, written)
        return found
    access = breach_access(args, fleet, env, redactor)
    options = _browser_options(args, access)
    async with open_browser(options) as browser:
        for store in stores:  # one store's failure is recorded and the next is read
            try:
                plan_input = plan_input_for(fleet, store, access.driver.shop_labels)
                async with access.opened(store, browser, artifacts, plan_input) as backoffice:
                    session = backoffice.session
                    found[store.id] = await backoffice.step(
                        lambda session=session, store=store: read_backoffice(session, store.shop_languages[0]))
            except EcomPrivacyError as exc:
                found[store.id] = exc
            except Exception as exc:  # a browser error in one store must not hide the others' results
                found[store.id] = as_typed_error(exc)  # type: ignore[assignment]
    return found


def _letterhead(store: StoreConfig, settings: SmtpSettings) -> Letterhead:
    """The store's own sender and reply-to (the fleet file's breach_mail), else ECOM_PRIVACY_SMTP_FROM."""
    sender = store.breach_mail.sender or settings.sender
    assert sender is not None  # SmtpSettings.from_env required FROM for every store without its own
    return Letterhead(sender, tuple(store.breach_mail.reply_to))


def _sender_line(store: StoreConfig, env: dict[str, str]) -> str:
    """Whom the plan's messages come from: the store's own sender (fleet breach_mail) or the agency-wide one."""
    fallback = (env.get(f"{SMTP_PREFIX}FROM") or "").strip()
    sender = store.breach_mail.sender or (f"{fallback} ({SMTP_PREFIX}FROM)" if fallback else
                                          f"{SMTP_PREFIX}FROM (not set; or set breach_mail.from for the store)")
    replies = f"; replies to {', '.join(store.breach_mail.reply_to)}" if store.breach_mail.reply_to else ""
    return f"  from {sender}{replies}"


def _record_decision(register: Register, incident: Incident, store_id: str, sent_total: int) -> bool:
    """People were written to: that is the decision on informing them (Art. 34), recorded unless it already is,
    so `breach check` stops asking for it. True when recorded now."""
    decided = incident.stores[store_id].subjects_decision
    if sent_total == 0 or (decided is not None and decided.get("decision") == "notify"):
        return False
    register.append(incident.id, SUBJECTS_DECISION, {
        "decision": "notify", "reason": f"{sent_total} people informed individually by email (breach notify)",
        **({"replaces": decided.get("decision")} if decided is not None else {})}, store=store_id)
    return True


def cmd_notify(args: argparse.Namespace, out: TextIO, redactor: Redactor) -> int:
    tz, now = _tz(args), _now(args)
    if args.recipients and len(args.store) > 1:
        raise ConfigError("--recipients FILE.csv is one store's list: give exactly one --store with it")
    register = open_register(args, redactor)
    incident = register.incident(args.incident)
    fleet = read_fleet(args.config)
    stores = _stores(fleet, args.store)
    for store in stores:
        incident.store(store.id)
    env = load_environment(args.env_file)
    for secret in [*fleet_secrets(fleet.stores, env), env.get(SMTP_PREFIX + "PASSWORD")]:  # no message may carry one
        redactor.add(secret)
    settings = None
    letterheads: dict[str, Letterhead] = {}
    if args.apply:
        without_sender = tuple(store.id for store in stores if store.breach_mail.sender is None)
        settings = SmtpSettings.from_env(env, without_sender)  # before any browser work: a missing setting fails fast
        redactor.add(settings.password)
        letterheads = {store.id: _letterhead(store, settings) for store in stores}
        # Connect, STARTTLS, log in and try each sender now: a wrong setting is said before any backoffice login.
        check_smtp(settings, [letterhead.sender for letterhead in letterheads.values()])
    pacer = Pacer(args.rate, clock=args.clock)
    user_dir = template_dir(args.templates)
    artifacts = RunArtifacts.create(args.artifacts_dir, redactor, now=args.clock.now())
    code = EXIT_OK
    # Every shop language needs its message before any list is read or anyone is written to.
    ready = []
    for store in stores:
        try:
            check_templates("customers", store.id, store.shop_languages, user_dir)
            ready.append(store)
        except EcomPrivacyError as exc:
            out.write(f"store {store.id}: error: {exc}\n")
            code = EXIT_ERROR
    found = run_command(_read_recipients(args, fleet, ready, env, artifacts, redactor)) if ready else {}
    for store in ready:
        result = found[store.id]
        if isinstance(result, BaseException):
            out.write(f"store {store.id}: error: {redactor(str(result))}\n")
            code = EXIT_ERROR
            continue
        info = store_info(store)

        def message(r: Recipient, info: dict[str, Any] = info) -> Draft:
            return render(incident, "customers", info, r.language, tz, now, user_dir,
                          {"name": r.name or None, "email": r.email})

        source = str(args.recipients) if args.recipients else "the backoffice (customers, newsletter subscribers)"
        try:
            plan = make_plan(incident.id, store.id, source, result, register, message, store.shop_languages,
                             check_content=redactor.check_content)
        except EcomPrivacyError as exc:
            out.write(f"store {store.id}: error: {exc}\n")
            code = EXIT_ERROR
            continue
        artifacts.write_text(f"breach/incident-{incident.id}/{store.id}/recipients.csv", _recipients_csv(result))
        out.write(plan.render_text() + "\n" + _sender_line(store, env) + "\n")
        out.flush()
        if not args.apply:
            pending = plan.to_send or (args.resend_uncertain and plan.with_state("uncertain"))
            code = max(code, EXIT_CHANGES if pending else EXIT_OK)
            if plan.with_state("uncertain") and not args.resend_uncertain:
                code = EXIT_ERROR  # a person must check the mail server's log for them: not "nothing to do"
            continue
        assert settings is not None
        register.append(incident.id, RECIPIENTS, {"source": source, "count": len(result),
                                                  "recipients": [vars(r) for r in result]}, store=store.id)
        mailer = Mailer(settings, letterheads[store.id])
        try:
            with StopRequest(out) as stop:
                outcome = send_all(plan, register, mailer, pacer, message,
                                   f"incident-{incident.id}/{store.id}", args.resend_uncertain,
                                   on_sent=lambda r, _id: (out.write(f"  sent {r.email} [{r.language}]\n"),
                                                           out.flush()),
                                   interrupted=lambda stop=stop: stop.requested,
                                   check_content=redactor.check_content)
        except EcomPrivacyError as exc:
            out.write(f"store {store.id}: error: {redactor(str(exc))}\n")
            code = EXIT_ERROR
            continue
        finally:
            mailer.close()
        table = notified_csv(register, incident.id, store.id)
        path = artifacts.write_text(f"breach/incident-{incident.id}/{store.id}/notified.csv", table)
        deliveries = register.deliveries(incident.id, store.id)
        emails = {d.email.casefold(): d.email for d in deliveries}
        standing = states(deliveries)
        summary = {"sent_now": len(outcome.sent), "failed_now": len(outcome.failed),
                   "sent_total": sum(1 for state in standing.values() if state.state == "sent"),
                   "uncertain": [emails[key] for key, state in sorted(standing.items()) if state.state == "uncertain"],
                   "stopped": outcome.stopped, "csv": table}
        register.append(incident.id, CUSTOMERS_NOTIFIED, summary, store=store.id)
        out.write(f"store {store.id}: sent {len(outcome.sent)} now, {summary['sent_total']} in all; failed "
                  f"{len(outcome.failed)}; uncertain {len(summary['uncertain'])}; list: {path}\n")
        if _record_decision(register, incident, store.id, int(summary["sent_total"])):
            out.write(f"store {store.id}: recorded the decision to inform the people affected individually "
                      f"(subjects: notify)\n")
        for email, reason in outcome.failed:
            out.write(f"  failed {email}: {redactor(reason)}\n")
        if outcome.stopped:
            out.write(f"  stopped: {redactor(outcome.stopped)}; run again to resume (that recipient stays "
                      f"uncertain and is not written to again without --resend-uncertain)\n")
        if outcome.failed or outcome.stopped or outcome.skipped or summary["uncertain"]:
            code = EXIT_ERROR  # uncertain recipients: someone must look at the mail server's log
        if stop.requested:
            out.write("interrupted: the other stores were not started\n")
            return 130
    return code


async def _publish(args: argparse.Namespace, register: Register, incident: Incident, fleet: Fleet,
                   stores: list[StoreConfig], env: dict[str, str], artifacts: RunArtifacts, redactor: Redactor,
                   out: TextIO) -> int:
    tz, now, user_dir = _tz(args), _now(args), template_dir(args.templates)
    access = breach_access(args, fleet, env, redactor)
    options = _browser_options(args, access)
    code = EXIT_OK
    async with open_browser(options) as browser:
        for store in stores:
            try:
                check_templates("notice", store.id, store.shop_languages, user_dir)  # before the backoffice
                drafts = {language: render(incident, "notice", store_info(store), language, tz, now, user_dir)
                          for language in store.shop_languages}
                for language, draft in drafts.items():  # before the backoffice: a secret fails the plan
                    redactor.check_content(f"store {store.id}: the {language} notice ({draft.template})",
                                           draft.subject, draft.html, draft.text)
                plan_input = plan_input_for(fleet, store, access.driver.shop_labels)
                async with access.opened(store, browser, artifacts, plan_input) as backoffice:
                    change = await plan_notice(backoffice, drafts, args.withdraw)
                    out.write(change.describe() + "\n")
                    out.flush()
                    if not args.apply:
                        code = max(code, EXIT_CHANGES if change.action != "none" else EXIT_OK)
                        continue
                    await apply_notice(backoffice, drafts, change)
                default = drafts[store.shop_languages[0]]
                if args.withdraw:
                    slug = change.page.slug if change.page else None
                    await verify_withdrawn(browser, store, drafts, slug, options)
                    register.append(incident.id, NOTICE_WITHDRAWN, {
                        "title": default.subject, "language": default.language,
                        "languages": {language: draft.subject for language, draft in drafts.items()}},
                        store=store.id)
                    out.write(f"store {store.id}: the notice is hidden in every language "
                              f"({', '.join(drafts)}); no storefront links to it\n")
                else:
                    urls = await verify_published(browser, store, drafts, options)
                    register.append(incident.id, NOTICE_PUBLISHED, {
                        **default.record(), "url": urls[default.language],
                        "languages": {language: {**draft.record(), "url": urls[language]}
                                      for language, draft in drafts.items()}}, store=store.id)
                    for language, url in urls.items():
                        label = f" [{language}]" if len(urls) > 1 else ""
                        out.write(f"store {store.id}{label}: the notice is public at {url}\n")
            except EcomPrivacyError as exc:
                out.write(f"store {store.id}: error: {redactor(str(exc))}\n")
                code = EXIT_ERROR
            except Exception as exc:  # one store's browser failure must not stop the others
                out.write(f"store {store.id}: error: {redactor(str(as_typed_error(exc)))}\n")
                code = EXIT_ERROR
    return code


def cmd_publish(args: argparse.Namespace, out: TextIO, redactor: Redactor) -> int:
    register = open_register(args, redactor)
    incident = register.incident(args.incident)
    fleet = read_fleet(args.config)
    stores = _stores(fleet, args.store)
    for store in stores:
        incident.store(store.id)
    env = load_environment(args.env_file)
    for secret in fleet_secrets(fleet.stores, env):  # no notice may carry any store's secret
        redactor.add(secret)
    artifacts = RunArtifacts.create(args.artifacts_dir, redactor, now=args.clock.now())
    code = run_command(_publish(args, register, incident, fleet, stores, env, artifacts, redactor, out))
    out.write(f"backups of replaced pages, if any: {artifacts.root / 'backups'}\n" if args.apply else
              ("plan only: nothing changed; run again with --apply\n" if code == EXIT_CHANGES else ""))
    return code
