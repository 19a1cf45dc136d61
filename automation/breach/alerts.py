"""`breach_deadline` alerts: the breach register's deadline problems, through the same machinery as a run's.

The problems are exactly what `ecom-privacy breach check` flags (automation/breach/check.py), one per
incident and store, so the alert and the check never disagree. Read at the end of every recorded run whose
fleet asks for `breach_deadline`, and by `breach check -c FLEET` (a cron line of its own).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, tzinfo
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from automation.access.secrets import load_environment
from automation.alerts.dispatch import deliver
from automation.alerts.layout import alert_context
from automation.alerts.problems import RunFindings
from automation.breach.check import DeadlineFlag, deadline_flags
from automation.breach.deadlines import AUTHORITY_HOURS, WARN_HOURS, as_utc, show, time_left, zone
from automation.breach.register import Incident, Register
from automation.fleet.composition import read_fleet
from automation.fleet.model import Fleet
from automation.fleet.notify import EventKind, NotifyConfig
from automation.outputs.logs import get_logger
from automation.redaction.addresses import EMAIL
from automation.redaction.redactor import Redactor
from ecom_privacy.errors import EcomPrivacyError

KIND = EventKind.BREACH_DEADLINE
TITLE_CHARS = 80


def _subject(incident: Incident) -> str:
    return f"incident {incident.id}"


def _message(flag: DeadlineFlag, now: datetime, tz: tzinfo) -> str:
    incident = flag.incident
    # The title is the user's own words: addresses are masked all the same (alerts go to chat rooms).
    title = EMAIL.sub("<address>", incident.facts.title.replace("\n", " "))[:TITLE_CHARS]
    return (f"{time_left(flag.deadline, now)}: {title!r}: no decision on notifying the supervisory authority; "
            f"authority deadline ({AUTHORITY_HOURS} h after discovery) {show(flag.deadline, tz)}. Record it: "
            f"ecom-privacy breach update {incident.id} --store {flag.store} --authority-notified WHEN "
            f"(or --authority-not-required REASON)")


def _cleared_reason(incident: Incident, store: str) -> str:
    if not incident.is_open:
        return "incident closed"
    if incident.authority_decided(store):
        return "authority decision recorded"
    return "deadline no longer within the warning window (discovery time corrected, or a shorter window)"


def breach_findings(engine: Engine, now: datetime, tz: tzinfo, warn_hours: float = WARN_HOURS) -> RunFindings:
    """The register's deadline problems now; the register was read whole, so any other one has cleared."""
    now = as_utc(now)
    incidents = Register(engine).incidents()
    found = RunFindings(breach_checked=True)
    for flag in deadline_flags(incidents, now, warn_hours):
        found.problems[(KIND, flag.store, _subject(flag.incident))] = _message(flag, now, tz)
    for incident in incidents:
        for store in incident.stores:
            key = (KIND, store, _subject(incident))
            if key not in found.problems:
                found.cleared_reasons[key] = _cleared_reason(incident, store)
    return found


def breach_findings_after_run(engine: Engine | None, config: NotifyConfig, now: datetime) -> RunFindings | None:
    """For the end of a run: the register's problems when the fleet asks for them; None when not (or unreadable)."""
    if engine is None or KIND not in config.events:
        return None
    try:
        return breach_findings(engine, now, zone(config.timezone, as_utc(now)), config.breach_warn_hours)
    except (SQLAlchemyError, EcomPrivacyError) as exc:
        get_logger().warning("breach deadlines not checked for alerts: the register cannot be read",
                             error=str(exc).splitlines()[0], hint="run 'ecom-privacy breach check'")
        return None


def check_notify(config_path: Path) -> Fleet | None:
    """`breach check -c FLEET`: the fleet (its notify key, its groups) when it asks for breach_deadline; else None,
    said once (the check itself goes on as without -c: its exit code is what cron relies on)."""
    log = get_logger()
    try:
        fleet = read_fleet(config_path)
        config = fleet.notify
    except EcomPrivacyError as exc:
        log.warning("breach alerts not sent: the fleet file cannot be read", error=str(exc))
        return None
    if config is None or KIND not in config.events:
        log.warning(f"breach alerts not sent: {config_path} has no notify key with {KIND} in notify.events",
                    hint=f"add notify: {{urls_env: [NAME], events: [{KIND}]}} to the fleet file, or drop -c")
        return None
    return fleet


def alert_breach_check(engine: Engine, fleet: Fleet, env_file: Path | None, warn_hours: float,
                       tz_name: str | None, redactor: Redactor, now: datetime) -> bool:
    """`breach check -c FLEET`: send the breach_deadline alerts (and the daily digest when due); True when an
    alert was delivered. Never raises for an unset URL, a target that is down, an unreadable .env or a database
    error (logged: the exit code stands)."""
    config = fleet.notify
    assert config is not None  # check_notify returns only a fleet with a notify key
    try:
        env: Mapping[str, str] = load_environment(env_file)
        tz = zone(tz_name or config.timezone, as_utc(now))
        found = breach_findings(engine, now, tz, warn_hours)
        return deliver(engine, found, "breach check", "", config, env, redactor, as_utc(now).replace(tzinfo=None),
                       alert_context(fleet, config, tz))
    except (SQLAlchemyError, EcomPrivacyError) as exc:
        get_logger().warning("breach alerts not sent", error=redactor(str(exc).splitlines()[0]),
                             hint="the check's result above stands; the alert is sent by the next check")
        return False
