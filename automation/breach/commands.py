"""Handlers of the register commands: new, list, show, update, assess, export, check, draft."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any, TextIO

from automation.breach import assessment
from automation.breach.check import deadline_flags, undecided_stores
from automation.breach.deadlines import WARN_HOURS, Urgency, parse_moment, show, time_left, urgency, zone, zone_name
from automation.breach.drafts import render, store_info, template_dir
from automation.breach.export import (
    authority_late,
    authority_summary,
    customers_summary,
    incident_json,
    is_late,
    notice_summary,
    write_export,
)
from automation.breach.facts import (
    FACT_HELP,
    STORE_FACTS,
    build_facts,
    counts_of,
    merged_changes,
    normalise,
    read_facts_file,
    shown_fact,
    stale_languages,
    updated_facts,
)
from automation.breach.register import (
    ASSESSED,
    AUTHORITY_NOT_REQUIRED,
    AUTHORITY_NOTIFIED,
    CLOSED,
    DRAFT,
    FACTS,
    NOTE,
    REOPENED,
    SUBJECTS_DECISION,
    Incident,
    Register,
    whole_second,
)
from automation.db import db_url_secrets, open_database
from automation.fleet.composition import read_fleet
from automation.fleet.model import StoreConfig
from automation.home.places import paths_of
from automation.outputs.files import make_folder, write_text
from automation.redaction.redactor import Redactor
from ecom_privacy.errors import ConfigError
from ecom_privacy.terminal_text import json_for_terminal

EXIT_OK, EXIT_ERROR, EXIT_CHANGES = 0, 1, 2


def open_register(args: argparse.Namespace, redactor: Redactor) -> Register:
    url = paths_of(args).db_url
    # A password in the URL (or in sslpassword=) never reaches output or logs; an unparseable URL is reported
    # by open_database.
    for secret in db_url_secrets(url):
        redactor.add(secret)
    return Register(open_database(url), actor=args.actor, clock=args.clock)


def _now(args: argparse.Namespace) -> datetime:
    """The command's now, to the second: the CLI's clock (ecom_privacy/clock.py), never the system's directly."""
    return whole_second(args.clock)


def _tz(args: argparse.Namespace) -> tzinfo:
    return zone(args.tz, _now(args))


def _fact_flags(args: argparse.Namespace) -> dict[str, Any]:
    values = {key: getattr(args, f"fact_{key}", None) for key in FACT_HELP}
    values = {key: value for key, value in values.items() if value not in (None, [])}
    for key in STORE_FACTS:  # `--people-count 400`, or `--people-count shop-nl=400 --people-count shop-en=300`
        if key in values:
            values[key] = counts_of("--" + key.replace("_", "-"), values[key])
    return values


def cmd_new(args: argparse.Namespace, out: TextIO, redactor: Redactor) -> int:
    tz = _tz(args)
    where = str(args.file) if args.file else "breach new"
    raw = read_facts_file(args.file) if args.file else {}
    raw.update(_fact_flags(args))
    missing = [key for key in ("title", "stores", "discovered_at", "discovered_by") if not raw.get(key)]
    if missing:
        flag = "--store" if missing[0] == "stores" else "--" + missing[0].replace("_", "-")
        raise ConfigError(f"{where}: the fact {missing[0]!r} ({FACT_HELP[missing[0]]}) is required; give {flag} "
                          f"or put it in the --file YAML")
    facts = build_facts(raw, tz, where, _now(args))
    register = open_register(args, redactor)
    incident_id = register.new(facts)
    incident = register.incident(incident_id)
    out.write(f"incident {incident_id} registered: {facts.title!r}; stores: {', '.join(facts.stores)}\n"
              f"  discovered {show(facts.discovered_at, tz)}\n"
              f"  authority deadline {show(incident.deadline, tz)} ({time_left(incident.deadline, _now(args))})\n"
              f"  next: ecom-privacy breach assess {incident_id}\n")
    return EXIT_OK


def _pending(incident: Incident) -> list[str]:
    return undecided_stores(incident)


def _sort_key(incident: Incident, now: datetime) -> tuple[int, datetime]:
    if not _pending(incident):
        return (3, incident.deadline)
    rank = {Urgency.OVERDUE: 0, Urgency.DUE_SOON: 1, Urgency.OPEN: 2}[urgency(incident.deadline, now)]
    return (rank, incident.deadline)


def cmd_list(args: argparse.Namespace, out: TextIO, redactor: Redactor) -> int:
    tz, now = _tz(args), _now(args)
    register = open_register(args, redactor)
    incidents = [i for i in register.incidents() if args.all or i.is_open]
    incidents.sort(key=lambda i: _sort_key(i, now))
    if args.format == "json":
        rows = [{"id": i.id, "title": i.facts.title, "status": "open" if i.is_open else "closed",
                 "stores": list(i.stores), "deadline": i.deadline.isoformat(),
                 "urgency": urgency(i.deadline, now).value if _pending(i) else "decided",
                 "undecided_stores": _pending(i), "risk": (i.assessment or {}).get("risk")} for i in incidents]
        out.write(json.dumps(rows, indent=2) + "\n")
        return EXIT_OK
    if not incidents:
        out.write("no open incidents\n" if not args.all else "the register is empty\n")
        return EXIT_OK
    out.write(f"times in {zone_name(tz)}\n")
    for i in incidents:
        pending = _pending(i)
        clock = (f"{time_left(i.deadline, now)}, no authority decision for {', '.join(pending)}" if pending
                 else "authority decision recorded for every store")
        out.write(f"#{i.id} {i.facts.title!r} [{'open' if i.is_open else 'closed'}] "
                  f"risk: {(i.assessment or {}).get('risk', 'not assessed')}\n"
                  f"    stores: {', '.join(i.stores)}; deadline {show(i.deadline, tz)}: {clock}\n")
    return EXIT_OK


def cmd_show(args: argparse.Namespace, out: TextIO, redactor: Redactor) -> int:
    tz, now = _tz(args), _now(args)
    register = open_register(args, redactor)
    incident = register.incident(args.incident)
    if args.format == "json":
        out.write(json_for_terminal(json.dumps(incident_json(incident, register, now), indent=2,
                                               ensure_ascii=False)) + "\n")
        return EXIT_OK
    f = incident.facts
    lines = [f"incident {incident.id}: {f.title} [{'open' if incident.is_open else 'closed'}]",
             f"  discovered: {show(f.discovered_at, tz)} ({f.discovered_by}"
             f"{', ' + f.reported_by if f.reported_by else ''})",
             f"  authority deadline: {show(incident.deadline, tz)} ({time_left(incident.deadline, now)})"]
    for key in FACT_HELP:
        if key in ("title", "discovered_at", "discovered_by", "reported_by"):
            continue
        value = getattr(f, key)
        value = show(value, tz) if isinstance(value, datetime) else shown_fact(value)
        lines.append(f"  {key}: {value or '-'}")
    if incident.assessment:
        lines.append(f"  risk: {incident.assessment['risk']} ({'; '.join(incident.assessment['reasons'])}), "
                     f"assessed {show(incident.assessment['at'], tz)} by {incident.assessment['by']}")
    else:
        lines.append(f"  risk: not assessed (ecom-privacy breach assess {incident.id})")
    def local(moment: object) -> str:
        return show(moment, tz) if isinstance(moment, datetime) else str(moment)

    for store in incident.stores:
        lines.append(f"  store {store}:")
        late = authority_late(incident, store, now)
        lines.append(f"    authority: {authority_summary(incident, store, local)}"
                     + (f" [LATE: {late}]" if is_late(late) else ""))
        lines.append(f"    people affected: {customers_summary(incident, store, local)}")
        lines.append(f"    public notice: {notice_summary(incident, store, local)}")
    lines.append(f"  history (times in {zone_name(tz)}):")
    for event in incident.events:
        about = f" [{event.store}]" if event.store else ""
        lines.append(f"    {show(event.at, tz)}  {event.actor}  {event.kind}{about}  {_brief(event.data)}")
    out.write("\n".join(lines) + "\n")
    return EXIT_OK


def _brief(data: dict[str, Any]) -> str:
    shown = {k: v for k, v in data.items() if k not in ("html", "csv", "recipients", "answers")}
    text = json.dumps(shown, ensure_ascii=False, default=str)
    return text if len(text) <= 160 else text[:157] + "..."


def cmd_update(args: argparse.Namespace, out: TextIO, redactor: Redactor) -> int:
    tz = _tz(args)
    register = open_register(args, redactor)
    incident = register.incident(args.incident)
    where = f"breach update {incident.id}"
    raw = read_facts_file(args.file) if args.file else {}
    raw.update(_fact_flags(args))
    if args.add_store:
        raw["stores"] = list(dict.fromkeys([*incident.facts.stores, *args.add_store]))
    changes = merged_changes(incident.facts, normalise(raw, tz, str(args.file) if args.file else where, _now(args)),
                             where)
    current = incident.facts.model_dump()
    changes = {k: v for k, v in changes.items() if current.get(k) != v}
    facts = updated_facts(incident.facts, changes, where)  # validates before anything is written
    stores = args.store or list(incident.stores)
    for store in stores:
        incident.store(store)  # an unknown store is an error before anything is written
    if args.authority_reference and not args.authority_notified:
        raise ConfigError(f"{where}: --authority-reference goes with --authority-notified WHEN")
    if args.subjects in ("public", "not-required") and not args.reason:
        raise ConfigError(f"{where}: --subjects {args.subjects} needs --reason (why; it goes into the register)")
    notified_at = parse_moment(args.authority_notified, tz, "--authority-notified", now=_now(args)) \
        if args.authority_notified else None
    if notified_at is not None and notified_at > incident.deadline and not facts.delay_reasons and not any(
            incident.stores[s].authority_notifications for s in stores):
        raise ConfigError(f"{where}: the authority was notified after the 72-hour deadline "
                          f"({show(incident.deadline, tz)}): record the reasons for the delay with --delay-reasons "
                          f"(Art. 33(1))")
    planned: list[tuple[str, dict[str, Any], str | None]] = []
    if changes:
        planned.append((FACTS, {k: v.isoformat() if isinstance(v, datetime) else v for k, v in changes.items()},
                        None))
    for store in stores:
        if notified_at is not None:
            planned.append((AUTHORITY_NOTIFIED, {"at": notified_at.isoformat(),
                                                 "reference": args.authority_reference}, store))
        if args.authority_not_required:
            planned.append((AUTHORITY_NOT_REQUIRED, {"reason": args.authority_not_required}, store))
        if args.subjects:
            planned.append((SUBJECTS_DECISION, {"decision": args.subjects, "reason": args.reason}, store))
    if args.note:
        planned.append((NOTE, {"text": args.note}, None))
    if args.close:
        planned.append((CLOSED, {"reason": args.close}, None))
    if args.reopen:
        planned.append((REOPENED, {}, None))
    if not planned:
        raise ConfigError(f"{where}: nothing to record: no fact differs and no decision was given "
                          f"(see 'ecom-privacy breach update --help')")
    for kind, data, store in planned:
        register.append(incident.id, kind, data, store=store)
    for kind, data, store in planned:
        out.write(f"incident {incident.id}: recorded {kind}{' [' + store + ']' if store else ''}: {_brief(data)}\n")
    for note in stale_languages(incident.facts, facts):
        out.write(f"note: {note}; update it too (a facts file with the text per language, --file)\n")
    return EXIT_OK


def cmd_assess(args: argparse.Namespace, out: TextIO, redactor: Redactor) -> int:
    register = open_register(args, redactor)
    incident = register.incident(args.incident)
    answers = assessment.answers_from(args.answer, args.answers)
    if assessment.needed(answers) and sys.stdin.isatty():
        answers = assessment.ask(answers, lambda q: _prompt(q, out))
    result = assessment.assess(answers)
    register.append(incident.id, ASSESSED, result)
    out.write(f"incident {incident.id}: {assessment.OUTCOME_TEXT[result['risk']]}\n")
    for reason in result["reasons"]:
        out.write(f"  - {reason}\n")
    return EXIT_OK


def _prompt(question: assessment.Question, out: TextIO) -> bool:
    while True:
        out.write(f"{question.text} [yes/no] ")
        out.flush()
        line = sys.stdin.readline()
        if not line:
            raise ConfigError(f"assessment stopped before {question.key!r} was answered; nothing was recorded")
        try:
            return assessment.parse_answer(question.key, line, "answer")
        except ConfigError:
            out.write("please answer yes or no\n")


def cmd_export(args: argparse.Namespace, out: TextIO, redactor: Redactor) -> int:
    register = open_register(args, redactor)
    paths = write_export(register, args.out, _tz(args), _now(args))
    for path in paths:
        out.write(f"{path}\n")
    return EXIT_OK


def cmd_check(args: argparse.Namespace, out: TextIO, redactor: Redactor) -> int:
    tz, now = _tz(args), _now(args)
    register = open_register(args, redactor)
    alerting = None
    if args.config is not None:  # alerts for cron: `breach check -c FLEET` with the fleet's notify key
        from automation.breach.alerts import alert_breach_check, check_notify

        alerting = check_notify(args.config)
    notify = alerting.notify if alerting is not None else None
    warn_hours = args.warn_hours if args.warn_hours is not None else (
        notify.breach_warn_hours if notify is not None else WARN_HOURS)
    notes = []
    open_incidents = [i for i in register.incidents() if i.is_open]
    flags = deadline_flags(open_incidents, now, warn_hours)
    problems = [f"incident {flag.incident.id} store {flag.store}: {flag.urgency.value}: no decision on notifying the "
                f"authority; deadline {show(flag.deadline, tz)} ({time_left(flag.deadline, now)})" for flag in flags]
    for incident in open_incidents:
        if (incident.assessment or {}).get("risk") == "high":
            for store, store_state in incident.stores.items():
                if store_state.subjects_decision is None:
                    notes.append(f"incident {incident.id} store {store}: high risk and no decision yet on informing "
                                 f"the people affected (without undue delay)")
    for line in problems + notes:
        out.write(line + "\n")
    if alerting is not None:
        alert_breach_check(register.engine, alerting, args.env_file, warn_hours, args.tz, redactor, now)
    if problems:
        return EXIT_ERROR
    out.write(f"ok: {len(open_incidents)} open incident(s); no deadline within {warn_hours:g} hours without a "
              f"decision\n")
    return EXIT_OK


def fleet_store(config: Path, store_id: str) -> StoreConfig:
    fleet = read_fleet(config)
    for store in fleet.stores:
        if store.id == store_id:
            return store
    raise ConfigError(f"{config}: no store {store_id!r} in the fleet file; the breach commands take each store's "
                      f"name, address and language from it")


def cmd_draft(args: argparse.Namespace, out: TextIO, redactor: Redactor) -> int:
    tz, now = _tz(args), _now(args)
    register = open_register(args, redactor)
    incident = register.incident(args.incident)
    user_dir = template_dir(args.templates)
    stores = args.store or list(incident.stores)
    rendered = []
    for store_id in stores:
        incident.store(store_id)
        store = fleet_store(args.config, store_id)
        # People read the shop's languages; the supervisory authority gets one letter, in the default language.
        languages = store.shop_languages if args.kind != "authority" else store.shop_languages[:1]
        for language in args.language or languages:
            rendered.append(render(incident, args.kind, store_info(store), language, tz, now, user_dir))
    folder = make_folder(args.out / f"incident-{incident.id}")
    for draft in rendered:
        base = folder / f"{draft.kind}-{draft.store}-{draft.language}"
        # The one writer: 0600 (drafts describe an incident that is not public yet), never through a link.
        write_text(base.with_suffix(".html"), draft.html)
        write_text(base.with_suffix(".txt"), f"Subject: {draft.subject}\n\n{draft.text}\n")
        register.append(incident.id, DRAFT, draft.record(), store=draft.store)
        out.write(f"{base}.html (and .txt): {draft.subject}\n")
    return EXIT_OK


