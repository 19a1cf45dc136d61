"""Data breaches (GDPR Art. 33/34): an event-sourced register, the 72-hour clock, a guided risk assessment,
notification drafts, notifying affected customers by email (plan/apply, resumable) and a public notice page.

Modules, one job each: `tables` (the database), `facts` (what an incident states, validated), `register`
(append events, build the current view), `deadlines` (pure time arithmetic), `assessment` (the questions),
`drafts` (Jinja2 templates in `templates/`), `recipients` (who to notify), `mailer` (SMTP), `notify`
(plan/apply with the per-recipient record), `backoffice` (a logged-in store for notify and publish), `publish`
(the public notice page), `export` (CSV, JSON, HTML), `cli` (the sub-commands' options), `commands` and
`web_commands` (their handlers).
"""
