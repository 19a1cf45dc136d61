"""What a setting contributes to `ecom-privacy export-subscribers`: files written from its planned changes.

The command plans each setting that exports something (with the desired state the setting gives for an
export, see `Setting.export_desired`) and writes the files its `exports` hook returns; it names no setting.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ExportFile:
    #: the file's name after `<store id>-`, e.g. `newsletter-archive.csv`
    name: str
    content: str
    #: how many entries the file lists, for the summary line
    count: int
    #: what the entries are, after the count: "subscriber(s) the rule would archive"
    what: str
