#!/usr/bin/env bash
# levels_three.sh — the must-show of issue #21 (docs/LEVELS.md §9–10):
# three stores and three `plumb serve` on one machine — two counties
# (county.example/c1, c2) and their prefecture (pref.example/4331) —
# talking over real HTTP:
#  1. the counties' checkpoints are cosigned by the witness inside the
#     prefecture's server (POST /witness/add-checkpoint), the
#     prefecture's by the witness inside county 1's server;
#  2. a clue about county 1's party secretary ("本库无上级…须报送上级")
#     is sealed to the prefecture's office key (`plumb escalate`), carried
#     by county 1's supervisor/v1 bundle to the prefecture's POST
#     /levels/bundles, taken into the prefecture's workflow as its own
#     clue with its provenance, disposed, verified and concluded there
#     (form 1); `plumb escalation sync` and an escalation/v1 bundle to
#     county 1's POST /levels/bundles bring the outcome down: county 1
#     reads "已移送湘西州纪委…：已办结（第一种形态）" (zh and en), and holds
#     none of the prefecture's handling (its notes, reasons) nor the
#     sealed content in clear beyond what it had;
#  3. a bundle changed in one byte is refused (422) and a replay changes
#     nothing, both sides; a fork by county 1 (its backup grown to a
#     witnessed size and signed) is refused by the witness (409) and
#     reported by the mirror (origin, size, tile level);
#  4. the prefecture's view from above (GET /api/v1/levels/view) shows both
#     counties with the origin log and checkpoint of each item;
#  5. bad input, each one clear error and the receiving store unchanged:
#     a bundle from an origin the prefecture does not supervise, a clue
#     escalated to another level, a status bundle for a clue the county
#     never escalated, a status bundle addressed to another county.
# Expected texts come from docs/LEVELS.md §9 and the status table there,
# not from the code under test. On both engines (helpers/store_lib.sh,
# through helpers/escalation_lib.sh).
set -u
P=${PLUMB:?set PLUMB to the plumb binary}
SRC=${PLUMB_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
export PLUMB_SRC=$SRC PLUMB_LANG=en
EX="$SRC/examples"
T=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "$T"; }
trap cleanup EXIT; [ -n "${KEEP:-}" ] && trap "for p in \"\${PIDS[@]}\"; do kill \$p; done" EXIT
cd "$T" || exit 2
. "$SRC/tests/cli/helpers/store_lib.sh"
P=$PLUMB
. "$SRC/tests/cli/helpers/escalation_lib.sh" # q, wait_port, esc_porg (its fail replaced below)
PDB=$(store_new p) && C1=$(store_new c1) && C2=$(store_new c2) && C3=$(store_new c3) || exit 1
fail() { echo "FAIL: $*"; for f in plog c1log c2log; do [ -s $f ] && { echo "--- $f"; tail -5 $f; }; done; exit 1; }
cdb() { case $1 in p) echo "$PDB" ;; 1 | c1) echo "$C1" ;; 2 | c2) echo "$C2" ;; 3 | c3) echo "$C3" ;; esac; }
# What a store holds, as one hash (ledger size and the levels' tables).
snap() {
    store_sql "$1" "SELECT count(*) FROM ledger_events; SELECT * FROM levels_received ORDER BY origin, seq;
      SELECT * FROM levels_origins ORDER BY origin; SELECT * FROM escalations_in ORDER BY 1, 2;
      SELECT * FROM escalations_out ORDER BY 1, 2;
      SELECT id, status FROM case_clues ORDER BY id" | sha256sum
}

# ------------------------------------------------------------ setup
esc_porg
printf 'id,unit_id,title,rank,is_top,category,portfolio,reports_to\nPP1,PD,纪检监察员,staff,0,discipline,,\n' >porg/org/02_posts.csv
printf '公民身份号码,姓名,性别,出生日期,籍贯区划\n433100198001010011,周处长,M,1980-01-01,4331\n' >porg/org/03_persons.csv
printf 'id,person_id,post_id,start_date,end_date,decision_id\nPT1,433100198001010011,PP1,2020-01-01,,\n' >porg/org/04_tenures.csv
"$P" init --db "$PDB" --origin pref.example/4331 >initp.out || fail "init p"
"$P" import --all porg --db "$PDB" --quiet >/dev/null || fail "import p"
PLV=$(tail -n 1 initp.out)
for c in 1 2; do
    "$P" init --db "$(cdb $c)" --origin county.example/c$c >init$c.out || fail "init c$c"
    "$P" import --all "$EX" --db "$(cdb $c)" --quiet >/dev/null || fail "import c$c"
    "$P" sweep --db "$(cdb $c)" --as-of 2026-03-01 >/dev/null || fail "sweep c$c"
done
LV1=$(tail -n 1 init1.out)
LV2=$(tail -n 1 init2.out)
"$P" keygen --name pref.example/witness --out wp.key >/dev/null || fail "keygen wp"
WP=$("$P" witness vkey --key wp.key) || fail "vkey wp"
"$P" keygen --name county.example/c1-witness --out wc.key >/dev/null || fail "keygen wc"
WC=$("$P" witness vkey --key wc.key) || fail "vkey wc"
PK=$("$P" escalation keygen --out esc.key) || fail "escalation keygen"
[ "$(stat -c %a esc.key)" = 600 ] || fail "escalation key mode $(stat -c %a esc.key)"
echo "pref.example/4331 $PK 湘西州纪委" >above.conf
printf 'county.example/c1 %s\ncounty.example/c2 %s\n' "$LV1" "$LV2" >clogs.conf
echo "pref.example/4331 $PLV" >plogs.conf
cp clogs.conf origins.conf # the prefecture supervises both counties
cp plogs.conf porigins.conf # the counties take status reports from the prefecture

# The three servers. The prefecture: the counties' witness, their bundles,
# their escalated clues. Each county: the prefecture's bundles (status);
# county 1 also witnesses the prefecture's log.
"$P" serve --db "$PDB" --port 0 --port-file pport --quiet \
    --witness-state wpst --witness-key wp.key --witness-logs clogs.conf \
    --bundle-origins origins.conf --bundle-witness "$WP" \
    --escalation-key esc.key --escalation-office PD 2>plog &
PIDS+=($!)
"$P" serve --db "$C1" --port 0 --port-file c1port --quiet \
    --witness-state wcst --witness-key wc.key --witness-logs plogs.conf \
    --bundle-origins porigins.conf --bundle-witness "$WC" 2>c1log &
PIDS+=($!)
"$P" serve --db "$C2" --port 0 --port-file c2port --quiet \
    --bundle-origins porigins.conf --bundle-witness "$WC" 2>c2log &
PIDS+=($!)
for f in pport c1port c2port; do wait_port $f || fail "serve ($f) did not start"; done
PURL="http://127.0.0.1:$(cat pport)"
C1URL="http://127.0.0.1:$(cat c1port)"
C2URL="http://127.0.0.1:$(cat c2port)"

# ------------------------------------------- 1. checkpoints witnessed
push() { "$P" checkpoint push --db "$1" --witness "$2" --url "$3" 2>&1; }
for c in 1 2; do
    out=$(push "$(cdb $c)" "$WP" "$PURL/witness") || fail "push c$c: $out"
    n=$(q "$(cdb $c)" "SELECT max(size) FROM ledger_checkpoints")
    [ "$out" = "witness pref.example/witness: cosigned size $n" ] || fail "push c$c said: $out"
done
"$P" verify --db "$C1" --witness "$WP" >/dev/null || fail "verify --witness c1"

C1PRE=$(store_copy_live "$C1" c1pre) || fail "copy c1" # county 1 before the escalation (a store that never escalated; the fork's base)
# ------------------------------------------- 2. the clue goes up
out=$("$P" clue add --db "$C1" --channel letter --category money \
    --subject-person 43312719700315011X --summary 反映县委书记违规收受礼金 \
    --facts "县委书记王建国春节期间收受下属单位礼金，共计约五万元" 2>&1) || fail "clue add: $out"
CL=$(sed -n 's/^registered clue //p' <<<"$out")
q "$C1" "SELECT route_reason FROM case_clues WHERE id='$CL'" |
    grep -q "本库无上级纪检监察机关，须报送上级" || fail "routing below: $out"
out=$("$P" escalate "$CL" --above above.conf --db "$C1" 2>&1) || fail "escalate: $out"
grep -q "^sealed and escalated $CL → 湘西州纪委 (pref.example/4331), seq [0-9]*$" <<<"$out" ||
    fail "escalate said: $out"
out=$("$P" escalate "$CL" --above above.conf --db "$C1" 2>&1) && fail "escalated twice"
grep -q "clue_id: $CL was escalated to pref.example/4331 already" <<<"$out" || fail "twice: $out"
# The sealed box holds the facts; the event's clear payload does not.
q "$C1" "SELECT payload FROM ledger_events WHERE type='escalation.sent'" | grep -q 礼金 &&
    fail "the facts are in clear in escalation.sent"
out=$("$P" escalation list --db "$C1") || fail "list c1"
[ "$out" = "$CL  transferred to 湘西州纪委: sent, not yet imported above" ] || fail "list before: $out"
# The clue statistics go up as an event of their own (counts only).
for c in 1 2; do
    "$P" escalation publish-stats --db "$(cdb $c)" >/dev/null || fail "publish-stats c$c"
done
out=$(push "$C2" "$WP" "$PURL/witness") || fail "push c2 (2): $out"
out=$(push "$C1" "$WP" "$PURL/witness") || fail "push c1 (2): $out"
"$P" bundle export --db "$C1" --witness-vkey "$WP" --since 0 --out c1.bundle >/dev/null ||
    fail "export c1"
"$P" bundle export --db "$C2" --witness-vkey "$WP" --since 0 --out c2.bundle >/dev/null ||
    fail "export c2"
send() { "$P" bundle send "$1" --url "$2" --receiver-vkey "$3" 2>&1; }
# One byte changed: refused whole, nothing written.
before=$(snap "$PDB")
python3 - <<'PY' || fail "tamper"
b = bytearray(open("c1.bundle", "rb").read()); i = b.index(b"\n", 30) + 40
b[i] = ord("A") if b[i] != ord("A") else ord("B"); open("c1-bad.bundle", "wb").write(b)
PY
out=$(send c1-bad.bundle "$PURL" "$PLV") && fail "a tampered bundle was accepted"
grep -q "HTTP 422: bundle: the sender's signature (county.example/c1+[0-9a-f]*) does not verify: the bundle was altered or forged" <<<"$out" ||
    fail "tampered: $out"
[ "$(snap "$PDB")" = "$before" ] || fail "a tampered bundle changed the prefecture"
out=$(send c1.bundle "$PURL" "$PLV") || fail "send c1: $out"
grep -q "^receipt verified, signed by pref.example/4331: county.example/c1 0 " <<<"$out" ||
    fail "send c1 said: $out"
PCL=$(q "$PDB" "SELECT clue_id FROM escalations_in WHERE origin='county.example/c1' AND origin_clue_id='$CL'")
[ -n "$PCL" ] || fail "the clue was not taken in: $(q "$PDB" 'SELECT * FROM escalations_in')"
# The county secretary is not in the prefecture's registry: the clue names him.
row=$(q "$PDB" "SELECT channel, handling_unit_id, coalesce(subject_person_id, '-'), subject_name, source_ref, is_top
    FROM case_clues WHERE id='$PCL'")
[ "$row" = "escalation|PD|-|王建国|county.example/c1#$CL|1" ] || fail "prefecture clue: $row"
q "$PDB" "SELECT facts FROM case_clues WHERE id='$PCL'" | grep -q 五万元 || fail "facts not opened above"
# Provenance: the county's seq and the witnessed checkpoint it was proven against.
prov=$(q "$PDB" "SELECT CASE WHEN i.origin_seq = r.seq THEN 1 ELSE 0 END,
    CASE WHEN i.checkpoint_size = r.checkpoint_size THEN 1 ELSE 0 END,
    CASE WHEN i.checkpoint_root = r.checkpoint_root THEN 1 ELSE 0 END
    FROM escalations_in i JOIN levels_received r ON r.origin = i.origin AND r.type = 'escalation.sent'")
[ "$prov" = "1|1|1" ] || fail "provenance: $prov"
# Replay: nothing changes.
before=$(snap "$PDB")
out=$(send c1.bundle "$PURL" "$PLV") || fail "replay c1: $out"
grep -q ": county.example/c1 0 [0-9]* 0$" <<<"$out" || fail "replay said: $out"
[ "$(snap "$PDB")" = "$before" ] || fail "a replayed bundle changed the prefecture"
out=$(send c2.bundle "$PURL" "$PLV") || fail "send c2: $out"

# Handled above as any clue.
PP() { "$P" "$@" --db "$PDB"; }
PP clue dispose "$PCL" --method preliminary_verification --reason 问题具体可查 >/dev/null || fail "dispose"
PP clue note "$PCL" --text "州纪委调取礼金账目" >/dev/null || fail "note"
PP clue conclude "$PCL" --outcome form1 --measure criticism --reason 州纪委认定属实情节较轻 >/dev/null ||
    fail "conclude"
out=$(PP escalation sync) || fail "sync: $out"
[ "$out" = "status reports recorded 1" ] || fail "sync said: $out"
out=$(PP escalation sync) || fail "sync again: $out"
[ "$out" = "status reports recorded 0" ] || fail "sync again said: $out"
out=$(push "$PDB" "$WC" "$C1URL/witness") || fail "push p: $out"
"$P" bundle export --db "$PDB" --witness-vkey "$WC" --policy escalation/v1 \
    --for county.example/c1 --since 0 --out down1.bundle >/dev/null || fail "export down"
# The status bundle carries no content: not the facts, not the note, not the reason.
grep -aq "$(printf '%s' 州纪委调取 | base64)" down1.bundle && fail "the note went down"
before=$(snap "$C1")
python3 - <<'PY' || fail "tamper down"
b = bytearray(open("down1.bundle", "rb").read()); i = b.rindex(b"\n\n") - 10
b[i] = ord("A") if b[i] != ord("A") else ord("B"); open("down1-bad.bundle", "wb").write(b)
PY
out=$(send down1-bad.bundle "$C1URL" "$LV1") && fail "a tampered status bundle was accepted"
grep -q "HTTP 422" <<<"$out" || fail "tampered down: $out"
[ "$(snap "$C1")" = "$before" ] || fail "a tampered status bundle changed county 1"
out=$(send down1.bundle "$C1URL" "$LV1") || fail "send down: $out"
grep -q "^receipt verified, signed by county.example/c1: pref.example/4331 0 " <<<"$out" ||
    fail "send down said: $out"
out=$("$P" escalation list --db "$C1") || fail "list c1 after"
[ "$out" = "$CL  transferred to 湘西州纪委 (their clue $PCL): concluded (form 1)" ] ||
    fail "list en: $out"
out=$("$P" escalation list --db "$C1" --lang zh) || fail "list c1 zh"
[ "$out" = "$CL  已移送湘西州纪委（上级线索 $PCL）：已办结（第一种形态）" ] || fail "list zh: $out"
before=$(snap "$C1")
out=$(send down1.bundle "$C1URL" "$LV1") || fail "replay down: $out"
[ "$(snap "$C1")" = "$before" ] || fail "a replayed status bundle changed county 1"
# County 1 holds the outcome, never the prefecture's handling.
for s in 州纪委调取 州纪委认定; do
    store_dump "$C1" | grep -q "$s" && fail "county 1 holds '$s'"
done

# ---------------------------------------- 4. the view from above
"$P" levels view --db "$PDB" >view.json || fail "levels view"
# Expected values are the counties' own tables (the source), not the view's code.
for c in 1 2; do
    store_sql "$(cdb $c)" --json "SELECT w.person_id, w.index_x100, w.grade FROM risk_warnings w
        JOIN tenures t ON t.person_id = w.person_id JOIN posts p ON p.id = t.post_id AND p.is_top = 1
        WHERE t.end_date IS NULL" >risk$c.json
    store_sql "$(cdb $c)" --json "SELECT seq, type FROM ledger_events WHERE type IN ('warning.raised', 'stats.clues_published')" >seqs$c.json
    "$P" clue stats --db "$(cdb $c)" --json >stats$c.json 2>/dev/null || "$P" clue stats --db "$(cdb $c)" >stats$c.json
done
python3 - <<'PY' || fail "view from above"
import json
v = json.load(open("view.json"))
assert [o["origin"] for o in v] == ["county.example/c1", "county.example/c2"], [o["origin"] for o in v]
for i, o in enumerate(v, 1):
    risk = {r["person_id"]: r for r in json.load(open(f"risk{i}.json"))}
    seqs = {r["seq"]: r["type"] for r in json.load(open(f"seqs{i}.json"))}
    names = {l["person_id"]: l for l in o["leaders"]}
    assert "43312719700315011X" in names and names["43312719700315011X"]["name"] == "王建国", names
    assert names["43312719700315011X"]["post"] == "县委书记"
    for pid, r in risk.items():
        got = names[pid]["risk"]
        assert abs(got["index"] * 100 - r["index_x100"]) < 0.5 and got["grade"] == r["grade"], (got, r)
        assert got["origin"] == o["origin"] and seqs[got["seq"]] == "warning.raised", got
        assert got["checkpoint_size"] == o["checkpoint_size"] or got["checkpoint_size"] <= o["checkpoint_size"]
    st = o["clue_stats"]
    assert st and seqs[st["seq"]] == "stats.clues_published", st
    want = json.load(open(f"stats{i}.json"))
    assert st["total"] == want["total"] and st["by_outcome"] == want["by_outcome"], (st, want)
    for l in o["leaders"]:
        for f in l["findings"]:
            assert f["origin"] == o["origin"] and len(f["checkpoint_root"]) == 64, f
PY
# Over HTTP: a prefecture user's dashboard has both counties (GET /api/v1/dashboard "below").
PW='Correct-Horse-9battery'
# The counties sit under the prefecture's party committee (PU), which the
# officer's scope holds (docs/SECURITY.md "The view from above").
for c in 1 2; do
    "$P" levels place county.example/c$c --unit PU --db "$PDB" >/dev/null || fail "place c$c"
done
uout=$(echo "$PW" | "$P" user add zhou --role discipline_officer --scope PU --password-stdin --db "$PDB" --actor test 2>&1) ||
    fail "user add: $uout"
SECRET=$(printf '%s\n' "$uout" | sed -n 's/^totp_secret: //p')
code=$(cd "$SRC/tests/api" && node --input-type=module -e \
    "import {totp} from './lib.mjs'; console.log(totp('$SECRET', Math.floor(Date.now() / 1000)))") ||
    fail "totp"
status=$(curl -sS -c jar -o login.json -w '%{http_code}' -H 'Content-Type: application/json' \
    -d "{\"username\":\"zhou\",\"password\":\"$PW\",\"totp\":\"$code\"}" "$PURL/api/v1/auth/login")
[ "$status" = 200 ] || fail "login: $status $(cat login.json)"
status=$(curl -sS -b jar -o dash.json -w '%{http_code}' "$PURL/api/v1/dashboard")
[ "$status" = 200 ] || fail "dashboard: $status"
python3 -c "
import json; d = json.load(open('dash.json'))
assert [o['origin'] for o in d['below']] == ['county.example/c1', 'county.example/c2'], d.get('below')
" || fail "dashboard below: $(head -c 300 dash.json)"
status=$(curl -sS -b jar -o v1.json -w '%{http_code}' "$PURL/api/v1/levels/view?origin=county.example/c2")
[ "$status" = 200 ] && grep -q '"origin":"county.example/c2"' v1.json || fail "view ?origin: $status"
status=$(curl -sS -b jar -o v9.json -w '%{http_code}' "$PURL/api/v1/levels/view?origin=county.example/c9")
[ "$status" = 404 ] && grep -q '"field":"origin"' v9.json || fail "view unknown origin: $status $(cat v9.json)"

# The file of a person the prefecture knows only by bundle (not in its registry).
[ "$(q "$PDB" "SELECT count(*) FROM persons WHERE id='43312719700315011X'")" = 0 ] || fail "in the registry"
status=$(curl -sS -b jar -o pf.json -w '%{http_code}' "$PURL/api/v1/levels/view?person=43312719700315011X")
[ "$status" = 200 ] || fail "person file: $status $(cat pf.json)"
python3 -c "
import json; d = json.load(open('pf.json'))['origins']
assert [o['origin'] for o in d] == ['county.example/c1', 'county.example/c2'], d
for o in d:
    assert [l['person_id'] for l in o['leaders']] == ['43312719700315011X'], o['leaders']
    assert o['leaders'][0]['tenure']['origin'] == o['origin']
" || fail "person file: $(head -c 300 pf.json)"
status=$(curl -sS -b jar -o pf9.json -w '%{http_code}' "$PURL/api/v1/levels/view?person=433100198001010011")
[ "$status" = 404 ] && grep -q '"field":"person"' pf9.json || fail "person not below: $status $(cat pf9.json)"

# County 1 sees the outcome over HTTP too (GET /api/v1/levels/escalations).
uout=$(echo "$PW" | "$P" user add lisi --role discipline_officer --scope U001 --password-stdin --db "$C1" --actor test 2>&1) ||
    fail "user add c1: $uout"
S1=$(printf '%s\n' "$uout" | sed -n 's/^totp_secret: //p')
code=$(cd "$SRC/tests/api" && node --input-type=module -e \
    "import {totp} from './lib.mjs'; console.log(totp('$S1', Math.floor(Date.now() / 1000)))") || fail "totp c1"
status=$(curl -sS -c jar1 -o login1.json -w '%{http_code}' -H 'Content-Type: application/json' \
    -d "{\"username\":\"lisi\",\"password\":\"$PW\",\"totp\":\"$code\"}" "$C1URL/api/v1/auth/login")
[ "$status" = 200 ] || fail "login c1: $status $(cat login1.json)"
status=$(curl -sS -b jar1 -o esc.json -w '%{http_code}' "$C1URL/api/v1/levels/escalations")
[ "$status" = 200 ] || fail "escalations: $status"
python3 -c "
import json, sys; i = json.load(open('esc.json'))['items']
assert len(i) == 1 and i[0]['clue_id'] == sys.argv[1] and i[0]['upper_clue_id'] == sys.argv[2], i
assert i[0]['status'] == 'concluded' and i[0]['outcome'] == 'form1' and i[0]['measure'] == 'criticism', i
assert i[0]['text_zh'] == '已移送湘西州纪委（上级线索 %s）：已办结（第一种形态）' % sys.argv[2], i
" "$CL" "$PCL" || fail "escalations over HTTP: $(cat esc.json)"

# ------------------------------------------------------ 5. bad input
# A bundle from an origin the prefecture does not supervise.
"$P" init --db "$C3" --origin county.example/c3 >init3.out || fail "init c3"
LV3=$(tail -n 1 init3.out)
echo "county.example/c3 $LV3" >c3logs.conf
"$P" witness serve --state w3st --key wp.key --logs c3logs.conf --listen 127.0.0.1:0 --port-file w3port 2>w3log &
PIDS+=($!)
wait_port w3port || fail "witness 3"
push "$C3" "$WP" "http://127.0.0.1:$(cat w3port)" >/dev/null || fail "push c3"
"$P" bundle export --db "$C3" --witness-vkey "$WP" --since 0 --out c3.bundle >/dev/null || fail "export c3"
before=$(snap "$PDB")
out=$(send c3.bundle "$PURL" "$PLV") && fail "an unsupervised origin was accepted"
grep -q "HTTP 403: bundle: signed by county.example/c3+[0-9a-f]*, the sender of no origin this level supervises" <<<"$out" ||
    fail "unsupervised: $out"
# County 2 escalates a clue to another level (its copy): refused whole by the prefecture.
C2X=$(store_copy_live "$C2" c2x) || fail "copy c2" # a consistent copy (the server has c2 open)
echo "pref.example/9999 $PK 别州纪委" >other.conf
out=$("$P" clue add --db "$C2X" --channel letter --category conduct --subject-person 43312719700315011X \
    --summary 反映县委书记 2>&1) || fail "clue add c2x: $out"
CX=$(sed -n 's/^registered clue //p' <<<"$out")
"$P" escalate "$CX" --above other.conf --db "$C2X" >/dev/null || fail "escalate c2x"
push "$C2X" "$WP" "$PURL/witness" >/dev/null || fail "push c2x"
"$P" bundle export --db "$C2X" --witness-vkey "$WP" --since 0 --out c2x.bundle >/dev/null || fail "export c2x"
out=$(send c2x.bundle "$PURL" "$PLV") && fail "a clue for another level was accepted"
grep -q "HTTP 403: bundle: event seq [0-9]*: clue $CX of county.example/c2 is escalated to pref.example/9999, not to this level (pref.example/4331)" <<<"$out" ||
    fail "other level: $out"
[ "$(snap "$PDB")" = "$before" ] || fail "refused bundles changed the prefecture"
# A status bundle for a clue county 2 never escalated (county 1's, sent to county 2):
# addressed to county 1 → refused; and county 2 importing a bundle that claims it is for it
# is tested by the CLI with a copy of county 1 that never escalated.
before=$(snap "$C2")
out=$(send down1.bundle "$C2URL" "$LV2") && fail "county 2 accepted county 1's status bundle"
grep -q "HTTP 403: bundle: addressed to county.example/c1, not to this store (county.example/c2)" <<<"$out" ||
    fail "addressed to another: $out"
[ "$(snap "$C2")" = "$before" ] || fail "a refused status bundle changed county 2"
C1U=$(store_copy "$C1PRE" c1u) || fail "copy c1pre"
before=$(snap "$C1U")
out=$("$P" bundle import down1.bundle --db "$C1U" --origins porigins.conf --witness-vkey "$WC" 2>&1) &&
    fail "a status bundle for an unknown clue was accepted"
grep -q "bundle: event seq [0-9]* (escalation.accepted): clue $CL was not escalated by this store to pref.example/4331 (unknown clue): nothing written" <<<"$out" ||
    fail "unknown clue: $out"
[ "$(snap "$C1U")" = "$before" ] || fail "an unknown clue's status bundle changed the store"

# --------------------------------------------- 6. a fork by county 1
# The mirror follows county 1 from its tiles; then county 1 restores its
# backup, writes other events up to the size the witness covered, signs.
out=$(push "$C1" "$WP" "$PURL/witness") || fail "push c1 (3): $out"
"$P" export-tiles --db "$C1" t1 >/dev/null || fail "export-tiles c1"
out=$("$P" mirror --db "$PDB" --origin county.example/c1 --vkey "$LV1" --witness-vkey "$WP" --url t1 2>&1) ||
    fail "mirror c1: $out"
S=$(q "$C1" "SELECT max(size) FROM ledger_checkpoints")
K=$(q "$C1PRE" "SELECT count(*) FROM ledger_events")
"$P" ledger-append-test --db "$C1PRE" --count $((S - K)) --payload-bytes 9 >/dev/null || fail "grow the fork"
out=$(push "$C1PRE" "$WP" "$PURL/witness") && fail "the witness cosigned a fork"
grep -q "witness pref.example/witness refused: HTTP 409: $S$" <<<"$out" || fail "fork at the witness: $out"
[ "$(q "$C1PRE" "SELECT max(size) FROM ledger_checkpoints")" = "$S" ] || fail "fork size"
"$P" export-tiles --db "$C1PRE" tf >/dev/null || fail "export-tiles fork"
out=$("$P" mirror --db "$PDB" --origin county.example/c1 --vkey "$LV1" --witness-vkey "$WP" --url tf 2>&1) &&
    fail "the mirror took the fork"
grep -q "origin county.example/c1: fork at witnessed size $S: .*tile level 0 index [0-9]* differs from the mirror" <<<"$out" ||
    fail "fork at the mirror: $out"
[ "$(q "$PDB" "SELECT kind, size FROM mirror_refusals WHERE origin='county.example/c1'")" = "fork|$S" ] ||
    fail "mirror_refusals: $(q "$PDB" 'SELECT * FROM mirror_refusals')"

# Replaying each ledger rebuilds the same escalation and levels tables.
for d in p c1 c2; do
    out=$("$P" verify --db "$(cdb $d)" 2>&1) || fail "verify $d: $out"
done
echo "ok"
