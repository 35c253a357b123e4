#!/usr/bin/env bash
# Makes this machine ready to build, run and test Confab. Idempotent: each step is skipped when its
# result is already there, so a second run takes seconds. Debian 12 (x86-64), run as root or with sudo.
#
#   1. a Rust toolchain with the wasm32 standard library, linked under the rustup name `confab`
#      (rust-toolchain.toml asks for it): rustup's own when `rustup target add` can fetch the wasm32
#      std, else Debian's rustc-web with a wasm32 std built from Debian's rust-web-src
#   2. Chromium (Debian's package; Playwright never downloads a browser here)
#   3. cargo-leptos and a wasm-bindgen CLI of exactly the version in Cargo.lock
#   4. npm tools pinned in package-lock.json: Tailwind CSS v4, wasm-opt (binaryen), Playwright
#   5. the cargo target directory outside the checkout (CONFAB_TARGET_DIR), so clones share builds
#   6. schemathesis and moto's S3 server (PyPI, pinned) in a venv outside the checkout, for
#      scripts/api_conformance.sh and the blob store tests against S3 (`moto_server`)
#   7. with --postgres: PostgreSQL answering on 127.0.0.1:5432 (the one there, else Debian's package,
#      started), a role `confab` (password `confab`) that may create databases, and a database
#      `confab` it owns: what the tests' scratch databases and `scripts/run.sh --postgres` use
#   8. coturn (Debian's package, binary `turnserver`): the TURN relay the browser call tests start
#      for themselves; the system's coturn service stays off
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPO=$PWD
postgres=0
for arg in "$@"; do
  case $arg in
    --postgres) postgres=1 ;;
    *) echo "usage: scripts/setup.sh [--postgres]" >&2; exit 2 ;;
  esac
done
CARGO_LEPTOS_VERSION=0.3.11
TOOLCHAIN=confab
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

say() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }
die() { printf '\033[1;31msetup: %s\033[0m\n' "$*" >&2; exit 1; }
have() { command -v "$1" >/dev/null 2>&1; }
sudo_() { if [[ $(id -u) == 0 ]]; then "$@"; elif have sudo; then sudo "$@"; else die "need root (or sudo) for: $*"; fi; }

apt_updated=0
apt_install() {
  local need=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || need+=("$p"); done
  ((${#need[@]})) || return 0
  have apt-get || die "missing ${need[*]} and no apt-get to install them"
  say "apt-get install ${need[*]}"
  if ((apt_updated == 0)); then sudo_ apt-get update -qq || die "apt-get update failed"; apt_updated=1; fi
  sudo_ env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null ||
    die "apt-get install ${need[*]} failed"
}

have rustup || die "rustup is missing: install Rust from https://rustup.rs first"
have npm || die "npm (Node.js 18+) is missing: apt-get install nodejs npm"

# --- 1. Rust with a wasm32 std ----------------------------------------------------------------
toolchain_dir() { rustup toolchain list -v 2>/dev/null | awk -v t="$1" '$1 == t {print $NF}'; }
wasm_std_ok() { # can this rustc compile for wasm32 with the std it has?
  echo 'pub fn f() -> String { format!("{}", 1) }' |
    "$1" --target wasm32-unknown-unknown --crate-type lib --crate-name stdcheck --emit=metadata -o "$(mktemp)" - 2>/dev/null
}
current=$(toolchain_dir "$TOOLCHAIN")
if [[ -n $current ]] && wasm_std_ok "$current/bin/rustc"; then
  say "toolchain '$TOOLCHAIN' ready: $("$current/bin/rustc" -V) at $current"
else
  [[ -n $current ]] && rustup toolchain uninstall "$TOOLCHAIN" >/dev/null 2>&1 || true
  stable=$(toolchain_dir "stable-x86_64-unknown-linux-gnu")
  if [[ -n $stable ]] && timeout 300 rustup target add wasm32-unknown-unknown --toolchain stable >/dev/null 2>&1 &&
     wasm_std_ok "$stable/bin/rustc"; then
    say "using rustup's stable toolchain with its wasm32 target ($("$stable/bin/rustc" -V))"
    rustup toolchain link "$TOOLCHAIN" "$stable"
  else
    say "rustup cannot provide the wasm32 std here: using Debian's rustc-web"
    apt_install rustc-web cargo-web rust-web-src lld-22
    sysroot_lib=/usr/lib/rustlib/wasm32-unknown-unknown/lib
    want=$(/usr/bin/rustc -V)
    if [[ "$(cat "$sysroot_lib/.built-by" 2>/dev/null)" != "$want" ]] || ! wasm_std_ok /usr/bin/rustc; then
      say "building the wasm32 std with $want (~45 s)"
      scratch=$(mktemp -d)
      (cd "$scratch" && /usr/bin/cargo init -q --lib --name wasmstd &&
        env -u RUSTUP_TOOLCHAIN -u CARGO_TARGET_DIR PATH=/usr/bin:$PATH RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 \
          RUSTFLAGS="-Zforce-unstable-if-unmarked -Cembed-bitcode=yes" \
          /usr/bin/cargo build -q --release --target wasm32-unknown-unknown -Zbuild-std=std,panic_abort,panic_unwind) ||
        die "building the wasm32 std from rust-web-src failed"
      sudo_ mkdir -p "$sysroot_lib"
      sudo_ rm -f "$sysroot_lib"/lib*.rlib
      for f in "$scratch"/target/wasm32-unknown-unknown/release/deps/lib*.rlib; do
        case ${f##*/} in libwasmstd-*) ;; *) sudo_ cp "$f" "$sysroot_lib/" ;; esac
      done
      echo "$want" | sudo_ tee "$sysroot_lib/.built-by" >/dev/null
      rm -rf "$scratch"
    fi
    wasm_std_ok /usr/bin/rustc || die "Debian's rustc still cannot build for wasm32"
    rustup toolchain link "$TOOLCHAIN" /usr
  fi
fi

# --- 2. Chromium for the end-to-end tests -----------------------------------------------------
apt_install chromium
[[ -x /usr/bin/chromium ]] || die "Chromium is missing at /usr/bin/chromium"

# --- 3. cargo-leptos and wasm-bindgen ---------------------------------------------------------
if cargo-leptos --version 2>/dev/null | grep -qx "cargo-leptos $CARGO_LEPTOS_VERSION"; then
  say "cargo-leptos $CARGO_LEPTOS_VERSION present"
else
  say "cargo install cargo-leptos $CARGO_LEPTOS_VERSION (slow: ~25 min on 2 cores, once per machine)"
  cargo "+$TOOLCHAIN" install cargo-leptos --locked --version "$CARGO_LEPTOS_VERSION" ||
    die "installing cargo-leptos failed"
fi
wbg=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/,""); print; exit}' Cargo.lock)
[[ -n $wbg ]] || die "Cargo.lock names no wasm-bindgen version"
if wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen $wbg"; then
  say "wasm-bindgen CLI $wbg present"
else
  # No --locked: its own lock names crates this registry may not carry.
  say "cargo install wasm-bindgen-cli $wbg (~9 min, once per machine)"
  cargo "+$TOOLCHAIN" install wasm-bindgen-cli --version "=$wbg" --force || die "installing wasm-bindgen-cli $wbg failed"
fi

# --- 4. npm tools (Tailwind, wasm-opt, Playwright) --------------------------------------------
# `npm install`, not `npm ci`: the lock lacks other platforms' optional packages and `npm ci` refuses it.
stamp=node_modules/.confab-lock-hash
lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ "$(cat "$stamp" 2>/dev/null)" == "$lock_hash" && -x node_modules/.bin/wasm-opt && -x node_modules/.bin/tailwindcss && -x node_modules/.bin/playwright ]]; then
  say "npm tools present (tailwindcss, wasm-opt, playwright)"
else
  say "npm install (Tailwind CSS, binaryen's wasm-opt, Playwright)"
  npm install --no-fund --no-audit --loglevel=error || die "npm install failed"
  echo "$lock_hash" >"$stamp"
fi
# Debian's binaryen (wasm-opt 108) silently breaks hydration; ours must come first on PATH.
"$REPO/node_modules/.bin/wasm-opt" --version | grep -q "version 132" || die "node_modules wasm-opt is not binaryen 132"

# --- 5. target directory outside the checkout -------------------------------------------------
target_dir=${CONFAB_TARGET_DIR:-$HOME/.cache/confab/target}
if [[ ! -e target ]]; then
  mkdir -p "$target_dir"
  ln -s "$target_dir" target
  say "target/ -> $target_dir (shared by every checkout on this machine)"
fi

# --- 6. schemathesis for the REST API's schema conformance, moto for the S3 blob store tests ----
SCHEMATHESIS_VERSION=4.32.5
MOTO_VERSION=5.2.6
venv=${CONFAB_VENV:-$HOME/.cache/confab/venv}
venv_ready() {
  [ -x "$venv/bin/python" ] && return
  have python3 || apt_install python3
  python3 -c 'import venv, ensurepip' 2>/dev/null || apt_install python3-venv
  python3 -m venv "$venv" || die "creating the venv $venv failed"
}
# pip_pinned PACKAGE VERSION [EXTRAS]: installs PACKAGE==VERSION into the venv unless it is there.
pip_pinned() {
  if [ -x "$venv/bin/python" ] &&
    "$venv/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('$1') != '$2')" 2>/dev/null; then
    say "$1 $2 present"
    return
  fi
  venv_ready
  say "pip install $1${3:-}==$2 into $venv"
  "$venv/bin/pip" install -q --disable-pip-version-check "$1${3:-}==$2" || die "installing $1 failed"
}
pip_pinned schemathesis "$SCHEMATHESIS_VERSION"
# The blob store tests start `$venv/bin/moto_server` (an S3-compatible server) and fail without it.
pip_pinned moto "$MOTO_VERSION" "[server]"

# --- 7. PostgreSQL (--postgres) -----------------------------------------------------------------
# The role's password is for this machine's tests and local runs; a server in production gets a
# role and password of its own in CONFAB_DATABASE_URL.
PG_HOST=127.0.0.1 PG_PORT=5432 PG_ROLE=confab PG_PASSWORD=confab PG_DATABASE=confab
pg_answers() { pg_isready -q -h "$PG_HOST" -p "$PG_PORT" -t 3; }
# Runs psql as PostgreSQL's superuser: over the local socket as the `postgres` system user (peer
# authentication, Debian's default), else over TCP as the role `postgres` (a trusting server).
pg_admin() {
  if id postgres >/dev/null 2>&1 && sudo_ runuser -u postgres -- psql -X -q -p "$PG_PORT" -d postgres -c 'SELECT 1' >/dev/null 2>&1; then
    sudo_ runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -p "$PG_PORT" -d postgres "$@"
  else
    psql -X -q -v ON_ERROR_STOP=1 -h "$PG_HOST" -p "$PG_PORT" -U postgres -d postgres "$@"
  fi
}
as_role() { PGPASSWORD=$PG_PASSWORD psql -X -q -v ON_ERROR_STOP=1 -h "$PG_HOST" -p "$PG_PORT" -U "$PG_ROLE" -d postgres "$@"; }
role_works() { # can the role log in with its password and create databases?
  as_role -tA -c 'SELECT rolcreatedb FROM pg_roles WHERE rolname = current_user' 2>/dev/null | grep -qx t
}
if ((postgres)); then
  have pg_isready && have psql || apt_install postgresql-client
  if pg_answers; then
    say "PostgreSQL answers on $PG_HOST:$PG_PORT"
  else
    apt_install postgresql
    # Containers have no systemd: start each stopped cluster with Debian's own wrapper.
    if [[ -z $(pg_lsclusters -h 2>/dev/null) ]]; then
      version=$(ls /usr/lib/postgresql | sort -V | tail -1)
      say "creating PostgreSQL $version cluster main"
      sudo_ pg_createcluster "$version" main >/dev/null
    fi
    pg_lsclusters -h | while read -r version cluster _port status _; do
      if [[ $status != online* ]]; then
        say "starting PostgreSQL $version/$cluster"
        sudo_ pg_ctlcluster "$version" "$cluster" start || die "PostgreSQL $version/$cluster did not start (see /var/log/postgresql/)"
      fi
    done
    for _ in $(seq 30); do pg_answers && break; sleep 1; done
    pg_answers || die "PostgreSQL does not answer on $PG_HOST:$PG_PORT (see pg_lsclusters and /var/log/postgresql/)"
  fi
  if role_works; then
    say "PostgreSQL role $PG_ROLE can log in and create databases"
  else
    say "PostgreSQL: role $PG_ROLE (LOGIN CREATEDB)"
    pg_admin <<SQL || die "cannot create the PostgreSQL role $PG_ROLE (needs the postgres system user, or a server trusting the role postgres on $PG_HOST)"
SELECT format(CASE WHEN EXISTS (SELECT FROM pg_roles WHERE rolname = '$PG_ROLE')
  THEN 'ALTER ROLE %I LOGIN CREATEDB PASSWORD %L' ELSE 'CREATE ROLE %I LOGIN CREATEDB PASSWORD %L' END,
  '$PG_ROLE', '$PG_PASSWORD')
\gexec
SQL
    role_works || die "the role $PG_ROLE still cannot log in over TCP: allow password (scram-sha-256) logins from $PG_HOST in pg_hba.conf"
  fi
  if ! as_role -tA -c "SELECT 1 FROM pg_database WHERE datname = '$PG_DATABASE'" | grep -qx 1; then
    say "PostgreSQL: database $PG_DATABASE"
    as_role -c "CREATE DATABASE $PG_DATABASE" || die "cannot create the database $PG_DATABASE"
  fi
  say "PostgreSQL ready: postgres://$PG_ROLE:$PG_PASSWORD@$PG_HOST:$PG_PORT/$PG_DATABASE"
fi

# --- 8. coturn for the call tests ------------------------------------------------------------------
# scripts/e2e_in_namespace.sh runs its own `turnserver` in the tests' network namespace. Installing
# the package enables and starts the system service where systemd runs (Debian's sysv script keeps
# it off unless /etc/default/coturn enables it): a TURN server on every address is not what the
# tests asked for, so a fresh install turns it off again.
if dpkg -s coturn >/dev/null 2>&1; then
  say "coturn present"
else
  apt_install coturn
  if [[ -d /run/systemd/system ]]; then
    sudo_ systemctl disable --now coturn.service >/dev/null 2>&1 || die "could not stop the coturn service the package started"
  fi
fi
have turnserver || die "turnserver is missing after installing coturn"

say "ready: $(cargo "+$TOOLCHAIN" -V); $(cargo-leptos --version); $(wasm-bindgen --version)"
