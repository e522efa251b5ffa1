#!/usr/bin/env bash
# rules_r20.sh — R20 unexplained wealth (财产来源不明, docs/RULES.md;
# DESIGN.md §6) on generated data (docs/GENERATOR.md "R20 plants"), at
# county scale (seed 1) and prefecture scale (seed 7, first 2 areas):
#  1. engine = SQL reference = truth.json, key by key, evidence included
#     (plumb rules check --truth), with R20 planted (> 0 findings);
#  2. an oracle written here from docs/RULES.md's text (period 2023–2025 as
#     of 2026-06-30, defaults: margin 30 %, floor 500,000 元), over the
#     generated CSV files, gives the same keys, subjects and severities as
#     the recorded findings and as truth.json, and the same evidence as
#     truth.json;
#  3. both branches of the margin are planted: one finding over the floor
#     (resources × 30 % < 500,000 元) and one over the 30 % margin, and a
#     priced company role counts in a finding;
#  4. near misses present in the data and silent: acquisitions exactly at
#     the margin; an adult child's priced home; priced records of a
#     declarant observed outside the period only.
# SQLite only: the same generated data on PostgreSQL is the PG_COUNTY=1 run
# of pg_rules_check.sh (engine = sql = truth.json, about 3 minutes).
# Env: PLUMB. Layer: tests/cli (rules, gen).
set -euo pipefail
P=${PLUMB:?PLUMB must name the plumb binary}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
AS_OF=2026-06-30
export PLUMB_LANG=en
fail() { echo "FAIL: $*" >&2; exit 1; }

# docs/RULES.md R20 with the defaults; prints one line per declarant with
# priced records anywhere near it: "class key subject severity evidence"
# where class is found, at_margin, adult_child or outside (the near misses).
oracle() { # DATA_DIR
  python3 - "$1" "$AS_OF" <<'EOF'
import csv, glob, sys
d, D = sys.argv[1], sys.argv[2]
def rows(name):
    for f in sorted(glob.glob(d + "/*/" + name + ".csv")):
        if "/bad/" not in f:
            yield from csv.DictReader(open(f, encoding="utf-8-sig"))
y1 = int(D[:4]) - 1
y0 = y1 - 3 + 1
birth = {p["id"]: p["birth_date"] for p in rows("persons")}
decls = list(rows("declarations"))
items = {}
for i in rows("declaration_items"):
    items.setdefault(i["declaration_id"], []).append(i)
recs = [r for r in rows("registry_records")
        if r["kind"] in ("real_estate", "vehicle", "company_role") and r["amount_fen"] != ""]
kin = list(rows("kin"))
declarants = sorted({x["person_id"] for x in decls if y0 <= int(x["year"]) <= y1})
for p in declarants:
    spouses = {k["relative_id"] for k in kin if k["person_id"] == p and k["relation"] == "spouse"} | \
              {k["person_id"] for k in kin if k["relative_id"] == p and k["relation"] == "spouse"}
    children = {k["relative_id"] for k in kin if k["person_id"] == p and k["relation"] == "child"}
    acq, ev, adult, outside, role = 0, set(), 0, 0, 0
    for r in recs:
        h, y = r["holder_id"], int(r["observed_at"][:4])
        mine = h == p or h in spouses
        minor = h in children and birth[h] > "%d-12-31" % (y - 18)
        if h in children and not minor and y0 <= y <= y1:
            adult += 1
        if (mine or minor) and not (y0 <= y <= y1):
            outside += 1
        if (mine or minor) and y0 <= y <= y1:
            acq += int(r["amount_fen"])
            role += r["kind"] == "company_role"
            ev.add("registry_records:" + r["id"])
    res = 0
    for x in decls:
        if x["person_id"] != p:
            continue
        for i in items.get(x["id"], []):
            if i["amount_fen"] == "":
                continue
            if y0 <= int(x["year"]) <= y1 and i["kind"] == "income":
                res += int(i["amount_fen"])
            if int(x["year"]) == y0 - 1 and i["kind"] == "securities":
                res += int(i["amount_fen"])
    margin = max(res * 30 // 100, 500000 * 100)
    evd = sorted(ev | {"declarations:" + x["id"] for x in decls
                       if x["person_id"] == p and y0 - 1 <= int(x["year"]) <= y1})
    if acq > res + margin:
        print("found", p, p, "high", ",".join(evd),
              "pct" if res * 30 // 100 > 500000 * 100 else "floor")
        if role:
            print("priced_role", p)
    elif acq and acq == res + margin:
        print("at_margin", p)
    if adult and not acq:
        print("adult_child", p)
    if outside and not acq:
        print("outside", p)
EOF
}

recorded() { # DB
  "$P" findings --db "$1" --rule R20 --json |
    jq -r '.[] | select(.status != "resolved") | "\(.rule) \(.key) \(.subject) \(.severity)"' | sort
}

run_scale() { # scale seed limit
  local scale=$1 seed=$2 limit=$3 dir=$T/$1 db=$T/$1.db
  echo "== $scale (seed $seed${limit:+, first $limit areas})"
  "$P" gen --scale "$scale" --seed "$seed" --out "$dir" ${limit:+--limit $limit} --quiet >/dev/null
  "$P" init --db "$db" >/dev/null
  "$P" import --all "$dir" --db "$db" --quiet --as-of $AS_OF >/dev/null
  "$P" rules check --db "$db" --as-of $AS_OF --truth "$dir/truth.json" >"$T/c.txt" ||
    { cat "$T/c.txt"; fail "$scale: rules check differs"; }
  grep -q "^engine = sql" "$T/c.txt" || fail "$scale: engine != sql"
  grep -q "^engine = truth" "$T/c.txt" || fail "$scale: engine != truth"
  grep -E "^R20 " "$T/c.txt"
  awk '$1 == "R20" { if ($(NF-2) == 0 || $(NF-2) != $(NF-1) || $(NF-1) != $NF) bad = 1; found = 1 }
       END { exit !(found && !bad) }' "$T/c.txt" || fail "$scale: R20 engine/sql/truth counts"
  "$P" sweep --db "$db" --as-of $AS_OF >/dev/null
  oracle "$dir" >"$T/oracle.txt"
  awk '$1 == "found" { print "R20", $2, $3, $4 }' "$T/oracle.txt" | sort >"$T/want.txt"
  recorded "$db" >"$T/rec.txt"
  diff "$T/want.txt" "$T/rec.txt" || fail "$scale: recorded R20 findings differ from the oracle"
  jq -r '.findings[] | select(.rule == "R20") |
         "found \(.key) \(.subject) \(.severity) \([.evidence[] | "\(.table):\(.id)"] | sort | join(","))"' \
    "$dir/truth.json" | sort >"$T/truth.txt"
  awk '$1 == "found" { print $1, $2, $3, $4, $5 }' "$T/oracle.txt" | sort >"$T/want_ev.txt"
  diff "$T/want_ev.txt" "$T/truth.txt" || fail "$scale: truth.json (with evidence) differs from the oracle"
  for kind in "found .* floor" "found .* pct" "priced_role" "at_margin" "adult_child" "outside"; do
    grep -q "^$kind" "$T/oracle.txt" || fail "$scale: no case '$kind' in the data"
  done
  while read -r kind key _; do
    case $kind in
      at_margin | adult_child | outside)
        ! grep -q "^R20 $key " "$T/rec.txt" || fail "$scale: near miss $kind $key fired R20" ;;
    esac
  done <"$T/oracle.txt"
  echo "$scale: $(wc -l <"$T/rec.txt") R20 findings = oracle = truth; cases: $(cut -d' ' -f1 "$T/oracle.txt" | sort | uniq -c | tr -s ' ' | tr '\n' ';')"
}

run_scale county 1 ""
run_scale prefecture 7 2
echo OK
