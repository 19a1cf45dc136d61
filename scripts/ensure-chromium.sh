#!/usr/bin/env bash
# Make sure a Chromium exists for Playwright: its own, a system one, or Debian's package installed now.
set -euo pipefail
PY="${1:-python3}"
# Debian's old headless shell makes fleet runs about twice as light and fast (see automation/browser/launch.py):
# added beside a system Chromium when apt-get can, never required.
add_headless_shell() {
  if [ -x /usr/bin/chromium ] && ! command -v chromium-headless-shell >/dev/null 2>&1 \
      && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium-headless-shell >/dev/null 2>&1 \
      || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium-headless-shell; } \
      >/dev/null 2>&1; } || echo "(chromium-headless-shell not installed; the full Chromium will do)" >&2
  fi
}
if "$PY" -m automation.browser.launch >/dev/null 2>&1; then
  add_headless_shell
  "$PY" -m automation.browser.launch
  exit 0
fi
echo "No Chromium found; installing Debian's chromium package..." >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "Not root and no sudo: install Chromium yourself (apt-get install chromium) or set ECOM_PRIVACY_BROWSER." >&2
    exit 1
  fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "No apt-get here: install Chromium or Chrome and set ECOM_PRIVACY_BROWSER to its binary." >&2
  exit 1
fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium-headless-shell >/dev/null 2>&1 || true
"$PY" -m automation.browser.launch
