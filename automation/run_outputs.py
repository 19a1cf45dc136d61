"""What a finished (or interrupted) run leaves in its directory: plan, report, JUnit and HTML."""

from __future__ import annotations

from pathlib import Path

from automation.artifacts import RunArtifacts
from automation.html_report import render_html
from automation.junit import render_junit
from automation.models import RunDocument, RunKind


def write_run_outputs(artifacts: RunArtifacts, document: RunDocument, plan: RunDocument | None = None,
                      junit_file: Path | None = None) -> None:
    """plan.json (the plan part), report.json (apply only), junit.xml and report.html; --junit FILE too.

    Everything goes through the artifacts' redactor, so a secret cannot reach these files by accident.
    """
    artifacts.make_private()  # first: the screenshots and traces the browser wrote, whatever fails below
    if document.kind == RunKind.PLAN:
        artifacts.write_text("plan.json", document.model_dump_json(indent=2))
    else:
        if not (artifacts.root / "plan.json").exists() and plan is not None:
            artifacts.write_text("plan.json", plan.model_dump_json(indent=2))
        artifacts.write_text("report.json", document.model_dump_json(indent=2))
    junit = render_junit(document)
    artifacts.write_text("junit.xml", junit)
    if junit_file is not None:
        junit_file.parent.mkdir(parents=True, exist_ok=True)
        junit_file.write_text(artifacts.redact(junit), encoding="utf-8")
    artifacts.write_text("report.html", render_html(document, artifacts.root))
