#!/usr/bin/env bash
# levels_view_projection.sh — the view from above read from its projection
# (levels_view_items, migration 0131; docs/LEVELS.md §10) answers, byte for
# byte, what the view computed from every received event answers
# (`plumb levels view --recompute`, the computation GET /api/v1/levels/view
# ran per request before), through each way the projection is made:
#   1. a county (the examples, swept, its clue statistics published, a
#      finding about a top leader resolved) sends its bundle, but leaves
#      out the finding.raised of the resolved finding (a sender that omits
#      an event and sends it later, tests/cli/helpers/bundle_tamper.mjs
#      drop): the prefecture's view lists the county's 3 top leaders
#      (examples/org: P001, P002, P004 have is_top = 1) with the names of
#      examples/org/03_persons.csv, and equals the recomputed one, for the
#      whole view, ?origin= and ?person=;
#   2. the next bundle (from seq 0) carries the omitted finding.raised,
#      older than its finding.resolved received before: applied in arrival
#      order the finding would show as open; the origin is marked #dirty
#      and rebuilt in seq order at the end of the bundle, so it does not.
#      Then a person appointed to a new top post: the bundle after carries
#      their older events; the new leader is listed by name, nothing stays
#      marked, and the view still equals the recomputed one;
#   3. a store from before the migration (the table emptied and the
#      origins marked #dirty as the migration does): the same bytes
#      (recomputed), and after `plumb rebuild` read from the table again;
#   4. `plumb rebuild` gives the same rows, `plumb verify` passes, and a
#      row changed by hand is reported by verify naming the table.
# Expected leaders and names come from the example CSV files, not from the
# code under test. On both engines (helpers/store_lib.sh).
set -u
P=${PLUMB:?set PLUMB to the plumb binary}
SRC=${PLUMB_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
EX="$SRC/examples"
. "$SRC/tests/cli/helpers/levels_lib.sh"
levels_begin
q() { store_sql "$1" "$2"; }
CDB=$(store_new c) || fail "store c"
PDB=$(store_new p) || fail "store p"
CKEY=$(store_side "$CDB" key)

"$P" init --db "$CDB" --origin county.example/c1 >init.out || fail "init c"
LV=$(tail -n 1 init.out)
"$P" import --all "$EX" --db "$CDB" --quiet >/dev/null || fail "import c"
"$P" sweep --db "$CDB" --as-of 2026-03-01 >/dev/null || fail "sweep c"
"$P" escalation publish-stats --db "$CDB" >/dev/null || fail "publish-stats"
"$P" init --db "$PDB" --origin pref.example/4331 >/dev/null || fail "init p"
"$P" keygen --name pref.example/witness --out w.key >/dev/null || fail keygen
WV=$("$P" witness vkey --key w.key) || fail vkey
levels_witness "county.example/c1 $LV"
push() { "$P" checkpoint push --db "$CDB" --witness "$WV" --url "http://127.0.0.1:$(cat wport)" >/dev/null || fail "push"; }
import() { # import FILE: export from seq 0 and import into PDB
    "$P" bundle export --db "$CDB" --witness-vkey "$WV" --since 0 --out "$1" >/dev/null || fail "export $1"
    out=$("$P" bundle import "$1" --db "$PDB" --origins origins.conf --witness-vkey "$WV" 2>&1) ||
        fail "import $1: $out"
}
# same WHAT ARGS...: the projection's bytes equal the recomputed ones.
same() {
    local what=$1
    shift
    "$P" levels view --db "$PDB" --compact "$@" >proj.json 2>&1 || fail "$what: view: $(cat proj.json)"
    "$P" levels view --db "$PDB" --compact --recompute "$@" >scan.json 2>&1 ||
        fail "$what: recompute: $(cat scan.json)"
    cmp -s proj.json scan.json || fail "$what: the projection differs from the recomputed view:
$(diff <(python3 -m json.tool proj.json) <(python3 -m json.tool scan.json) | head -20)"
}
leaders() { python3 -c 'import json, sys; print(" ".join(sorted(l["person_id"] + "=" + l["name"] for o in json.load(open(sys.argv[1])) for l in o["leaders"])))' "$1"; }

# ------------------------------------------------ 1. the first bundle
# A finding about a top leader resolved at the county, so the view has an
# open finding less (finding.resolved removes it).
FID=$(q "$CDB" "SELECT id FROM findings WHERE subject_kind='person' AND status='open' ORDER BY id LIMIT 1")
[ -n "$FID" ] || fail "no open finding about a person in the examples"
"$P" finding resolve "$FID" --db "$CDB" --reason "整改到位" >/dev/null || fail "finding resolve"
push
"$P" bundle export --db "$CDB" --witness-vkey "$WV" --since 0 --out b1full >/dev/null || fail "export b1"
# The event lines (docs/LEVELS.md §7, plumbline-bundle/v2: after the head
# and the multi-proof line); the sender that leaves one out makes the
# multi-proof again for the rest.
K=$(sed -n '4,/^$/p' b1full | sed '/^$/d' | python3 -c '
import base64, json, sys
for i, l in enumerate(sys.stdin):
    f = l.split(" ")
    h = json.loads(base64.b64decode(f[1]))
    if h["type"] == "finding.raised" and json.loads(base64.b64decode(f[2]))["id"] == sys.argv[1]:
        print(i)
' "$FID")
[ -n "$K" ] || fail "finding.raised of $FID not in the bundle"
node "$SRC/tests/cli/helpers/bundle_tamper.mjs" b1full b1 "$CKEY" drop "$K" || fail "drop"
out=$("$P" bundle import b1 --db "$PDB" --origins origins.conf --witness-vkey "$WV" 2>&1) || fail "import b1: $out"
same "bundle 1"
grep -q "\"$FID\"" proj.json && fail "the finding whose raising was left out is shown"
want="43312719700315011X=王建国 43312719750620022X=李秀英 433127198001010337=赵志强"
[ "$(leaders proj.json)" = "$want" ] || fail "leaders: $(leaders proj.json), want $want"
[ "$(q "$PDB" "SELECT count(*) FROM levels_view_items WHERE kind='#dirty'")" = 0 ] || fail "marked after bundle 1"
[ "$(q "$PDB" "SELECT count(*) FROM levels_view_items WHERE kind='tenure'")" = 3 ] || fail "tenure items"
same "?origin=" --origin county.example/c1
same "?person=" --person 43312719700315011X
echo "ok: bundle 1: 3 leaders, the projection equals the recomputed view ($(wc -c <proj.json) bytes)"

# ------------------------------------ 2. older events in a later bundle
import b1b # all of it: the omitted finding.raised, below what was received
same "bundle 1b (an omitted event sent later)"
grep -q "\"$FID\"" proj.json && fail "the resolved finding shows as open after its late raising"
[ "$(q "$PDB" "SELECT count(*) FROM levels_view_items WHERE kind='#dirty'")" = 0 ] ||
    fail "the origin stays marked #dirty after its bundle"
mkdir -p more/org
printf '公民身份号码,姓名,性别,出生日期,籍贯区划\n433127198505050551,钱新任,M,1985-05-05,433127\n' >more/org/03_persons.csv
"$P" import --all more --db "$CDB" --quiet >/dev/null || fail "import person"
# An event the policy takes, after the person's: bundle 2 reaches past them.
"$P" escalation publish-stats --db "$CDB" >/dev/null || fail "publish-stats 2"
push
import b2 # the new person is no top leader yet: not in this bundle
[ "$(q "$PDB" "SELECT count(*) FROM levels_received r JOIN ledger_events e ON e.seq = r.ev_seq
    WHERE r.type='person.recorded' AND e.payload LIKE '%钱新任%'")" = 0 ] ||
    fail "a person who is no top leader was sent up"
rm -rf more && mkdir -p more/org
printf 'id,parent_id,name,division_code,level,kind,industry\nU009,U001,永顺县审计局,433127,county,department,审计\n' >more/org/01_units.csv
printf 'id,unit_id,title,rank,is_top,category,portfolio,reports_to\nP009,U009,局长,section,1,general,审计,\n' >more/org/02_posts.csv
printf 'id,person_id,post_id,start_date,end_date,decision_id\nT009,433127198505050551,P009,2026-02-01,,\n' >more/org/04_tenures.csv
"$P" import --all more --db "$CDB" --quiet >/dev/null || fail "import appointment"
push
import b3
grep -q "recorded" <<<"$out" || fail "b3: $out"
same "bundle 3 (older events)"
want="43312719700315011X=王建国 43312719750620022X=李秀英 433127198001010337=赵志强 433127198505050551=钱新任"
[ "$(leaders proj.json)" = "$want" ] || fail "leaders after the appointment: $(leaders proj.json)"
[ "$(q "$PDB" "SELECT count(*) FROM levels_view_items WHERE kind='#dirty'")" = 0 ] ||
    fail "the origin stays marked #dirty after its bundle"
echo "ok: a later bundle with older events: 4 leaders, rebuilt in seq order, equal"

# ---------------------------------------- 3. a store from before 0131
cp proj.json before.json
q "$PDB" "DELETE FROM levels_view_items; INSERT INTO levels_view_items(origin, kind, item_key, ord, ev_seq)
  SELECT origin, '#dirty', '', 0, ev_seq FROM levels_origins;" || fail "simulate the migration"
"$P" levels view --db "$PDB" --compact >mig.json || fail "view (migrated)"
cmp -s mig.json before.json || fail "a migrated store's view differs"
"$P" rebuild --db "$PDB" >/dev/null 2>&1 || fail "rebuild"
[ "$(q "$PDB" "SELECT count(*) FROM levels_view_items WHERE kind='#dirty'")" = 0 ] || fail "marked after rebuild"
same "after rebuild"
cmp -s proj.json before.json || fail "the view changed with the rebuild"
echo "ok: a migrated store recomputes until rebuilt; rebuilt, the same bytes from the table"

# ------------------------------------------------ 4. verify
rows() { q "$PDB" "SELECT $(store_cols "$PDB" levels_view_items) FROM levels_view_items ORDER BY origin, kind, item_key" | sha256sum; }
r1=$(rows)
"$P" rebuild --db "$PDB" >/dev/null 2>&1 || fail "rebuild 2"
[ "$(rows)" = "$r1" ] || fail "rebuild gives other rows"
"$P" verify --db "$PDB" >verify.out 2>&1 || fail "verify: $(tail -3 verify.out)"
q "$PDB" "UPDATE levels_view_items SET n = n + 1 WHERE kind='risk' AND (origin, item_key) =
    (SELECT origin, item_key FROM levels_view_items WHERE kind='risk' ORDER BY origin, item_key LIMIT 1)" || fail "change a row"
"$P" verify --db "$PDB" >verify.out 2>&1 && fail "verify passed with a changed row"
grep -q "levels_view_items" verify.out || fail "verify did not name the table: $(tail -3 verify.out)"
echo "ok: rebuild reproduces the rows; verify passes, and names levels_view_items when a row is changed"
