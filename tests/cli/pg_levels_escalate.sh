#!/bin/bash
# pg_levels_escalate.sh — clue escalation and the view from above (issue
# #21 items 4–5, docs/LEVELS.md §9–10) with both stores on PostgreSQL, by
# files (`plumb bundle export|import`, the disconnected path): the county
# escalates a clue about its party secretary, the prefecture takes it in
# (escalations_in, its own clue), concludes it, syncs and sends the
# status down (escalation/v1); the county lists "已办结（第一种形态）"; the
# replays write nothing; a status bundle for a clue a store never
# escalated is refused; the view from above and the published clue
# statistics read back; `plumb verify` replays escalation.* on both. Every
# new query of src/levels/escalate.c and view.c runs on PostgreSQL here;
# tests/cli/levels_three.sh has the full matrix on SQLite over HTTP.
set -u
: "${PLUMB:?}" "${PLUMB_SRC:?}" "${PLUMB_PG_STATE:?run through ctest (fixture pg)}"
. "$PLUMB_SRC/tests/cli/helpers/pg_lib.sh"
T=$(mktemp -d)
WPID=
trap '[ -n "$WPID" ] && kill $WPID 2>/dev/null; rm -rf "$T"' EXIT
export PLUMB_LANG=en PGOPTIONS='-c client_min_messages=warning'
unset PLUMB_KEY PLUMB_STATE_DIR
cd "$T" || exit 2
C=$(pg_db pg_esc_c) || exit 1
U=$(pg_db pg_esc_p) || exit 1
c() { "$PLUMB" "$@" --db "$C" --state-dir "$T/cst"; }
p() { "$PLUMB" "$@" --db "$U" --state-dir "$T/pst"; }
psql_() { "$PLUMB" sql --db "$U" --state-dir "$T/pst" "$1"; }
csql() { "$PLUMB" sql --db "$C" --state-dir "$T/cst" "$1"; }

mkdir -p porg/org
printf 'id,parent_id,name,division_code,level,kind,industry\nPU,,中共湘西州委,4331,prefecture,party,党委\nPD,PU,湘西州纪委监委,4331,prefecture,discipline,纪检\n' >porg/org/01_units.csv
c init --origin county.example/pgc >init.out 2>&1 || fail "init county: $(cat init.out)"
LV=$(tail -n 1 init.out)
p init --origin pref.example/pgp >initp.out 2>&1 || fail "init prefecture"
PLV=$(tail -n 1 initp.out)
c import --all "$PLUMB_SRC/examples" --quiet >imp 2>&1 || fail "import: $(cat imp)"
c sweep --as-of 2026-03-01 >/dev/null 2>&1 || fail sweep
p import --all porg --quiet >imp 2>&1 || fail "import p: $(cat imp)"
"$PLUMB" keygen --name pref.example/witness --out w.key >/dev/null || fail keygen
WV=$("$PLUMB" witness vkey --key w.key)
printf 'county.example/pgc %s\npref.example/pgp %s\n' "$LV" "$PLV" >logs.conf
echo "county.example/pgc $LV" >origins.conf
echo "pref.example/pgp $PLV" >porigins.conf
"$PLUMB" witness serve --state wst --key w.key --logs logs.conf --listen 127.0.0.1:0 --port-file wport 2>wlog &
WPID=$!
for _ in $(seq 1 300); do [ -s wport ] && break; sleep 0.02; done
[ -s wport ] || fail "witness did not start: $(cat wlog)"
WURL="http://127.0.0.1:$(cat wport)"
PK=$("$PLUMB" escalation keygen --out esc.key) || fail "escalation keygen"
echo "pref.example/pgp $PK 湘西州纪委" >above.conf

out=$(c clue add --channel letter --category money --subject-person 43312719700315011X \
    --summary 反映县委书记 --facts "县委书记收受礼金约五万元" 2>&1) || fail "clue add: $out"
CL=$(sed -n 's/^registered clue //p' <<<"$out")
out=$(c escalate "$CL" --above above.conf 2>&1) || fail "escalate: $out"
c escalation publish-stats >/dev/null || fail "publish-stats"
c checkpoint push --witness "$WV" --url "$WURL" >/dev/null 2>&1 || fail "push c"
c bundle export --witness-vkey "$WV" --out up.bundle >/dev/null 2>&1 || fail "export up"
imp_p() { p bundle import "$1" --origins origins.conf --witness-vkey "$WV" \
    --escalation-key esc.key --escalation-office PD 2>&1; }
out=$(imp_p up.bundle) || fail "import up: $out"
PCL=$(psql_ "SELECT clue_id FROM escalations_in WHERE origin_clue_id = '$CL'")
[ -n "$PCL" ] || fail "not taken in"
[ "$(psql_ "SELECT channel || ' ' || handling_unit_id FROM case_clues WHERE id = '$PCL'")" = "escalation PD" ] ||
    fail "the prefecture's clue"
L=$(psql_ "SELECT count(*) FROM ledger_events")
out=$(imp_p up.bundle) || fail "replay up: $out"
[ "$(psql_ "SELECT count(*) FROM ledger_events")" = "$L" ] || fail "a replay grew the prefecture"

p clue dispose "$PCL" --method preliminary_verification --reason 可查 >/dev/null 2>&1 || fail dispose
p clue conclude "$PCL" --outcome form1 --measure criticism --reason 属实较轻 >/dev/null 2>&1 || fail conclude
out=$(p escalation sync 2>&1) || fail "sync: $out"
[ "$out" = "status reports recorded 1" ] || fail "sync said: $out"
p checkpoint push --witness "$WV" --url "$WURL" >/dev/null 2>&1 || fail "push p"
p bundle export --witness-vkey "$WV" --policy escalation/v1 --for county.example/pgc \
    --out down.bundle >/dev/null 2>&1 || fail "export down"
out=$(c bundle import down.bundle --origins porigins.conf --witness-vkey "$WV" 2>&1) ||
    fail "import down: $out"
out=$(c escalation list --lang zh) || fail "list"
[ "$out" = "$CL  已移送湘西州纪委（上级线索 $PCL）：已办结（第一种形态）" ] || fail "list said: $out"
L=$(csql "SELECT count(*) FROM ledger_events")
c bundle import down.bundle --origins porigins.conf --witness-vkey "$WV" >/dev/null 2>&1 ||
    fail "replay down"
[ "$(csql "SELECT count(*) FROM ledger_events")" = "$L" ] || fail "a replay grew the county"

# A store that never escalated that clue refuses the status bundle whole.
D=$(pg_db pg_esc_d) || exit 1
"$PLUMB" init --db "$D" --state-dir "$T/dst" --origin county.example/pgc >/dev/null 2>&1 || fail "init d"
out=$("$PLUMB" bundle import down.bundle --db "$D" --state-dir "$T/dst" --origins porigins.conf \
    --witness-vkey "$WV" 2>&1) && fail "an unknown clue's status was accepted"
grep -q "clue $CL was not escalated by this store to pref.example/pgp (unknown clue): nothing written" <<<"$out" ||
    fail "unknown clue: $out"
[ "$("$PLUMB" sql --db "$D" --state-dir "$T/dst" "SELECT count(*) FROM levels_received")" = 0 ] ||
    fail "the refused bundle wrote"

# The view from above, on PostgreSQL.
p levels view >view.json 2>&1 || fail "view: $(cat view.json)"
python3 - <<'PY' || fail "view"
import json
v = json.load(open("view.json"))
assert [o["origin"] for o in v] == ["county.example/pgc"], v
l = {x["person_id"]: x for x in v[0]["leaders"]}
assert l["43312719700315011X"]["post"] == "县委书记" and l["43312719700315011X"]["risk"]["grade"] == "red"
assert v[0]["clue_stats"]["seq"] >= 0
PY
# Read from its projection (levels_view_items), the same bytes as computed
# from every received event (docs/LEVELS.md §10).
p levels view --compact >proj.json 2>&1 || fail "view --compact: $(cat proj.json)"
p levels view --compact --recompute >scan.json 2>&1 || fail "view --recompute: $(cat scan.json)"
cmp -s proj.json scan.json || fail "the projection differs from the recomputed view on PostgreSQL"
[ "$("$PLUMB" sql --db "$U" --state-dir "$T/pst" "SELECT count(*) FROM levels_view_items WHERE kind = 'tenure'")" -ge 1 ] || fail "no tenure item"
c verify >/dev/null 2>&1 || fail "verify county"
p verify >/dev/null 2>&1 || fail "verify prefecture"
echo ok
