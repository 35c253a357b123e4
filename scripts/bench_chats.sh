#!/usr/bin/env bash
# Seeds a throw-away database (100,000 messages unless MESSAGES says otherwise), starts the server
# on it, logs in as the seeded `demo` person, and times server-side rendering of /chats and
# /chats/<busiest chat> plus the JSON routes behind them. Usage:
#   scripts/bench_chats.sh [path/to/confab]      (default target/release/confab)
# With CALLGRIND=1 the server runs under valgrind's callgrind and the script prints the
# instructions one render of each page (and of the chat list's JSON) costs instead: a count the
# machine's load does not move.
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

CODE_WAIT=0.3
if [[ -n ${CALLGRIND:-} ]]; then
    CODE_WAIT=3   # everything runs ~50 times slower under valgrind
    valgrind --tool=callgrind --callgrind-out-file="$WORK/callgrind.out" "$BIN" 2>"$WORK/valgrind.log" & SERVER=$!
else
    "$BIN" & SERVER=$!
fi
for _ in $(seq 300); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
URL=http://127.0.0.1:$PORT
JAR=$WORK/cookies

code() { sleep "$CODE_WAIT"; python3 -c 'import glob,json,sys; print(json.load(open(sorted(glob.glob(sys.argv[1] + "/*.json"))[-1]))["code"])' "$WORK/outbox"; }

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
if [[ -n ${CALLGRIND:-} ]]; then
    # Counters zeroed after a warm-up render, dumped after RUNS renders: instructions per render.
    instructions() {
        local label=$1 path=$2; shift 2
        curl -fs -o /dev/null "$@" "$URL$path"
        callgrind_control -z "$SERVER" >/dev/null 2>&1
        for _ in $(seq "$RUNS"); do curl -fs -o /dev/null "$@" "$URL$path"; done
        callgrind_control -d "$SERVER" >/dev/null 2>&1
        local dump
        dump=$(ls -t "$WORK"/callgrind.out.* | head -1)
        # CALLGRIND_KEEP=<dir> keeps each page's profile for callgrind_annotate.
        if [[ -n ${CALLGRIND_KEEP:-} ]]; then mkdir -p "$CALLGRIND_KEEP" && cp "$dump" "$CALLGRIND_KEEP/${path//\//_}.callgrind"; fi
        awk -v l="$label" -v n="$RUNS" '/^(summary|totals):/ {printf "%-28s %6.2f M instructions a request (%d requests)\n", l, $2/n/1e6, n; exit}' "$dump"
    }
    echo "== instructions (callgrind; demo's busiest chat: $chat)"
    instructions "page /chats" /chats -b "$JAR"
    instructions "page /chats/<id>" "/chats/$chat" -b "$JAR"
    instructions "GET /api/chats/" /api/chats/ -H "authorization: Bearer $token"
    exit 0
fi
echo "== timings (demo's busiest chat: $chat)"
timeit "page /chats" -b "$JAR" "$URL/chats"
timeit "page /chats/<id>" -b "$JAR" "$URL/chats/$chat"
timeit "GET /api/chats/" -H "authorization: Bearer $token" "$URL/api/chats/"
timeit "GET /api/chats/<id>/" -H "authorization: Bearer $token" "$URL/api/chats/$chat/"
timeit "search 'granite'" -H "authorization: Bearer $token" "$URL/api/search/messages/?q=granite"

# Throughput of the chat list route: REQUESTS requests, CONCURRENCY at a time, over kept-alive
# connections (curl's parallel mode; the client shares the machine's cores with the server).
REQUESTS=${REQUESTS:-3000}
CONCURRENCY=${CONCURRENCY:-16}
throughput() {
    local label=$1 path=$2 cfg=$WORK/curl.cfg
    : >"$cfg"
    for _ in $(seq "$REQUESTS"); do
        printf 'url = "%s"\noutput = "/dev/null"\nheader = "authorization: Bearer %s"\n' "$URL$path" "$token" >>"$cfg"
    done
    local start end cpu0 cpu1
    # The server's own CPU time (clock ticks) tells its capacity apart from the client's cost.
    cpu0=$(awk '{print $14 + $15}' "/proc/$SERVER/stat")
    start=$(date +%s.%N)
    curl -s --no-progress-meter -Z --parallel-max "$CONCURRENCY" -K "$cfg"
    end=$(date +%s.%N)
    cpu1=$(awk '{print $14 + $15}' "/proc/$SERVER/stat")
    awk -v l="$label" -v n="$REQUESTS" -v s="$start" -v e="$end" -v c=$((cpu1 - cpu0)) -v hz="$(getconf CLK_TCK)" \
        'BEGIN {printf "%-28s %6.0f req/s   (%d requests, %.2f s; server CPU %.2f ms a request)\n", l, n/(e-s), n, e-s, c/hz*1000/n}'
}
echo "== throughput ($CONCURRENCY at a time)"
throughput "GET /api/chats/" /api/chats/
throughput "GET /api/chats/<id>/" "/api/chats/$chat/"
