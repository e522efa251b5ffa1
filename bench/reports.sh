#!/usr/bin/env bash
# bench/reports.sh — the findings report for the level above (docs/API.md
# "Reports", src/report) as PDF and as XLSX against a plain SQL GROUP BY of
# the same counts on the same store: `plumb report findings --pdf|--xlsx`
# (three scoped reads, the fact date of every finding from its evidence,
# counts in C, then the page or the workbook) vs one sqlite3 query that
# groups the findings of the period by rule and severity with the same
# fact-date subquery (the floor: the same numbers, no document), and a bare
# GROUP BY rule, severity over all findings (no dates at all). Median of
# RUNS wall times each; prints Markdown rows.
# Usage: bench/reports.sh [BUILD_DIR]   SCALE=prefecture (default) | county
#        DB=FILE: an imported store to use (copied; else generated, seed 7)
#        FROM=2024-01-01 TO=2025-12-31 (default: the two years with most
#        findings by fact date)   RUNS=5
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$SRC/build}
PLUMB=$BUILD/plumb
SCALE=${SCALE:-prefecture}
RUNS=${RUNS:-5}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
if [ -n "${DB:-}" ]; then
  cp "$DB" "$W/b.db"; cp "$DB.key" "$W/b.db.key" 2>/dev/null || true
else
  echo "generating and importing a $SCALE store (seed 7)…" >&2
  "$PLUMB" gen --scale "$SCALE" --seed 7 --out "$W/gen" --quiet >/dev/null
  "$PLUMB" init --db "$W/b.db" --origin bench/reports >/dev/null
  "$PLUMB" import --all "$W/gen" --db "$W/b.db" --quiet >/dev/null
fi
db=$W/b.db
"$PLUMB" checkpoint --db "$db" >/dev/null 2>&1 || true
# The fact date of a finding, as src/report/findings.c defines it.
arms=""
for tc in decisions:decided_at payments:paid_at contracts:signed_at meetings:held_at clues:received_at \
  dispositions:decided_at supervision_activities:held_at; do
  t=${tc%%:*} c=${tc#*:} n=$((${#t} + 2))
  arms="$arms${arms:+ UNION ALL }SELECT r.$c AS v FROM finding_evidence fe JOIN $t r ON r.id=substr(fe.ref, $n) WHERE fe.finding_id=f.id AND substr(fe.ref, 1, $((n - 1)))='$t:'"
done
fact="COALESCE((SELECT min(substr(x.v, 1, 10)) FROM ($arms) x),
  CASE WHEN f.key GLOB '*|[12][0-9][0-9][0-9]' THEN substr(f.key, -4) || '-12-31' END, date(f.first_seen, '+8 hours'))"
if [ -z "${FROM:-}" ]; then
  y=$(sqlite3 "$db" "SELECT substr($fact, 1, 4) AS y FROM findings f GROUP BY 1 ORDER BY count(*) DESC, 1 DESC LIMIT 1")
  FROM="$((y - 1))-01-01" TO="$y-12-31"
fi
group_sql="SELECT f.rule, f.severity, count(*) FROM findings f
  WHERE $fact BETWEEN '$FROM' AND '$TO' GROUP BY 1, 2 ORDER BY 1, 2;"
bare_sql="SELECT rule, severity, count(*) FROM findings GROUP BY 1, 2 ORDER BY 1, 2;"
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ms() { local s e; s=$(date +%s%N); "$@" >/dev/null; e=$(date +%s%N); echo $(((e - s) / 1000000)); }
t_pdf=(); t_xlsx=(); t_json=(); t_grp=(); t_bare=()
for _ in $(seq "$RUNS"); do
  t_pdf+=($(ms "$PLUMB" report findings --db "$db" --from "$FROM" --to "$TO" --pdf "$W/r.pdf"))
  t_xlsx+=($(ms "$PLUMB" report findings --db "$db" --from "$FROM" --to "$TO" --xlsx "$W/r.xlsx"))
  t_json+=($(ms "$PLUMB" report findings --db "$db" --from "$FROM" --to "$TO" --json))
  t_grp+=($(ms sqlite3 "$db" "$group_sql"))
  t_bare+=($(ms sqlite3 "$db" "$bare_sql"))
done
mp=$(printf '%s\n' "${t_pdf[@]}" | median)
mx=$(printf '%s\n' "${t_xlsx[@]}" | median)
mj=$(printf '%s\n' "${t_json[@]}" | median)
mg=$(printf '%s\n' "${t_grp[@]}" | median)
mb=$(printf '%s\n' "${t_bare[@]}" | median)
# The report's counts must be the GROUP BY's.
"$PLUMB" report findings --db "$db" --from "$FROM" --to "$TO" --json >"$W/r.json"
sqlite3 -separator ' ' "$db" "$group_sql" >"$W/g.txt"
python3 - "$W/r.json" "$W/g.txt" <<'PY' || { echo "the report's counts differ from the GROUP BY" >&2; exit 1; }
import json, sys
r = json.load(open(sys.argv[1]))
got = {}
for x in r["by_rule"]:
    for s in ("high", "medium", "low"):
        if x[s]:
            got[(x["rule"], s)] = x[s]
want = {}
for line in open(sys.argv[2]):
    rule, sev, n = line.split()
    want[(rule, sev)] = int(n)
assert got == want, (got, want)
PY
n=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["totals"]["findings"])' "$W/r.json")
nall=$(sqlite3 "$db" "SELECT count(*) FROM findings")
pages=$(pdfinfo "$W/r.pdf" | awk '/^Pages:/ {print $2}')
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b > 0 ? a / b : 0) }'; }
echo "| $SCALE, $FROM – $TO: $n of $nall findings | ms (median of $RUNS) | × GROUP BY with fact dates |"
echo "|---|---|---|"
echo "| \`plumb report findings --pdf\` ($pages pages) | $mp | $(ratio "$mp" "$mg") |"
echo "| \`plumb report findings --xlsx\` | $mx | $(ratio "$mx" "$mg") |"
echo "| \`plumb report findings --json\` (the counts alone) | $mj | $(ratio "$mj" "$mg") |"
echo "| sqlite3: GROUP BY rule, severity with the fact-date subquery | $mg | 1.0 |"
echo "| sqlite3: bare GROUP BY rule, severity (no dates, all findings) | $mb | $(ratio "$mb" "$mg") |"
