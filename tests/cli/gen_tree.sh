#!/bin/bash
# gen_tree.sh — the generated unit tree is the real one, and what follows
# from it (issue #19 item 4; docs/GENERATOR.md "The unit tree"):
# 1. every unit's parent_id is the one of the hand-written table below
#    (written from the usual county structure, not from gen.c);
# 2. clues route as docs/CASES.md "Routing" says: the handling office that
#    the import recorded for each clue about a person equals the walk of
#    the doc's text computed here over units.csv (a county bureau chief →
#    the county commission, the county secretary → the level above);
# 3. meetings, decisions, talks and other supervision activities, payments
#    and contracts fall on working days (Monday–Friday), plants included.
# The prefecture's organs and one county (--limit 2) check the link of a
# county's party committee to the prefecture's.
# On both engines (helpers/store_lib.sh): part 2's store.
set -u
: "${PLUMB:?}"
export PLUMB_SRC=${PLUMB_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. "$PLUMB_SRC/tests/cli/helpers/store_lib.sh"
fail() { echo "FAIL: $*"; exit 1; }
"$PLUMB" gen --scale county --seed 1 --out "$T/c" --quiet >/dev/null 2>&1 || fail "gen county"
# --- 1 and 3: the table and the weekdays, from the CSV files (no store:
# on SQLite only, cli.gen_tree)
if [ "$STORE_PG" = 0 ]; then
"$PLUMB" gen --scale prefecture --seed 1 --limit 2 --out "$T/p" --quiet >/dev/null 2>&1 ||
    fail "gen prefecture"
python3 - "$T/c" "$T/p" <<'EOF' || fail "tree or weekdays"
import csv, datetime, re, sys

def rows(d, f):
    with open(f"{d}/{f}", newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))

# The unit above, by the unit's name (A = the area's name): a hand-written
# table of a county after the 2018-2019 reform. Patterns in order; the
# first that matches names the expected parent's name.
def expected(name, A, units_by_name, towns):
    party, gov = f"中共{A}委员会", f"{A}人民政府"
    if name == party:
        return None
    if re.fullmatch(re.escape(A) + r"纪委监委派驻第.+纪检监察组", name):
        return f"中共{A}纪律检查委员会"
    if name.startswith(A) and (name.endswith("人民政府") or name.endswith("办事处")) and name != gov:
        town = name[len(A):].removesuffix("人民政府").removesuffix("办事处")
        return f"中共{A}{town}{'工作委员会' if town.endswith('街道') else '委员会'}"
    if re.search(r"(中学|小学|中心学校)$", name):
        return f"{A}教育局"
    if re.search(r"(人民医院|卫生院|社区卫生服务中心)$", name):
        return f"{A}卫生健康局" if f"{A}卫生健康局" in units_by_name else f"{A}卫生健康厅"
    if name.endswith("有限公司"):
        return f"{A}财政局" if f"{A}财政局" in units_by_name else f"{A}财政厅"
    if name.endswith("融媒体中心"):
        return f"中共{A}委员会宣传部"
    if name.endswith("图书馆") or name.endswith("博物馆"):
        return next(n for n in units_by_name if n.startswith(A + "文化旅游广电体育"))
    if name.endswith("档案馆"):
        return f"中共{A}委员会办公室"
    if name.endswith("红十字会") or name.endswith("供销合作社") or name.endswith("公安局") \
            or name == f"{A}人民政府办公室":
        return gov
    if re.search(r"(局|中心)$", name) and name.startswith(A) and not name.startswith("中共"):
        return gov  # the government's departments (机关事务服务中心 too)
    return party  # the committee's bodies, 政府, 纪委, court, procuratorate,
    #              人大, 政协, township committees, 群团

def check_tree(d, areas):
    units = rows(d, "org/units.csv")
    by_id = {u["id"]: u for u in units}
    for code, A, above in areas:
        mine = [u for u in units if u["division_code"] == code and u["level"] != "prefecture"] \
            if len(code) == 6 else [u for u in units if u["level"] == "prefecture"]
        by_name = {u["name"]: u for u in mine}
        assert mine, f"{d}: no units of {A}"
        kinds = {}
        for u in mine:
            want = expected(u["name"], A, by_name, None)
            got = by_id[u["parent_id"]]["name"] if u["parent_id"] else None
            if want is None:
                want = above
            assert got == want, f"{d}: {u['id']} {u['name']}: parent {got}, want {want}"
            kinds[want] = kinds.get(want, 0) + 1
        # not flat: schools, hospitals, 派驻组 and townships below the root
        assert kinds.get(f"{A}教育局", 0) >= 1 and kinds.get(f"中共{A}纪律检查委员会", 0) >= 5, \
            f"{A}: {kinds}"
    print(f"tree ok: {d} ({len(units)} units)")

check_tree(sys.argv[1], [("433127", "永顺县", None)])
check_tree(sys.argv[2], [("4331", "湘西土家族苗族自治州", None),
                         ("433101", "吉首市", "中共湘西土家族苗族自治州委员会")])

for d in sys.argv[1:]:
    for f, col in [("meetings/meetings.csv", "held_at"), ("meetings/decisions.csv", "decided_at"),
                   ("supervision/supervision_activities.csv", "held_at"),
                   ("finance/payments.csv", "paid_at"), ("contracts/contracts.csv", "signed_at")]:
        n = 0
        for r in rows(d, f):
            if r[col]:
                n += 1
                wd = datetime.date.fromisoformat(r[col]).weekday()
                assert wd < 5, f"{d}/{f}: {r['id']} on a {['Sat', 'Sun'][wd - 5]} ({r[col]})"
        assert n > 0, f"{d}/{f}: no dates"
print("weekdays ok")
EOF
fi

# --- 2: routing, by docs/CASES.md's text over units.csv
DB=$(store_new g) || fail "store g"
"$PLUMB" init --db "$DB" >/dev/null 2>&1 || fail "init"
"$PLUMB" import --all "$T/c" --db "$DB" --quiet >/dev/null 2>&1 || fail "import"
# '|'-separated rows (`plumb sql`'s list output) under a header line
{ echo "id|subject_person_id|subject_unit_id|is_top|handling_unit_id"
  store_sql "$DB" "SELECT id, subject_person_id, subject_unit_id, is_top,
    coalesce(handling_unit_id, '') AS handling_unit_id FROM case_clues
    WHERE origin = 'import' AND subject_unit_id IS NOT NULL ORDER BY id"; } >"$T/routes.csv" ||
    fail "query case_clues"
python3 - "$T/c" "$T/routes.csv" <<'EOF' || fail "routing"
import csv, sys
d = sys.argv[1]
with open(f"{d}/org/units.csv", newline="", encoding="utf-8") as fh:
    units = {u["id"]: u for u in csv.DictReader(fh)}

def body_at(x):
    # "the discipline unit (kind discipline) found at a unit (itself or a
    # child)": itself, else its child of kind discipline (smallest id)
    if units[x]["kind"] == "discipline":
        return x
    kids = sorted(u["id"] for u in units.values()
                  if u["parent_id"] == x and u["kind"] == "discipline")
    return kids[0] if kids else None

def route(unit, is_top):
    # "walking the parent chain; for a top leader ... the walk starts at the
    # unit's parent and skips the unit"
    x = units[unit]["parent_id"] if is_top else unit
    while x:
        b = body_at(x)
        if b and not (is_top and b == unit):
            return b
        x = units[x]["parent_id"]
    return ""

with open(sys.argv[2], newline="") as fh:
    clues = list(csv.DictReader(fh, delimiter="|"))
assert len(clues) > 500, len(clues)
COMMISSION = "U433127-000003"
seen = {}
for c in clues:
    want = route(c["subject_unit_id"], c["is_top"] == "1")
    assert c["handling_unit_id"] == want, \
        f"{c['id']}: unit {c['subject_unit_id']} top {c['is_top']}: routed to {c['handling_unit_id']!r}, want {want!r}"
    u = units[c["subject_unit_id"]]
    kind = (u["kind"], u["level"], c["is_top"])
    seen.setdefault(kind, set()).add(c["handling_unit_id"])
# the doc's examples: a county bureau chief → the county commission; the
# county secretary → the level above (none in a county data set: "")
assert seen.get(("department", "county", "1")) == {COMMISSION}, seen.get(("department", "county", "1"))
for k in [("school", "county", "1"), ("hospital", "county", "1"), ("school", "county", "0"),
          ("government", "township", "1"), ("party", "township", "1")]:
    assert seen.get(k, {COMMISSION}) == {COMMISSION}, (k, seen[k])
assert seen.get(("party", "county", "1"), {""}) == {""}, seen.get(("party", "county", "1"))
print(f"routing ok: {len(clues)} clues, {sorted((k, len(v)) for k, v in seen.items())[:3]}…")
EOF
echo "gen_tree ok"
