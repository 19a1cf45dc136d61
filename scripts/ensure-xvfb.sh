#!/usr/bin/env bash
# Make sure Xvfb (a virtual X display) exists: `ecom-privacy login` opens a visible browser, and its tests
# run it on a real (virtual) display. Debian's `xvfb` package, installed with apt-get when missing.
set -euo pipefail
if command -v Xvfb >/dev/null 2>&1; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "Xvfb is missing and there is no root or sudo: install it (apt-get install xvfb); its tests are skipped." >&2
    exit 0
  fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "Xvfb is missing and there is no apt-get: install Xvfb; the tests that need a display are skipped." >&2
  exit 0
fi
echo "Installing Debian's xvfb package (a virtual display for the headed-browser tests)..." >&2
{ DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq xvfb >/dev/null 2>&1; } \
  || { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq xvfb >/dev/null; }
