"""A JUnit XML file for CI systems: one test case per store and setting.

What counts as a failure:
- `failed` (the setting or the whole store failed): <failure>, typed with the error kind.
- `drift` in a plan: <failure type="drift">. A plan in CI is a compliance check, and a store that differs
  from the fleet file is not compliant (the same reason `plan` exits 2, not 0).
- `drift` after an apply means a change was planned but not applied: <failure type="drift"> too, as `apply`
  exits 1 for it.
- `blocked` (drift whose correction awaits an opt-in: an irreversible change without --allow-archive): in a
  plan <failure type="drift"> (the plan exits 2 for it); after an apply <skipped> with what it waits for, as
  the apply exits 0 for it (by design: nobody allowed it yet).
- `changed` (applied and verified) and `compliant` pass; the applied changes are listed in <system-out>.
- `skipped` (interrupted run, store skipped from a saved plan): <skipped>.
- A setting's warnings (diagnostics: not changes, never failures) are lines `warning: ...` in <system-out>,
  whatever the case's outcome.
Storefront checks (`verify`, `apply --verify`) are test cases of their own, class `<store id>.storefront`:
`fail` fails, `warn` passes with the finding in <system-out>, `skip` is skipped.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from automation.outputs.matrix import Cell, build_matrix
from ecom_privacy.models import CheckResult, CheckStatus, RunDocument


def _case_time(duration: float | None, cases: int) -> str:
    return f"{(duration or 0.0) / max(1, cases):.3f}"


def _warnings(cell: Cell) -> list[str]:
    return [f"warning: {d.summary}" + (f": {d.detail}" if d.detail else "") for d in cell.diagnostics]


def _fill(case: ET.Element, cell: Cell, kind: str) -> tuple[int, int]:
    """Add the outcome of `cell` to `case`; returns (failures, skipped) it adds to the counts."""
    changes = "\n".join(f"{c.setting}: {c.action}: {c.summary}".rstrip(": ") for c in cell.changes)
    out = _warnings(cell)  # a warning is never a failure: it goes to <system-out> of any outcome
    counts = (0, 0)
    if cell.status == "failed":
        failure = ET.SubElement(case, "failure", message=cell.message or "failed", type=cell.error_kind or "error")
        failure.text = cell.message
        counts = (1, 0)
    elif cell.status == "blocked" and kind != "plan":
        reasons = ", ".join(dict.fromkeys(c.blocked.short for c in cell.changes if c.blocked is not None))
        ET.SubElement(case, "skipped", message=f"awaits an opt-in: {cell.message} (blocked: {reasons})")
        counts = (0, 1)
    elif cell.status in ("drift", "blocked"):
        what = "changes planned" if kind == "plan" else "changes not applied"
        failure = ET.SubElement(case, "failure", message=f"drift: {what}: {cell.message}", type="drift")
        failure.text = changes or cell.message
        counts = (1, 0)
    elif cell.status == "skipped":
        ET.SubElement(case, "skipped", message=cell.message or "skipped")
        counts = (0, 1)
    elif changes:
        out.insert(0, changes)
    if out:
        ET.SubElement(case, "system-out").text = "\n".join(out)
    return counts


def _fill_check(case: ET.Element, check: CheckResult) -> tuple[int, int]:
    """A failing check fails its case; a warning passes with the finding in <system-out>; skip is skipped."""
    if check.status == CheckStatus.FAIL:
        ET.SubElement(case, "failure", message=check.message, type="storefront").text = "\n".join(check.seen)
        return 1, 0
    if check.status == CheckStatus.SKIP:
        ET.SubElement(case, "skipped", message=check.message)
        return 0, 1
    ET.SubElement(case, "system-out").text = f"{check.status.value}: {check.message}"
    return 0, 0


def render_junit(document: RunDocument) -> str:
    matrix = build_matrix(document)
    kind = document.kind.value
    suites = ET.Element("testsuites", name="ecom-privacy")
    suite = ET.SubElement(suites, "testsuite", name=f"ecom-privacy {kind}", timestamp=document.created_at)
    tests = failures = skipped = 0
    total_time = 0.0
    for row in matrix.rows:
        total_time += row.store.duration_s or 0.0
        for setting, cell in row.cells.items():
            case = ET.SubElement(suite, "testcase", classname=row.store.id, name=setting,
                                 time=_case_time(row.store.duration_s, len(row.cells)))
            failed, skip = _fill(case, cell, kind)
            tests, failures, skipped = tests + 1, failures + failed, skipped + skip
        for check in row.store.checks:  # storefront checks (verify, apply --verify): one case each
            case = ET.SubElement(suite, "testcase", classname=f"{row.store.id}.storefront", name=check.name)
            failed, skip = _fill_check(case, check)
            tests, failures, skipped = tests + 1, failures + failed, skipped + skip
    if document.interrupted:
        properties = ET.Element("properties")  # the schema wants <properties> before the test cases
        ET.SubElement(properties, "property", name="interrupted", value="true")
        suite.insert(0, properties)
    for element in (suites, suite):
        element.set("tests", str(tests))
        element.set("failures", str(failures))
        element.set("errors", "0")
        element.set("skipped", str(skipped))
        element.set("time", f"{total_time:.3f}")
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
