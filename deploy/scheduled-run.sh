#!/usr/bin/env bash
# The scheduled drift correction that every recipe under deploy/ runs (systemd, Kubernetes, GitHub Actions),
# so what the tests run is exactly what the schedulers run.
#
#   validate first: the fleet file, its templates, keep lists, ui_overrides file and every secret, before
#   any login (a fleet folder shipped without its keep list stops here, not after logging in to every store);
#   then apply --auto-approve on the fleet file; the run is recorded in the history database
#   ($ECOM_PRIVACY_DB, else SQLite under $XDG_DATA_HOME) and the fleet's notify key sends the alerts.
#   Then, when ECOM_PRIVACY_STATUS_HTML is set, the fleet's status page is written there.
#   Its log (stderr; stdout stays empty) is JSON lines only; the run's report is in its run directory,
#   named by the line "event": "run finished".
#
# Settings (environment):
#   ECOM_PRIVACY_FLEET        the fleet file (default config/fleet.yaml), in its folder with everything it names
#   ECOM_PRIVACY_ENV_FILE     the secrets file, NAME=value lines (optional; variables set in the environment,
#                             e.g. from a Kubernetes Secret, win over it; without it only the environment)
#   ECOM_PRIVACY_RUNS         where run directories go (default runs)
#   ECOM_PRIVACY_STATUS_HTML  write the status page here after the run (optional)
#   ECOM_PRIVACY_APPLY_ARGS   more options of apply, e.g. "--verify --parallelism 8" (optional)
#   ECOM_PRIVACY_BIN          the tool (default ecom-privacy on PATH)
# The exit code is apply's: 0 every store as declared, 1 anything else (see docs/cli.md, "Exit codes");
# 1 when validate found a problem (nothing was run).
set -uo pipefail
# shellcheck source=deploy/json-log.sh
source "$(dirname "$0")/json-log.sh"
BIN=${ECOM_PRIVACY_BIN:-ecom-privacy}
FLEET=${ECOM_PRIVACY_FLEET:-config/fleet.yaml}
RUNS=${ECOM_PRIVACY_RUNS:-runs}
SECRETS=()
[ -n "${ECOM_PRIVACY_ENV_FILE:-}" ] && SECRETS=(--env-file "$ECOM_PRIVACY_ENV_FILE")
read -r -a EXTRA <<< "${ECOM_PRIVACY_APPLY_ARGS:-}"

"$BIN" validate -c "$FLEET" "${SECRETS[@]}" --log-format json 2>&1 >/dev/null | as_json_lines
code=${PIPESTATUS[0]}
if [ "$code" -ne 0 ]; then
  json_log "validate found a problem in the fleet folder; nothing was run" error "\"exit_code\": $code"
  exit 1
fi
"$BIN" apply --auto-approve -c "$FLEET" "${SECRETS[@]}" --artifacts-dir "$RUNS" --log-format json \
  "${EXTRA[@]}" 2>&1 >/dev/null | as_json_lines
code=${PIPESTATUS[0]}
if [ -n "${ECOM_PRIVACY_STATUS_HTML:-}" ]; then
  # The page is for people; a status with problems (exit 1) is what the page is there to show.
  "$BIN" status -c "$FLEET" --format json --html "$ECOM_PRIVACY_STATUS_HTML" 2>&1 >/dev/null | as_json_lines
  [ "${PIPESTATUS[0]}" -le 1 ] || json_log "the status page could not be written" warning
fi
exit "$code"
