#!/usr/bin/env bash
# bench/pg.sh — PostgreSQL beside SQLite, on the same machine in the same
# run (issue #20 "bench/pg"): for one generated data set (SCALE, default
# prefecture) it measures
#   import    `plumb import --all` into a fresh PostgreSQL store (COPY, the
#             default), the same row by row (PLUMB_PG_COPY=0, with ROWBYROW=1)
#             and into a fresh SQLite store;
#   copy      `psql \copy` of the very same CSV files into plain tables (one
#             per file, every column text, no index): the floor the import
#             is held to (target: the import at least ½ of its rows/s, by
#             time: import ≤ 2 × copy);
#   sweep     `plumb sweep` on each store;
#   reads     wrk on `plumb serve` over each store and on the bare handler
#             (bench/bare_handler.c) serving the same bytes: GET
#             /api/v1/payments?limit=50 (ulist) and /api/v1/payments/{id}
#             (single), DURATION seconds each (target: ⅓ of the bare handler);
# and the peak resident memory of each process (/usr/bin/time -v: the
# plumb processes; the PostgreSQL server's own processes are not in those
# figures: their resident total is sampled with ps at the end).
# It starts its own throwaway cluster (scripts/pg-tmp) and removes it.
# Usage: bench/pg.sh [BUILD_DIR]   env: SCALE, DURATION (10), CONNS (16),
# ROWBYROW=1 (also the row-by-row import), VERIFY=1 (also `plumb verify`,
# cursors against whole results), KEEP=1 (keep the work dir).
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
. "$SRC/bench/signin.sh"
BUILD=${1:-$SRC/build}
PLUMB=$BUILD/plumb
SCALE=${SCALE:-prefecture}
DURATION=${DURATION:-10}
CONNS=${CONNS:-16}
W=$(mktemp -d)
cleanup() {
  kill $(cat "$W"/*.pid 2>/dev/null) 2>/dev/null || true
  "$SRC/scripts/pg-tmp" stop "$W/pgstate" >/dev/null 2>&1 || true
  [ -n "${KEEP:-}" ] || rm -rf "$W"
}
trap cleanup EXIT
export PLUMB_LANG=en PGOPTIONS='-c client_min_messages=warning'
# The PostgreSQL server's CPU time in clock ticks: the postmaster's own and
# that of its children, the exited (cutime, cstime: a connection's backend
# ends with it) and the live ones. On a shared machine wall time follows
# the load; CPU time does not, and the server does a COPY's work.
pgcpu() {
  local pm
  pm=$(head -n 1 "$(cat "$W/pgstate/dir" 2>/dev/null)/data/postmaster.pid" 2>/dev/null) || { echo 0; return; }
  { sed 's/^.*) //' "/proc/$pm/stat" | awk '{ print $12 + $13 + $14 + $15 }'
    for c in $(cat /proc/"$pm"/task/*/children 2>/dev/null); do
      # (a backend may end between the listing and the read: not an error)
      sed 's/^.*) //' "/proc/$c/stat" 2>/dev/null | awk '{ print $12 + $13 }' || true
    done; } | awk '{ s += $1 } END { print s + 0 }'
}
HZ=$(getconf CLK_TCK)
T() { # T NAME CMD...: run, append "NAME seconds maxrss_kB user_s sys_s server_cpu_s" to $W/times
  local n=$1 c0; shift
  c0=$(pgcpu)
  /usr/bin/time -f "%e %M %U %S" -o "$W/t.$n" "$@"
  # (the step's backend ends after its client: its ticks reach the
  # postmaster's when the postmaster reaps it; read once it has settled)
  local c1 c2; c1=$(pgcpu); sleep 1; c2=$(pgcpu)
  echo "$n $c0 $c1 $c2" >>"$W/pgcpu.log"
  echo "$n $(cat "$W/t.$n") $(awk -v a="$c0" -v b="$c2" -v hz="$HZ" 'BEGIN { printf "%.2f", (b - a) / hz }')" >>"$W/times"
}
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GB", $2/1048576}' /proc/meminfo); load at start: $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$W/env" >&2
"$PLUMB" gen --scale "$SCALE" --seed 1 --out "$W/data" --quiet >/dev/null
rm -rf "$W/data/bad"
rows=$(cat "$W"/data/*/*.csv | wc -l)
echo "data: $SCALE, $(du -sh "$W/data" | cut -f1), $rows CSV lines" | tee -a "$W/env" >&2
URL=$("$SRC/scripts/pg-tmp" start "$W/pgstate")
db() { "$SRC/scripts/pg-tmp" createdb "$W/pgstate" "$1"; }

# 1. psql \copy of the same files into plain text tables.
CU=$(db copyfloor)
{
  for f in "$W"/data/*/*.csv; do
    t=$(basename "$(dirname "$f")")_$(basename "$f" .csv | tr -c 'a-z0-9_\n' _)
    cols=$(head -n 1 "$f" | tr -d '\r' | sed -e 's/^\xef\xbb\xbf//' -e 's/[^,]*/"&" text/g')
    echo "CREATE TABLE \"$t\"($cols);"
    echo "\\copy \"$t\" FROM '$f' WITH (FORMAT csv, HEADER true)"
  done
} >"$W/copy.sql"
T copy psql -q -v ON_ERROR_STOP=1 -d "$CU" -f "$W/copy.sql"

# 2. plumb import: PostgreSQL (COPY), [row by row], SQLite.
# (a store on a URL keeps its side files, keys and snapshot, in a state
# directory: docs/DEPLOY.md "State directory")
PU=$(db plumbpg)
PLUMB_STATE_DIR=$W/pgs "$PLUMB" init --db "$PU" --origin bench/pg >/dev/null
T import-pg env PLUMB_STATE_DIR="$W/pgs" "$PLUMB" import --db "$PU" --all "$W/data" --quiet --no-rules
if [ -n "${ROWBYROW:-}" ]; then
  RU=$(db plumbrow)
  PLUMB_STATE_DIR=$W/pgr "$PLUMB" init --db "$RU" --origin bench/pg >/dev/null
  T import-pg-rowbyrow env PLUMB_PG_COPY=0 PLUMB_STATE_DIR="$W/pgr" "$PLUMB" import --db "$RU" \
    --all "$W/data" --quiet --no-rules
fi
# 2b. The write floor on PostgreSQL (the analogue of bench/import.sh's for
#     SQLite; issue #22 withdrew the CSV-copy comparison there for the same
#     reason): the rows the import above left in its store, every table, put
#     back by COPY alone into a fresh `plumb init` database of the same
#     schema, one transaction (the indexes that back no key dropped first
#     and built after the rows, as the import does), no parsing,
#     validation, JSON or hashing. Exported first (text COPY files, not
#     timed). (a) every table, the triggers off (session_replication_role
#     replica: the derived tables' rows copied like the others); (d) the
#     derived tables (person_units, persons_placed) left to their triggers,
#     as the import does. Tables `plumb init` fills are not copied.
floor_pg() { # NAME MODE
  local fu t n
  fu=$(db "floor$1")
  : >"$W/floor-$1.tables"
  PLUMB_STATE_DIR=$W/pgf$1 "$PLUMB" init --db "$fu" --origin bench/pg >/dev/null
  {
    echo "\\set ON_ERROR_STOP 1"
    echo "BEGIN;"
    [ "$2" = all ] && echo "SET LOCAL session_replication_role = replica;"
    # the indexes that back no key built after the rows, as the import's
    # COPY path does (src/store/pg.c pg_index_ddl)
    echo "$IDX_DROP"
    for t in $TABLES; do
      n=$(psql -Atq -d "$fu" -c "SELECT count(*) FROM \"$t\"")
      [ "$n" = 0 ] || continue
      echo "$t" >>"$W/floor-$1.tables"
      case "$2:$t" in triggers:person_units | triggers:persons_placed) continue ;; esac
      echo "\\copy \"$t\" FROM '$W/floor/$t.copy'"
    done
    echo "$IDX_CREATE"
    echo "COMMIT;"
  } >"$W/floor-$1.sql"
  T "floor-$1" psql -q -d "$fu" -f "$W/floor-$1.sql"
  # the floor holds the rows it claims: every table as many as the import's
  for t in $(cat "$W/floor-$1.tables"); do
    [ "$(psql -Atq -d "$fu" -c "SELECT count(*) FROM \"$t\"")" = "$(psql -Atq -d "$PU" -c "SELECT count(*) FROM \"$t\"")" ] ||
      { echo "floor ($1): table $t has not the import's rows" >&2; exit 1; }
  done
}
mkdir -p "$W/floor"
IDXQ="FROM pg_indexes i WHERE i.schemaname = 'public' AND NOT EXISTS (SELECT 1 FROM pg_constraint k
  JOIN pg_class c ON c.oid = k.conindid WHERE c.relname = i.indexname) ORDER BY i.indexname"
IDX_DROP=$(psql -Atq -d "$PU" -c "SELECT 'DROP INDEX \"' || i.indexname || '\";' $IDXQ")
IDX_CREATE=$(psql -Atq -d "$PU" -c "SELECT i.indexdef || ';' $IDXQ")
# (in creation order, as bench/import.sh's floor: units before the tables
# whose triggers look them up, as in the import's ledger order)
TABLES=$(psql -Atq -d "$PU" -c "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY c.oid")
for t in $TABLES; do psql -q -d "$PU" -c "\\copy \"$t\" TO '$W/floor/$t.copy'"; done
floor_pg a all
floor_pg d triggers
SQ=$W/s.db
"$PLUMB" init --db "$SQ" --origin bench/pg >/dev/null
T import-sqlite "$PLUMB" import --db "$SQ" --all "$W/data" --quiet --no-rules

# 3. sweep.
T sweep-pg env PLUMB_STATE_DIR="$W/pgs" "$PLUMB" sweep --db "$PU" --as-of 2026-03-01 >/dev/null
T sweep-sqlite "$PLUMB" sweep --db "$SQ" --as-of 2026-03-01 >/dev/null

# 4. API reads: each store served, and the bare handler with the same bytes.
cc -O2 -o "$W/bare" "$SRC/bench/bare_handler.c" $(pkg-config --cflags --libs libmicrohttpd) -lpthread
ROOTS=$("$PLUMB" sql --db "$SQ" "SELECT id FROM units WHERE parent_id IS NULL OR parent_id='' ORDER BY id")
SCOPES=(); for u in $ROOTS; do SCOPES+=(--scope "$u"); done
PAY=$("$PLUMB" sql --db "$SQ" "SELECT id FROM payments ORDER BY id LIMIT 1")
PW='Loadtest-Passw0rd-2026'
cat >"$W/report.lua" <<'LUA'
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %.6f %.3f %.3f %d\n", summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.errors.status))
end
LUA
reads() { # reads NAME DB STATE_DIR ("": beside the file)
  local secret api
  secret=$(echo "$PW" | PLUMB_STATE_DIR=$3 "$PLUMB" user add bench --role discipline_officer "${SCOPES[@]}" \
    --password-stdin --db "$2" | sed -n 's/^totp_secret: //p')
  rm -f "$W/$1.port"
  PLUMB_STATE_DIR=$3 /usr/bin/time -f "%e %M %U %S" -o "$W/t.serve-$1" "$PLUMB" serve --db "$2" --port 0 \
    --port-file "$W/$1.port" --quiet --rate-ip 0 --rate-user 0 2>"$W/serve-$1.log" &
  echo $! >"$W/serve.pid"
  for i in $(seq 300); do [ -s "$W/$1.port" ] && break; sleep 0.1; done
  api=http://127.0.0.1:$(cat "$W/$1.port")
  plumb_signin "$api" bench "$PW" "$secret" "$W"
  for u in ulist single; do
    local url=/api/v1/payments?limit=50
    [ $u = single ] && url=/api/v1/payments/$PAY
    curl -sS -f -H "Cookie: $COOKIE" -o "$W/$u.body" "$api$url"
    echo "$1-$u $(wrk -t2 -c"$CONNS" -d"${DURATION}s" -s "$W/report.lua" -H "Cookie: $COOKIE" "$api$url" |
      sed -n 's/^RESULT //p')" >>"$W/reads"
  done
  # the server: SIGTERM, then its peak memory
  kill -TERM "$(pgrep -P "$(cat "$W/serve.pid")" || cat "$W/serve.pid")" 2>/dev/null || true
  wait "$(cat "$W/serve.pid")" 2>/dev/null || true
  rm -f "$W/serve.pid"
  echo "serve-$1 $(cat "$W/t.serve-$1")" >>"$W/times"
}
reads sqlite "$SQ" ""
reads pg "$PU" "$W/pgs"
"$W/bare" "$W/bare.port" 0 "/ulist=$W/ulist.body" "/single=$W/single.body" & echo $! >"$W/bare.pid"
for i in $(seq 100); do [ -s "$W/bare.port" ] && break; sleep 0.1; done
for u in ulist single; do
  echo "bare-$u $(wrk -t2 -c"$CONNS" -d"${DURATION}s" -s "$W/report.lua" "http://127.0.0.1:$(cat "$W/bare.port")/$u" |
    sed -n 's/^RESULT //p')" >>"$W/reads"
done
# 5. with VERIFY=1: `plumb verify` on the PostgreSQL store, its two reads
#    of every event (the pass over the ledger, the replay) as cursors (the
#    default) and as one result each (PLUMB_PG_STREAM=0): peak memory.
if [ -n "${VERIFY:-}" ]; then
  T verify-pg-whole env PLUMB_PG_STREAM=0 PLUMB_STATE_DIR="$W/pgs" "$PLUMB" verify --db "$PU" >/dev/null
  T verify-pg-cursor env PLUMB_STATE_DIR="$W/pgs" "$PLUMB" verify --db "$PU" >/dev/null
  T verify-sqlite "$PLUMB" verify --db "$SQ" >/dev/null
fi
PM=$(head -n 1 "$(cat "$W/pgstate/dir")/data/postmaster.pid" 2>/dev/null || echo 0)
PGMEM=$({ ps -o rss= -p "$PM" || true; ps -o rss= --ppid "$PM" || true; } 2>/dev/null | awk '{s += $1} END {print s + 0}')

echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$W/env" >&2
echo
cat "$W/env"
echo
echo "| step | wall s | client CPU s (user+sys) | PostgreSQL server CPU s | client + server CPU s | client peak RSS MB | rows/s by wall |"
echo "|---|---:|---:|---:|---:|---:|---:|"
awk -v rows="$rows" '{ printf "| %s | %.1f | %.2f | %.2f | %.2f | %.0f | %s |\n", $1, $2, $4 + $5, $6, $4 + $5 + $6, $3 / 1024, ($1 ~ /^(copy|import)/ && $2 > 0) ? sprintf("%.0f", rows / $2) : "" }' "$W/times"
echo
awk '$1 == "copy" { cw = $2; cc = $4 + $5 + $6 } $1 == "import-pg" { iw = $2; ic = $4 + $5 + $6 }
  $1 == "floor-a" { aw = $2; ac = $4 + $5 + $6 } $1 == "floor-d" { dw = $2; dc = $4 + $5 + $6 }
  END { printf "import-pg against \\copy: %.2f of its rate by wall time, %.2f by CPU time (client + server); target ≥ 0.50\n", cw / iw, cc / ic
        printf "import-pg against its write floor: %.2f× floor (a) by wall, %.2f× by CPU; %.2f× floor (d) by wall, %.2f× by CPU (1 = no more than its own writes)\n", iw / aw, ic / ac, iw / dw, ic / dc }' "$W/times"
echo
echo "| read | requests/s | × bare (same body) | p50 ms | p99 ms | non-2xx |"
echo "|---|---:|---:|---:|---:|---:|"
while read -r n q t p50 p99 err; do
  b=$(awk -v u="${n#*-}" '$1 == "bare-" u { print $2 / $3 }' "$W/reads")
  awk -v n="$n" -v q="$q" -v t="$t" -v b="$b" -v p50="$p50" -v p99="$p99" -v err="$err" \
    'BEGIN { printf "| %s | %.0f | %.2f | %s | %s | %s |\n", n, q / t, (q / t) / b, p50, p99, err }'
done <"$W/reads"
echo
echo "PostgreSQL server processes at the end: $((PGMEM / 1024)) MB resident in all"
