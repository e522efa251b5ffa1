#!/usr/bin/env bash
# rules_r19.sh — R19: no annual duty report (述责述廉) before the level above,
# or no annual heart-to-heart with a top leader of the level above
# (docs/RULES.md; DESIGN.md §6), at county and at prefecture scale (the
# prefecture's own organs and its first county: the county party
# committee's level above is the prefecture's, another area):
#  1. engine = SQL reference = truth.json, key by key, evidence included,
#     with R19 planted at both severities;
#  2. an oracle written here from docs/RULES.md's text, over the generated
#     units, posts, tenures and supervision_activities CSV files, gives the
#     same keys, subjects and severities as the recorded findings;
#  3. near misses present and silent: a report held on 31 Dec of the year;
#     a leader appointed in the last 90 days of a year owes nothing for it;
#     and the decided case: a heart-to-heart held by a deputy of the level
#     above does not count (DESIGN.md: "between the upper and lower top
#     leader") — it is a planted finding, not a near miss;
#  4. incremental: importing the missing report resolves its finding at
#     once (no sweep);
#  5. r19_grace_days=0 in a profile makes a December appointee owe the year;
#  6. bad input: a heart-to-heart held_by an unknown person, a negative
#     grace — one line naming the field, exit 1, nothing written.
# Env: PLUMB, PLUMB_SRC. Layer: tests/cli (rules, model, gen).
set -euo pipefail
: "${PLUMB:?PLUMB must name the plumb binary}" "${PLUMB_SRC:?}"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. "$PLUMB_SRC/tests/cli/helpers/store_lib.sh" # both engines
P=$PLUMB
AS_OF=2026-06-30
export PLUMB_LANG=en
fail() { echo "FAIL: $*" >&2; exit 1; }
. "$(dirname "$0")/helpers/rules_cache.sh" # imported (the shared stores)

# docs/RULES.md R19 with the defaults (years_back 2, grace 90 days); prints
# "rule key subject severity". GRACE env overrides the grace.
oracle() { # DATA_DIR
  GRACE=${GRACE:-90} python3 - "$1" "$AS_OF" <<'EOF'
import csv, datetime, glob, os, sys
d, D = sys.argv[1], sys.argv[2]
grace = int(os.environ["GRACE"])
def rows(name):
    for f in glob.glob(d + "/*/" + name + ".csv"):
        yield from csv.DictReader(open(f, encoding="utf-8-sig"))
units = {u["id"]: u for u in rows("units")}
posts = {p["id"]: p for p in rows("posts")}
tenures = list(rows("tenures"))
acts = list(rows("supervision_activities"))
def open_at(t, day):
    return t["start_date"] <= day and (t["end_date"] == "" or t["end_date"] > day)
def top_of(person, unit, day):
    return any(t["person_id"] == person and open_at(t, day) and posts[t["post_id"]]["is_top"] == "1"
               and posts[t["post_id"]]["unit_id"] == unit for t in tenures)
yD = int(D[:4])
for t in tenures:
    p = posts[t["post_id"]]
    if p["is_top"] != "1":
        continue
    up = units[p["unit_id"]]["parent_id"]
    if not up or up not in units:
        continue
    for Y in range(yD - 2, yD):
        yend = "%d-12-31" % Y
        last = (datetime.date(Y, 12, 31) - datetime.timedelta(days=grace)).isoformat()
        if not open_at(t, yend) or t["start_date"] > last:
            continue
        mine = [a for a in acts if a["person_id"] == t["person_id"] and a["held_at"][:4] == str(Y)]
        duty = any(a["kind"] == "duty_report" and a["unit_id"] == up for a in mine)
        heart = any(a["kind"] == "heart_talk" and a["held_by"] and top_of(a["held_by"], up, a["held_at"])
                    for a in mine)
        if not (duty and heart):
            print("R19", "%s|%d" % (t["id"], Y), t["person_id"], "medium" if duty or heart else "high")
EOF
}

recorded() { # DB
  "$P" findings --db "$1" --rule R19 --json |
    jq -r '.[] | select(.status != "resolved") | "\(.rule) \(.key) \(.subject) \(.severity)"' | sort
}

check() { # DB DATA label
  "$P" rules check --db "$1" --as-of $AS_OF ${2:+--truth "$2/truth.json"} >"$T/c.txt" ||
    { cat "$T/c.txt"; fail "$3: rules check differs"; }
  grep -q "^engine = sql" "$T/c.txt" || fail "$3: engine != sql"
  [ -z "$2" ] || grep -q "^engine = truth" "$T/c.txt" || fail "$3: engine != truth"
  grep -E "^R19 " "$T/c.txt"
}

run_scale() { # scale seed limit
  local scale=$1 seed=$2 limit=$3 dir=$T/$1 db
  db=$(store_new "$1")
  [ "$1" != county ] || COUNTY_DB=$db
  echo "== $scale (seed $seed${limit:+, first $limit areas})"
  # plumb gen + init + import --all --as-of, or their copy (helpers/rules_cache.sh)
  imported "$scale" "$seed" "$limit" $AS_OF "$dir" "$db" || fail "$scale: gen + import"
  "$P" sweep --db "$db" --as-of $AS_OF >/dev/null
  check "$db" "$dir" "$scale"
  awk '$1 == "R19" { if ($(NF-2) == 0 || $(NF-2) != $(NF-1) || $(NF-1) != $NF) bad = 1; found = 1 }
       END { exit !(found && !bad) }' "$T/c.txt" || fail "$scale: R19 engine/sql/truth counts"
  oracle "$dir" | sort >"$T/oracle.txt"
  recorded "$db" >"$T/rec.txt"
  diff "$T/oracle.txt" "$T/rec.txt" || fail "$scale: recorded R19 findings differ from the oracle"
  jq -r '.findings[] | select(.rule == "R19") | "\(.rule) \(.key) \(.subject) \(.severity)"' \
    "$dir/truth.json" | sort >"$T/truth.txt"
  diff "$T/truth.txt" "$T/rec.txt" || fail "$scale: truth.json differs from the recorded findings"
  for want in "R19 .*|2025 .* medium" "R19 .*|2024 .* high"; do
    grep -q "^$want$" "$T/rec.txt" || fail "$scale: no finding matching '$want'"
  done
  # near misses and the deputy's talk, found in the data
  python3 - "$dir" >"$T/near.txt" <<'EOF'
import csv, glob, sys
d = sys.argv[1]
def rows(name):
    for f in glob.glob(d + "/*/" + name + ".csv"):
        yield from csv.DictReader(open(f, encoding="utf-8-sig"))
units = {u["id"]: u for u in rows("units")}
posts = {p["id"]: p for p in rows("posts")}
tenures = list(rows("tenures"))
acts = list(rows("supervision_activities"))
def open_at(t, day):
    return t["start_date"] <= day and (t["end_date"] == "" or t["end_date"] > day)
for t in tenures:
    p = posts[t["post_id"]]
    up = units[p["unit_id"]]["parent_id"]
    if p["is_top"] != "1" or not up or up not in units:
        continue
    for Y in (2024, 2025):
        yend = "%d-12-31" % Y
        if open_at(t, yend) and t["start_date"] > "%d-10-02" % Y:
            print("grace", "%s|%d" % (t["id"], Y))
        for a in acts:
            if a["person_id"] == t["person_id"] and a["held_at"] == yend and \
               a["kind"] == "duty_report" and a["unit_id"] == up and open_at(t, yend):
                print("dec31", "%s|%d" % (t["id"], Y))
            if a["person_id"] == t["person_id"] and a["kind"] == "heart_talk" and a["held_by"] and \
               a["held_at"][:4] == str(Y) and open_at(t, yend) and not any(
                   q["person_id"] == a["held_by"] and open_at(q, a["held_at"]) and
                   posts[q["post_id"]]["is_top"] == "1" and posts[q["post_id"]]["unit_id"] == up
                   for q in tenures):
                print("deputy", "%s|%d" % (t["id"], Y))
EOF
  for kind in grace dec31 deputy; do
    grep -q "^$kind " "$T/near.txt" || fail "$scale: no case '$kind' in the data"
  done
  while read -r kind key; do
    case $kind in
      grace | dec31)
        ! grep -q "^R19 $key " "$T/rec.txt" || fail "$scale: near miss $kind $key fired R19" ;;
      deputy)
        grep -q "^R19 $key .* medium$" "$T/rec.txt" || fail "$scale: a deputy's talk counted ($key)" ;;
    esac
  done <"$T/near.txt"
  echo "$scale: $(wc -l <"$T/rec.txt") R19 findings = oracle = truth; near misses: $(cut -d' ' -f1 "$T/near.txt" | sort | uniq -c | tr -s ' ' | tr '\n' ';')"
}

run_scale county 1 ""
db=$COUNTY_DB
dir=$T/county

echo "== incremental: the missing report imported"
# a 2025 finding of a leader who had the heart-to-heart but no report
line=$(python3 - "$dir" <<'EOF'
import csv, json, sys
d = sys.argv[1]
tr = json.load(open(d + "/truth.json"))["findings"]
units = {u["id"]: u for u in csv.DictReader(open(d + "/org/units.csv", encoding="utf-8-sig"))}
posts = {p["id"]: p for p in csv.DictReader(open(d + "/org/posts.csv", encoding="utf-8-sig"))}
ten = {t["id"]: t for t in csv.DictReader(open(d + "/org/tenures.csv", encoding="utf-8-sig"))}
acts = list(csv.DictReader(open(d + "/supervision/supervision_activities.csv", encoding="utf-8-sig")))
for f in tr:
    if f["rule"] != "R19" or not f["key"].endswith("|2025"):
        continue
    t = ten[f["key"].split("|")[0]]
    up = units[posts[t["post_id"]]["unit_id"]]["parent_id"]
    if not any(a["person_id"] == t["person_id"] and a["kind"] == "duty_report" and a["unit_id"] == up
               and a["held_at"][:4] == "2025" for a in acts):
        print(f["key"], t["person_id"], up); break
EOF
)
key=$(echo "$line" | cut -d' ' -f1); pid=$(echo "$line" | cut -d' ' -f2); up=$(echo "$line" | cut -d' ' -f3)
[ -n "$key" ] || fail "no planted 2025 finding without a report"
mkdir -p "$T/inc/supervision"
printf 'id,kind,person_id,unit_id,held_at,notes,held_by\nSV-R19-1,duty_report,%s,%s,2025-11-20,补录述责述廉,\n' \
  "$pid" "$up" >"$T/inc/supervision/supervision_activities.csv"
grep -q "^R19 $key " <(recorded "$db") || fail "$key not found before the import"
"$P" import --all "$T/inc" --db "$db" --quiet --as-of $AS_OF >/dev/null
! grep -q "^R19 $key " <(recorded "$db") || fail "$key not resolved by its report (no sweep)"
check "$db" "" "county after the report"

echo "== profile r19_grace_days=0"
grep "^grace " "$T/near.txt" >/dev/null # from the county run: December appointees
"$P" profile set no_grace --param r19_grace_days=0 --reason "年末到任也须述责述廉" --db "$db" >/dev/null
check "$db" "" "county, grace 0"
GRACE=0 oracle "$dir" | grep -v "^R19 ${key} " | sort >"$T/oracle0.txt"
recorded "$db" >"$T/rec0.txt"
# the store now holds the imported report too (oracle over the files): drop
# that one key from the comparison, then every December appointee owes
diff "$T/oracle0.txt" <(grep -v "^R19 ${key} " "$T/rec0.txt") || fail "grace 0 differs from the oracle"
n_more=$(( $(wc -l <"$T/rec0.txt") - $(wc -l <"$T/rec.txt") ))
[ "$n_more" -gt 0 ] || fail "grace 0 raised nothing for the December appointees"

echo "== bad input: refused, one line naming the field, nothing written"
n0=$(store_sql "$db" 'SELECT count(*) FROM ledger_events')
if "$P" profile set bad --param r19_grace_days=-1 --reason x --db "$db" 2>"$T/e.txt"; then
  fail "a negative r19_grace_days was accepted"
fi
[ "$(wc -l <"$T/e.txt")" -eq 1 ] || fail "more than one line: $(cat "$T/e.txt")"
grep -q "r19_grace_days" "$T/e.txt" || fail "error does not name r19_grace_days: $(cat "$T/e.txt")"
printf 'id,kind,person_id,unit_id,held_at,notes,held_by\nSV-R19-2,heart_talk,%s,,2025-03-03,谈心谈话,110101190001011237\n' \
  "$pid" >"$T/inc/supervision/supervision_activities.csv"
if "$P" import --all "$T/inc" --db "$db" --quiet 2>"$T/e.txt" >/dev/null; then
  fail "a heart-to-heart held by an unknown person was accepted"
fi
grep -q "supervision_activities.csv:2:held_by" "$T/e.txt" || fail "import error does not name file:line:held_by: $(cat "$T/e.txt")"
n1=$(store_sql "$db" 'SELECT count(*) FROM ledger_events')
[ "$n0" = "$n1" ] || fail "refused input wrote events ($n0 → $n1)"
# On PostgreSQL without the replay (--no-replay: the chain, checkpoints and
# snapshot): the county's replay there took 42 s of the entry's 92 at load
# 11, and cli.pg.rules_r18 replays the same county after its round trips.
"$P" verify --db "$db" $([ "$STORE_PG" = 0 ] || echo --no-replay) >/dev/null || fail "verify"

# The prefecture on SQLite only: on PostgreSQL its gen + import is most of
# the entry's time (cli.pg.rules_inspect_truth took 176 s with it at load
# 15, against 55 s for cli.rules_inspect_truth), and the rules' SQL there
# (the PostgreSQL twins of the SQL reference) is the county's.
[ "$STORE_PG" = 1 ] || run_scale prefecture 7 2
echo OK
