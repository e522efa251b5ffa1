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
# SQLite; the county run on PostgreSQL is tests/cli/pg_rules_r20_gen.sh.
# Env: PLUMB. Layer: tests/cli (rules, gen).
set -euo pipefail
P=${PLUMB:?PLUMB must name the plumb binary}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
AS_OF=2026-06-30
export PLUMB_LANG=en
fail() { echo "FAIL: $*" >&2; exit 1; }
. "$(dirname "$0")/helpers/rules_cache.sh" # imported (the shared stores)

# docs/RULES.md R20 with the defaults; prints one line per declarant with
# priced records anywhere near it: "class key subject severity evidence"
# where class is found, at_margin, adult_child or outside (the near misses):
# tests/cli/r20_oracle.py.
oracle() { # DATA_DIR
  python3 "$(dirname "$0")/r20_oracle.py" "$1" "$AS_OF"
}

recorded() { # DB
  "$P" findings --db "$1" --rule R20 --json |
    jq -r '.[] | select(.status != "resolved") | "\(.rule) \(.key) \(.subject) \(.severity)"' | sort
}

run_scale() { # scale seed limit
  local scale=$1 seed=$2 limit=$3 dir=$T/$1 db=$T/$1.db
  echo "== $scale (seed $seed${limit:+, first $limit areas})"
  # plumb gen + init + import --all --as-of, or their copy (helpers/rules_cache.sh)
  imported "$scale" "$seed" "$limit" $AS_OF "$dir" "$db" || fail "$scale: gen + import"
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
