#!/bin/bash
# pg_link_busy.sh — the linkage routes when their scope/recusal check
# cannot run (review of wt-linkeval, routes_link.c person_readable), on
# PostgreSQL. docs/DEPLOY.md "What plumb does during a failover": a
# statement that fails for lock timeout or a lost connection answers
# **503 store_busy with Retry-After**; docs/SECURITY.md "Linkage": a pair
# is withheld (counted in `withheld`) only when the caller may not read
# both persons, and a judgement answers 404 only for a person out of
# sight. So while another session holds person_units (which the check
# reads) past the server's lock timeout (--busy-wait 1), GET /api/v1/links
# and POST /api/v1/links/judgement answer 503, not 200 with a readable
# pair withheld, not 404 for a readable person; after the lock, 200 with
# the pair listed (withheld 0) and the judgement recorded.
# Layer: tests/cli (http routes_link.c, store/pg.c).
set -u
: "${PLUMB:?}" "${PLUMB_SRC:?}" "${PLUMB_PG_STATE:?run through ctest (fixture pg)}"
. "$PLUMB_SRC/tests/cli/helpers/pg_lib.sh"
T=$(mktemp -d)
SERVER= LOCKER=
cleanup() {
    [ -n "$LOCKER" ] && { exec 7>&- 2>/dev/null; kill "$LOCKER" 2>/dev/null; wait "$LOCKER" 2>/dev/null; }
    if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null; fi
    rm -rf "$T"
}
trap cleanup EXIT
export PLUMB_LANG=en PGOPTIONS='-c client_min_messages=warning'
unset PLUMB_KEY
cd "$T" || exit 2
PW='Correct-Horse-9battery'
U=$(pg_db pg_link_busy) || exit 1
export PLUMB_STATE_DIR=$T/state
"$PLUMB" init --db "$U" >/dev/null 2>&1 || fail "init"
"$PLUMB" import --db "$U" --all "$PLUMB_SRC/examples" --as-of 2026-03-01 --quiet >imp.out 2>&1 ||
    fail "import: $(cat imp.out)"
# A second record of 李秀英 (43312719750620022X, 局长 of U002): same name,
# birth date and county, another valid ID, placed in U002 as her sibling;
# `plumb link run` proposes the pair.
A=43312719750620022X B=433127197506200449
printf 'id,name,gender,birth_date,native_place\n%s,李秀英,F,1975-06-20,433127\n' $B >persons.csv
printf 'id,person_id,relative_id,relation\nKBUSY,%s,%s,sibling\n' $A $B >kin.csv
"$PLUMB" import --db "$U" --source police persons.csv kin.csv --quiet --no-rules >imp2.out 2>&1 ||
    fail "import 2: $(cat imp2.out)"
"$PLUMB" link run --db "$U" >run.out 2>&1 || fail "link run: $(cat run.out)"
SC=$(echo "$PW" | "$PLUMB" user add county --role cadre_officer --scope U001 --password-stdin --db "$U" \
    --actor test | sed -n 's/^totp_secret: //p')
"$PLUMB" serve --db "$U" --port 0 --port-file port --quiet --rate-ip 0 --rate-user 0 --busy-wait 1 \
    2>serve.log &
SERVER=$!
for _ in $(seq 1 400); do [ -s port ] && break; sleep 0.05; done
[ -s port ] || fail "serve did not start: $(cat serve.log)"
B_="http://127.0.0.1:$(cat port)"
code=$(cd "$PLUMB_SRC/tests/api" && node --input-type=module -e \
    "import {totp} from './lib.mjs'; console.log(totp('$SC', Math.floor(Date.now() / 1000)))") ||
    fail "node could not compute the code"
st=$(curl -sS -c jar -o login.json -w '%{http_code}' -H 'Content-Type: application/json' \
    -d "{\"username\":\"county\",\"password\":\"$PW\",\"totp\":\"$code\"}" "$B_/api/v1/auth/login")
[ "$st" = 200 ] || fail "login: $st $(cat login.json)"
CSRF=$(node -e 'console.log(JSON.parse(require("fs").readFileSync("login.json")).csrf_token)')
links() { curl -sS -b jar -D h.txt -o out.json -w '%{http_code}' "$B_/api/v1/links?status=all"; }
judge() {
    curl -sS -b jar -D h.txt -o out.json -w '%{http_code}' -X POST -H "X-CSRF-Token: $CSRF" \
        -H 'Content-Type: application/json' \
        -d "{\"a\":\"$A\",\"b\":\"$B\",\"judgement\":\"unsure\",\"reason\":\"待户籍核实\"}" \
        "$B_/api/v1/links/judgement"
}
# pair_listed: the pair A/B is an item and nothing is withheld
pair_listed() {
    node -e 'const j = JSON.parse(require("fs").readFileSync("out.json"));
        const ok = j.withheld === 0 && j.items.some((x) => [x.a.id, x.b.id].sort().join() === process.argv.slice(1).sort().join());
        process.exit(ok ? 0 : 1)' "$A" "$B"
}
# The county reader may read both (U002 is below U001, no recusal).
st=$(links)
[ "$st" = 200 ] && pair_listed || fail "before the lock: $st $(cat out.json)"
# Another session holds person_units until told to commit.
mkfifo ctl
psql -X -q -v ON_ERROR_STOP=1 "$U" <ctl >locker.out 2>&1 &
LOCKER=$!
exec 7>ctl
echo "BEGIN; LOCK TABLE person_units IN ACCESS EXCLUSIVE MODE; \\! touch locked" >&7
for _ in $(seq 1 400); do [ -e locked ] && break; sleep 0.05; done
[ -e locked ] || fail "the lock was not taken: $(cat locker.out)"
st=$(links)
[ "$st" = 503 ] || fail "list while the check cannot run: $st (want 503) $(cat out.json)"
grep -qi '^Retry-After: [0-9]' h.txt || fail "list 503 without Retry-After"
st=$(judge)
[ "$st" = 503 ] || fail "judgement while the check cannot run: $st (want 503) $(cat out.json)"
grep -qi '^Retry-After: [0-9]' h.txt || fail "judgement 503 without Retry-After"
N=$(psql -X -q -A -t "$U" -c "SELECT count(*) FROM ledger_events WHERE type='link.judged'") || fail psql
[ "$N" = 0 ] || fail "a judgement answered 503 was stored"
echo "COMMIT;" >&7
exec 7>&-
wait "$LOCKER"
LOCKER=
st=$(links)
[ "$st" = 200 ] && pair_listed || fail "after the lock: $st $(cat out.json)"
st=$(judge)
[ "$st" = 200 ] || fail "judgement after the lock: $st $(cat out.json)"
echo "ok: pg_link_busy"
