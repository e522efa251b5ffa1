#!/usr/bin/env bash
# accounts_ledger.sh — staff accounts (docs/SECURITY.md "Accounts in the
# ledger", "TOTP secrets at rest"):
#  - TOTP secrets are sealed under <db>.totp.key (mode 0600): neither the
#    base32 text nor the raw bytes of a known secret are in the database or
#    its WAL, nor is the key; a wrong, missing or loose key is a clear error;
#  - a secret an older store kept in clear is sealed on the next start and
#    the account still signs in with its code;
#  - users and user_scopes are projections of "user.changed" events: verify
#    catches a direct UPDATE of a role or DELETE of a scope, rebuild gives
#    the same tables back; the account name is not in the public headers.
set -u
P=${PLUMB:?set PLUMB to the plumb binary}
SRC=${PLUMB_SRC:?set PLUMB_SRC}
export PLUMB_LANG=en
T=$(mktemp -d)
SERVER=
cleanup() {
    if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null; fi
    rm -rf "$T"
}
trap cleanup EXIT
cd "$T" || exit 2
fail() { echo "FAIL: $*"; exit 1; }
PW='Correct-Horse-9battery'

"$P" init --db p.db --origin accounts.example/log >/dev/null || fail "init"
"$P" import --db p.db --all "$SRC/examples" --no-rules >/dev/null || fail "import of the examples"
UNIT=$(sqlite3 p.db "SELECT id FROM units ORDER BY id LIMIT 1")
add() { echo "$PW" | "$P" user add "$@" --password-stdin --db p.db --actor test; }
out=$(add alice --role admin) || fail "user add alice: $out"
S1=$(printf '%s\n' "$out" | sed -n 's/^totp_secret: //p')
[ ${#S1} -eq 32 ] || fail "no TOTP secret printed: $out"
out=$(add bobby --role cadre_officer --scope "$UNIT") || fail "user add bobby: $out"
S2=$(printf '%s\n' "$out" | sed -n 's/^totp_secret: //p')

# ---------------------------------------------------------- secrets at rest
[ -f p.db.totp.key ] || fail "no key file p.db.totp.key"
[ "$(stat -c %a p.db.totp.key)" = 600 ] || fail "key file mode is $(stat -c %a p.db.totp.key)"
hexof() { od -An -tx1 -v "$1" | tr -d ' \n'; }
absent() { # absent LABEL HEX: the hex string is in neither the db nor its WAL
    for f in p.db p.db-wal; do
        [ -f "$f" ] || continue
        if hexof "$f" | grep -qF "$2"; then fail "$1 found in $f"; fi
    done
}
for s in "$S1" "$S2"; do
    absent "base32 TOTP secret" "$(printf '%s' "$s" | od -An -tx1 -v | tr -d ' \n')"
    absent "raw TOTP secret" "$(printf '%s' "$s" | base32 -d | od -An -tx1 -v | tr -d ' \n')"
done
KEYHEX=$(sed -n 's/^plumb-totp-key-1 //p' p.db.totp.key)
[ ${#KEYHEX} -eq 64 ] || fail "key file format"
absent "the TOTP key (hex)" "$(printf '%s' "$KEYHEX" | od -An -tx1 -v | tr -d ' \n')"
absent "the TOTP key (raw)" "$KEYHEX"
# Sealed: 24-byte nonce + 20 bytes + 16-byte tag.
[ "$(sqlite3 p.db "SELECT COUNT(*) FROM user_secrets WHERE length(totp_box)=60 AND totp_clear IS NULL")" = 2 ] ||
    fail "user_secrets does not hold two sealed secrets"

# A wrong key, a missing key, a key readable by others: clear errors, exit 1.
cp p.db.totp.key good.key
printf 'plumb-totp-key-1 %s\n' "$(head -c 32 /dev/urandom | od -An -tx1 -v | tr -d ' \n')" >p.db.totp.key
msg=$(add carol --role auditor 2>&1)
rc=$?
[ $rc -eq 1 ] || fail "wrong key: exit $rc (want 1): $msg"
printf '%s' "$msg" | grep -q "does not open the TOTP secrets" || fail "wrong key: message: $msg"
rm p.db.totp.key
msg=$(add carol --role auditor 2>&1)
rc=$?
[ $rc -eq 1 ] || fail "missing key: exit $rc: $msg"
printf '%s' "$msg" | grep -q "TOTP key file missing" || fail "missing key: message: $msg"
[ ! -f p.db.totp.key ] || fail "a missing key was replaced by a new one while secrets are sealed"
cp good.key p.db.totp.key
chmod 644 p.db.totp.key
msg=$(add carol --role auditor 2>&1)
[ $? -eq 1 ] || fail "key mode 644 accepted"
printf '%s' "$msg" | grep -q "chmod 600" || fail "loose key: message: $msg"
chmod 600 p.db.totp.key
# The server refuses to start with a wrong key too.
cp good.key wrong.key
printf 'plumb-totp-key-1 %s\n' "$(head -c 32 /dev/urandom | od -An -tx1 -v | tr -d ' \n')" >p.db.totp.key
msg=$("$P" serve --db p.db --port 0 2>&1)
rc=$?
[ $rc -eq 1 ] || fail "serve with a wrong key: exit $rc: $msg"
printf '%s' "$msg" | grep -q "does not open" || fail "serve with a wrong key: $msg"
cp good.key p.db.totp.key

# ---------------------------------------------- a secret kept in clear before
# A store from before migration 0062 has user_secrets.totp_clear: the next
# start seals it; the account signs in with the same code.
sqlite3 p.db "UPDATE user_secrets SET totp_box=NULL, totp_clear='$S2' WHERE user_id=2" ||
    fail "could not plant a clear secret"
"$P" serve --db p.db --port 0 --port-file port --quiet 2>serve.log &
SERVER=$!
for _ in $(seq 1 300); do [ -s port ] && break; sleep 0.05; done
[ -s port ] || fail "server did not start: $(cat serve.log)"
absent "legacy base32 secret after sealing" "$(printf '%s' "$S2" | od -An -tx1 -v | tr -d ' \n')"
[ "$(sqlite3 p.db "SELECT COUNT(*) FROM user_secrets WHERE totp_clear IS NOT NULL OR totp_box IS NULL")" = 0 ] ||
    fail "the clear secret was not sealed"
code=$(cd "$SRC/tests/api" && node --input-type=module -e \
    "import {totp} from './lib.mjs'; console.log(totp('$S2', Math.floor(Date.now() / 1000)))") ||
    fail "node could not compute the code"
status=$(curl -sS -o login.json -w '%{http_code}' -H 'Content-Type: application/json' \
    -d "{\"username\":\"bobby\",\"password\":\"$PW\",\"totp\":\"$code\"}" \
    "http://127.0.0.1:$(cat port)/api/v1/auth/login")
[ "$status" = 200 ] || fail "login with the sealed legacy secret: $status $(cat login.json)"
kill "$SERVER"
wait "$SERVER"
SERVER=

# ------------------------------------------------- accounts are projections
"$P" user role bobby leader --db p.db --actor test >/dev/null || fail "user role"
"$P" user scope bobby "$UNIT" --db p.db --actor test >/dev/null || fail "user scope"
"$P" user disable alice --db p.db --actor test >/dev/null || fail "user disable"
"$P" user disable alice --enable --db p.db --actor test >/dev/null || fail "user enable"
echo "$PW-2" | "$P" user passwd bobby --password-stdin --db p.db --actor test >/dev/null || fail "passwd"
"$P" verify --db p.db >/dev/null || fail "verify of a clean store"
dump() { sqlite3 p.db "SELECT * FROM users ORDER BY id; SELECT * FROM user_scopes ORDER BY 1, 2;"; }
before=$(dump)
[ "$(sqlite3 p.db "SELECT role FROM users WHERE username='bobby'")" = leader ] || fail "role not projected"
sqlite3 p.db "UPDATE users SET role='admin' WHERE username='bobby'"
msg=$("$P" verify --db p.db 2>&1)
[ $? -eq 1 ] || fail "verify missed a direct UPDATE of a role"
printf '%s' "$msg" | grep -q "table users row id=2, column role: store has 'admin', replay gives 'leader'" ||
    fail "verify message: $msg"
"$P" rebuild --db p.db >/dev/null || fail "rebuild"
[ "$(dump)" = "$before" ] || fail "rebuild did not reproduce the account tables"
sqlite3 p.db "DELETE FROM user_scopes"
"$P" verify --db p.db >/dev/null 2>&1 && fail "verify missed deleted scopes"
"$P" rebuild --db p.db >/dev/null || fail "rebuild"
[ "$(dump)" = "$before" ] || fail "rebuild did not reproduce user_scopes"
"$P" verify --db p.db >/dev/null || fail "verify after rebuild"
# Secrets and counters are not projections: rebuild keeps them, joined by id.
[ "$(sqlite3 p.db "SELECT COUNT(*) FROM users u JOIN user_secrets x ON x.user_id=u.id")" = 2 ] ||
    fail "user_secrets no longer matches users after rebuild"

# The account name is personal: only a keyed handle in the public headers.
"$P" checkpoint --db p.db >/dev/null || fail "checkpoint"
"$P" export-tiles --db p.db tiles >/dev/null || fail "export-tiles"
for u in alice bobby; do
    if grep -rqF "$u" tiles; then fail "account name $u appears in the exported tiles"; fi
done
echo "ok: TOTP secrets sealed at rest (key 0600, wrong/missing/loose key refused, legacy sealed); accounts verified and rebuilt from the ledger"
