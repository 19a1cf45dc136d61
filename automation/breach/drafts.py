"""Notification drafts from Jinja2 templates (sandboxed, autoescaped HTML), per language.

Templates are looked up first in the user's folder (`--templates DIR` or `$ECOM_PRIVACY_BREACH_TEMPLATES`),
then in the ones shipped with the tool; copy a shipped file there to change the wording. Each template sets
`subject` (the email subject or the page title) and renders the body. A fact a message needs by law and the
incident lacks is an error naming the fact, never an empty line in a letter.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

from jinja2 import (
    ChoiceLoader,
    StrictUndefined,
    TemplateNotFound,
    TemplateSyntaxError,
    UndefinedError,
)
from jinja2.exceptions import SecurityError

from automation.breach.deadlines import AUTHORITY_HOURS, show
from automation.breach.facts import FACT_HELP
from automation.breach.letter_facts import FactGapError, letter_view
from automation.breach.register import Incident
from ecom_privacy.errors import ConfigError
from flows.content.html_text import page_text
from flows.content.sandbox import BudgetedSandbox, FolderLoader, render_bounded

TEMPLATES_ENV = "ECOM_PRIVACY_BREACH_TEMPLATES"
SHIPPED = Path(__file__).with_name("templates")
KINDS = ("authority", "customers", "notice")

#: facts each message must contain (Art. 33(3) for the authority; Art. 34(2) for people and the notice)
REQUIRED: dict[str, tuple[str, ...]] = {
    "authority": ("nature", "people_categories", "people_count", "record_categories", "records_count",
                  "contact_name", "consequences", "measures_taken"),
    "customers": ("nature", "contact_name", "consequences", "measures_taken"),
    "notice": ("nature", "contact_name", "consequences", "measures_taken"),
}


@dataclass(frozen=True)
class Draft:
    kind: str
    store: str
    language: str
    subject: str
    html: str
    template: str

    @property
    def text(self) -> str:
        return page_text(self.html)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.html.encode("utf-8")).hexdigest()

    def record(self) -> dict[str, Any]:
        """What the register keeps of a draft: all of it."""
        return {"kind": self.kind, "language": self.language, "subject": self.subject, "template": self.template,
                "sha256": self.sha256, "html": self.html}


def template_dir(option: Path | None) -> Path | None:
    value = option or (Path(os.environ[TEMPLATES_ENV]) if os.environ.get(TEMPLATES_ENV) else None)
    if value is not None and not value.is_dir():
        raise ConfigError(f"templates folder {value} does not exist (from --templates or ${TEMPLATES_ENV})")
    return value


def environment(user_dir: Path | None) -> BudgetedSandbox:
    """The one template sandbox (flows/content/sandbox.py): the user's folder, then the shipped one, and nothing
    else (no include of `.env`, no link out of the folder, bounded time and size). Autoescape everything:
    incident facts are typed by people and end up in HTML mail and a public page."""
    loaders = ([FolderLoader(user_dir)] if user_dir else []) + [FolderLoader(SHIPPED)]
    return BudgetedSandbox(loader=ChoiceLoader(loaders), autoescape=True, undefined=StrictUndefined,
                           trim_blocks=True, lstrip_blocks=True)


def template_name(kind: str, language: str) -> str:
    return f"{kind}.{language}.html.j2"


def _folders(user_dir: Path | None) -> str:
    return f"{user_dir} or {SHIPPED}" if user_dir else str(SHIPPED)


def missing_template_error(kind: str, language: str, store_id: str, user_dir: Path | None) -> ConfigError:
    name = template_name(kind, language)
    folder = user_dir or "a folder given with --templates"
    return ConfigError(f"store {store_id}: shop language {language!r} has no {kind} template: no {name} in "
                       f"{_folders(user_dir)}; write one in {folder} (copy {template_name(kind, 'en')} "
                       f"and translate it), or fix the store's 'languages' in the fleet file")


def template_languages(kind: str, user_dir: Path | None) -> tuple[str, ...]:
    """Every language with a `kind` template, the user's folder and the shipped ones together."""
    names = environment(user_dir).list_templates(filter_func=lambda name: name.startswith(f"{kind}.")
                                                 and name.endswith(".html.j2"))
    return tuple(sorted({name.split(".")[1] for name in names}))


def check_templates(kind: str, store_id: str, languages: tuple[str, ...], user_dir: Path | None) -> None:
    """Every shop language has a template for `kind`; checked before anything is read, written or sent."""
    env = environment(user_dir)
    for language in languages:
        try:
            env.get_template(template_name(kind, language))
        except TemplateNotFound:
            raise missing_template_error(kind, language, store_id, user_dir) from None
        except TemplateSyntaxError as exc:
            raise ConfigError(f"template {exc.filename or template_name(kind, language)}: line {exc.lineno}: "
                              f"{exc.message}") from None
        except SecurityError as exc:
            raise ConfigError(f"template {template_name(kind, language)}: refused by the template sandbox: "
                              f"{' '.join(str(exc).split())}") from None


def check_required(incident: Incident, kind: str, late: bool) -> None:
    required = REQUIRED[kind] + (("delay_reasons",) if late and kind == "authority" else ())
    missing = incident.facts.missing(required)
    if not (incident.facts.contact_email or incident.facts.contact_phone) and "contact_name" not in missing:
        missing.append("contact_email")
    if missing:
        name = missing[0]
        flag = "--" + name.replace("_", "-")
        why = " (the authority is notified more than 72 hours after discovery)" if name == "delay_reasons" else ""
        raise ConfigError(f"incident {incident.id}: the {kind} message needs the fact {name!r} "
                          f"({FACT_HELP[name]}){why}; add it with 'ecom-privacy breach update {incident.id} "
                          f"{flag} ...'" + (f" (also missing: {', '.join(missing[1:])})" if missing[1:] else ""))


def context(incident: Incident, store: dict[str, Any], language: str, tz: tzinfo, now: datetime,
            recipient: dict[str, Any] | None = None, stated: dict[str, Any] | None = None) -> dict[str, Any]:
    """What a template may use; `stated`: the facts as this letter states them (letter_facts.letter_view)."""
    facts = incident.facts
    return {
        "recipient": recipient or {"name": None, "email": None},
        "incident": {"id": incident.id, "title": facts.title},
        "facts": stated if stated is not None else facts.model_dump(),
        "store": store,
        "language": language,
        "discovered_at": show(facts.discovered_at, tz),
        "occurred_at": show(facts.occurred_at, tz) if facts.occurred_at else None,
        "deadline": show(incident.deadline, tz),
        "hours": AUTHORITY_HOURS,
        "late": now > incident.deadline,
        "assessment": incident.assessment,
        "today": show(now, tz),
    }


def render(incident: Incident, kind: str, store: dict[str, Any], language: str, tz: tzinfo, now: datetime,
           user_dir: Path | None, recipient: dict[str, Any] | None = None) -> Draft:
    """One message; `store` has `id`, `name` and `url` (its storefront); `recipient` has `name` and `email`."""
    state = incident.stores.get(store["id"])
    late = now > incident.deadline and not (state is not None and state.authority_notifications)
    check_required(incident, kind, late)
    name = template_name(kind, language)
    env = environment(user_dir)
    try:
        template = env.get_template(name)

    except TemplateNotFound:
        raise missing_template_error(kind, language, store["id"], user_dir) from None
    stated = letter_view(incident.id, incident.facts, kind, store["id"], language, late)
    try:
        with env.budget():  # the sandbox's budget of steps, time and size (flows/content/sandbox.py)
            module = template.make_module(context(incident, store, language, tz, now, recipient, stated))
            body = render_bounded(env, [str(module)])
    except FactGapError as exc:  # your template quotes a fact this letter's language or store lacks
        raise ConfigError(f"template {name}: {exc.message}") from None
    except UndefinedError as exc:
        raise ConfigError(f"template {name}: {exc.message}; the template uses a variable the tool does not "
                          f"provide (see the README, 'Data breaches')") from None
    except SecurityError as exc:
        raise ConfigError(f"template {name}: refused by the template sandbox: {' '.join(str(exc).split())}; a "
                          f"letter template may only use the facts, filters and blocks") from None
    except TemplateSyntaxError as exc:
        raise ConfigError(f"template {exc.filename or name}: line {exc.lineno}: {exc.message}") from None
    subject = str(getattr(module, "subject", "")).strip()
    if not subject:
        raise ConfigError(f"template {name}: it must set the subject: {{% set subject = \"...\" %}}")
    if any(char in subject for char in "\r\n\x00") or not subject.isprintable():
        raise ConfigError(f"template {name}: the subject is not one line of text ({subject[:60]!r}); it becomes an "
                          f"email header or a page title: check the values it is made of (the store's name "
                          f"vars.company, the recipient's name, the facts)")
    origin = template.filename or name
    return Draft(kind, store["id"], language, subject, body.strip() + "\n", origin)


def store_info(store: Any) -> dict[str, Any]:
    """What templates know of a store (a fleet `StoreConfig`): its name is `vars.company`, else its id;
    `languages` are its shop languages (default first), `locale` its backoffice's language."""
    return {"id": store.id, "name": store.vars.get("company") or store.id, "url": store.storefront_url,
            "locale": store.locale, "languages": list(store.shop_languages), "vars": dict(store.vars)}
