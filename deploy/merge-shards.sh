#!/usr/bin/env bash
# The final step of a sharded run: merge the newest run directory of every shard under $RUN_ROOT.
#
# Environment:
#   RUN_ROOT              the run's folder (as given to deploy/run-shard.sh)                        required
#   SHARD_COUNT           N                                                                         required
#   MERGE_ALLOW_PARTIAL   1: merge although shards are missing (their stores: not finished)       default 0
#   ECOM_PRIVACY_BIN      the tool                                                                  default ecom-privacy
#
# Writes $RUN_ROOT/merged-<UTC timestamp>/ and exits with the run's exit code (as one process running every
# store would have): 0, 1 or 2 (plan: changes planned). A shard without any run directory is left out, so the
# merge refuses it as missing (exit 1) unless MERGE_ALLOW_PARTIAL=1. The log (stderr) is JSON lines only.
set -euo pipefail
# shellcheck source=deploy/json-log.sh
source "$(dirname "$0")/json-log.sh"

: "${RUN_ROOT:?set RUN_ROOT to the folder of the run}"
: "${SHARD_COUNT:?set SHARD_COUNT to the number of shards}"
dirs=()
for ((k = 1; k <= SHARD_COUNT; k++)); do
    newest=""
    for candidate in "${RUN_ROOT}/shard-${k}-of-${SHARD_COUNT}"/*/; do
        [[ -f "${candidate}shard.json" ]] && newest="${candidate%/}"  # the glob sorts: timestamps, oldest first
    done
    if [[ -n "$newest" ]]; then
        dirs+=("$newest")
    else
        json_log "shard ${k}/${SHARD_COUNT}: no run directory under ${RUN_ROOT}" warning
    fi
done
partial=()
[[ "${MERGE_ALLOW_PARTIAL:-0}" == "1" ]] && partial+=(--allow-partial)
out="${RUN_ROOT}/merged-$(date -u +%Y%m%dT%H%M%SZ)"
set +e
{ "${ECOM_PRIVACY_BIN:-ecom-privacy}" report merge "${dirs[@]}" --out "$out" --junit "${RUN_ROOT}/junit.xml" \
    --log-format json "${partial[@]}" 2>&1 1>&3 | as_json_lines; } 3>&1  # stdout as it is, stderr as JSON
exit "${PIPESTATUS[0]}"
