"""After a run: find its problems, keep the open ones in the database, send what is new or cleared, and the
daily digest when it is due."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime

from sqlalchemy import Engine

from automation.alerts.digest import claim_digest, compose_digest, digest_due, release_digest
from automation.alerts.layout import AlertContext
from automation.alerts.message import compose
from automation.alerts.problems import RunFindings, findings
from automation.alerts.send import send
from automation.alerts.state import Notice, Pending, mark_sent, reconcile
from automation.fleet.notify import EventKind, NotifyConfig, notify_urls
from automation.outputs.logs import get_logger
from automation.redaction.redactor import Redactor
from ecom_privacy.models import RunDocument


def _without_state(found: RunFindings, kinds: list[EventKind], run_dir: str, now: datetime) -> Pending:
    """With the database unreachable nothing can be deduplicated: say this run's problems, marked as such."""
    pending = Pending()
    pending.opened = [Notice(kind, store, subject, message, run_dir, now)
                      for (kind, store, subject), message in found.problems.items() if kind in kinds]
    return pending


def alert_after_run(engine: Engine | None, document: RunDocument, run_dir: str, config: NotifyConfig,
                    env: Mapping[str, str], redactor: Redactor, now: datetime,
                    also: RunFindings | None = None, context: AlertContext | None = None) -> bool:
    """True when a message was delivered. Never raises for a target that is down: that is logged.

    `also` adds problems found elsewhere at the end of the run (the breach register's deadlines); `context`
    gives the stores' client headings and the readers' zone (without it: no headings, UTC).
    """
    found = findings(document)
    if also is not None:
        found.merge(also)
    return deliver(engine, found, document.kind.value, run_dir, config, env, redactor, now, context)


def deliver(engine: Engine | None, found: RunFindings, source: str, run_dir: str, config: NotifyConfig,
            env: Mapping[str, str], redactor: Redactor, now: datetime, context: AlertContext | None = None) -> bool:
    """Reconcile `found` with the open problems and send what started or cleared; True when delivered. Then
    send the day's digest when it is due (its own message; see automation/alerts/digest.py).

    `source` names what found the problems in the title ("plan", "breach check"); `run_dir` may be "".
    """
    log = get_logger()
    context = context or AlertContext()
    urls, missing = notify_urls(config, env)
    for url in urls:
        redactor.add(url)  # a URL holds its service's token
    kinds = list(config.events)
    if engine is None:
        pending = _without_state(found, kinds, run_dir, now)
    else:
        pending = reconcile(engine, found, kinds, run_dir, now)
    if pending and missing:
        log.warning("alert variables not set", variables=missing,
                    hint="set them in the environment or .env (fleet file: notify.urls_env)")
    if not urls:
        if pending:
            log.warning("alert not sent: no alert URL is set; it stays pending for the next run")
        return False
    delivered = _announce(engine, pending, source, run_dir, config, urls, redactor, context) if pending else False
    if engine is not None:
        _digest(engine, config, urls, redactor, context, now)
    return delivered


def _announce(engine: Engine | None, pending: Pending, source: str, run_dir: str, config: NotifyConfig,
              urls: list[str], redactor: Redactor, context: AlertContext) -> bool:
    log = get_logger()
    message = compose(pending, source, run_dir, config, context)
    if engine is None:
        message = replace(message, title=message.title + " (history database unreachable: not deduplicated)")
    delivered, problems = send(urls, message, redactor)
    for problem in problems:
        log.warning("alert problem", detail=problem)
    if not delivered:
        log.warning("alert not sent" + ("; it will be sent with the next run's alerts" if engine is not None else ""))
        return False
    if engine is not None:
        mark_sent(engine, pending)
    log.info("alert sent", new=len(pending.opened), cleared=len(pending.cleared), corrected=len(pending.corrected),
             started_and_cleared=len(pending.passed))
    return True


def _digest(engine: Engine, config: NotifyConfig, urls: list[str], redactor: Redactor, context: AlertContext,
            now: datetime) -> None:
    log = get_logger()
    due = digest_due(engine, config, context, now)
    if due is None:
        return
    day, notices = due
    if not claim_digest(engine, day, now, len(notices)):
        return  # another run or check sent it a moment ago
    delivered, problems = send(urls, compose_digest(notices, day, config, context, now), redactor)
    for problem in problems:
        log.warning("alert problem", detail=problem)
    if not delivered:
        release_digest(engine, day)
        log.warning("digest not sent; the next run or breach check tries again", day=day)
        return
    log.info("digest sent", day=day, problems=len(notices))
