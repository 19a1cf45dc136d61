#!/usr/bin/env bash
# One shard of a sharded run: what every recipe under deploy/ runs (Kubernetes Indexed Job, CI matrix).
#
# Environment:
#   SHARD_COUNT           N, the number of shards (= the Job's completions, the matrix size)       required
#   SHARD_INDEX           this shard, counted from 0; else JOB_COMPLETION_INDEX (set by Kubernetes)  required
#   RUN_ROOT              folder of this run on the shared volume or in the CI workspace            required
#   ECOM_PRIVACY_COMMAND  plan | apply | verify | export-subscribers                                default plan
#   ECOM_PRIVACY_ARGS     more options, e.g. "--auto-approve --parallelism 4" (split on spaces)     optional
#   ECOM_PRIVACY_CONFIG   the fleet file                                                            default config/fleet.yaml
#   ECOM_PRIVACY_ENV_FILE a .env file with the store secrets (secrets may also be in the environment)
#   ECOM_PRIVACY_DOTENV   the content of such a .env (a CI secret); written to a private temp file, deleted after
#   ECOM_PRIVACY_BIN      the tool                                                                  default ecom-privacy
#
# The shard's run directory is $RUN_ROOT/shard-K-of-N/<UTC timestamp>/ (a retried shard adds a newer one;
# deploy/merge-shards.sh takes the newest of each shard). Exit: 0 when the shard ran to its end, whatever it
# found (0, 1 or 2: the merged run decides the run's exit code); otherwise the tool's code, so that the
# scheduler retries the shard (a crash, a kill, a lock still held). `validate` runs first, before any login:
# a problem in the fleet folder (a keep list or template not shipped, a secret not set) exits 1 at once.
# The log (stderr) is JSON lines only; stdout is the tool's report for people.
set -euo pipefail
# shellcheck source=deploy/json-log.sh
source "$(dirname "$0")/json-log.sh"

: "${SHARD_COUNT:?set SHARD_COUNT to the number of shards}"
index="${SHARD_INDEX:-${JOB_COMPLETION_INDEX:-}}"
: "${index:?set SHARD_INDEX (from 0), or run as a Kubernetes Indexed Job (JOB_COMPLETION_INDEX)}"
: "${RUN_ROOT:?set RUN_ROOT to the folder of this run}"
command="${ECOM_PRIVACY_COMMAND:-plan}"
shard="$((index + 1))/${SHARD_COUNT}"
shard_dir="${RUN_ROOT}/shard-$((index + 1))-of-${SHARD_COUNT}"
secrets=()
[[ -n "${ECOM_PRIVACY_ENV_FILE:-}" ]] && secrets=(--env-file "$ECOM_PRIVACY_ENV_FILE")

if [[ -n "${ECOM_PRIVACY_DOTENV:-}" ]]; then
    env_file="$(umask 077 && mktemp)"
    trap 'rm -f "$env_file"' EXIT
    printf '%s\n' "$ECOM_PRIVACY_DOTENV" > "$env_file"
    secrets=(--env-file "$env_file")
fi
fleet="${ECOM_PRIVACY_CONFIG:-config/fleet.yaml}"
tool="${ECOM_PRIVACY_BIN:-ecom-privacy}"

extra=()
if [[ "$command" == "export-subscribers" ]]; then
    extra+=(--out "${RUN_ROOT}/exports")  # one CSV per store: shards never write the same file
fi

set +e
"$tool" validate -c "$fleet" "${secrets[@]}" --log-format json 2>&1 >/dev/null | as_json_lines
code=${PIPESTATUS[0]}
if [[ "$code" -ne 0 ]]; then
    json_log "validate found a problem in the fleet folder; the shard did not run" error "\"exit_code\": $code"
    exit 1
fi
mkdir -p "$shard_dir"
# shellcheck disable=SC2086  # ECOM_PRIVACY_ARGS is a list of options on purpose
{ "$tool" "$command" --shard "$shard" -c "$fleet" "${secrets[@]}" --artifacts-dir "$shard_dir" --log-format json \
    "${extra[@]}" ${ECOM_PRIVACY_ARGS:-} 2>&1 1>&3 | as_json_lines; } 3>&1  # stdout as it is, stderr as JSON
code=${PIPESTATUS[0]}
set -e
json_log "shard finished" info "\"shard\": \"${shard}\", \"command\": \"$(json_escape "$command")\", \"exit_code\": ${code}"
case "$code" in
    0|1|2) exit 0 ;;
    *) exit "$code" ;;
esac
