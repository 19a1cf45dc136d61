#!/usr/bin/env bash
# Make sure Debian's Xvfb (a virtual X display) exists for the tests of `ecom-privacy login`, which drive a
# visible browser. The tests start their own Xvfb on a free display; this only installs the package.
# Without root or sudo it says so and those tests skip with that reason.
set -euo pipefail
if command -v Xvfb >/dev/null 2>&1; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo"; else
    echo "Xvfb not installed and no root: the 'login' tests will be skipped (apt-get install xvfb)." >&2
    exit 0
  fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "No apt-get: install Xvfb yourself to run the 'login' tests." >&2
  exit 0
fi
echo "Installing Debian's xvfb package for the 'login' tests..." >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends xvfb >/dev/null
