#!/usr/bin/env bash
# Seeds a throw-away database (100,000 messages unless MESSAGES says otherwise), starts the server
# on it, logs in as the seeded `demo` person, and times server-side rendering of /chats and
# /chats/<busiest chat> plus the JSON routes behind them. Usage:
#   scripts/bench_chats.sh [path/to/confab]      (default target/release/confab)
set -euo pipefail

BIN=${1:-target/release/confab}
MESSAGES=${MESSAGES:-100000}
RUNS=${RUNS:-30}
PORT=${PORT:-3917}
WORK=$(mktemp -d)
trap 'kill "${SERVER:-0}" 2>/dev/null || true; rm -rf "$WORK"' EXIT
export CONFAB_DATA_DIR=$WORK/data CONFAB_LISTEN=127.0.0.1:$PORT CONFAB_CODE_DELIVERY=outbox \
       CONFAB_OUTBOX_DIR=$WORK/outbox CONFAB_LOG=warn CONFAB_CODE_SENDS_PER_IP_HOUR=1000

echo "== seed ($MESSAGES messages)"
/usr/bin/time -f "seed wall time: %e s" "$BIN" seed --messages "$MESSAGES"

"$BIN" & SERVER=$!
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
URL=http://127.0.0.1:$PORT
JAR=$WORK/cookies

code() { sleep 0.3; python3 -c 'import glob,json,sys; print(json.load(open(sorted(glob.glob(sys.argv[1] + "/*.json"))[-1]))["code"])' "$WORK/outbox"; }

# Browser session (server fns), then an API token.
pending=$(curl -fs -c "$JAR" -b "$JAR" -X POST "$URL/api/accounts/login_start" -d 'user_id=&phone=%2B4915100000001' \
          | sed 's/.*"pending_id":"\([^"]*\)".*/\1/')
curl -fs -c "$JAR" -b "$JAR" -X POST "$URL/api/accounts/verify_code" -d "pending_id=$pending&code=$(code)" >/dev/null
rm -f "$WORK"/outbox/*.json
pending=$(curl -fs -X POST "$URL/api/login/" -H 'content-type: application/json' -d '{"phone":"+4915100000001"}' \
          | sed 's/.*"pending_id":"\([^"]*\)".*/\1/')
token=$(curl -fs -X POST "$URL/api/login/verify/" -H 'content-type: application/json' \
        -d "{\"pending_id\":\"$pending\",\"code\":\"$(code)\"}" | sed 's/.*"access_token":"\([^"]*\)".*/\1/')
chat=$(curl -fs "$URL/api/chats/" -H "authorization: Bearer $token" | python3 -c \
       'import json,sys; print(max(json.load(sys.stdin)["items"], key=lambda c: (c["last_message"] or {}).get("seq", 0))["id"])')

# Median and 95th percentile of RUNS requests, in milliseconds.
timeit() {
    local label=$1; shift
    for _ in $(seq "$RUNS"); do curl -fs -o /dev/null -w '%{time_total}\n' "$@"; done | sort -n |
        awk -v l="$label" '{t[NR]=$1*1000} END {printf "%-28s median %6.1f ms   p95 %6.1f ms   (%d runs)\n", l, t[int(NR/2)+1], t[int(NR*0.95)], NR}'
}

for path in /chats "/chats/$chat"; do
    curl -s -o /dev/null -b "$JAR" -w "GET $path: %{http_code}, %{size_download} bytes\n" "$URL$path"
done
echo "== timings (demo's busiest chat: $chat)"
timeit "page /chats" -b "$JAR" "$URL/chats"
timeit "page /chats/<id>" -b "$JAR" "$URL/chats/$chat"
timeit "GET /api/chats/" -H "authorization: Bearer $token" "$URL/api/chats/"
timeit "GET /api/chats/<id>/" -H "authorization: Bearer $token" "$URL/api/chats/$chat/"
timeit "search 'granite'" -H "authorization: Bearer $token" "$URL/api/search/messages/?q=granite"
