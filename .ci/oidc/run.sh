#!/usr/bin/env bash
# Single sign-on end to end: real OpenID providers (oidc-provider, from npm)
# on loopback, Waymark configured against each, and e2e.mjs driving the
# sign-in over HTTP as a browser would (no person, no JavaScript).
#
#   bash .ci/oidc/run.sh [path/to/waymark]
#
# The binary defaults to $CARGO_TARGET_DIR/release/waymark (built with
# `cargo build --release` when missing). Three Waymarks are started:
#   good      against a provider that signs ID tokens with the key it publishes
#             (a good sign-in starts a Waymark session: a 303 back to where
#             the person was going, with a waymark_session cookie)
#   wrong-key against a provider that publishes another key under the same
#             key id (every sign-in must be refused)
#   down      against an issuer where nothing listens
# Logs land in ci-artifacts/oidc/. .ci/run runs this as its last stage.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
cd "$ROOT"

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/work/.cache/waymark-target}"
BIN="${1:-$CARGO_TARGET_DIR/release/waymark}"
if [[ ! -x "$BIN" ]]; then
    echo "No Waymark binary at $BIN: building it (cargo build --release)"
    cargo build --release
    BIN="$CARGO_TARGET_DIR/release/waymark"
fi

LOGS="$ROOT/ci-artifacts/oidc"
rm -rf "$LOGS"
mkdir -p "$LOGS"
WORK="$(mktemp -d)"
PIDS=()

stop_all() {
    local pid
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$WORK"
}
trap stop_all EXIT

free_port() {
    node -e 'const s = require("net").createServer(); s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

# Wait until URL answers 200, or fail showing LOG.
wait_for() {
    local url="$1" log="$2" pid="$3" i
    for i in $(seq 1 100); do
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "error: the process for $url exited; its log:" >&2
            cat "$log" >&2
            return 1
        fi
        if curl -fsS --max-time 2 "$url" >/dev/null 2>&1; then
            return 0
        fi
        sleep 0.2
    done
    echo "error: $url did not answer in time; its log:" >&2
    cat "$log" >&2
    return 1
}

node --version
(
    cd "$HERE"
    npm ci --no-audit --no-fund --loglevel=error
)

SECRET="$(node -e 'console.log(require("crypto").randomBytes(24).toString("base64url"))')"
ROLE_MAP="waymark-managers=manager,waymark-admins=admin"

start_provider() {
    local name="$1" port="$2" redirect="$3" mode="$4"
    # `--name=value`: a random secret may begin with '-' (base64url), which
    # would otherwise be read as an option.
    node "$HERE/provider.mjs" --port="$port" --redirect-uri="$redirect" \
        --client-secret="$SECRET" --mode="$mode" >"$LOGS/provider-$name.log" 2>&1 &
    PIDS+=($!)
    wait_for "http://127.0.0.1:$port/.well-known/openid-configuration" "$LOGS/provider-$name.log" "$!"
}

start_waymark() {
    local name="$1" port="$2" issuer="$3"
    mkdir -p "$WORK/$name"
    WAYMARK_DATA_DIR="$WORK/$name" \
        WAYMARK_ADDR="127.0.0.1:$port" \
        WAYMARK_PUBLIC_URL="http://127.0.0.1:$port" \
        WAYMARK_OIDC_ISSUER="$issuer" \
        WAYMARK_OIDC_CLIENT_ID=waymark \
        WAYMARK_OIDC_CLIENT_SECRET="$SECRET" \
        WAYMARK_OIDC_ROLE_MAP="$ROLE_MAP" \
        RUST_LOG="${RUST_LOG:-info}" \
        "$BIN" serve >"$LOGS/waymark-$name.log" 2>&1 </dev/null &
    PIDS+=($!)
    wait_for "http://127.0.0.1:$port/healthz" "$LOGS/waymark-$name.log" "$!"
}

P_GOOD="$(free_port)"
P_BAD="$(free_port)"
P_DOWN="$(free_port)"
W_GOOD="$(free_port)"
W_BAD="$(free_port)"
W_DOWN="$(free_port)"

start_provider good "$P_GOOD" "http://127.0.0.1:$W_GOOD/auth/oidc/callback" good
start_provider wrong-key "$P_BAD" "http://127.0.0.1:$W_BAD/auth/oidc/callback" wrong-key
start_waymark good "$W_GOOD" "http://127.0.0.1:$P_GOOD"
start_waymark wrong-key "$W_BAD" "http://127.0.0.1:$P_BAD"
start_waymark down "$W_DOWN" "http://127.0.0.1:$P_DOWN"
echo "providers: good http://127.0.0.1:$P_GOOD, wrong-key http://127.0.0.1:$P_BAD; nothing on $P_DOWN"
echo "waymarks:  good http://127.0.0.1:$W_GOOD, wrong-key http://127.0.0.1:$W_BAD, down http://127.0.0.1:$W_DOWN"

rc=0
(
    cd "$HERE"
    WAYMARK_GOOD="http://127.0.0.1:$W_GOOD" \
        WAYMARK_WRONG_KEY="http://127.0.0.1:$W_BAD" \
        WAYMARK_PROVIDER_DOWN="http://127.0.0.1:$W_DOWN" \
        node --test --test-concurrency=1 --test-reporter=spec e2e.mjs
) || rc=$?

# What the sign-ins left in each Waymark's database, read with the binary:
# the good one has one account each for alice and carol (a second sign-in
# reuses the first), the wrong-key one none at all.
if [[ $rc -eq 0 ]]; then
    good_accounts="$("$BIN" --data-dir "$WORK/good" user list)"
    for email in alice@example.org carol@example.org; do
        n="$(grep -c "^$email	" <<<"$good_accounts" || true)"
        if [[ "$n" != 1 ]]; then
            echo "error: the good Waymark has $n accounts for $email, expected 1:" >&2
            echo "$good_accounts" >&2
            rc=1
        fi
    done
    if grep -q "^bob@example.org	" <<<"$good_accounts"; then
        echo "error: the good Waymark made an account for bob, who is in no mapped group" >&2
        rc=1
    fi
    wrong_accounts="$("$BIN" --data-dir "$WORK/wrong-key" user list)"
    if [[ -n "$wrong_accounts" ]]; then
        echo "error: the wrong-key Waymark made accounts from ID tokens it could not verify:" >&2
        echo "$wrong_accounts" >&2
        rc=1
    fi
    echo "accounts: the good Waymark has alice and carol once each; the wrong-key one has none"
fi

# Whatever happened, the client secret must not be in any Waymark log.
for log in "$LOGS"/waymark-*.log; do
    if grep -qF -e "$SECRET" "$log"; then
        echo "error: the client secret appears in $log" >&2
        rc=1
    fi
done
if [[ $rc -ne 0 ]]; then
    for log in "$LOGS"/*.log; do
        echo "--- last lines of $log" >&2
        tail -n 30 "$log" >&2
    done
fi
exit "$rc"
