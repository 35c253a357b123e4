#!/usr/bin/env bash
# Runs every test: the workspace's cargo tests (on SQLite, then the store's tests again on PostgreSQL),
# the REST API's schema conformance, then the Playwright suite in Chromium against a freshly started
# release server on a throw-away database. Exits non-zero if anything fails.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/setup.sh --postgres
export PATH="$PWD/node_modules/.bin:$PATH"

# --release shares its compiled dependencies with the release server build below. The bench's
# smoke test (tiny parameters) runs the `confab` binary this same command builds.
CARGO_TEST=(cargo test --release -p app -p confab -p confab-bench --features app/ssr)
# Tests about PostgreSQL itself wait for the second run.
echo "==> cargo test --release (workspace, SQLite)"
"${CARGO_TEST[@]}" -- --skip store::postgres::

# The same packages and features, so nothing is built again: the library tests (services, store)
# and the HTTP tests, each in a scratch PostgreSQL database it creates and drops. Tests about
# SQLite itself stay out; the binary's and the bench's do not depend on the store.
echo "==> cargo test --release (store and HTTP tests, PostgreSQL)"
CONFAB_TEST_STORE=postgres "${CARGO_TEST[@]}" --lib --test api -- --skip store::sqlite::

echo "==> cargo leptos build --release"
cargo leptos build --release
node scripts/precompress.mjs target/site

echo "==> REST API schema conformance (schemathesis)"
scripts/api_conformance.sh

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export CONFAB_DATA_DIR="$scratch/data" CONFAB_CODE_DELIVERY=outbox CONFAB_OUTBOX_DIR="$scratch/outbox"
# Every test signs people up from 127.0.0.1; the per-IP code limits have their own cargo tests.
export CONFAB_CODE_SENDS_PER_IP_HOUR=100000 CONFAB_CODE_CHECKS_PER_IP_10_MIN=100000
export CONFAB_LISTEN="${CONFAB_E2E_LISTEN:-127.0.0.1:3100}"
unset CONFAB_DATABASE_URL CONFAB_PUBLIC_URL CONFAB_SECRET_KEY
rm -rf end2end/results
echo "==> playwright (Chromium, desktop + phone) against http://$CONFAB_LISTEN on $CONFAB_DATA_DIR"
status=0
npx playwright test --config end2end/playwright.config.ts "$@" || status=$?
# One closing line with the counts, from Playwright's JSON report.
node -e '
  const s = require("./end2end/results/report.json").stats;
  console.log(`playwright: ${s.expected + s.flaky} passed, ${s.unexpected} failed, ${s.skipped} skipped`);
' || echo "playwright: no report written"
exit $status
