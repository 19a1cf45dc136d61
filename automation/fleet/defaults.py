"""Default paths the command line shows in its help, in a module with no imports of its own.

Building the parser must stay cheap (`status` answers in under a second), so the parser reads its
defaults here rather than from automation.fleet.model, which loads the settings' flows and with them Playwright.
"""

from __future__ import annotations

from pathlib import Path

DEFAULT_FLEET_FILE = Path("config/fleet.yaml")
#: read when it exists; an --env-file given on the command line must exist (automation.cli.check_env_file)
DEFAULT_ENV_FILE = Path(".env")
#: seconds one store may take in a run (--store-deadline): a healthy store takes seconds, one under heavy faults
#: a minute or two (benchmarks/results.md, "Convergence under faults"); past it, a store that is down ends
STORE_DEADLINE_S = 600.0
