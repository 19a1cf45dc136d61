"""The engine of ecom-privacy: fleet files, secrets, browser, plan/apply runner, reports and the CLI."""

__version__ = "0.1.0"
