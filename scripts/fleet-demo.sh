#!/usr/bin/env bash
# The fleet demo: 20 stores of the mock backoffice with faults switched on (20% HTTP 500s, latency,
# sessions that expire after 20 s), one store with a wrong password and one whose UI changed.
# Plan, apply, plan again; then someone changes a store's cookie bar in its backoffice (drift), and plan and
# apply find and correct it. Every run leaves plan/report/JUnit/HTML in demo/fleet/runs/ and is recorded in
# the demo's own home demo/fleet/home (history, sessions, refused logins, locks; never the user's), fresh each
# time; the demo ends with the drift history and the status.
set -uo pipefail
cd "$(dirname "$0")/.."
PORT=8801
HOST=127.0.0.1
DIR=demo/fleet
mkdir -p "$DIR"
rm -rf "$DIR/home"
unset ECOM_PRIVACY_DB ECOM_PRIVACY_SESSION_DIR
export ECOM_PRIVACY_HOME="$PWD/$DIR/home"
http() { python3 -c 'import sys, urllib.request as u; d = sys.argv[2].encode() if len(sys.argv) > 2 else None
r = u.Request(sys.argv[1], data=d, headers={"Content-Type": "application/json"}); sys.stdout.write(u.urlopen(r, timeout=2).read().decode())' "$@"; }
if http "http://$HOST:$PORT/__mock__/health" >/dev/null 2>&1; then
  echo "Something already listens on $HOST:$PORT; stop it first." >&2
  exit 1
fi
ecom-privacy mock --host "$HOST" --port "$PORT" --seed config/fleet-demo-seed.yaml --write-fleet "$DIR/fleet.yaml" \
  > "$DIR/mock.log" 2>&1 &
MOCK_PID=$!
trap 'kill $MOCK_PID 2>/dev/null; wait $MOCK_PID 2>/dev/null' EXIT
for _ in $(seq 1 100); do
  http "http://$HOST:$PORT/__mock__/health" >/dev/null 2>&1 && break
  kill -0 $MOCK_PID 2>/dev/null || { cat "$DIR/mock.log" >&2; exit 1; }
  sleep 0.1   # waiting for the server to bind its port
done
# One store's password is wrong in .env: it must fail alone, after exactly one login attempt.
sed -i 's/^EP_SHOP_018_PASSWORD=.*/EP_SHOP_018_PASSWORD=not-the-password/' "$DIR/.env"
http "http://$HOST:$PORT/__mock__/faults" '{"error_rate": 0.2, "latency_ms": 50, "session_ttl_s": 20, "seed": 5}' \
  >/dev/null
echo "== mock backoffice on http://$HOST:$PORT: 20 stores; faults: 20% HTTP 500, 50 ms latency, sessions expire after 20 s"
run() { echo; echo "\$ $*"; "$@"; echo "(exit $?)"; }
ARGS=(-c "$DIR/fleet.yaml" --env-file "$DIR/.env" --artifacts-dir "$DIR/runs" --log-format console
      --parallelism 4)
run ecom-privacy plan "${ARGS[@]}"
run ecom-privacy apply "${ARGS[@]}" --auto-approve --junit "$DIR/junit.xml"
run ecom-privacy plan "${ARGS[@]}"
echo
echo "== login attempts of the store with the wrong password, over the three runs (never retried):"
http "http://$HOST:$PORT/__mock__/state" | python3 -c '
import json, sys
login = json.load(sys.stdin)["stores"]["shop-018"]["login"]
print("  shop-018: login attempts=%(attempts)s, locked=%(locked)s" % login)'
echo
echo "== runs (open report.html in a browser):"
for run_dir in "$DIR"/runs/*/; do echo "  $run_dir: $(ls "$run_dir" | tr '\n' ' ')"; done
echo
echo "== someone switches the cookie bar of shop-003 off in its backoffice (drift made outside the tool)"
http "http://$HOST:$PORT/__mock__/cookie-law" '{"store": "shop-003", "mode": "none"}' >/dev/null
run ecom-privacy plan "${ARGS[@]}"
run ecom-privacy apply "${ARGS[@]}" --auto-approve
echo
echo "== the drift history of shop-003: found by the plan, corrected by the apply (both run directories)"
run ecom-privacy history --store shop-003
ecom-privacy history --format json --html "$DIR/history.html" >/dev/null 2>&1
echo "   the history page of the whole fleet: $DIR/history.html"
echo
echo "== the fleet now (exit 1: the two broken stores still fail); also written to $DIR/status.html"
run ecom-privacy status -c "$DIR/fleet.yaml" --html "$DIR/status.html"
