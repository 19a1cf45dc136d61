"""What the end of every plan, apply and verify calls: record the run, then send the alerts it calls for.

Neither may fail the run: an unreachable database is said once (with how to fill the gap later), an
alert that cannot be delivered is logged. Both only ever add a warning to a run's log.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from automation.access.secrets import load_environment
from automation.alerts.dispatch import alert_after_run
from automation.alerts.layout import alert_context
from automation.breach.alerts import breach_findings_after_run
from automation.breach.deadlines import zone
from automation.db import DatabaseError, open_database, redact_db_url
from automation.fleet.model import Fleet
from automation.history.recorder import record_run, shard_of
from automation.home.places import paths_of
from automation.outputs.logs import get_logger
from automation.redaction.redactor import Redactor
from ecom_privacy.models import RunDocument


def _open(url: str) -> Engine | None:
    log = get_logger()
    try:
        return open_database(url)
    except DatabaseError as exc:
        log.warning("history not recorded: the database is unreachable; the run goes on", error=str(exc),
                    hint="record this run later with 'ecom-privacy history import RUNS_DIR'")
        return None


def record_after_run(args: argparse.Namespace, fleet: Fleet, run_dir: Path, document: RunDocument,
                     redactor: Redactor) -> None:
    """Record `document` (the run in `run_dir`) and alert on it, as `--db`/`--no-history` and the fleet ask
    (`fleet`: the fleet file as the run read it; its `notify:` section says who hears of what)."""
    if getattr(args, "no_history", False):
        return
    log = get_logger()
    url = paths_of(args).db_url
    engine = _open(url)
    try:
        if engine is not None:
            try:
                recorded = record_run(engine, document, run_dir, recorded_at=args.clock.now(), shard=shard_of(document),
                                      redact=redactor)
                log.debug("history recorded" if recorded else "history: run already recorded",
                          database=redact_db_url(url))
            except SQLAlchemyError as exc:
                log.warning("history not recorded: the database refused the run; the run goes on",
                            error=redactor(str(exc).splitlines()[0]),
                            hint="record this run later with 'ecom-privacy history import RUNS_DIR'")
                engine.dispose()
                engine = None
        _alert(args, fleet, run_dir, document, redactor, engine)
    except Exception as exc:  # the run's outcome is already decided and written: nothing here may change it
        log.warning("history or alerts failed; the run's result stands", error=redactor(str(exc)))
    finally:
        if engine is not None:
            engine.dispose()


def _alert(args: argparse.Namespace, fleet: Fleet, run_dir: Path, document: RunDocument, redactor: Redactor,
           engine: Engine | None) -> None:
    if fleet.notify is None:
        return
    env = load_environment(getattr(args, "env_file", None))
    now = args.clock.now().replace(tzinfo=None)  # the history and the alert state are naive UTC
    deadlines = breach_findings_after_run(engine, fleet.notify, now)  # the register shares the database
    context = alert_context(fleet, fleet.notify, zone(fleet.notify.timezone, args.clock.now()))
    alert_after_run(engine, document, str(run_dir.resolve()), fleet.notify, env, redactor, now, also=deadlines,
                    context=context)
