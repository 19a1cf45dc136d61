"""After a run: find its problems, keep the open ones in the database, and send what is new or cleared."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import Engine

from automation.alerts.message import compose
from automation.alerts.problems import RunFindings, findings
from automation.alerts.send import send
from automation.alerts.state import Notice, Pending, mark_sent, reconcile
from automation.fleet.notify import NotifyConfig, notify_urls
from automation.outputs.logs import get_logger
from automation.redaction.redactor import Redactor
from ecom_privacy.models import RunDocument


def _without_state(found: RunFindings, kinds: list[str], run_dir: str, now: datetime) -> Pending:
    """With the database unreachable nothing can be deduplicated: say this run's problems, marked as such."""
    pending = Pending()
    pending.opened = [Notice(kind, store, subject, message, run_dir, now)
                      for (kind, store, subject), message in found.problems.items() if kind in kinds]
    return pending


def alert_after_run(engine: Engine | None, document: RunDocument, run_dir: str, config: NotifyConfig,
                    env: Mapping[str, str], redactor: Redactor, now: datetime,
                    also: RunFindings | None = None) -> bool:
    """True when a message was delivered. Never raises for a target that is down: that is logged.

    `also` adds problems found elsewhere at the end of the run (the breach register's deadlines).
    """
    found = findings(document)
    if also is not None:
        found.merge(also)
    return deliver(engine, found, document.kind.value, run_dir, config, env, redactor, now)


def deliver(engine: Engine | None, found: RunFindings, source: str, run_dir: str, config: NotifyConfig,
            env: Mapping[str, str], redactor: Redactor, now: datetime) -> bool:
    """Reconcile `found` with the open problems and send what started or cleared; True when delivered.

    `source` names what found the problems in the title ("plan", "breach check"); `run_dir` may be "".
    """
    log = get_logger()
    urls, missing = notify_urls(config, env)
    for url in urls:
        redactor.add(url)  # a URL holds its service's token
    kinds = list(config.events)
    if engine is None:
        pending = _without_state(found, kinds, run_dir, now)
    else:
        pending = reconcile(engine, found, kinds, run_dir, now)
    if not pending:
        return False
    if missing:
        log.warning("alert variables not set", variables=missing,
                    hint="set them in the environment or .env (fleet file: notify.urls_env)")
    if not urls:
        log.warning("alert not sent: no alert URL is set; it stays pending for the next run")
        return False
    title, body = compose(pending, source, run_dir)
    if engine is None:
        title += " (history database unreachable: not deduplicated)"
    delivered, problems = send(urls, title, body, redactor)
    for problem in problems:
        log.warning("alert problem", detail=problem)
    if not delivered:
        log.warning("alert not sent" + ("; it will be sent with the next run's alerts" if engine is not None else ""))
        return False
    if engine is not None:
        mark_sent(engine, pending)
    log.info("alert sent", new=len(pending.opened), cleared=len(pending.cleared), corrected=len(pending.corrected))
    return True
