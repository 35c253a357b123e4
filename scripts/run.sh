#!/usr/bin/env bash
# Builds Confab in release mode and runs it on SQLite (no other service needed), or with --postgres
# on this machine's PostgreSQL (installed and started if needed; database `confab`).
# Honours CONFAB_* variables and .env (see README), e.g. CONFAB_LISTEN=127.0.0.1:3001 for a second instance.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
case ${1:-} in
  "") scripts/setup.sh ;;
  --postgres)
    scripts/setup.sh --postgres
    # The role and database setup.sh --postgres makes, unless the environment or .env names one.
    if [[ -z ${CONFAB_DATABASE_URL:-} ]] && ! grep -qs '^[[:space:]]*CONFAB_DATABASE_URL=' .env; then
      export CONFAB_DATABASE_URL=postgres://confab:confab@127.0.0.1:5432/confab
    fi
    ;;
  *) echo "usage: scripts/run.sh [--postgres]" >&2; exit 2 ;;
esac
export PATH="$PWD/node_modules/.bin:$PATH"  # wasm-opt 132 and tailwindcss first
echo "==> cargo leptos build --release"
cargo leptos build --release
node scripts/precompress.mjs target/site
exec target/release/confab
