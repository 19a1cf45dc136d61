"""The whole register as CSV (one row per incident and store), JSON (everything, events included) and a
printable HTML page. Incidents never notified are in it like the others: Art. 33(5) wants every breach."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

from jinja2 import select_autoescape
from jinja2.sandbox import SandboxedEnvironment

from automation.breach.deadlines import as_utc, format_duration, show, zone_name
from automation.breach.deliveries import last_sent, standing_counts
from automation.breach.facts import facts_json, shown_fact
from automation.breach.register import Incident, Register
from automation.outputs.files import csv_text, make_folder, write_text

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
    """The decision on informing people, and how far the emails got: counted from the delivery rows (committed
    one step at a time), so a run killed before it wrote its summary still shows everyone it sent to."""
    state = incident.stores[store]
    parts = []
    if state.subjects_decision:
        parts.append(f"decision {state.subjects_decision.get('decision')}: {state.subjects_decision.get('reason')}")
    counts = standing_counts(state.deliveries)
    if counts:
        sent = f"{counts['sent']} sent" + (f", the last at {_when(last_sent(state.deliveries), shown)}"
                                          if counts["sent"] else "")
        parts.append(", ".join([sent] + [f"{counts[kind]} {kind}" for kind in ("uncertain", "failed")
                                         if counts[kind]]))
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
    """One row per incident and store; every cell guarded against spreadsheet formulas (titles and facts are
    typed by people, names come from public forms)."""
    rows = []
    for incident in incidents:
        f = incident.facts
        for store in incident.stores:
            rows.append({
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
    return csv_text(CSV_COLUMNS, [[row[column] for column in CSV_COLUMNS] for row in rows])


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
    """The three files through the one writer: 0600 (incident facts and the addresses of people notified),
    never through a link planted at one of their names, never half written."""
    incidents = register.incidents()
    make_folder(out)
    document = {"exported_at": _iso(now), "incidents": [incident_json(i, register, now) for i in incidents]}
    return [write_text(out / "breach-register.csv", register_csv(incidents, now)),
            write_text(out / "breach-register.json", json.dumps(document, indent=2, ensure_ascii=False) + "\n"),
            write_text(out / "breach-register.html", register_html(incidents, tz, now))]
