#!/usr/bin/env bash
# The scheduled drift correction that every recipe under deploy/ runs (systemd, Kubernetes, GitHub Actions),
# so what the tests run is exactly what the schedulers run.
#
#   apply --auto-approve on the fleet file; the run is recorded in the history database
#   ($ECOM_PRIVACY_DB, else SQLite under $XDG_DATA_HOME) and the fleet's notify key sends the alerts.
#   Then, when ECOM_PRIVACY_STATUS_HTML is set, the fleet's status page is written there.
#
# Settings (environment):
#   ECOM_PRIVACY_FLEET        the fleet file (default config/fleet.yaml)
#   ECOM_PRIVACY_ENV_FILE     the secrets file, NAME=value lines (default .env; variables set in the
#                             environment, e.g. from a Kubernetes Secret, win over it)
#   ECOM_PRIVACY_RUNS         where run directories go (default runs)
#   ECOM_PRIVACY_STATUS_HTML  write the status page here after the run (optional)
#   ECOM_PRIVACY_APPLY_ARGS   more options of apply, e.g. "--verify --parallelism 8" (optional)
#   ECOM_PRIVACY_BIN          the tool (default ecom-privacy on PATH)
# The exit code is apply's: 0 every store as declared, 1 anything else (see docs/cli.md, "Exit codes").
set -uo pipefail
BIN=${ECOM_PRIVACY_BIN:-ecom-privacy}
FLEET=${ECOM_PRIVACY_FLEET:-config/fleet.yaml}
RUNS=${ECOM_PRIVACY_RUNS:-runs}
read -r -a EXTRA <<< "${ECOM_PRIVACY_APPLY_ARGS:-}"
"$BIN" apply --auto-approve -c "$FLEET" --env-file "${ECOM_PRIVACY_ENV_FILE:-.env}" --artifacts-dir "$RUNS" \
  --log-format json "${EXTRA[@]}"
code=$?
if [ -n "${ECOM_PRIVACY_STATUS_HTML:-}" ]; then
  # The page is for people; a status with problems (exit 1) is what the page is there to show.
  "$BIN" status -c "$FLEET" --format json --html "$ECOM_PRIVACY_STATUS_HTML" >/dev/null
  [ $? -le 1 ] || echo "scheduled-run: the status page could not be written" >&2
fi
exit $code
