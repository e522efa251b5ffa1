#!/usr/bin/env bash
# pwhash_limits.sh — the argon2id limits of new password hashes
# (docs/SECURITY.md "Test password-hash limits"):
#  - without PLUMB_TEST_PWHASH_MIN a user's stored hash has libsodium's
#    INTERACTIVE limits, m=65536 KiB (64 MiB), t=2, p=1, and no command
#    warns; PLUMB_TEST_PWHASH_MIN=0 is the same;
#  - with PLUMB_TEST_PWHASH_MIN=1 a new hash has the minimum limits
#    (crypto_pwhash_MEMLIMIT_MIN 8192 bytes = m=8, OPSLIMIT_MIN t=1), and
#    `user add` and `plumb serve` (at start) print the warning once;
#  - a good sign-in on a server without the variable makes a hash of other
#    limits again at production's, and leaves a production hash as it was.
# Expected strings hand-written from libsodium's documented limits, not
# from the code. Not run with PLUMB_TEST_PWHASH_MIN from the environment
# (unset here), unlike the api.* and e2e.* entries.
set -u
: "${PLUMB:?set PLUMB to the plumb binary}"
SRC=${PLUMB_SRC:?set PLUMB_SRC}
export PLUMB_LANG=en
unset PLUMB_TEST_PWHASH_MIN
T=$(mktemp -d)
SERVER=
cleanup() {
    if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null; fi
    rm -rf "$T"
}
trap cleanup EXIT
cd "$T" || exit 2
P=$PLUMB
fail() { echo "FAIL: $*"; exit 1; }
PROD='$argon2id$v=19$m=65536,t=2,p=1$'
MIN='$argon2id$v=19$m=8,t=1,p=1$'
WARN='test password-hash limits in use: not for production'
PW='Correct-Horse-9battery'
DB=$T/s.db

"$P" init --db "$DB" --origin pwhash.example/log >/dev/null || fail "init"
add() { echo "$PW" | "$P" user add "$1" --role admin --password-stdin --db "$DB" --actor test; }
hash_of() { "$P" sql --db "$DB" "SELECT x.pw_hash FROM user_secrets x JOIN users u ON u.id=x.user_id WHERE u.username='$1'"; }
starts() { case "$1" in "$2"*) return 0 ;; esac; return 1; }

out=$(add alice 2>err) || fail "user add alice: $out $(cat err)"
S_ALICE=$(printf '%s\n' "$out" | sed -n 's/^totp_secret: //p')
grep -q "$WARN" err && fail "a warning without the variable: $(cat err)"
H_ALICE=$(hash_of alice)
starts "$H_ALICE" "$PROD" || fail "alice's hash is not at production limits: $H_ALICE"

out=$(PLUMB_TEST_PWHASH_MIN=0 add carol 2>err) || fail "user add carol: $out $(cat err)"
grep -q "$WARN" err && fail "a warning with PLUMB_TEST_PWHASH_MIN=0: $(cat err)"
starts "$(hash_of carol)" "$PROD" || fail "carol's hash (=0) is not at production limits: $(hash_of carol)"

out=$(PLUMB_TEST_PWHASH_MIN=1 add bobby 2>err) || fail "user add bobby: $out $(cat err)"
S_BOBBY=$(printf '%s\n' "$out" | sed -n 's/^totp_secret: //p')
[ "$(grep -c "$WARN" err)" = 1 ] || fail "user add with the variable: not one warning: $(cat err)"
starts "$(hash_of bobby)" "$MIN" || fail "bobby's hash is not at the minimum limits: $(hash_of bobby)"

start() { # LOG [VAR=VALUE]: a server in the background, its port in ./port
    rm -f port
    env "${@:2}" "$P" serve --db "$DB" --port 0 --port-file port --quiet 2>"$1" &
    SERVER=$!
    for _ in $(seq 1 300); do [ -s port ] && break; sleep 0.05; done
    [ -s port ] || fail "server did not start: $(cat "$1")"
}
stop() { kill "$SERVER"; wait "$SERVER"; SERVER=; }
login() { # USER SECRET → HTTP status
    local code
    code=$(cd "$SRC/tests/api" && node --input-type=module -e \
        "import {totp} from './lib.mjs'; console.log(totp('$2', Math.floor(Date.now() / 1000)))") ||
        fail "node could not compute the code"
    curl -sS -o login.json -w '%{http_code}' -H 'Content-Type: application/json' \
        -d "{\"username\":\"$1\",\"password\":\"$PW\",\"totp\":\"$code\"}" \
        "http://127.0.0.1:$(cat port)/api/v1/auth/login"
}

start serve1.log PLUMB_TEST_PWHASH_MIN=1
[ "$(grep -c "$WARN" serve1.log)" = 1 ] || fail "serve with the variable: not one warning at start: $(cat serve1.log)"
stop

start serve2.log
st=$(login bobby "$S_BOBBY")
[ "$st" = 200 ] || fail "bobby's sign-in: $st $(cat login.json)"
st=$(login alice "$S_ALICE")
[ "$st" = 200 ] || fail "alice's sign-in: $st $(cat login.json)"
stop
grep -q "$WARN" serve2.log && fail "a warning from a server without the variable: $(cat serve2.log)"
starts "$(hash_of bobby)" "$PROD" || fail "bobby's minimum-limit hash was not made again at sign-in: $(hash_of bobby)"
[ "$(hash_of alice)" = "$H_ALICE" ] || fail "alice's production hash changed at sign-in"
echo "ok"
