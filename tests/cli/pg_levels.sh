#!/bin/bash
# pg_levels.sh — the mirror and the signed bundles (issue #21 items 2–3,
# docs/LEVELS.md §6–7) with PostgreSQL stores: a county on PostgreSQL
# (the examples, swept) witnessed by `plumb witness serve`, exporting its
# tiles and a bundle; a prefecture on PostgreSQL mirroring it (growth,
# nothing new, a rollback refused and recorded in mirror_refusals) and
# importing the bundle (provenance, a replay writing nothing, one byte
# changed refused); `plumb verify` of the prefecture (the levels events
# replayed into the scratch schema) passes. Every new query of src/levels
# runs on PostgreSQL here; tests/cli/levels.sh has the full matrix on SQLite.
# Layer: tests/cli (levels/mirror.c, levels/bundle.c, store/pg.c).
set -u
: "${PLUMB:?}" "${PLUMB_SRC:?}" "${PLUMB_PG_STATE:?run through ctest (fixture pg)}"
. "$PLUMB_SRC/tests/cli/helpers/pg_lib.sh"
T=$(mktemp -d)
WPID=
trap '[ -n "$WPID" ] && kill $WPID 2>/dev/null; rm -rf "$T"' EXIT
export PLUMB_LANG=en PGOPTIONS='-c client_min_messages=warning'
unset PLUMB_KEY PLUMB_STATE_DIR
cd "$T" || exit 2
C=$(pg_db pg_levels_c) || exit 1
U=$(pg_db pg_levels_p) || exit 1
c() { "$PLUMB" "$@" --db "$C" --state-dir "$T/cst"; }
p() { "$PLUMB" "$@" --db "$U" --state-dir "$T/pst"; }
psql_() { "$PLUMB" sql --db "$U" --state-dir "$T/pst" "$1"; }
csql() { "$PLUMB" sql --db "$C" --state-dir "$T/cst" "$1"; }

c init --origin county.example/pgc >init.out 2>&1 || fail "init county: $(cat init.out)"
LV=$(tail -n 1 init.out)
p init --origin pref.example/pgp >/dev/null 2>&1 || fail "init prefecture"
c import --all "$PLUMB_SRC/examples" --quiet >imp 2>&1 || fail "import: $(cat imp)"
c sweep --as-of 2026-03-01 >/dev/null 2>&1 || fail sweep
"$PLUMB" keygen --name pref.example/witness --out w.key >/dev/null || fail keygen
WV=$("$PLUMB" witness vkey --key w.key)
echo "county.example/pgc $LV" >logs.conf
cp logs.conf origins.conf
"$PLUMB" witness serve --state wst --key w.key --logs logs.conf --listen 127.0.0.1:0 --port-file wport 2>wlog &
WPID=$!
for _ in $(seq 1 300); do [ -s wport ] && break; sleep 0.02; done
[ -s wport ] || fail "witness did not start: $(cat wlog)"
push() { c checkpoint push --witness "$WV" --url "http://127.0.0.1:$(cat wport)" 2>&1; }
out=$(push) || fail "push: $out"
N1=$(csql "SELECT max(size) FROM ledger_checkpoints")
c export-tiles t-old >/dev/null 2>&1 || fail "export-tiles"
c ledger-append-test --count 20 >/dev/null || fail append
out=$(push) || fail "push 2: $out"
N2=$(csql "SELECT max(size) FROM ledger_checkpoints")
c export-tiles t >/dev/null 2>&1 || fail "export-tiles 2"

mir() { p mirror --origin county.example/pgc --vkey "$LV" --witness-vkey "$WV" --url "$1" 2>&1; }
out=$(mir t-old) || fail "mirror old: $out"
[ "$out" = "mirror county.example/pgc: size 0 -> $N1 (2 tiles verified)" ] || fail "mirror old said: $out"
out=$(mir t) || fail "mirror: $out"
[ "$out" = "mirror county.example/pgc: size $N1 -> $N2 (2 tiles verified)" ] || fail "mirror said: $out"
out=$(mir t) || fail "mirror again: $out"
[ "$out" = "mirror county.example/pgc: nothing new, size $N2" ] || fail "mirror again said: $out"
[ "$(psql_ "SELECT count(*) FROM mirror_entries")" = "$N2" ] || fail "mirror_entries"
[ "$(psql_ "SELECT header FROM mirror_entries WHERE seq = 5")" = \
  "$(csql "SELECT header FROM ledger_events WHERE seq = 5")" ] || fail "mirrored header 5 differs"
out=$(mir t-old) && fail "a rollback was mirrored"
grep -q "origin county.example/pgc: rollback: the log serves a checkpoint of size $N1, the mirror holds the witnessed size $N2" <<<"$out" ||
    fail "rollback: $out"
[ "$(psql_ "SELECT kind || ' ' || size FROM mirror_refusals")" = "rollback $N1" ] || fail "mirror_refusals"
[ "$(psql_ "SELECT size FROM mirror_logs")" = "$N2" ] || fail "the rollback moved the mirror"

out=$(c bundle export --witness-vkey "$WV" --out b 2>&1) || fail "export: $out"
[ "$out" = "b: 74 events" ] || fail "export said: $out" # as on SQLite (tests/cli/levels.sh)
imp() { p bundle import "$1" --origins origins.conf --witness-vkey "$WV" 2>&1; }
out=$(imp b) || fail "import: $out"
[ "$out" = "bundle from county.example/pgc: 74 events (seq 0..$((N2 - 1))), 74 recorded" ] ||
    fail "import said: $out"
[ "$(psql_ "SELECT count(*) FROM levels_received WHERE checkpoint_size = $N2")" = 74 ] || fail provenance
L=$(psql_ "SELECT count(*) FROM ledger_events")
out=$(imp b) || fail "replay: $out"
grep -q "all recorded before, nothing written" <<<"$out" || fail "replay said: $out"
[ "$(psql_ "SELECT count(*) FROM ledger_events")" = "$L" ] || fail "a replay grew the ledger"
# One byte changed (to 'Y' where it already was 'X': the bundle's bytes
# vary with the events' times, and an unchanged byte is no change).
x=X
[ "$(dd if=b bs=1 skip=500 count=1 status=none)" = X ] && x=Y
cp b b2 && printf '%s' "$x" | dd of=b2 bs=1 seek=500 conv=notrunc status=none
cmp -s b b2 && fail "b2 is the same as b"
out=$(imp b2) && fail "a changed bundle was imported"
grep -q "does not verify: the bundle was altered or forged" <<<"$out" || fail "changed bundle: $out"
[ "$(psql_ "SELECT count(*) FROM ledger_events")" = "$L" ] || fail "a refused bundle wrote"
out=$(p verify 2>&1) || fail "verify: $out"
grep -q "^ledger ok" <<<"$out" || fail "verify: $out"
grep -q "^mirror: signatures, entries and roots match, logs 1, entries $N2$" <<<"$out" ||
    fail "verify, mirror: $out"
echo "ok: pg_levels"
