#!/usr/bin/env bash
# rules_r18.sh — R18 五不直管 (docs/RULES.md; DESIGN.md §6) at county and at
# prefecture scale (the prefecture's own organs and its first county):
#  1. engine = SQL reference = truth.json, key by key, evidence included
#     (rules check), with R18 planted (> 0);
#  2. an oracle written here from docs/RULES.md's text, over the generated
#     posts.csv and tenures.csv (is_top, portfolio_codes, open at D), gives
#     the same keys, subjects and severities as the recorded findings;
#  3. the near misses are there and do not fire: deputies in charge of the
#     five areas, a top leader in charge of party building only;
#  4. incremental: a post row giving a top post one of the five areas (each
#     in turn) raises R18 for its holder at once (no sweep), and taking it
#     away resolves it;
#  5. a profile with r18_areas=finance only: the approval case resolves,
#     the personnel+finance case becomes medium, engine = SQL still;
#  6. bad input: an unknown portfolio code in a profile or in posts.csv, a
#     negative r18_areas — one line naming the field, exit 1, nothing written.
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

# docs/RULES.md R18 with the default r18_areas (personnel, finance,
# projects, approval, procurement): "rule key subject severity" lines.
oracle() { # DATA_DIR
  python3 - "$1" "$AS_OF" <<'EOF'
import csv, glob, sys
d, D = sys.argv[1], sys.argv[2]
FIVE = {"personnel", "finance", "projects", "approval", "procurement"}
posts = {}
for f in glob.glob(d + "/org/posts.csv"):
    for r in csv.DictReader(open(f, encoding="utf-8-sig")):
        posts[r["id"]] = r
for f in glob.glob(d + "/org/tenures.csv"):
    for t in csv.DictReader(open(f, encoding="utf-8-sig")):
        p = posts.get(t["post_id"])
        if not p or p["is_top"] != "1":
            continue
        if not (t["start_date"] <= D and (t["end_date"] == "" or t["end_date"] > D)):
            continue
        hit = FIVE & set(x for x in p["portfolio_codes"].split(",") if x)
        if hit:
            print("R18", t["id"], t["person_id"], "high" if len(hit) >= 2 else "medium")
EOF
}

recorded() { # DB
  "$P" findings --db "$1" --rule R18 --json |
    jq -r '.[] | select(.status != "resolved") | "\(.rule) \(.key) \(.subject) \(.severity)"' | sort
}

check() { # DB DATA scale: engine = sql = truth, R18 > 0
  "$P" rules check --db "$1" --as-of $AS_OF --truth "$2/truth.json" >"$T/c.txt" ||
    { cat "$T/c.txt"; fail "$3: rules check differs"; }
  grep -q "^engine = sql" "$T/c.txt" || fail "$3: engine != sql"
  grep -q "^engine = truth" "$T/c.txt" || fail "$3: engine != truth"
  grep -E "^R18 " "$T/c.txt"
  awk '$1 == "R18" { if ($(NF-2) == 0 || $(NF-2) != $(NF-1) || $(NF-1) != $NF) bad = 1; found = 1 }
       END { exit !(found && !bad) }' "$T/c.txt" || fail "$3: R18 engine/sql/truth counts"
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
  oracle "$dir" | sort >"$T/oracle.txt"
  recorded "$db" >"$T/rec.txt"
  diff "$T/oracle.txt" "$T/rec.txt" || fail "$scale: recorded R18 findings differ from the oracle"
  jq -r '.findings[] | select(.rule == "R18") | "\(.rule) \(.key) \(.subject) \(.severity)"' \
    "$dir/truth.json" | sort >"$T/truth.txt"
  diff "$T/truth.txt" "$T/rec.txt" || fail "$scale: truth.json differs from the recorded findings"
  for want in "R18 .* high" "R18 .* medium"; do
    grep -q "^$want$" "$T/rec.txt" || fail "$scale: no finding matching '$want'"
  done
  # near misses: open tenures of deputies (is_top 0) whose codes hold one of
  # the five; open top tenures whose codes hold none of them
  python3 - "$dir" "$AS_OF" >"$T/near.txt" <<'EOF'
import csv, sys
d, D = sys.argv[1], sys.argv[2]
FIVE = {"personnel", "finance", "projects", "approval", "procurement"}
posts = {r["id"]: r for r in csv.DictReader(open(d + "/org/posts.csv", encoding="utf-8-sig"))}
for t in csv.DictReader(open(d + "/org/tenures.csv", encoding="utf-8-sig")):
    p = posts[t["post_id"]]
    if not (t["start_date"] <= D and (t["end_date"] == "" or t["end_date"] > D)):
        continue
    codes = set(x for x in p["portfolio_codes"].split(",") if x)
    if p["is_top"] == "0" and codes & FIVE:
        print("deputy", t["id"])
    if p["is_top"] == "1" and codes and not codes & FIVE:
        print("top_other", t["id"])
EOF
  for kind in deputy top_other; do
    grep -q "^$kind " "$T/near.txt" || fail "$scale: no near miss '$kind'"
  done
  while read -r _ tid; do
    ! grep -q "^R18 $tid " "$T/rec.txt" || fail "$scale: near miss $tid fired R18"
  done <"$T/near.txt"
  echo "$scale: $(wc -l <"$T/rec.txt") R18 findings = oracle = truth; $(wc -l <"$T/near.txt") near misses silent"
}

run_scale county 1 ""
db=$COUNTY_DB
dir=$T/county

echo "== incremental: a top post given finance, then taken away"
# a top post with no codes whose holder has no R18
row=$(python3 - "$dir" "$AS_OF" <<'EOF'
import csv, sys
d, D = sys.argv[1], sys.argv[2]
ten = {}
for t in csv.DictReader(open(d + "/org/tenures.csv", encoding="utf-8-sig")):
    if t["start_date"] <= D and (t["end_date"] == "" or t["end_date"] > D):
        ten[t["post_id"]] = t
rd = csv.reader(open(d + "/org/posts.csv", encoding="utf-8-sig"))
head = next(rd)
for r in rd:
    p = dict(zip(head, r))
    if p["is_top"] == "1" and p["portfolio_codes"] == "" and p["id"] in ten:
        print(",".join(head)); print(",".join(r[:-1] + ["finance"]))
        print(ten[p["id"]]["id"], ten[p["id"]]["person_id"]); break
EOF
)
tid=$(echo "$row" | sed -n 3p | cut -d' ' -f1)
pid=$(echo "$row" | sed -n 3p | cut -d' ' -f2)
[ -n "$tid" ] || fail "no top post without codes"
mkdir -p "$T/inc/org"
# each of docs/RULES.md's five areas alone (the generated plants hold only
# some of them): given, R18 medium at once; taken away, resolved
for area in personnel finance projects approval procurement; do
  echo "$row" | sed -n 1p >"$T/inc/org/posts.csv"
  echo "$row" | sed -n 2p | sed "s/,finance\$/,$area/" >>"$T/inc/org/posts.csv"
  "$P" import --all "$T/inc" --db "$db" --quiet --as-of $AS_OF >/dev/null
  recorded "$db" | grep -q "^R18 $tid $pid medium$" || fail "$area given to $tid's post: no R18 without a sweep"
  echo "$row" | sed -n 1p >"$T/inc/org/posts.csv"
  echo "$row" | sed -n 2p | sed 's/,finance$/,/' >>"$T/inc/org/posts.csv"
  "$P" import --all "$T/inc" --db "$db" --quiet --as-of $AS_OF >/dev/null
  ! recorded "$db" | grep -q "^R18 $tid " || fail "$area taken away from $tid's post: R18 not resolved"
done
check "$db" "$dir" "county after the round trip"

echo "== profile r18_areas=finance"
recorded "$db" >"$T/before.txt"
"$P" profile set only_finance --param r18_areas=finance --reason "只管财务" --db "$db" >/dev/null
"$P" rules check --db "$db" --as-of $AS_OF >"$T/c2.txt" || { cat "$T/c2.txt"; fail "check after profile"; }
grep -q "^engine = sql" "$T/c2.txt" || fail "engine != sql after the profile"
recorded "$db" >"$T/after.txt"
# docs/RULES.md: with finance only, a post in charge of personnel and
# finance is medium; one in charge of approval only has no finding
hi=$(grep " high$" "$T/before.txt" | head -1 | cut -d' ' -f2)
grep -q "^R18 $hi .* medium$" "$T/after.txt" || fail "personnel+finance under finance-only is not medium"
python3 - "$dir" <<'EOF' >"$T/appr.txt"
import csv, sys
d = sys.argv[1]
posts = {r["id"]: r for r in csv.DictReader(open(d + "/org/posts.csv", encoding="utf-8-sig"))}
for t in csv.DictReader(open(d + "/org/tenures.csv", encoding="utf-8-sig")):
    p = posts[t["post_id"]]
    if p["is_top"] == "1" and p["portfolio_codes"] == "approval" and t["end_date"] == "":
        print(t["id"])
EOF
[ -s "$T/appr.txt" ] || fail "no approval case planted"
while read -r a; do
  grep -q "^R18 $a " "$T/before.txt" || fail "approval case $a had no R18 by default"
  ! grep -q "^R18 $a " "$T/after.txt" || fail "approval case $a still fires under finance-only"
done <"$T/appr.txt"

echo "== bad input: refused, one line naming the field, nothing written"
n0=$(store_sql "$db" 'SELECT count(*) FROM ledger_events')
if "$P" profile set bad --param r18_areas=personnel,bogus --reason x --db "$db" 2>"$T/e.txt"; then
  fail "an unknown portfolio code in a profile was accepted"
fi
[ "$(wc -l <"$T/e.txt")" -eq 1 ] || fail "more than one line: $(cat "$T/e.txt")"
grep -q "r18_areas: 'bogus' is not a portfolio code" "$T/e.txt" || fail "error: $(cat "$T/e.txt")"
if "$P" profile set bad --param r18_areas=-1 --reason x --db "$db" 2>"$T/e.txt"; then
  fail "a negative r18_areas was accepted"
fi
grep -q "r18_areas" "$T/e.txt" || fail "error does not name r18_areas: $(cat "$T/e.txt")"
head -1 "$dir/org/posts.csv" >"$T/inc/org/posts.csv"
echo "$row" | sed -n 2p | sed 's/,finance$/,"finance,bogus"/' >>"$T/inc/org/posts.csv"
if "$P" import --all "$T/inc" --db "$db" --quiet 2>"$T/e.txt" >/dev/null; then
  fail "an unknown portfolio code in posts.csv was accepted"
fi
grep -q "posts.csv:2:portfolio_codes.*'bogus' is not a portfolio code" "$T/e.txt" ||
  fail "import error does not name file:line:field: $(cat "$T/e.txt")"
n1=$(store_sql "$db" 'SELECT count(*) FROM ledger_events')
[ "$n0" = "$n1" ] || fail "refused input wrote events ($n0 → $n1)"
"$P" verify --db "$db" >/dev/null || fail "verify after the R18 round trips"

# The prefecture on SQLite only: on PostgreSQL its gen + import is most of
# the entry's time (cli.pg.rules_inspect_truth took 176 s with it at load
# 15, against 55 s for cli.rules_inspect_truth), and the rules' SQL there
# (the PostgreSQL twins of the SQL reference) is the county's.
[ "$STORE_PG" = 1 ] || run_scale prefecture 7 2
echo OK
