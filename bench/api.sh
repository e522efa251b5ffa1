#!/usr/bin/env bash
# bench/api.sh — the API against a bare libmicrohttpd handler, in one run
# (DESIGN.md §9: API reads within 3× of the bare handler). wrk drives, on
# loopback only, each target for DURATION seconds in all (ROUNDS interleaved
# slices for the reads, see below) with CONNS connections:
#   bare      bench/bare_handler.c: a small fixed JSON body (95 bytes), no work
#   bare-list, bare-ulist, bare-plist, bare-single  the same bare handler
#             serving, as a fixed body, the very bytes the API answers for
#             list / ulist / plist / single (captured
#             once before the runs): the HTTP floor of a reply that size
#   list      GET /api/v1/payments?unit_id=…&limit=50 (scope check per row)
#   ulist     GET /api/v1/payments?limit=50: no filter, the whole store in
#             scope (the plan of docs/API.md "How a scoped list is planned")
#   plist     GET /api/v1/persons?limit=50: placed by person (tenure or kin
#             in scope, per row)
#   single    GET /api/v1/payments/{id}
#   with EXTRA=1, two more person-placed reads (and their bare twins):
#   dlist     GET /api/v1/declarations?limit=50 (each read is also an
#             access.read ledger event: a write per request)
#   pone      GET /api/v1/persons/{id}, a person placed only as kin
#   write     POST /api/v1/supervision_activities (a new ledger event each),
#             with group commit (docs/LEDGER.md); write-off: the same on a
#             copy of the store served with PLUMB_GROUP_COMMIT=off (before)
# Prints requests/s, ratios to the small bare body and to the same-size
# bare body, p50/p99 latency, as Markdown.
# Usage: bench/api.sh [BUILD_DIR] (needs wrk: PLUMB_WITH_BENCH=1 scripts/install-deps)
# PERF_OUT=file: also `perf record -g` the server during the read rounds.
# PAGE_SIZE=bytes: the store is made with `plumb init --page-size` (default 16384).
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
. "$SRC/bench/signin.sh"
BUILD=${1:-$SRC/build}
PLUMB=$BUILD/plumb
DURATION=${DURATION:-10}
CONNS=${CONNS:-32}
SCALE=${SCALE:-county}
command -v wrk >/dev/null || { echo "bench/api.sh: wrk not installed (PLUMB_WITH_BENCH=1 scripts/install-deps)" >&2; exit 1; }
W=$(mktemp -d)
trap 'kill $(cat "$W"/*.pid 2>/dev/null) 2>/dev/null || true; rm -rf "$W"' EXIT
cc -O2 -o "$W/bare" "$SRC/bench/bare_handler.c" $(pkg-config --cflags --libs libmicrohttpd) -lpthread

echo "setting up a $SCALE store…" >&2
DB=$W/b.db
"$PLUMB" init --db "$DB" --origin bench/api ${PAGE_SIZE:+--page-size "$PAGE_SIZE"} >/dev/null
"$PLUMB" gen --scale "$SCALE" --seed 1 --out "$W/data" --quiet >/dev/null
"$PLUMB" import --db "$DB" --all "$W/data" --quiet >/dev/null
ROOTS=$(sqlite3 "$DB" "SELECT id FROM units WHERE parent_id IS NULL OR parent_id='' ORDER BY id")
SCOPES=(); for u in $ROOTS; do SCOPES+=(--scope "$u"); done
PW='Loadtest-Passw0rd-2026'
SECRET=$(echo "$PW" | "$PLUMB" user add bench --role discipline_officer "${SCOPES[@]}" --password-stdin --db "$DB" | sed -n 's/^totp_secret: //p')
UNIT=$(sqlite3 "$DB" "SELECT unit_id FROM payments GROUP BY unit_id ORDER BY COUNT(*) DESC LIMIT 1")
PAY=$(sqlite3 "$DB" "SELECT id FROM payments WHERE unit_id='$UNIT' LIMIT 1")

"$PLUMB" serve --db "$DB" --port 0 --port-file "$W/api.port" --quiet --rate-ip 0 --rate-user 0 \
  2>"$W/serve.log" & echo $! > "$W/api.pid"
for i in $(seq 100); do [ -s "$W/api.port" ] && break; sleep 0.1; done
API=http://127.0.0.1:$(cat "$W/api.port")

plumb_signin "$API" bench "$PW" "$SECRET" "$W"
LIST_URL="/api/v1/payments?unit_id=$UNIT&limit=50"
ULIST_URL="/api/v1/payments?limit=50"
PLIST_URL="/api/v1/persons?limit=50"
ONE_URL="/api/v1/payments/$PAY"
EXTRA=${EXTRA:-}
if [ -n "$EXTRA" ]; then
  KINONLY=$(sqlite3 "$DB" "SELECT relative_id FROM kin WHERE relative_id NOT IN (SELECT person_id FROM tenures) ORDER BY relative_id LIMIT 1")
  DLIST_URL="/api/v1/declarations?limit=50"
  PONE_URL="/api/v1/persons/$KINONLY"
  curl -sS -f -H "Cookie: $COOKIE" -o "$W/dlist.body" "$API$DLIST_URL"
  curl -sS -f -H "Cookie: $COOKIE" -o "$W/pone.body" "$API$PONE_URL"
  EXTRA_BODIES=("/dlist=$W/dlist.body" "/pone=$W/pone.body")
else
  EXTRA_BODIES=()
fi
curl -sS -f -H "Cookie: $COOKIE" -o "$W/list.body" "$API$LIST_URL"
curl -sS -f -H "Cookie: $COOKIE" -o "$W/ulist.body" "$API$ULIST_URL"
curl -sS -f -H "Cookie: $COOKIE" -o "$W/plist.body" "$API$PLIST_URL"
curl -sS -f -H "Cookie: $COOKIE" -o "$W/single.body" "$API$ONE_URL"
"$W/bare" "$W/bare.port" 0 "/list=$W/list.body" "/ulist=$W/ulist.body" "/plist=$W/plist.body" \
  "/single=$W/single.body" "${EXTRA_BODIES[@]}" & echo $! > "$W/bare.pid"
for i in $(seq 100); do [ -s "$W/bare.port" ] && break; sleep 0.1; done
BARE=http://127.0.0.1:$(cat "$W/bare.port")

cat > "$W/write.lua" <<LUA
counter = 0
request = function()
  counter = counter + 1
  local body = string.format('{"id":"BENCH-%d-%d","kind":"visit","unit_id":"$UNIT","held_at":"2026-01-01"}', math.random(1, 1e9), counter)
  return wrk.format("POST", "/api/v1/supervision_activities", {["Content-Type"]="application/json", ["Cookie"]="$COOKIE", ["X-CSRF-Token"]="$CSRF"}, body)
end
LUA
cat > "$W/report.lua" <<'LUA'
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %.6f %.3f %.3f %d\n", summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.errors.status))
end
LUA
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; } # utime + stime, clock ticks
run() { # name url seconds [script]: appends "requests seconds p50 p99 non2xx cpu_ticks" to $W/res.name
  local out pid c0
  case $1 in bare*) pid=$(cat "$W/bare.pid") ;; write-off) pid=$(cat "$W/off.pid") ;; *) pid=$(cat "$W/api.pid") ;; esac
  c0=$(cpu_ticks "$pid")
  if [ -n "${4:-}" ]; then
    cat "$4" "$W/report.lua" > "$W/run.lua"
    out=$(wrk -t2 -c"$CONNS" -d"${3}s" -s "$W/run.lua" "$2")
  else
    out=$(wrk -t2 -c"$CONNS" -d"${3}s" -s "$W/report.lua" -H "Cookie: $COOKIE" "$2")
  fi
  echo "$(echo "$out" | sed -n "s/^RESULT //p") $(($(cpu_ticks "$pid") - c0))" >> "$W/res.$1"
}
# The machine is shared: the read targets and their baselines run in ROUNDS
# interleaved slices of DURATION/ROUNDS seconds each, so that a numerator
# and its denominator meet the same outside load; rates are total requests
# over total time, p50 the median of the slices, p99 the worst slice. The
# server's own CPU time (utime + stime from /proc) per request is printed
# too: it does not depend on how much of the machine others take.
ROUNDS=${ROUNDS:-4}
SLICE=$(awk -v d="$DURATION" -v r="$ROUNDS" 'BEGIN { s = d / r; printf "%d", s < 1 ? 1 : s }')
NT=$([ -n "$EXTRA" ] && echo 13 || echo 9)
echo "running wrk: $ROUNDS rounds × $NT read targets × ${SLICE}s, then write ${DURATION}s; $CONNS connections, 2 wrk threads…" >&2
if [ -n "${PERF_OUT:-}" ]; then
  perf record -q -g -o "$PERF_OUT" -p "$(cat "$W/api.pid")" -- sleep $((NT * ROUNDS * SLICE + 1)) >/dev/null 2>&1 &
  PERF_PID=$!
fi
for r in $(seq "$ROUNDS"); do
  run bare "$BARE/" "$SLICE"
  run list "$API$LIST_URL" "$SLICE"
  run bare-list "$BARE/list" "$SLICE"
  run ulist "$API$ULIST_URL" "$SLICE"
  run bare-ulist "$BARE/ulist" "$SLICE"
  run plist "$API$PLIST_URL" "$SLICE"
  run bare-plist "$BARE/plist" "$SLICE"
  run single "$API$ONE_URL" "$SLICE"
  run bare-single "$BARE/single" "$SLICE"
  if [ -n "$EXTRA" ]; then
    run dlist "$API$DLIST_URL" "$SLICE"
    run bare-dlist "$BARE/dlist" "$SLICE"
    run pone "$API$PONE_URL" "$SLICE"
    run bare-pone "$BARE/pone" "$SLICE"
  fi
done
[ -n "${PERF_OUT:-}" ] && wait "$PERF_PID"
# The writes twice, on copies of the same store: a second server with
# PLUMB_GROUP_COMMIT=off (one commit per request: the "before"), then the
# server under test (group commit on, docs/LEDGER.md "Group commit").
mkdir -p "$W/off"
for f in "$DB".*; do case $f in *-wal | *-shm) ;; *) cp "$f" "$W/off/b.db${f#"$DB"}" ;; esac; done
sqlite3 "$DB" ".backup '$W/off/b.db'"
PLUMB_GROUP_COMMIT=off "$PLUMB" serve --db "$W/off/b.db" --port 0 --port-file "$W/off.port" --quiet \
  --rate-ip 0 --rate-user 0 2>"$W/serve-off.log" & echo $! > "$W/off.pid"
for i in $(seq 100); do [ -s "$W/off.port" ] && break; sleep 0.1; done
run write-off "http://127.0.0.1:$(cat "$W/off.port")/" "$DURATION" "$W/write.lua"
kill "$(cat "$W/off.pid")"; rm -f "$W/off.pid"
run write "$API/" "$DURATION" "$W/write.lua"
# Reads beside requests that wait: the single read alone, then while 8 more
# connections read declaration lists (each read appends its access.read
# event to the ledger: a commit with fsync). Requests that may wait run on
# the server's pool, not on the libmicrohttpd workers (docs/API.md "Threads").
MIX=$(awk -v d="$DURATION" 'BEGIN { s = d / 2; printf "%d", s < 2 ? 2 : s }')
AUDIT_URL="/api/v1/declarations?limit=50"
curl -sS -f -H "Cookie: $COOKIE" -o /dev/null "$API$AUDIT_URL"
for r in 1 2; do
  run single-alone "$API$ONE_URL" "$MIX"
  wrk -t1 -c8 -d"$((MIX + 1))s" -s "$W/report.lua" -H "Cookie: $COOKIE" "$API$AUDIT_URL" > "$W/audit.out" &
  AUD=$!
  sleep 0.5
  run single-mixed "$API$ONE_URL" "$MIX"
  wait "$AUD"
  sed -n 's/^RESULT //p' "$W/audit.out" >> "$W/res.audited"
done
HZ=$(getconf CLK_TCK)
agg() { # name -> "name rps p50 p99 non2xx cpu_us_per_request"
  sort -k3,3n "$W/res.$1" | awk -v n="$1" -v hz="$HZ" '{ q += $1; t += $2; p50[NR] = $3; if ($4 > p99) p99 = $4; e += $5; c += $6 }
    END { printf "%s %.1f %.3f %.3f %d %.2f\n", n, q / t, p50[int((NR + 1) / 2)], p99, e, c / hz * 1e6 / q }'
}
R_BARE=$(agg bare); R_BLIST=$(agg bare-list); R_BONE=$(agg bare-single)
R_BULIST=$(agg bare-ulist); R_BPLIST=$(agg bare-plist)
R_LIST=$(agg list); R_ULIST=$(agg ulist); R_PLIST=$(agg plist); R_ONE=$(agg single); R_WRITE=$(agg write)
R_WRITE_OFF=$(agg write-off)
ROWS_EXTRA=()
if [ -n "$EXTRA" ]; then
  R_BDLIST=$(agg bare-dlist); R_BPONE=$(agg bare-pone)
  ROWS_EXTRA=("$R_BDLIST" "$R_BPONE" "$(agg dlist)" "$(agg pone)")
fi
bare_rps=$(echo "$R_BARE" | awk '{print $2}')
same() {
  case $1 in
  list | bare-list) echo "$R_BLIST" ;;
  ulist | bare-ulist) echo "$R_BULIST" ;;
  plist | bare-plist) echo "$R_BPLIST" ;;
  single | bare-single) echo "$R_BONE" ;;
  dlist | bare-dlist) echo "$R_BDLIST" ;;
  pone | bare-pone) echo "$R_BPONE" ;;
  *) echo "x 0 0 0 0 0" ;;
  esac
}
echo
echo "| target | requests/s | × bare (small body) | × bare (same body) | p50 ms | p99 ms | non-2xx | server CPU µs/req | CPU × bare (same body) |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
for r in "$R_BARE" "$R_BLIST" "$R_BULIST" "$R_BPLIST" "$R_BONE" "$R_LIST" "$R_ULIST" "$R_PLIST" "$R_ONE" "${ROWS_EXTRA[@]}" "$R_WRITE_OFF" "$R_WRITE"; do
  sm=$(same "$(echo "$r" | awk '{print $1}')")
  echo "$r" | awk -v b="$bare_rps" -v s="$(echo "$sm" | awk '{print $2}')" -v sc="$(echo "$sm" | awk '{print $6}')" \
    '{printf "| %s | %.0f | %.3f | %s | %.2f | %.2f | %d | %.1f | %s |\n", $1, $2, $2/b, (s > 0 ? sprintf("%.3f", $2/s) : "–"), $3, $4, $5, $6, (sc > 0 ? sprintf("%.2f", $6/sc) : "–")}'
done
echo
R_SA=$(agg single-alone); R_SM=$(agg single-mixed)
echo "| single read | requests/s | p50 ms | p99 ms | non-2xx |"
echo "|---|---:|---:|---:|---:|"
echo "$R_SA" | awk '{printf "| alone | %.0f | %.2f | %.2f | %d |\n", $2, $3, $4, $5}'
echo "$R_SM" | awk '{printf "| beside 8 connections reading declarations (audited) | %.0f | %.2f | %.2f | %d |\n", $2, $3, $4, $5}'
awk '{ q += $1; t += $2; if ($4 > p99) p99 = $4; e += $5 } END { printf "| (the audited reads themselves: %.0f requests/s, p99 %.1f ms, %d non-2xx) | | | | |\n", q / t, p99, e }' "$W/res.audited"
echo
echo "store: $SCALE (seed 1), $(sqlite3 "$DB" 'SELECT COUNT(*) FROM payments') payments; list = 50 payments of unit $UNIT; bodies: small $(printf %s '{"items":[{"id":"U0","name":"unit","level":"county"}],"limit":50,"offset":0,"next_offset":null}' | wc -c) B, list $(wc -c < "$W/list.body") B, ulist $(wc -c < "$W/ulist.body") B, plist $(wc -c < "$W/plist.body") B, single $(wc -c < "$W/single.body") B; $(nproc) cores shared by wrk and the server; load average $(cut -d' ' -f1-3 /proc/loadavg)"
