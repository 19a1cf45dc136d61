"""The vocabulary every layer shares: errors, the typed plan contract, the `Setting` base and the label type.

The bottom layer: it imports nothing of `flows/`, `automation/` or `mock_backoffice/` (checked by
import-linter in `make lint`). See docs/architecture.md.
"""
