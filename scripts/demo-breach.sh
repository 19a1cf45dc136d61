#!/usr/bin/env bash
# The data-breach part of `make demo` (called by demo.sh while the mock runs): a platform incident touching
# two stores, assessed, drafts rendered, green-teas' customers emailed through a local SMTP server (STARTTLS,
# AUTH), a public notice on fietsen-jansen's storefront, the register exported.
set -uo pipefail
cd "$(dirname "$0")/.."
SMTP_PORT=${SMTP_PORT:-8825}
# The register is the demo home's database (demo.sh starts a fresh home), never the user's.
unset ECOM_PRIVACY_DB ECOM_PRIVACY_SESSION_DIR
export ECOM_PRIVACY_HOME="${ECOM_PRIVACY_HOME:-$PWD/demo/home}" ECOM_PRIVACY_ACTOR="demo"
rm -rf demo/smtp demo/breach-drafts demo/breach-register
run() { echo; echo "\$ $*"; "$@"; echo "(exit $?)"; }
echo
echo "== Data breaches: a platform incident touching green-teas and fietsen-jansen, discovered 20 hours ago"
python -m mock_backoffice.smtp_sink --port "$SMTP_PORT" --dir demo/smtp --env-out demo/.env > demo/smtp.log 2>&1 &
SMTP_PID=$!
trap 'kill $SMTP_PID 2>/dev/null; wait $SMTP_PID 2>/dev/null' EXIT
for _ in $(seq 1 100); do
  grep -q "^SMTP server" demo/smtp.log 2>/dev/null && break
  kill -0 $SMTP_PID 2>/dev/null || { cat demo/smtp.log >&2; exit 1; }
  sleep 0.1   # waiting for the SMTP server to make its certificate and bind its port
done
cat demo/smtp.log
DISCOVERED=$(date -u -d '-20 hours' +%Y-%m-%dT%H:%M+00:00)
FLEET=(-c config/demo.yaml --env-file demo/.env --artifacts-dir demo/runs)
run ecom-privacy breach new --file config/demo-breach.yaml --discovered-at "$DISCOVERED"
run ecom-privacy breach list
run ecom-privacy breach assess 1 --answer personal_data=yes --answer unintelligible=no --answer identifiable=yes \
  --answer sensitive=no --answer severe_consequences=yes --answer large_scale=no --answer malicious=yes \
  --answer contained=no
run ecom-privacy breach draft 1 --authority -c config/demo.yaml --out demo/breach-drafts
run ecom-privacy breach draft 1 --customers -c config/demo.yaml --out demo/breach-drafts
echo; echo "--- demo/breach-drafts/incident-1/customers-green-teas-en.txt"
cat demo/breach-drafts/incident-1/customers-green-teas-en.txt
run ecom-privacy breach update 1 --authority-notified now --authority-reference AP-2026-004211
run ecom-privacy breach update 1 --store green-teas --subjects notify --reason "every customer has an email address"
run ecom-privacy breach update 1 --store fietsen-jansen --subjects public \
  --reason "320 subscribers, most without consent records: individual messages take disproportionate effort"
# Plan (exit 2), then send; a second --apply would send nobody a second message.
run ecom-privacy breach notify 1 --store green-teas "${FLEET[@]}"
run ecom-privacy breach notify 1 --store green-teas "${FLEET[@]}" --apply --rate 600
echo "(the SMTP server received $(ls demo/smtp/received | wc -l) message(s): demo/smtp/received/*.eml)"
run ecom-privacy breach publish 1 --store fietsen-jansen "${FLEET[@]}"
run ecom-privacy breach publish 1 --store fietsen-jansen "${FLEET[@]}" --apply
run ecom-privacy breach show 1
run ecom-privacy breach export --out demo/breach-register
run ecom-privacy breach check
