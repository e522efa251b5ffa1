#!/usr/bin/env bash
# bench/inspect.sh — the rectification reads against the plain persons list
# on the same store (issue #17 "bench/inspect", docs/BENCHMARKS.md
# "Inspection and rectification"): for each route the minimum of N requests
# with curl (ms, HTTP included, a fresh connection each) and its ratio to
# `persons?limit=50` (target: within 2×), then the share of R21–R23 in a
# full rule sweep (rules_bench's CPU time by rule).
#   - the rectification ledger (整改台账) as the web page reads it: the
#     tasks list, a page of 50, for the whole scope, for one round
#     (`?round_id=`, when the server knows that filter) and for one unit;
#   - the dashboard's rectification-progress panel: the count of tasks by
#     status (`?status=S&limit=1`, its `total`), five requests, plus the
#     overdue count (`?overdue=1&limit=1`) when the server knows it; the
#     panel's time is the sum of its requests;
#   - the same panels in one request, GET rectification_tasks/stats.
# The caller is a `leader` scoped to every root unit (the whole store).
# usage: bench/inspect.sh PLUMB DB [RUNS]   (DB: plumb gen + import --all;
#   writes a user to the store). Needs curl, sqlite3, node (TOTP), jq.
# With RULES_BENCH=path/to/rules_bench also the sweep share (read-only).
set -euo pipefail
PLUMB=$1 DB=$2 RUNS=${3:-7}
. "$(dirname "$0")/signin.sh"
W=$(mktemp -d)
trap '[ -s "$W/pid" ] && plumb_stop "$W"; rm -rf "$W"' EXIT
PW='Insp-Pass-w0rd-2026-ok'
if ! sqlite3 "$DB" "SELECT 1 FROM users WHERE username='bench'" | grep -q 1; then
  SECRET=$(plumb_bench_user "$PLUMB" "$DB" leader "$PW")
  echo "$SECRET" >"$DB.bench-secret"
fi
SECRET=$(cat "$DB.bench-secret")
plumb_serve "$PLUMB" "$DB" "$W"
# A one-time code is accepted once: a second run within its 30 s waits for the next.
plumb_signin "$API" bench "$PW" "$SECRET" "$W" 2>/dev/null ||
  { sleep $((31 - $(date +%s) % 30)); plumb_signin "$API" bench "$PW" "$SECRET" "$W"; }

# The round with the most tasks, and the unit with the most tasks.
ROUND=$(sqlite3 "$DB" "SELECT p.round_id FROM inspect_tasks t JOIN inspect_problems p ON p.id=t.problem_id
  GROUP BY p.round_id ORDER BY count(*) DESC, p.round_id LIMIT 1")
UNIT=$(sqlite3 "$DB" "SELECT owner_unit_id FROM inspect_tasks GROUP BY owner_unit_id
  ORDER BY count(*) DESC, owner_unit_id LIMIT 1")
echo "store: $DB ($(sqlite3 "$DB" "SELECT count(*) FROM persons") persons, \
$(sqlite3 "$DB" "SELECT count(*) FROM inspect_tasks") rectification tasks, \
$(sqlite3 "$DB" "SELECT count(*) FROM units") units); round $ROUND, unit $UNIT; $(uptime)"

# best ROUTE: the minimum of RUNS requests in ms (the status must be 200).
best() {
  local b=1e9 t code i
  for i in $(seq "$RUNS"); do
    read -r code t < <(curl -sS -o "$W/body" -w '%{http_code} %{time_total}\n' -b "$COOKIE" "$API/api/v1/$1")
    [ "$code" = 200 ] || { echo "GET $1: $code $(head -c 300 "$W/body")" >&2; return 1; }
    b=$(awk -v a="$b" -v t="$t" 'BEGIN { m = t * 1000; printf "%.2f", (m < a) ? m : a }')
  done
  echo "$b"
}
# knows FILTER: the server accepts ?FILTER on the tasks list (not a 400).
knows() {
  [ "$(curl -sS -o /dev/null -w '%{http_code}' -b "$COOKIE" "$API/api/v1/rectification_tasks?$1&limit=1")" = 200 ]
}

BASE=$(best "persons?limit=50")
echo
echo "| read | requests | ms (min of $RUNS) | ratio to persons?limit=50 |"
echo "|---|---|---:|---:|"
echo "| plain persons list | \`persons?limit=50\` | $BASE | 1.00 |"
row() { # label route...
  local label=$1 sum=0 t r
  shift
  for r in "$@"; do
    t=$(best "$r")
    sum=$(awk -v s="$sum" -v t="$t" 'BEGIN { printf "%.2f", s + t }')
  done
  local shown="\`$1\`"
  [ $# -gt 1 ] && shown="$# requests: \`$(echo "$1" | sed 's/status=[a-z_]*/status=S/')\` (S = each status)${PANEL_OVERDUE:+ and \`?overdue=1&limit=1\`}"
  echo "| $label | $shown | $sum | $(awk -v s="$sum" -v b="$BASE" 'BEGIN { printf "%.2f", s / b }') |"
  [ $# -gt 1 ] && echo "| … per request | | $(awk -v s="$sum" -v n=$# 'BEGIN { printf "%.2f", s / n }') | $(awk -v s="$sum" -v n=$# -v b="$BASE" 'BEGIN { printf "%.2f", s / n / b }') |"
  return 0
}
row "ledger, whole scope" "rectification_tasks?limit=50"
# The round's filter counts only if the server applies it (its total is
# the round's task count; a server that ignores it answers the whole list).
IN_ROUND=$(sqlite3 "$DB" "SELECT count(*) FROM inspect_tasks t JOIN inspect_problems p ON p.id=t.problem_id
  WHERE p.round_id='$ROUND'")
if knows "round_id=$ROUND" &&
  [ "$(curl -sS -b "$COOKIE" "$API/api/v1/rectification_tasks?round_id=$ROUND&limit=1" | jq .total)" = "$IN_ROUND" ]; then
  row "ledger of one round ($IN_ROUND tasks)" "rectification_tasks?round_id=$ROUND&limit=50"
else
  echo "| ledger of one round | (this server does not filter the tasks by \`?round_id=\`) | – | – |"
fi
row "ledger of one unit" "rectification_tasks?unit_id=$UNIT&limit=50"
row "one task (the task page)" "rectification_tasks/$(sqlite3 "$DB" "SELECT id FROM inspect_tasks WHERE owner_unit_id='$UNIT' ORDER BY id LIMIT 1")"
PANEL=()
for s in open in_progress sent_back signed_off reopened; do PANEL+=("rectification_tasks?status=$s&limit=1"); done
PANEL_OVERDUE=
knows "overdue=1" && PANEL+=("rectification_tasks?overdue=1&limit=1") && PANEL_OVERDUE=1
row "dashboard panel (counts by status${PANEL[5]:+, overdue})" "${PANEL[@]}"
# The same panels in one request (GET rectification_tasks/stats,
# docs/INSPECT.md §7a), when the server has the route.
if [ "$(curl -sS -o /dev/null -w '%{http_code}' -b "$COOKIE" "$API/api/v1/rectification_tasks/stats")" = 200 ]; then
  row "dashboard panels, one request (counts by status, overdue, pending, first overdue rows)" "rectification_tasks/stats"
  row "dashboard panels of one unit, one request" "rectification_tasks/stats?unit_id=$UNIT"
  echo "stats: $(curl -sS -b "$COOKIE" "$API/api/v1/rectification_tasks/stats" | jq -c 'del(.overdue_items)')"
else
  echo "| dashboard panels, one request | (this server has no \`rectification_tasks/stats\`) | – | – |"
fi
# The panel's numbers, for the record.
for r in "${PANEL[@]}"; do
  printf '%s=%s ' "${r#rectification_tasks?}" "$(curl -sS -b "$COOKIE" "$API/api/v1/$r" | jq .total)"
done
echo
plumb_stop "$W"

if [ -n "${RULES_BENCH:-}" ]; then
  echo
  echo "== the R21–R23 share of a full sweep (rules_bench, engine only, CPU ms by rule)"
  "$RULES_BENCH" "$DB" 2026-06-30 --events 0 --skip-sql --skip-snapshot >"$W/rb.txt" 2>&1
  grep -E "sweep|load|eval|R2[123] " "$W/rb.txt" || true
  awk '/^  R[0-9][0-9] / { ms = $(NF-2); all += ms; if ($1 ~ /R2[123]/) ours += ms }
       END { printf "R21–R23: %.1f ms of %.1f ms of rule evaluation (%.2f %%)\n", ours, all, 100 * ours / all }' "$W/rb.txt"
fi
