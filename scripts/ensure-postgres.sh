#!/usr/bin/env bash
# Make sure Debian's PostgreSQL server binaries exist for the database tests (breach register, run history).
# The tests start their own throw-away server in a temporary folder; this only installs the package.
# Without root or sudo it says so and the PostgreSQL tests skip with that reason (SQLite tests still run).
set -euo pipefail
if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo"; else
    echo "PostgreSQL not installed and no root: the PostgreSQL tests will be skipped (apt-get install postgresql)." >&2
    exit 0
  fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "No apt-get: install PostgreSQL's server yourself to run the PostgreSQL tests." >&2
  exit 0
fi
echo "Installing Debian's postgresql package for the database tests..." >&2
$SUDO apt-get update -qq
# Installing starts no cluster we need (policy-rc.d-less containers may print a warning; it is harmless).
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends postgresql >/dev/null
