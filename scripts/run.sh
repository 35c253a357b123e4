#!/usr/bin/env bash
# Builds Confab in release mode and runs it on SQLite (no other service needed).
# Honours CONFAB_* variables and .env (see README), e.g. CONFAB_LISTEN=127.0.0.1:3001 for a second instance.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/setup.sh
export PATH="$PWD/node_modules/.bin:$PATH"  # wasm-opt 132 and tailwindcss first
echo "==> cargo leptos build --release"
cargo leptos build --release
node scripts/precompress.mjs target/site
exec target/release/confab
