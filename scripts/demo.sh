#!/usr/bin/env bash
# The demo: start the mock backoffice with the demo stores, then validate, plan, apply and plan again.
set -uo pipefail
cd "$(dirname "$0")/.."
PORT=8800
HOST=127.0.0.1
mkdir -p demo
# The demo's own home (its history, breach register, sessions and locks), fresh each time: never the user's
# database, whatever $ECOM_PRIVACY_DB or $ECOM_PRIVACY_SESSION_DIR this shell has ('ecom-privacy where').
rm -rf demo/home
unset ECOM_PRIVACY_DB ECOM_PRIVACY_SESSION_DIR
export ECOM_PRIVACY_HOME="$PWD/demo/home"
http_get() { python3 -c 'import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=2).read().decode())' "$1"; }
if http_get "http://$HOST:$PORT/__mock__/health" >/dev/null 2>&1; then
  echo "Something already listens on $HOST:$PORT; stop it first (the demo fleet expects its own mock there)." >&2
  exit 1
fi
ecom-privacy mock --host "$HOST" --port "$PORT" --seed config/demo-seed.yaml --write-fleet demo/fleet.yaml \
  > demo/mock.log 2>&1 &
MOCK_PID=$!
trap 'kill $MOCK_PID 2>/dev/null; wait $MOCK_PID 2>/dev/null' EXIT
for _ in $(seq 1 100); do
  http_get "http://$HOST:$PORT/__mock__/health" >/dev/null 2>&1 && break
  kill -0 $MOCK_PID 2>/dev/null || { cat demo/mock.log >&2; exit 1; }
  sleep 0.1   # waiting for the server to bind its port
done
echo "== mock backoffice on http://$HOST:$PORT (stores: fietsen-jansen, green-teas, desert-boots, grensfietsen)"
run() { echo; echo "\$ $*"; "$@"; echo "(exit $?)"; }
ARGS=(-c config/demo.yaml --env-file demo/.env --artifacts-dir demo/runs --log-format console)
run ecom-privacy validate -c config/demo.yaml --env-file demo/.env
# The plan shows the newsletter archive as BLOCKED: archiving is irreversible and needs an explicit opt-in.
run ecom-privacy plan "${ARGS[@]}"
# The list the owner emails a re-subscribe link (archives nothing).
run ecom-privacy export-subscribers "${ARGS[@]}" --out demo/exports
run ecom-privacy apply "${ARGS[@]}" --auto-approve --allow-archive
run ecom-privacy plan "${ARGS[@]}"
# What a visitor gets: desert-boots' theme loads analytics before consent, so verify fails there (exit 1).
run ecom-privacy verify -c config/demo.yaml --artifacts-dir demo/runs --log-format console
echo
echo "== the mock's state now (GET /__mock__/state): cookie law, subscribers (with the apply run's export"
echo "   compared to them) and content pages per store"
http_get "http://$HOST:$PORT/__mock__/state" | python3 scripts/show_state.py "http://$HOST:$PORT" demo/runs
# Data breaches (issue 13): register, assessment, drafts, customers emailed, a public notice.
bash scripts/demo-breach.sh
echo
echo "Artifacts of each run are in demo/runs/ (exports before archiving under exports/<store>/), the"
echo "export-subscribers lists in demo/exports/. To explore by hand, run the mock yourself:"
echo "  ecom-privacy mock --seed config/demo-seed.yaml --write-fleet demo/fleet.yaml"
