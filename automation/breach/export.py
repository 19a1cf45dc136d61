"""The whole register as CSV (one row per incident and store), JSON (everything, events included) and a
printable HTML page. Incidents never notified are in it like the others: Art. 33(5) wants every breach."""

from __future__ import annotations

import contextlib
import csv
import io
import json
from collections.abc import Callable
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

from jinja2 import select_autoescape
from jinja2.sandbox import SandboxedEnvironment

from automation.breach.deadlines import as_utc, format_duration, show, zone_name
from automation.breach.facts import facts_json, shown_fact
from automation.breach.register import Incident, Register

CSV_COLUMNS = ("incident", "title", "store", "status", "discovered_at_utc", "discovered_by", "deadline_utc",
               "nature", "people_categories", "people_count", "record_categories", "records_count",
               "consequences", "measures_taken", "measures_proposed", "contact", "risk", "risk_reasons",
               "authority", "authority_late", "delay_reasons", "customers", "public_notice")


def _iso(value: Any) -> str:
    return value.isoformat() if isinstance(value, datetime) else ("" if value is None else str(value))


Shown = Callable[[Any], str]


def _when(value: Any, shown: Shown) -> str:
    """A recorded time (ISO text or datetime) through `shown`: UTC ISO in files, the user's zone on screen."""
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            value = datetime.fromisoformat(value)
    return shown(value)


def authority_summary(incident: Incident, store: str, shown: Shown = _iso) -> str:
    state = incident.stores[store]
    if state.authority_notifications:
        return "; ".join(f"notified ({n.get('phase')}) at {_when(n.get('at'), shown)}"
                         + (f", reference {n['reference']}" if n.get("reference") else "")
                         for n in state.authority_notifications)
    if state.authority_not_required:
        return f"not required: {state.authority_not_required.get('reason')}"
    if incident.assessment and incident.assessment.get("risk") == "none":
        return "not required: assessed as no risk"
    return "no decision"


def authority_late(incident: Incident, store: str, now: datetime) -> str:
    """Whether the authority was (or is being) notified after the 72-hour deadline: "yes, ... after the
    deadline" for a first notification made late, "overdue, ..." for no decision past it, "no" for a first
    notification in time, "" when notifying was judged not required or the deadline is still to come."""
    state = incident.stores[store]
    if state.authority_notifications:
        first = _when(state.authority_notifications[0].get("at"), lambda moment: moment)
        if not isinstance(first, datetime):
            return ""
        late = as_utc(first) - incident.deadline
        return f"yes, {format_duration(late)} after the deadline" if late.total_seconds() > 0 else "no"
    if incident.authority_decided(store) or not incident.is_open:
        return ""
    overdue = as_utc(now) - incident.deadline
    return f"overdue, no decision {format_duration(overdue)} after the deadline" if overdue.total_seconds() > 0 else ""


def is_late(lateness: str) -> bool:
    """An `authority_late` value that flags the store: notified late, or overdue without a decision."""
    return lateness.startswith(("yes", "overdue"))


def store_count(value: Any, store: str) -> str:
    """A per-store number as the register shows it for `store` (one number: the incident's)."""
    return _iso(value.get(store)) if isinstance(value, dict) else _iso(value)


def customers_summary(incident: Incident, store: str, shown: Shown = _iso) -> str:
    state = incident.stores[store]
    parts = []
    if state.subjects_decision:
        parts.append(f"decision {state.subjects_decision.get('decision')}: {state.subjects_decision.get('reason')}")
    for run in state.customers_notified:
        parts.append(f"{run.get('sent_total')} sent by {_when(run.get('recorded_at'), shown)}"
                     + (f", {len(run['uncertain'])} uncertain" if run.get("uncertain") else ""))
    return "; ".join(parts) or "none"


def notice_summary(incident: Incident, store: str, shown: Shown = _iso) -> str:
    notice = incident.stores[store].notice
    if notice is None:
        return "none"
    languages = notice.get("languages") or {}
    urls = [f"{language} {text['url']}" for language, text in languages.items() if isinstance(text, dict)]
    where = ", ".join(urls) if len(urls) > 1 else notice.get("url", "")  # one language: its address as before
    return f"{notice['state']} {_when(notice.get('recorded_at'), shown)} {where}".strip()


def incident_json(incident: Incident, register: Register, now: datetime) -> dict[str, Any]:
    return {
        "id": incident.id, "created_at": _iso(incident.created_at), "created_by": incident.created_by,
        "status": "open" if incident.is_open else "closed", "deadline": _iso(incident.deadline),
        "facts": facts_json(incident.facts), "assessment": _jsonable(incident.assessment),
        "stores": {store: {"authority": authority_summary(incident, store),
                           "authority_late": authority_late(incident, store, now),
                           "customers": customers_summary(incident, store),
                           "public_notice": notice_summary(incident, store)} for store in incident.stores},
        "deliveries": [{"store": store, "email": d.email, "language": d.language, "attempt": d.attempt,
                        "state": d.state, "at": _iso(d.at), "detail": d.detail}
                       for store, d in register.all_deliveries(incident.id)],
        "events": [{"at": _iso(e.at), "actor": e.actor, "kind": e.kind, "store": e.store, "data": e.data}
                   for e in incident.events],
    }


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=_iso)) if value is not None else None


def register_csv(incidents: list[Incident], now: datetime) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    for incident in incidents:
        f = incident.facts
        for store in incident.stores:
            writer.writerow({
                "incident": incident.id, "title": f.title, "store": store,
                "status": "open" if incident.is_open else "closed", "discovered_at_utc": _iso(f.discovered_at),
                "discovered_by": f.discovered_by, "deadline_utc": _iso(incident.deadline),
                "nature": shown_fact(f.nature), "people_categories": shown_fact(f.people_categories),
                "people_count": store_count(f.people_count, store),
                "record_categories": shown_fact(f.record_categories),
                "records_count": store_count(f.records_count, store),
                "consequences": shown_fact(f.consequences), "measures_taken": shown_fact(f.measures_taken),
                "measures_proposed": shown_fact(f.measures_proposed),
                "contact": ", ".join(shown_fact(x) for x in (f.contact_name, f.contact_role, f.contact_email,
                                                             f.contact_phone) if x),
                "risk": (incident.assessment or {}).get("risk", "not assessed"),
                "risk_reasons": "; ".join((incident.assessment or {}).get("reasons", [])),
                "authority": authority_summary(incident, store),
                "authority_late": authority_late(incident, store, now), "delay_reasons": shown_fact(f.delay_reasons),
                "customers": customers_summary(incident, store),
                "public_notice": notice_summary(incident, store),
            })
    return buffer.getvalue()


#: the printable page; shipped with the tool (not a message template, so not looked up in --templates)
HTML_TEMPLATE = Path(__file__).with_name("templates") / "register.html.j2"


def register_html(incidents: list[Incident], tz: tzinfo, now: datetime) -> str:
    env = SandboxedEnvironment(autoescape=select_autoescape(default=True, default_for_string=True))
    return env.from_string(HTML_TEMPLATE.read_text(encoding="utf-8")).render(
        incidents=incidents, zone=zone_name(tz), exported=show(now, tz), show=lambda moment: show(moment, tz),
        authority=lambda i, s: authority_summary(i, s, lambda m: show(m, tz)),
        late=lambda i, s: authority_late(i, s, now), is_late=is_late, fact=shown_fact, count=store_count,
        customers=lambda i, s: customers_summary(i, s, lambda m: show(m, tz)),
        notice=lambda i, s: notice_summary(i, s, lambda m: show(m, tz)))


def write_export(register: Register, out: Path, tz: tzinfo, now: datetime) -> list[Path]:
    incidents = register.incidents()
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / "breach-register.csv", out / "breach-register.json", out / "breach-register.html"]
    paths[0].write_text(register_csv(incidents, now), encoding="utf-8")
    document = {"exported_at": _iso(now), "incidents": [incident_json(i, register, now) for i in incidents]}
    paths[1].write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    paths[2].write_text(register_html(incidents, tz, now), encoding="utf-8")
    for path in paths:
        path.chmod(0o600)  # incident facts and the addresses of people notified
    return paths
