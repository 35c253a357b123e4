#!/usr/bin/env bash
# Runs every test: the workspace's cargo tests (on SQLite, then the store's tests again on PostgreSQL),
# the REST API's schema conformance, then the Playwright suite in Chromium against a freshly started
# release server on a throw-away database, in a network namespace with no way out, beside a TURN server
# (scripts/e2e_in_namespace.sh; needs root). Exits non-zero if anything fails.
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

rm -rf end2end/results
# In a network namespace with no way out and a TURN server (the calls need both); the script
# makes the throw-away data directory and the server's environment, and fails without root or coturn.
echo "==> playwright (Chromium, desktop + phone) in a closed network namespace with coturn"
status=0
scripts/e2e_in_namespace.sh "$@" || status=$?
# One closing line with the counts, from Playwright's JSON report.
node -e '
  const s = require("./end2end/results/report.json").stats;
  console.log(`playwright: ${s.expected + s.flaky} passed, ${s.unexpected} failed, ${s.skipped} skipped`);
' || echo "playwright: no report written"
exit $status
