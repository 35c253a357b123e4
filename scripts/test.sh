#!/usr/bin/env bash
# Runs every test: the workspace's cargo tests, the REST API's schema conformance, then the Playwright suite in Chromium against a
# freshly started release server on a throw-away database. Exits non-zero if anything fails.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/setup.sh
export PATH="$PWD/node_modules/.bin:$PATH"

# --release shares its compiled dependencies with the release server build below. The bench's
# smoke test (tiny parameters) runs the `confab` binary this same command builds.
echo "==> cargo test --release (workspace)"
cargo test --release -p app -p confab -p confab-bench --features app/ssr

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
