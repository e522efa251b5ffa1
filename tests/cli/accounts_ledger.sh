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
# On both engines (helpers/store_lib.sh): on PostgreSQL the key file is the
# state directory's and "not in the database" is checked on every table's
# data (pg_dump), the server's own files being out of a client's reach.
set -u
: "${PLUMB:?set PLUMB to the plumb binary}"
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
. "$SRC/tests/cli/helpers/store_lib.sh"
P=$PLUMB
fail() { echo "FAIL: $*"; exit 1; }
DB=$(store_new p) || exit 1
PW='Correct-Horse-9battery'

"$P" init --db "$DB" --origin accounts.example/log >/dev/null || fail "init"
"$P" import --db "$DB" --all "$SRC/examples" --no-rules >/dev/null || fail "import of the examples"
UNIT=$(store_sql "$DB" "SELECT id FROM units ORDER BY id LIMIT 1")
add() { echo "$PW" | "$P" user add "$@" --password-stdin --db "$DB" --actor test; }
out=$(add alice --role admin) || fail "user add alice: $out"
S1=$(printf '%s\n' "$out" | sed -n 's/^totp_secret: //p')
[ ${#S1} -eq 32 ] || fail "no TOTP secret printed: $out"
out=$(add bobby --role cadre_officer --scope "$UNIT") || fail "user add bobby: $out"
S2=$(printf '%s\n' "$out" | sed -n 's/^totp_secret: //p')

# ---------------------------------------------------------- secrets at rest
K=$(store_side "$DB" totp.key)
[ -f "$K" ] || fail "no key file $K"
[ "$(stat -c %a "$K")" = 600 ] || fail "key file mode is $(stat -c %a "$K")"
hexof() { od -An -tx1 -v "$1" | tr -d ' \n'; }
absent() { # absent LABEL HEX: the hex string is in neither the db nor its WAL
    if [ "$STORE_PG" = 1 ]; then # its bytes, or its hex as a bytea prints
        store_dump "$DB" >dump.txt || fail "dump"
        if hexof dump.txt | grep -qF "$2" || grep -qiF "$2" dump.txt; then fail "$1 found in the tables"; fi
        return
    fi
    for f in "$DB" "$DB-wal"; do
        [ -f "$f" ] || continue
        if hexof "$f" | grep -qF "$2"; then fail "$1 found in $f"; fi
    done
}
for s in "$S1" "$S2"; do
    absent "base32 TOTP secret" "$(printf '%s' "$s" | od -An -tx1 -v | tr -d ' \n')"
    absent "raw TOTP secret" "$(printf '%s' "$s" | base32 -d | od -An -tx1 -v | tr -d ' \n')"
done
KEYHEX=$(sed -n 's/^plumb-totp-key-1 //p' "$K")
[ ${#KEYHEX} -eq 64 ] || fail "key file format"
absent "the TOTP key (hex)" "$(printf '%s' "$KEYHEX" | od -An -tx1 -v | tr -d ' \n')"
absent "the TOTP key (raw)" "$KEYHEX"
# Sealed: 24-byte nonce + 20 bytes + 16-byte tag.
[ "$(store_sql "$DB" "SELECT COUNT(*) FROM user_secrets WHERE length(totp_box)=60 AND totp_clear IS NULL")" = 2 ] ||
    fail "user_secrets does not hold two sealed secrets"

# A wrong key, a missing key, a key readable by others: clear errors, exit 1.
cp "$K" good.key
printf 'plumb-totp-key-1 %s\n' "$(head -c 32 /dev/urandom | od -An -tx1 -v | tr -d ' \n')" >"$K"
msg=$(add carol --role auditor 2>&1)
rc=$?
[ $rc -eq 1 ] || fail "wrong key: exit $rc (want 1): $msg"
printf '%s' "$msg" | grep -q "does not open the TOTP secrets" || fail "wrong key: message: $msg"
rm "$K"
msg=$(add carol --role auditor 2>&1)
rc=$?
[ $rc -eq 1 ] || fail "missing key: exit $rc: $msg"
printf '%s' "$msg" | grep -q "TOTP key file missing" || fail "missing key: message: $msg"
[ ! -f "$K" ] || fail "a missing key was replaced by a new one while secrets are sealed"
cp good.key "$K"
chmod 644 "$K"
msg=$(add carol --role auditor 2>&1)
[ $? -eq 1 ] || fail "key mode 644 accepted"
printf '%s' "$msg" | grep -q "chmod 600" || fail "loose key: message: $msg"
chmod 600 "$K"
# The server refuses to start with a wrong key too.
cp good.key wrong.key
printf 'plumb-totp-key-1 %s\n' "$(head -c 32 /dev/urandom | od -An -tx1 -v | tr -d ' \n')" >"$K"
msg=$("$P" serve --db "$DB" --port 0 2>&1)
rc=$?
[ $rc -eq 1 ] || fail "serve with a wrong key: exit $rc: $msg"
printf '%s' "$msg" | grep -q "does not open" || fail "serve with a wrong key: $msg"
cp good.key "$K"

# ---------------------------------------------- a secret kept in clear before
# A store from before migration 0062 has user_secrets.totp_clear: the next
# start seals it; the account signs in with the same code.
store_sql "$DB" "UPDATE user_secrets SET totp_box=NULL, totp_clear='$S2' WHERE user_id=2" ||
    fail "could not plant a clear secret"
"$P" serve --db "$DB" --port 0 --port-file port --quiet 2>serve.log &
SERVER=$!
for _ in $(seq 1 300); do [ -s port ] && break; sleep 0.05; done
[ -s port ] || fail "server did not start: $(cat serve.log)"
absent "legacy base32 secret after sealing" "$(printf '%s' "$S2" | od -An -tx1 -v | tr -d ' \n')"
[ "$(store_sql "$DB" "SELECT COUNT(*) FROM user_secrets WHERE totp_clear IS NOT NULL OR totp_box IS NULL")" = 0 ] ||
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
"$P" user role bobby leader --db "$DB" --actor test >/dev/null || fail "user role"
"$P" user scope bobby "$UNIT" --db "$DB" --actor test >/dev/null || fail "user scope"
"$P" user disable alice --db "$DB" --actor test >/dev/null || fail "user disable"
"$P" user disable alice --enable --db "$DB" --actor test >/dev/null || fail "user enable"
echo "$PW-2" | "$P" user passwd bobby --password-stdin --db "$DB" --actor test >/dev/null || fail "passwd"
"$P" verify --db "$DB" >/dev/null || fail "verify of a clean store"
dump() { store_sql "$DB" "SELECT $(store_cols "$DB" users) FROM users ORDER BY id; SELECT $(store_cols "$DB" user_scopes) FROM user_scopes ORDER BY 1, 2;"; }
before=$(dump)
[ "$(store_sql "$DB" "SELECT role FROM users WHERE username='bobby'")" = leader ] || fail "role not projected"
store_sql "$DB" "UPDATE users SET role='admin' WHERE username='bobby'"
msg=$("$P" verify --db "$DB" 2>&1)
[ $? -eq 1 ] || fail "verify missed a direct UPDATE of a role"
printf '%s' "$msg" | grep -q "table users row id=2, column role: store has 'admin', replay gives 'leader'" ||
    fail "verify message: $msg"
"$P" rebuild --db "$DB" >/dev/null || fail "rebuild"
[ "$(dump)" = "$before" ] || fail "rebuild did not reproduce the account tables"
store_sql "$DB" "DELETE FROM user_scopes"
"$P" verify --db "$DB" >/dev/null 2>&1 && fail "verify missed deleted scopes"
"$P" rebuild --db "$DB" >/dev/null || fail "rebuild"
[ "$(dump)" = "$before" ] || fail "rebuild did not reproduce user_scopes"
"$P" verify --db "$DB" >/dev/null || fail "verify after rebuild"
# Secrets and counters are not projections: rebuild keeps them, joined by id.
[ "$(store_sql "$DB" "SELECT COUNT(*) FROM users u JOIN user_secrets x ON x.user_id=u.id")" = 2 ] ||
    fail "user_secrets no longer matches users after rebuild"

# The account name is personal: only a keyed handle in the public headers.
"$P" checkpoint --db "$DB" >/dev/null || fail "checkpoint"
"$P" export-tiles --db "$DB" tiles >/dev/null || fail "export-tiles"
for u in alice bobby; do
    if grep -rqF "$u" tiles; then fail "account name $u appears in the exported tiles"; fi
done
echo "ok: TOTP secrets sealed at rest (key 0600, wrong/missing/loose key refused, legacy sealed); accounts verified and rebuilt from the ledger"
