"""Keeping secrets and personal data out of what a run writes: the redactor, trace zips, probe pages, addresses."""
