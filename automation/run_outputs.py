"""What a finished (or interrupted) run leaves in its directory: plan, report, JUnit and HTML."""

from __future__ import annotations

from pathlib import Path

from automation.artifacts import RunArtifacts
from automation.html_report import render_html
from automation.junit import render_junit
from automation.models import RunDocument, RunKind
from automation.saved_plan import seal_plan_json


def write_run_outputs(artifacts: RunArtifacts, document: RunDocument, plan: RunDocument | None = None,
                      junit_file: Path | None = None) -> None:
    """plan.json (the plan part), report.json (apply only), junit.xml and report.html; --junit FILE too.

    Everything goes through the artifacts' redactor, so a secret cannot reach these files by accident.
    """
    if document.kind == RunKind.PLAN:
        artifacts.write_text("plan.json", _sealed(artifacts, document))
    else:
        if not (artifacts.root / "plan.json").exists() and plan is not None:
            artifacts.write_text("plan.json", _sealed(artifacts, plan))
        artifacts.write_text("report.json", document.model_dump_json(indent=2))
    junit = render_junit(document)
    artifacts.write_text("junit.xml", junit)
    if junit_file is not None:
        junit_file.parent.mkdir(parents=True, exist_ok=True)
        junit_file.write_text(artifacts.redact(junit), encoding="utf-8")
    artifacts.write_text("report.html", render_html(document, artifacts.root))


def _sealed(artifacts: RunArtifacts, plan: RunDocument) -> str:
    """plan.json has the format of `plan --out`, hash included, so `apply runs/<run>/plan.json` works."""
    return seal_plan_json(artifacts.redact(plan.model_dump_json(indent=2)))
