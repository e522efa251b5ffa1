#!/usr/bin/env bash
# bench/clues_load.sh — one short clue-intake load against a kept county
# store, for profiling (docs/BENCHMARKS.md "The checkpoint's trigger"):
# the store KEEP/b.db (made by `plumb init [--page-size]`, `gen --scale
# county --seed 1`, `import --all`) is copied, served by PLUMB, warmed with
# 200 intakes, then N intakes are posted by CONNS keep-alive connections
# with bench/clues_api.sh's client (the same clues). Prints the client's
# JSON line, the server's CPU per clue (/proc), the bytes it wrote per clue
# (/proc/PID/io wchar: the WAL's frames and the checkpoint's copies, with
# the replies' sends) and the load average. With
# arguments after CONNS, `perf ARGS -p <server pid>` runs around the N
# intakes (e.g. `record -F 499 -g --call-graph dwarf,16384 -o F`; then
# bench/perf_buckets.py). COPYWAL=dir keeps the store and its WAL as they
# were after the run (bench/wal_pages.py). Env: KEEP (required),
# PLUMB_GROUP_COMMIT and PLUMB_CHECKPOINT pass through; PLUMB_GROUP_COMMIT_STATS=1
# also prints the groups' counters (GET /api/v1/health) after the run.
# Usage: KEEP=dir bench/clues_load.sh PLUMB N CONNS [perf args…]
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
P=$1 N=$2 C=$3
shift 3
W=$(mktemp -d)
trap 'kill ${PP:-} ${SPID:-} 2>/dev/null || true; rm -rf "$W"' EXIT
sed -n '/^node - "\$API"/,/^EOF$/p' "$SRC/bench/clues_api.sh" | sed '1d;$d' |
  sed "s/username: 'bench'/username: process.env.BUSER || 'bench'/" >"$W/client.js"
cp "$KEEP"/b.db* "$W/"
DB=$W/b.db
ROOT=$(sqlite3 "$DB" "SELECT id FROM units WHERE parent_id IS NULL OR parent_id='' ORDER BY id LIMIT 1")
sqlite3 "$DB" "SELECT t.person_id || ',' || p.unit_id FROM tenures t JOIN posts p ON p.id=t.post_id
  WHERE t.end_date IS NULL OR t.end_date=''" >"$W/subjects.csv"
PW='Loadtest-Passw0rd-2026'
# two users: a TOTP code is refused the second time in its 30 s step
S1=$(echo "$PW" | "$P" user add bench --role petition_officer --scope "$ROOT" --password-stdin --db "$DB" | sed -n 's/^totp_secret: //p')
S2=$(echo "$PW" | "$P" user add bench2 --role petition_officer --scope "$ROOT" --password-stdin --db "$DB" | sed -n 's/^totp_secret: //p')
"$P" serve --db "$DB" --port 0 --port-file "$W/port" --quiet --rate-ip 0 --rate-user 0 2>"$W/serve.log" &
SPID=$!
for _ in $(seq 100); do [ -s "$W/port" ] && break; sleep 0.1; done
API=http://127.0.0.1:$(cat "$W/port")
BUSER=bench2 node "$W/client.js" "$API" "$S2" "$PW" 200 4 60 "$W/subjects.csv" 1 >/dev/null
CPU0=$(awk '{print $14+$15}' "/proc/$SPID/stat")
WB0=$(awk '/^wchar/{print $2}' "/proc/$SPID/io")
if [ $# -gt 0 ]; then perf "$@" -p "$SPID" >"$W/perf.txt" 2>&1 & PP=$!; sleep 0.5; fi
node "$W/client.js" "$API" "$S1" "$PW" "$N" "$C" 600 "$W/subjects.csv" 1
if [ $# -gt 0 ]; then kill -INT "$PP"; wait "$PP" || true; PP=; cat "$W/perf.txt"; fi
CPU1=$(awk '{print $14+$15}' "/proc/$SPID/stat")
WB1=$(awk '/^wchar/{print $2}' "/proc/$SPID/io")
echo "server CPU: $(((CPU1 - CPU0) * 1000000 / $(getconf CLK_TCK) / N)) µs/clue; written $(((WB1 - WB0) / 1024 / N)) KiB/clue; load average $(cut -d' ' -f1-3 /proc/loadavg)"
# PLUMB_GROUP_COMMIT_STATS=1: the group commit's counters (warm-up included)
if [ -n "${PLUMB_GROUP_COMMIT_STATS:-}" ]; then echo "group commit: $(curl -s "$API/api/v1/health")"; fi
if [ -n "${COPYWAL:-}" ]; then sleep 0.5; mkdir -p "$COPYWAL"; cp "$DB" "$DB-wal" "$COPYWAL/"; fi
