"""What a finished (or interrupted) run leaves in its directory: plan, report, JUnit and HTML."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from automation.outputs.artifacts import RunArtifacts, write_atomic
from automation.outputs.html_report import render_html
from automation.outputs.junit import render_junit
from automation.outputs.plan_seal import seal_plan_json
from ecom_privacy.errors import EcomPrivacyError, ErrorKind
from ecom_privacy.models import RunDocument, RunKind


class OutputError(EcomPrivacyError):
    """A result of the run could not be written (full disk, permissions); the others were written."""

    kind = ErrorKind.OUTPUT


def output_failure(path: Path | str, exc: OSError) -> str:
    return f"{path} could not be written ({exc.strerror or exc}); free space or fix the permissions, the " \
           f"rest of the run's results were written"


def write_run_outputs(artifacts: RunArtifacts, document: RunDocument, plan: RunDocument | None = None,
                      junit_file: Path | None = None) -> None:
    """plan.json (the plan part), report.json (apply only), junit.xml and report.html; --junit FILE too.

    Everything goes through the artifacts' redactor, so a secret cannot reach these files by accident. One
    output that cannot be written (a full disk, an unwritable --junit) does not stop the others: each is
    tried, and an OutputError naming the ones that failed is raised at the end.
    """
    artifacts.make_private()  # first: the screenshots and traces the browser wrote, whatever fails below
    failures: list[str] = []

    def attempt(where: Path | str, write: Callable[[], object]) -> None:
        try:
            write()
        except OSError as exc:
            failures.append(output_failure(where, exc))

    if document.kind == RunKind.PLAN:
        attempt(artifacts.root / "plan.json", lambda: artifacts.write_text("plan.json", _sealed(artifacts, document)))
    else:
        if not (artifacts.root / "plan.json").exists() and plan is not None:
            attempt(artifacts.root / "plan.json", lambda: artifacts.write_text("plan.json", _sealed(artifacts, plan)))
        attempt(artifacts.root / "report.json",
                lambda: artifacts.write_text("report.json", document.model_dump_json(indent=2)))
    junit = render_junit(document)
    attempt(artifacts.root / "junit.xml", lambda: artifacts.write_text("junit.xml", junit))
    if junit_file is not None:
        def write_junit_file() -> None:
            junit_file.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(junit_file, artifacts.redact(junit).encode("utf-8"))

        attempt(junit_file, write_junit_file)
    attempt(artifacts.root / "report.html",
            lambda: artifacts.write_text("report.html", render_html(document, artifacts.root)))
    if failures:
        raise OutputError("; ".join(failures))


def _sealed(artifacts: RunArtifacts, plan: RunDocument) -> str:
    """plan.json has the format of `plan --out`, hash included, so `apply runs/<run>/plan.json` works."""
    return seal_plan_json(artifacts.redact(plan.model_dump_json(indent=2)))
