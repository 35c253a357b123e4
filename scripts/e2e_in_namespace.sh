#!/usr/bin/env bash
# Runs the Playwright suite (arguments go to `playwright test`, e.g. `calls.spec.ts` or `-g login`)
# in a network namespace with no way out (loopback, plus a veth pair that stays inside it), with a
# TURN server (coturn) on 127.0.0.1:3478 beside the release server. The call tests need both: outside
# such a namespace Chromium offers the machine's outside address as its ICE candidate, and the
# relay-only call must go through a TURN server. Needs root (for `ip netns`) and `turnserver`
# (scripts/setup.sh installs Debian's coturn); without them it fails, it never skips the calls.
# scripts/test.sh runs it after building; alone it needs target/release/confab and target/site:
#   scripts/e2e_in_namespace.sh calls.spec.ts
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="$PWD/node_modules/.bin:$PATH"

fail() { printf '\033[1;31me2e: %s\033[0m\n' "$*" >&2; exit 1; }
command -v ip >/dev/null 2>&1 || fail "the 'ip' command is missing: apt-get install iproute2"
command -v turnserver >/dev/null 2>&1 ||
  fail "turnserver is missing: run scripts/setup.sh (it installs Debian's coturn), or apt-get install coturn"
[[ $(id -u) == 0 ]] || fail "the browser tests run in a network namespace, which needs root: run this as root (or with sudo)"

scratch=$(mktemp -d)
ns=confab-e2e-$$
turn_pid=
cleanup() {
  if [[ -n $turn_pid ]]; then kill "$turn_pid" 2>/dev/null || true; wait "$turn_pid" 2>/dev/null || true; fi
  # Whatever else was started in the namespace (a server Playwright could not stop) goes with it.
  local left
  left=$(ip netns pids "$ns" 2>/dev/null || true)
  if [[ -n $left ]]; then kill $left 2>/dev/null || true; sleep 1; kill -9 $left 2>/dev/null || true; fi
  ip netns del "$ns" 2>/dev/null || true
  rm -rf "$scratch"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ip netns add "$ns" ||
  fail "cannot create the network namespace $ns: 'ip netns add' needs root with CAP_SYS_ADMIN (in a container: --privileged or --cap-add SYS_ADMIN)"
ip netns exec "$ns" ip link set lo up || fail "cannot bring up loopback in the network namespace $ns"
# With loopback alone Chromium reports `navigator.onLine` false and the app waits for a network
# before it opens its socket. A veth pair whose both ends stay in the namespace, with an address
# from the documentation range (192.0.2.0/24) and no route anywhere else, counts as a network for
# the browser while nothing leaves the namespace.
ip netns exec "$ns" ip link add confab0 type veth peer name confab1 &&
  ip netns exec "$ns" ip addr add 192.0.2.1/24 dev confab0 &&
  ip netns exec "$ns" ip link set confab1 up && ip netns exec "$ns" ip link set confab0 up ||
  fail "cannot make the veth pair in the network namespace $ns (the kernel needs veth support)"

# The server's environment: a throw-away data directory, codes written to an outbox folder the
# tests read, no per-IP code limits (every test signs people up from 127.0.0.1; those limits have
# their own cargo tests).
export CONFAB_DATA_DIR="$scratch/data" CONFAB_CODE_DELIVERY=outbox CONFAB_OUTBOX_DIR="$scratch/outbox"
export CONFAB_CODE_SENDS_PER_IP_HOUR=100000 CONFAB_CODE_CHECKS_PER_IP_10_MIN=100000
export CONFAB_LISTEN="${CONFAB_E2E_LISTEN:-127.0.0.1:3100}"
unset CONFAB_DATABASE_URL CONFAB_PUBLIC_URL CONFAB_SECRET_KEY

# coturn on 127.0.0.1:3478 with time-limited credentials from a secret made for this run. The
# server hands out credentials from the same secret; the tests get it too (the expired-credentials
# test signs its own). Loopback peers are allowed here only: in the namespace there is nothing else.
turn_secret=$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')
turn_log=end2end/results/turnserver.log
mkdir -p "$(dirname "$turn_log")"
ip netns exec "$ns" turnserver -n --no-cli --no-tls --no-dtls \
  --listening-ip=127.0.0.1 --relay-ip=127.0.0.1 --listening-port=3478 --min-port=49160 --max-port=49359 \
  --use-auth-secret --static-auth-secret="$turn_secret" --realm=confab.test --allow-loopback-peers \
  --fingerprint --pidfile="$scratch/turnserver.pid" --log-file=stdout --simple-log >"$turn_log" 2>&1 &
turn_pid=$!
for _ in $(seq 50); do
  ip netns exec "$ns" ss -Hlun 'sport = :3478' 2>/dev/null | grep -q . && break
  kill -0 "$turn_pid" 2>/dev/null || { tail -20 "$turn_log" >&2; fail "turnserver exited at start (log: $turn_log)"; }
  sleep 0.2
done
ip netns exec "$ns" ss -Hlun 'sport = :3478' | grep -q . || fail "turnserver does not listen on 127.0.0.1:3478 (log: $turn_log)"
export CONFAB_TURN_URLS=turn:127.0.0.1:3478 CONFAB_TURN_SECRET=$turn_secret CONFAB_CALL_RING_SECONDS=8

echo "e2e: network namespace $ns (no way out), coturn on 127.0.0.1:3478, server on http://$CONFAB_LISTEN, data in $CONFAB_DATA_DIR"
# Playwright starts the server (its webServer) inside the namespace too.
ip netns exec "$ns" npx playwright test --config end2end/playwright.config.ts "$@"
