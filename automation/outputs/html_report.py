"""`report.html`: a run as a page a person reads offline, a matrix of stores x settings and the details.

Static and self-contained: inline CSS, no script, no external resource, links to the run's own files
(screenshots, traces, backups, exports) relative to the report, so the run folder can be zipped and mailed.
Built from plan.json / report.json alone, so `ecom-privacy report RUN_DIR` can rebuild it at any time.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from automation.fleet.ids import safe_name
from automation.outputs.matrix import build_matrix
from automation.outputs.render import diff_line_kind, opt_in_needed, readable_diff_line, summarise
from automation.outputs.run_files import inside_run, read_run_document
from ecom_privacy.errors import ConfigError
from ecom_privacy.models import Change, RunDocument

TEMPLATES = Path(__file__).with_name("templates")
#: storefront check status -> the colour class of the matrix
CHECK_CLASSES = {"pass": "compliant", "fail": "failed", "warn": "drift", "skip": "skipped"}
STATUS_SYMBOLS = {"compliant": "✓", "changed": "✎", "drift": "≠", "blocked": "⏸", "failed": "✗", "skipped": "–"}
#: folders of a run that hold per-store files, with how the report names them
STORE_FOLDERS = (("backups", "backup"), ("exports", "export"), ("evidence", "evidence"))


def _short(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, default=str)


def _diff(change: Change) -> list[tuple[str, str]] | None:
    """The change's text diff as (class, line) pairs, coloured by the page's CSS: added, removed, hunk, header;
    list items shown as bullets, as in the terminal."""
    if not change.diff.strip():
        return None
    return [(diff_line_kind(line), readable_diff_line(line)) for line in change.diff.rstrip("\n").splitlines()]


def _store_files(run_dir: Path, store_id: str, listed: list[str]) -> list[dict[str, str]]:
    """Every file the run kept for a store: those in its result, then backups and exports found on disk (its
    own folders, named as `RunArtifacts` names them; links are not followed out of the run)."""
    files: list[str] = [relative for relative in listed if inside_run(relative)]
    for folder, _ in STORE_FOLDERS:
        base = run_dir / folder / safe_name(store_id)
        if base.is_dir() and not base.is_symlink():
            files += sorted(str(p.relative_to(run_dir)) for p in base.rglob("*") if p.is_file() and not p.is_symlink())
    links = []
    for relative in dict.fromkeys(files):
        name = Path(relative).name
        kind = ("trace" if name.startswith("trace") and name.endswith(".zip") else
                "screenshot" if name.endswith(".png") else
                next((label for folder, label in STORE_FOLDERS if relative.startswith(folder + "/")), "file"))
        links.append({"href": relative, "name": name, "kind": kind, "exists": (run_dir / relative).is_file()})
    return links


@cache
def _environment() -> Environment:
    """One environment per process: it keeps report.html compiled (a merge or a test renders many reports)."""
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                       trim_blocks=True, lstrip_blocks=True)


def render_html(document: RunDocument, run_dir: Path) -> str:
    env = _environment()
    matrix = build_matrix(document)
    stores = [{"row": row, "files": _store_files(run_dir, row.store.id, row.store.artifacts)} for row in matrix.rows]
    return env.get_template("report.html").render(
        document=document, matrix=matrix, stores=stores, counts=summarise(document),
        symbols=STATUS_SYMBOLS, diff=_diff, short=_short, check_classes=CHECK_CLASSES, opt_in_needed=opt_in_needed,
        total_changes=sum(len(s.changes) for s in document.stores),
    )


def load_run_document(run_dir: Path) -> RunDocument:
    """The apply report of a run when there is one, else its plan (through the one reader of run documents:
    store ids and artifact paths are checked before any path is made from them)."""
    for name in ("report.json", "plan.json"):
        path = run_dir / name
        if path.is_file():
            return read_run_document(path)[0]
    raise ConfigError(f"{run_dir}: no report.json or plan.json here; pass a run directory (runs/<UTC timestamp>)")
