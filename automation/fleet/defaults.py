"""Default paths the command line shows in its help, in a module with no imports of its own.

Building the parser must stay cheap (`status` answers in under a second), so the parser reads its
defaults here rather than from automation.fleet.model, which loads the settings' flows and with them Playwright.
"""

from __future__ import annotations

from pathlib import Path

DEFAULT_FLEET_FILE = Path("config/fleet.yaml")
