#!/usr/bin/env bash
# bench/pg.sh — PostgreSQL beside SQLite, on the same machine in the same
# run (issue #20 "bench/pg"): for one generated data set (SCALE, default
# prefecture) it measures
#   copy      `psql \copy` of the very same CSV files into plain tables (one
#             per file, every column text, no index): the floor the import
#             was first held to (target: the import at least ½ of its
#             rows/s, by time: import ≤ 2 × copy);
#   import    `plumb import --all` into a fresh PostgreSQL store (COPY, the
#             default), the same row by row (PLUMB_PG_COPY=0, with ROWBYROW=1)
#             and into a fresh SQLite store;
#   floor     the PostgreSQL import's own rows put back by COPY alone (2b);
#   sweep     `plumb sweep` on each store;
#   reads     wrk on `plumb serve` over each store and on the bare handler
#             (bench/bare_handler.c) serving the same bytes: GET
#             /api/v1/payments?limit=50 (ulist) and /api/v1/payments/{id}
#             (single), DURATION seconds each (target: ⅓ of the bare handler);
# and the memory of each process: the plumb processes' and psql's peak
# resident set (/usr/bin/time -v), and the PostgreSQL server's processes
# (postmaster and every backend) sampled each second during each step:
# the peak of their summed proportional set size (Pss: a shared page
# counted once over the processes that map it) and of their summed RSS.
# Each store is measured whole (import, sweep, reads) and then removed, so
# that at most one store and the data are on disk at once (a province:
# 1.4 GB of CSV, a SQLite store of ~15 GB); the floor's export of the
# PostgreSQL store is zstd-compressed.
# It starts its own throwaway cluster (scripts/pg-tmp) and removes it; the
# work dir and the cluster go under $TMPDIR (default /tmp).
# Usage: bench/pg.sh [BUILD_DIR]   env: SCALE, DATA (a `plumb gen --out` of
# that scale, without its bad/, used instead of generating one), DURATION
# (10), CONNS (16), ENGINES ("pg sqlite", the default, or one of them),
# FLOORS (the write floors to load: "a d", the default, one of them, or ""
# for none), AUTOVACUUM_WAIT (600 s), ROWBYROW=1 (also the row-by-row
# import), VERIFY=1 (also `plumb verify`, cursors against whole results),
# KEEP=1 (keep the work dir; the stores are removed all the same),
# PG_TMP_OPTS (more server options for scripts/pg-tmp, e.g.
# '-c max_wal_size=1GB' to keep less WAL on disk), BASE_BUILD (another
# build's plumb, e.g. main's: its serve's reads too, on the same store, as
# ENGINE.base, before this build's) and ROUNDS (1: the reads of both builds
# that many times in turn, rounds after the first named ENGINE[.base].rN),
# PG_SOCKET=1 (each round's PostgreSQL reads over TCP 127.0.0.1 and then
# over the cluster's Unix-domain socket, named pg.sock[.rN]).
# Only the reads at county on PostgreSQL, before and after:
#   SCALE=county ENGINES=pg FLOORS= BASE_BUILD=/path/to/old/plumb ROUNDS=3 bench/pg.sh build
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
  rm -rf "$W/floor" "$W"/s.db*
  [ -n "${KEEP:-}" ] || rm -rf "$W"
}
trap cleanup EXIT
export PLUMB_LANG=en PGOPTIONS='-c client_min_messages=warning'
# The PostgreSQL server's CPU time in clock ticks: the postmaster's own and
# that of its children, the exited (cutime, cstime: a connection's backend
# ends with it) and the live ones. On a shared machine wall time follows
# the load; CPU time does not, and the server does a COPY's work.
postmaster() { head -n 1 "$(cat "$W/pgstate/dir" 2>/dev/null)/data/postmaster.pid" 2>/dev/null; }
pgcpu() {
  local pm
  pm=$(postmaster) || { echo 0; return; }
  { sed 's/^.*) //' "/proc/$pm/stat" | awk '{ print $12 + $13 + $14 + $15 }'
    for c in $(cat /proc/"$pm"/task/*/children 2>/dev/null); do
      # (a backend may end between the listing and the read: not an error)
      sed 's/^.*) //' "/proc/$c/stat" 2>/dev/null | awk '{ print $12 + $13 }' || true
    done; } | awk '{ s += $1 } END { print s + 0 }'
}
# The server's memory now: "Pss_kB Rss_kB" summed over the postmaster and
# its children (smaps_rollup; a process gone meanwhile adds nothing).
pgmem() {
  local pm
  pm=$(postmaster) || { echo "0 0"; return; }
  for c in "$pm" $(cat /proc/"$pm"/task/*/children 2>/dev/null); do
    cat "/proc/$c/smaps_rollup" 2>/dev/null || true
  done | awk '$1 == "Pss:" { p += $2 } $1 == "Rss:" { r += $2 } END { print p + 0, r + 0 }'
}
# memwatch NAME: sample pgmem each second into $W/mem.NAME until memstop
memwatch() {
  : >"$W/mem.$1"
  (while :; do pgmem >>"$W/mem.$1"; sleep 1; done) &
  echo $! >"$W/memwatch.pid"
}
memstop() { # memstop NAME: stop the sampler, print "peakPss_kB peakRss_kB"
  kill "$(cat "$W/memwatch.pid")" 2>/dev/null || true
  wait "$(cat "$W/memwatch.pid")" 2>/dev/null || true
  rm -f "$W/memwatch.pid"
  pgmem >>"$W/mem.$1"
  awk '$1 > p { p = $1 } $2 > r { r = $2 } END { print p + 0, r + 0 }' "$W/mem.$1"
}
# pgbackends DB: the CPU ticks of the live client backends of database DB
# (a serve's pooled connections), autovacuum and the other databases' not
pgbackends() {
  local pm c
  pm=$(postmaster) || { echo 0; return; }
  for c in $(cat /proc/"$pm"/task/*/children 2>/dev/null); do
    case "$(tr '\0' ' ' <"/proc/$c/cmdline" 2>/dev/null)" in
    "postgres: plumb $1 "*) sed 's/^.*) //' "/proc/$c/stat" 2>/dev/null | awk '{ print $12 + $13 }' || true ;;
    esac
  done | awk '{ s += $1 } END { print s + 0 }'
}
HZ=$(getconf CLK_TCK)
T() { # T NAME CMD...: run, append "NAME seconds maxrss_kB user_s sys_s server_cpu_s server_pss_kB server_rss_kB" to $W/times
  local n=$1 c0; shift
  c0=$(pgcpu)
  memwatch "$n"
  /usr/bin/time -f "%e %M %U %S" -o "$W/t.$n" "$@"
  # (the step's backend ends after its client: its ticks reach the
  # postmaster's when the postmaster reaps it; read once it has settled)
  local c1 c2 m; c1=$(pgcpu); sleep 1; c2=$(pgcpu)
  m=$(memstop "$n")
  echo "$n $c0 $c1 $c2" >>"$W/pgcpu.log"
  echo "$n $(cat "$W/t.$n") $(awk -v a="$c0" -v b="$c2" -v hz="$HZ" 'BEGIN { printf "%.2f", (b - a) / hz }') $m" >>"$W/times"
  echo "$(date -u +%T) $n: $(tail -n 1 "$W/times") (load $(cut -d' ' -f1 /proc/loadavg))" >&2
}
disk() { echo "$(date -u +%T) $1: $(du -sh "$W" "$(cat "$W/pgstate/dir" 2>/dev/null || echo "$W")" 2>/dev/null | cut -f1 | paste -sd/) used, $(df -h --output=avail "$W" | tail -n 1 | tr -d ' ') free" >&2; }
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GB", $2/1048576}' /proc/meminfo); load at start: $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$W/env" >&2
if [ -n "${DATA:-}" ]; then
  [ ! -e "$DATA/bad" ] || { echo "DATA: $DATA/bad would be imported: remove it" >&2; exit 1; }
  D=$(cd "$DATA" && pwd)
else
  D=$W/data
  "$PLUMB" gen --scale "$SCALE" --seed 1 --out "$D" --quiet >/dev/null
  rm -rf "$D/bad"
fi
rows=$(cat "$D"/*/*.csv | wc -l)
echo "data: $SCALE, $(du -sh "$D" | cut -f1), $rows CSV lines" | tee -a "$W/env" >&2
# API reads (one store at a time; the bare handler at the end serves the
# bytes of the last store read).
# q DB SQL: one query's rows, on either engine
q() { if [ "${1#postgresql:}" != "$1" ]; then psql -Atq -d "$1" -c "$2"; else "$PLUMB" sql --db "$1" "$2"; fi; }
PW='Loadtest-Passw0rd-2026'
cat >"$W/report.lua" <<'LUA'
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %.6f %.3f %.3f %d\n", summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.errors.status))
end
LUA
reads() { # reads NAME DB STATE_DIR ("": beside the file) [PLUMB_BIN]
  local secret api c0 c1 b0 b1 m i u bin=${4:-$PLUMB}
  # (the bench user scoped to every root unit, added once a store; the
  # first payment by id)
  # (by database name: the same store over TCP or the socket, once)
  if [ "${BENCH_USER_DB:-}" != "${2##*/}" ]; then
    SCOPES=(); for u in $(q "$2" "SELECT id FROM units WHERE parent_id IS NULL OR parent_id='' ORDER BY id"); do SCOPES+=(--scope "$u"); done
    PAY=$(q "$2" "SELECT id FROM payments ORDER BY id LIMIT 1")
    SECRET=$(echo "$PW" | PLUMB_STATE_DIR=$3 "$PLUMB" user add bench --role discipline_officer "${SCOPES[@]}" \
      --password-stdin --db "$2" | sed -n 's/^totp_secret: //p')
    BENCH_USER_DB=${2##*/}
  fi
  secret=$SECRET
  rm -f "$W/$1.port"
  # (the store's autovacuum, which follows an import, let finish first, up
  # to AUTOVACUUM_WAIT seconds, 600: the reads of a settled store)
  if [ "${1%%.*}" = pg ]; then
    for i in $(seq $((${AUTOVACUUM_WAIT:-600} / 2 + 1))); do
      [ "$(psql -Atq -d "$2" -c "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'")" = 0 ] && break
      sleep 2
    done
    echo "$(date -u +%T) reads $1: autovacuum waited for $((2 * (i - 1))) s" | tee -a "$W/env" >&2
  fi
  c0=$(pgcpu)
  b0=$(pgbackends "${2##*/}")
  memwatch "serve-$1"
  PLUMB_STATE_DIR=$3 /usr/bin/time -f "%e %M %U %S" -o "$W/t.serve-$1" "$bin" serve --db "$2" --port 0 \
    --port-file "$W/$1.port" --quiet --rate-ip 0 --rate-user 0 2>"$W/serve-$1.log" &
  echo $! >"$W/serve.pid"
  for i in $(seq 300); do [ -s "$W/$1.port" ] && break; sleep 0.1; done
  api=http://127.0.0.1:$(cat "$W/$1.port")
  # (a one-time code is taken once: a second sign-in in the same 30 s
  # window, the next serve's, waits for the next code; a refused one would
  # count towards the account's lockout)
  [ "${SIGNIN_WINDOW:-}" != "$(($(date +%s) / 30))" ] || sleep $((31 - $(date +%s) % 30))
  plumb_signin "$api" bench "$PW" "$secret" "$W"
  SIGNIN_WINDOW=$(($(date +%s) / 30))
  for u in ulist single; do
    local url=/api/v1/payments?limit=50
    [ $u = single ] && url=/api/v1/payments/$PAY
    curl -sS -f -H "Cookie: $COOKIE" -o "$W/$u.body" "$api$url"
    echo "$1-$u $(wrk -t2 -c"$CONNS" -d"${DURATION}s" -s "$W/report.lua" -H "Cookie: $COOKIE" "$api$url" |
      sed -n 's/^RESULT //p')" >>"$W/reads"
  done
  # the server: SIGTERM, then its peak memory (its backends' CPU read first)
  b1=$(pgbackends "${2##*/}")
  kill -TERM "$(pgrep -P "$(cat "$W/serve.pid")" || cat "$W/serve.pid")" 2>/dev/null || true
  wait "$(cat "$W/serve.pid")" 2>/dev/null || true
  rm -f "$W/serve.pid"
  sleep 1; c1=$(pgcpu)
  m=$(memstop "serve-$1")
  # (the server's CPU here is the serve's backends'; the whole cluster's,
  # autovacuum with it, in env)
  echo "serve-$1 $(cat "$W/t.serve-$1") $(awk -v a="$b0" -v b="$b1" -v hz="$HZ" 'BEGIN { printf "%.2f", (b - a) / hz }') $m" >>"$W/times"
  echo "reads $1: the whole cluster's CPU over the serve $(awk -v a="$c0" -v b="$c1" -v hz="$HZ" 'BEGIN { printf "%.2f", (b - a) / hz }') s" >>"$W/env"
  echo "$(date -u +%T) serve-$1: $(tail -n 1 "$W/times") (load $(cut -d' ' -f1 /proc/loadavg))" >&2
}
# allreads ENGINE DB STATE_DIR: the reads with this build's serve; with
# BASE_BUILD (another build's plumb, e.g. main's), ROUNDS (1) times that
# build's ("ENGINE.base") and this build's in turn on the same store, each
# round's after the first named ".rN": before and after in one run.
# With a 4th argument (PG_SOCKET=1: the same store's URL over the
# cluster's Unix-domain socket) each round reads over TCP ("ENGINE") and
# then over the socket ("ENGINE.sock").
allreads() {
  local k
  for k in $(seq "${ROUNDS:-1}"); do
    local sfx=""; [ "$k" = 1 ] || sfx=".r$k"
    [ -z "${BASE_BUILD:-}" ] || reads "$1.base$sfx" "$2" "$3" "$BASE_BUILD"
    reads "$1$sfx" "$2" "$3"
    [ -z "${4:-}" ] || reads "$1.sock$sfx" "$4" "$3"
  done
}
has() { case " ${ENGINES:-pg sqlite} " in *" $1 "*) ;; *) return 1 ;; esac; }
if has pg; then
URL=$("$SRC/scripts/pg-tmp" start "$W/pgstate")
db() { "$SRC/scripts/pg-tmp" createdb "$W/pgstate" "$1"; }
dropdb() { psql -X -q -d "$URL" -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)"; }

# 1. psql \copy of the same files into plain text tables.
CU=$(db copyfloor)
{
  for f in "$D"/*/*.csv; do
    t=$(basename "$(dirname "$f")")_$(basename "$f" .csv | tr -c 'a-z0-9_\n' _)
    cols=$(head -n 1 "$f" | tr -d '\r' | sed -e 's/^\xef\xbb\xbf//' -e 's/[^,]*/"&" text/g')
    echo "CREATE TABLE \"$t\"($cols);"
    echo "\\copy \"$t\" FROM '$f' WITH (FORMAT csv, HEADER true)"
  done
} >"$W/copy.sql"
T copy psql -q -v ON_ERROR_STOP=1 -d "$CU" -f "$W/copy.sql"
dropdb copyfloor

# 2. plumb import into PostgreSQL: COPY, [row by row].
# (a store on a URL keeps its side files, keys and snapshot, in a state
# directory: docs/DEPLOY.md "State directory")
PU=$(db plumbpg)
PLUMB_STATE_DIR=$W/pgs "$PLUMB" init --db "$PU" --origin bench/pg >/dev/null
T import-pg env PLUMB_STATE_DIR="$W/pgs" "$PLUMB" import --db "$PU" --all "$D" --quiet --no-rules
disk "PostgreSQL store imported"
if [ -n "${ROWBYROW:-}" ]; then
  RU=$(db plumbrow)
  PLUMB_STATE_DIR=$W/pgr "$PLUMB" init --db "$RU" --origin bench/pg >/dev/null
  T import-pg-rowbyrow env PLUMB_PG_COPY=0 PLUMB_STATE_DIR="$W/pgr" "$PLUMB" import --db "$RU" \
    --all "$D" --quiet --no-rules
  dropdb plumbrow
fi

# (the floor's export, 2b below: the rows as the import left them; none
# when no floor is to be loaded, FLOORS="")
FLOORS=${FLOORS-a d}
[ -z "$FLOORS" ] || {
mkdir -p "$W/floor"
IDXQ="FROM pg_indexes i WHERE i.schemaname = 'public' AND NOT EXISTS (SELECT 1 FROM pg_constraint k
  JOIN pg_class c ON c.oid = k.conindid WHERE c.relname = i.indexname) ORDER BY i.indexname"
IDX_DROP=$(psql -Atq -d "$PU" -c "SELECT 'DROP INDEX \"' || i.indexname || '\";' $IDXQ")
IDX_CREATE=$(psql -Atq -d "$PU" -c "SELECT i.indexdef || ';' $IDXQ")
# (in creation order, as bench/import.sh's floor: units before the tables
# whose triggers look them up, as in the import's ledger order)
TABLES=$(psql -Atq -d "$PU" -c "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY c.oid")
: >"$W/floor.counts"
for t in $TABLES; do
  psql -q -d "$PU" -c "\\copy \"$t\" TO PROGRAM 'zstd -1 -q -o $W/floor/$t.copy.zst'"
  echo "$t $(psql -Atq -d "$PU" -c "SELECT count(*) FROM \"$t\"")" >>"$W/floor.counts"
done
disk "PostgreSQL store exported"
}
# 3. sweep, PostgreSQL.
T sweep-pg env PLUMB_STATE_DIR="$W/pgs" "$PLUMB" sweep --db "$PU" --as-of 2026-03-01 >/dev/null

# 4. API reads; with PG_SOCKET=1 also over the Unix-domain socket (libpq's
#    percent-encoded socket directory as the host; scripts/pg-tmp puts the
#    socket in the data directory and trusts local connections).
SU=""
[ -z "${PG_SOCKET:-}" ] ||
  SU="postgresql://plumb@$(sed 's|/|%2F|g' <<<"$(cat "$W/pgstate/dir")/data"):$(cat "$W/pgstate/port")/plumbpg"
allreads pg "$PU" "$W/pgs" "$SU"
# 5. with VERIFY=1: `plumb verify` on each store, on PostgreSQL its two
#    reads of every event (the pass over the ledger, the replay) as cursors
#    (the default) and as one result each (PLUMB_PG_STREAM=0): peak memory.
if [ -n "${VERIFY:-}" ]; then
  T verify-pg-whole env PLUMB_PG_STREAM=0 PLUMB_STATE_DIR="$W/pgs" "$PLUMB" verify --db "$PU" >/dev/null
  T verify-pg-cursor env PLUMB_STATE_DIR="$W/pgs" "$PLUMB" verify --db "$PU" >/dev/null
fi

# 2b. The write floor on PostgreSQL (the analogue of bench/import.sh's for
#     SQLite; issue #22 withdrew the CSV-copy comparison there for the same
#     reason): the rows the import above left in its store, every table, put
#     back by COPY alone into a fresh `plumb init` database of the same
#     schema, one transaction (the indexes that back no key dropped first
#     and built after the rows, as the import does), no parsing,
#     validation, JSON or hashing. Exported first (text COPY files,
#     zstd-compressed, not timed; read back through `zstd -dc`, whose CPU
#     is psql's child's and so in the client's figure). (a) every table,
#     the triggers off (session_replication_role replica: the derived
#     tables' rows copied like the others); (d) the derived tables
#     (person_units, persons_placed) left to their triggers, as the import
#     does. Tables `plumb init` fills are not copied. (Exported right
#     after the import, before the sweep writes to the store.)
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
      echo "\\copy \"$t\" FROM PROGRAM 'zstd -dcq $W/floor/$t.copy.zst'"
    done
    echo "$IDX_CREATE"
    echo "COMMIT;"
  } >"$W/floor-$1.sql"
  T "floor-$1" psql -q -d "$fu" -f "$W/floor-$1.sql"
  # the floor holds the rows it claims: every table as many as the store's
  for t in $(cat "$W/floor-$1.tables"); do
    [ "$(psql -Atq -d "$fu" -c "SELECT count(*) FROM \"$t\"")" = "$(sed -n "s/^$t //p" "$W/floor.counts")" ] ||
      { echo "floor ($1): table $t has not the import's rows" >&2; exit 1; }
  done
  disk "floor ($1) loaded"
  dropdb "floor$1"
}
# (the floors need the room of the store: a floor not loaded for want of
# it is said so, not measured)
NEED=$(psql -Atq -d "$PU" -c "SELECT pg_database_size(current_database()) / 1024")
echo "PostgreSQL store: $((NEED / 1024)) MB" | tee -a "$W/env" >&2
dropdb plumbpg
for f in $FLOORS; do
  if [ "$(df -k --output=avail "$W" | tail -n 1)" -lt $((NEED * 5 / 4 + 2097152)) ]; then
    echo "floor ($f): not loaded, less free disk than the store's $((NEED / 1048576)) GB and a margin" | tee -a "$W/env" >&2
    continue
  fi
  case $f in a) floor_pg a all ;; d) floor_pg d triggers ;; esac
done
rm -rf "$W/floor"
fi

# 6. SQLite: import, sweep, reads, [verify]; then the store removed.
if has sqlite; then
SQ=$W/s.db
"$PLUMB" init --db "$SQ" --origin bench/pg >/dev/null
T import-sqlite "$PLUMB" import --db "$SQ" --all "$D" --quiet --no-rules
disk "SQLite store imported"
T sweep-sqlite "$PLUMB" sweep --db "$SQ" --as-of 2026-03-01 >/dev/null
allreads sqlite "$SQ" ""
[ -z "${VERIFY:-}" ] || T verify-sqlite "$PLUMB" verify --db "$SQ" >/dev/null
rm -f "$SQ" "$SQ"-*
fi

# 7. The bare handler with the same bytes (the SQLite store's replies).
cc -O2 -o "$W/bare" "$SRC/bench/bare_handler.c" $(pkg-config --cflags --libs libmicrohttpd) -lpthread
/usr/bin/time -f "%e %M %U %S" -o "$W/t.bare" "$W/bare" "$W/bare.port" 0 "/ulist=$W/ulist.body" \
  "/single=$W/single.body" & echo $! >"$W/bare.pid"
for i in $(seq 100); do [ -s "$W/bare.port" ] && break; sleep 0.1; done
for u in ulist single; do
  echo "bare-$u $(wrk -t2 -c"$CONNS" -d"${DURATION}s" -s "$W/report.lua" "http://127.0.0.1:$(cat "$W/bare.port")/$u" |
    sed -n 's/^RESULT //p')" >>"$W/reads"
done
# (its CPU read from /proc before the stop: every thread's, in ticks)
BP=$(pgrep -P "$(cat "$W/bare.pid")" || cat "$W/bare.pid")
BT=$(sed 's/^.*) //' "/proc/$BP/stat" | awk '{ print $12 + $13 }')
kill -TERM "$BP" 2>/dev/null || true
wait "$(cat "$W/bare.pid")" 2>/dev/null || true
rm -f "$W/bare.pid"
echo "serve-bare $(awk '{ print $1, $2 }' "$W/t.bare") $(awk -v t="$BT" -v hz="$HZ" 'BEGIN { printf "%.2f", t / hz }') 0 0.00 0 0" >>"$W/times"
PM=$(postmaster || echo 0)
PGMEM=$({ ps -o rss= -p "$PM" || true; ps -o rss= --ppid "$PM" || true; } 2>/dev/null | awk '{s += $1} END {print s + 0}')

echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$W/env" >&2
echo
cat "$W/env"
echo
echo "| step | wall s | client CPU s (user+sys) | PostgreSQL server CPU s | client + server CPU s | client peak RSS MB | server peak Pss / RSS MB | rows/s by wall |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
awk -v rows="$rows" '{ printf "| %s | %.1f | %.2f | %.2f | %.2f | %.0f | %.0f / %.0f | %s |\n", $1, $2, $4 + $5, $6, $4 + $5 + $6, $3 / 1024, $7 / 1024, $8 / 1024, ($1 ~ /^(copy|import)/ && $2 > 0) ? sprintf("%.0f", rows / $2) : "" }' "$W/times"
echo
awk '$1 == "copy" { cw = $2; cc = $4 + $5 + $6 } $1 == "import-pg" { iw = $2; ic = $4 + $5 + $6 }
  $1 == "import-sqlite" { sw = $2; sc = $4 + $5 }
  $1 == "floor-a" { aw = $2; ac = $4 + $5 + $6 } $1 == "floor-d" { dw = $2; dc = $4 + $5 + $6 }
  END { if (iw && cw) printf "import-pg against \\copy: %.3f of its rate by wall time, %.3f by CPU time (client + server); target ≥ 0.50\n", cw / iw, cc / ic
        if (sw && cw) printf "import-sqlite against \\copy: %.3f by wall, %.3f by CPU\n", cw / sw, cc / sc
        if (iw && aw) printf "import-pg against its write floor (a): %.2f× by wall, %.2f× by CPU (1 = no more than its own writes)\n", iw / aw, ic / ac
        if (iw && dw) printf "import-pg against its write floor (d): %.2f× by wall, %.2f× by CPU\n", iw / dw, ic / dc
        if (iw && sw) printf "import-pg against import-sqlite: %.2f× by wall, %.2f× by CPU\n", iw / sw, ic / sc }' "$W/times"
echo
echo "| read | requests/s | × bare (same body) | p50 ms | p99 ms | non-2xx |"
echo "|---|---:|---:|---:|---:|---:|"
while read -r n q t p50 p99 err; do
  b=$(awk -v u="${n#*-}" '$1 == "bare-" u { print $2 / $3 }' "$W/reads")
  awk -v n="$n" -v q="$q" -v t="$t" -v b="$b" -v p50="$p50" -v p99="$p99" -v err="$err" \
    'BEGIN { printf "| %s | %.0f | %.2f | %s | %s | %s |\n", n, q / t, (q / t) / b, p50, p99, err }'
done <"$W/reads"
echo
# (the serve's CPU over both reads, the list's and the single's, with its
# start and sign-in: per request of the two; the bare handler's the same
# way: by CPU the ratio does not follow the machine's load as req/s does)
awk 'FNR == NR { split($1, a, "-"); q[a[1]] += $2; next }
  $1 ~ /^serve-/ { e = substr($1, 7); if (q[e]) { c[e] = ($4 + $5 + $6) * 1e6 / q[e]
    printf "CPU a request, %s: the server %.0f µs, PostgreSQL server %.0f µs (%d requests)\n", e, ($4 + $5) * 1e6 / q[e], $6 * 1e6 / q[e], q[e] } }
  END { for (e in c) if (e != "bare" && c["bare"]) printf "× bare by CPU a request, %s: %.2f\n", e, c["bare"] / c[e] }' "$W/reads" "$W/times"
echo
echo "PostgreSQL server processes at the end: $((PGMEM / 1024)) MB resident in all"
