"""Checks of a run's options and output paths, made before the first login.

A run that logs in to every store (and, for apply, changes them) must not then fail to save its results
because `--junit` points into a directory that does not exist or `plan --out` names a folder. So every
number is checked for sense and every place the run will write is proven writable first, by creating (and
removing) a probe file there; each problem is one ConfigError naming the option, the path and what to do.
"""

from __future__ import annotations

import argparse
import math
import os
import tempfile
from pathlib import Path

from automation.access.session_cache import ensure_private_dir
from automation.home.places import paths_of
from ecom_privacy.errors import ConfigError

#: one page load or browser action; longer than an hour is a typo (milliseconds?), not a slow backoffice
MAX_TIMEOUT_S = 3600.0


def _number(value: float, option: str, *, minimum: float, strict: bool, maximum: float | None = None) -> None:
    if not math.isfinite(value):
        raise ConfigError(f"{option} must be a finite number of seconds, not {value}")
    if value < minimum or (strict and value == minimum):
        bound = f"more than {minimum:g}" if strict else f"at least {minimum:g}"
        raise ConfigError(f"{option} must be {bound}, not {value:g}")
    if maximum is not None and value > maximum:
        raise ConfigError(f"{option} must be at most {maximum:g} seconds, not {value:g}")


def writable_directory(path: Path, option: str, private: bool = False) -> None:
    """`path` is (or can be made) a directory this process can create files in (`private`: mode 0700)."""
    if path.exists() and not path.is_dir():
        raise ConfigError(f"{option} {path} is a file, not a directory; pass a directory (it is created if missing)")
    try:
        if private:
            ensure_private_dir(path)
        else:
            path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".ecom-privacy-probe-"):
            pass
    except OSError as exc:
        raise ConfigError(f"{option} {path} is not writable ({exc.strerror}); pass a directory you can "
                          f"write to") from exc


def writable_file(path: Path, option: str) -> None:
    """`path` names a file (not a folder) that can be created or replaced."""
    if path.is_dir():
        raise ConfigError(f"{option} {path} is a directory; pass a file name, e.g. {path / 'plan.json'}"
                          if option == "--out" else f"{option} {path} is a directory; pass a file name")
    parent = path.parent if str(path.parent) else Path(".")
    if parent.exists() and not parent.is_dir():
        raise ConfigError(f"{option} {path}: {parent} is a file, not a directory; pass a path in a directory")
    try:
        parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=parent, prefix=".ecom-privacy-probe-"):
            pass
        if path.exists() and not os.access(path, os.W_OK):
            raise PermissionError(13, "Permission denied", str(path))
    except OSError as exc:
        raise ConfigError(f"{option} {path} cannot be written ({exc.strerror}); pass a path you can "
                          f"write to") from exc


def check_run_arguments(args: argparse.Namespace) -> None:
    """Every option of plan / apply / verify / export-subscribers that could only fail later, checked now."""
    _number(args.timeout, "--timeout", minimum=0, strict=True, maximum=MAX_TIMEOUT_S)
    _number(args.store_deadline, "--store-deadline", minimum=0, strict=True)
    if args.parallelism < 1:
        raise ConfigError(f"--parallelism must be at least 1, not {args.parallelism}")
    _number(args.wait_lock, "--wait-lock", minimum=0, strict=False)
    if args.browser:
        browser = Path(args.browser).expanduser()
        if os.sep in args.browser and not (browser.is_file() and os.access(browser, os.X_OK)):
            raise ConfigError(f"--browser {args.browser} is not an executable file; pass the path of a Chromium "
                              f"or Chrome binary")
    if getattr(args, "headed", False) and not getattr(args, "cdp_endpoint", None):
        from automation.browser.launch import explicit_browser  # the run loads it anyway; `status` must not

        explicit_browser(args.browser, headless=False)  # a headless shell shows no window: refused here, once
    writable_directory(args.artifacts_dir, "--artifacts-dir")
    if args.command in ("plan", "apply", "export-subscribers", "probe"):  # cached logins and store locks live here
        paths = paths_of(args)
        writable_directory(paths.session_dir, "--session-dir" if args.session_dir else "the session folder",
                           private=True)
        if args.command in ("plan", "apply") and paths.lock_dir != paths.session_dir:
            writable_directory(paths.lock_dir, "the home's lock folder", private=True)
    if args.junit is not None:
        writable_file(args.junit, "--junit")
    out = getattr(args, "out", None)
    if out is not None and args.command == "plan":
        writable_file(out, "--out")
    elif out is not None and args.command == "export-subscribers":
        writable_directory(out, "--out")
