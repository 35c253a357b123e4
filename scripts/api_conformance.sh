#!/usr/bin/env bash
# Schema conformance of the REST API: starts the release server (target/release/confab, built
# by `cargo leptos build --release`) on a throw-away database, signs a person up with curl to get
# a token, and runs schemathesis against the served /api/openapi.json with every check (server
# errors, status codes, content types, response schemas and headers, invalid input rejected,
# valid input accepted, auth enforced). Exits non-zero on any failure.
#   CONFAB_CONFORMANCE_EXAMPLES  examples per operation (default 60)
#   CONFAB_CONFORMANCE_SEED      reuse a seed that schemathesis printed, to replay a run
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
schemathesis=${CONFAB_VENV:-$HOME/.cache/confab/venv}/bin/schemathesis
[[ -x $schemathesis ]] || { echo "api_conformance: schemathesis missing; run scripts/setup.sh" >&2; exit 1; }
[[ -x target/release/confab ]] || { echo "api_conformance: build first: cargo leptos build --release" >&2; exit 1; }

listen=${CONFAB_CONFORMANCE_LISTEN:-127.0.0.1:3200}
base="http://$listen"
scratch=$(mktemp -d)
server=
cleanup() {
  [[ -n $server ]] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  rm -rf "$scratch"
}
trap cleanup EXIT

# The public URL names the host as localhost, so the passkey endpoints are on (an IP address
# cannot be a passkey relying party).
env -u CONFAB_DATABASE_URL -u CONFAB_SECRET_KEY -u CONFAB_CORS_ORIGINS \
  CONFAB_PUBLIC_URL="http://localhost:${listen##*:}" CONFAB_DATA_DIR="$scratch/data" CONFAB_CODE_DELIVERY=outbox CONFAB_OUTBOX_DIR="$scratch/outbox" \
  CONFAB_LISTEN="$listen" CONFAB_CODE_SENDS_PER_IP_HOUR=100000 CONFAB_CODE_CHECKS_PER_IP_10_MIN=100000 \
  CONFAB_LOG=warn target/release/confab >"$scratch/server.log" 2>&1 &
server=$!
for _ in $(seq 100); do
  curl -fs "$base/healthz" >/dev/null && break
  kill -0 "$server" 2>/dev/null || { cat "$scratch/server.log"; exit 1; }
  sleep 0.1
done

# Sign-up through the API, reading the code from the outbox as a phone would receive it.
json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
code_for() { python3 - "$scratch/outbox" "$1" <<'PY'
import json, pathlib, sys
found = [json.loads(p.read_text()) for p in sorted(pathlib.Path(sys.argv[1]).glob("*.json"))]
print([m["code"] for m in found if m["to"] == sys.argv[2]][-1])
PY
}
sign_up() { # username phone -> access token
  local pending
  pending=$(curl -fsS "$base/api/register" -H 'Content-Type: application/json' \
    -d "{\"username\":\"$1\",\"phone\":\"$2\"}" | json '["pending_id"]')
  curl -fsS "$base/api/register/verify" -H 'Content-Type: application/json' \
    -d "{\"pending_id\":\"$pending\",\"code\":\"$(code_for "$2")\"}" | json '["access_token"]'
}
token=$(sign_up conformance +4915112399001)

echo "==> schemathesis $("$schemathesis" --version | awk '{print $NF}') against $base/api/openapi.json"
# One worker: with two threads, Python 3.11's ast parser (used by Hypothesis to describe its
# strategies) now and then fails with "AST constructor recursion depth mismatch", a crash of the
# tool that is not a finding about the API.
args=(
  --config-file scripts/schemathesis.toml
  run "$base/api/openapi.json" --url "$base"
  -H "Authorization: Bearer $token"
  --checks all
  --phases examples,coverage,fuzzing
  --max-examples "${CONFAB_CONFORMANCE_EXAMPLES:-60}"
  --workers 1
  --request-timeout 10
  --generation-database=:memory:
  --suppress-health-check too_slow,filter_too_much
)
[[ -n ${CONFAB_CONFORMANCE_SEED:-} ]] && args+=(--seed "$CONFAB_CONFORMANCE_SEED")
status=0
"$schemathesis" "${args[@]}" || status=$?
if grep -qi "panicked" "$scratch/server.log"; then
  echo "api_conformance: the server panicked:" >&2
  grep -i -A3 "panicked" "$scratch/server.log" >&2
  status=1
fi
if ((status != 0)); then
  echo "api_conformance: the server's log ends with:" >&2
  tail -n 40 "$scratch/server.log" >&2
fi
exit $status
