#!/usr/bin/env bash
# bench/wpath_prof.sh — instructions per write request (callgrind), the two
# write paths of issue #22: a record write (POST
# /api/v1/supervision_activities, as bench/api.sh's "write") and a clue
# intake (POST /api/v1/cases, as bench/clues_api.sh), on a county store
# (seed 1). `plumb serve` runs under valgrind --tool=callgrind; the client
# posts WARM requests, the counters are zeroed, N more requests follow one
# at a time (groups of one: the count does not depend on the load), then
# the counters are dumped. Prints, per path, the instructions of the whole
# server per request and of the handler's parts: before the writer lock
# (the request thread's own work) and under it (what serialises writers).
# Usage: bench/wpath_prof.sh [BUILD_DIR]   env: N (300), WARM (50),
#   KEEP=dir (the county store is made once there and reused),
#   PAGE_SIZE=bytes (the store made with `plumb init --page-size`),
#   OUT=dir (the callgrind dumps are kept there), ANALYSE=dir (only print
#   the table of dumps kept by OUT=dir);
#   PERF=k: instead of callgrind, the server runs natively under
#   `perf record -g` (dwarf) while k clients post at once (N each, both
#   paths one after the other, group commit on); the two perf.data files
#   are left in OUT (default /tmp) for `perf report`, and the share of the
#   samples under the writer lock is printed.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
. "$SRC/bench/signin.sh"
BUILD=$(cd "${1:-$SRC/build}" && pwd)
PLUMB=$BUILD/plumb
N=${N:-300}
WARM=${WARM:-50}
W=$(mktemp -d)
trap 'kill $(cat "$W"/pid 2>/dev/null) 2>/dev/null || true; rm -rf "$W"' EXIT
if [ -z "${ANALYSE:-}" ]; then
KEEP=${KEEP:-$W/keep}
mkdir -p "$KEEP"
if [ ! -s "$KEEP/b.db" ]; then
  echo "setting up a county store…" >&2
  "$PLUMB" init --db "$KEEP/b.db" --origin bench/wpath ${PAGE_SIZE:+--page-size "$PAGE_SIZE"} >/dev/null
  "$PLUMB" gen --scale county --seed 1 --out "$KEEP/data" --quiet >/dev/null
  "$PLUMB" import --db "$KEEP/b.db" --all "$KEEP/data" --quiet >/dev/null
  rm -rf "$KEEP/data"
fi
for f in "$KEEP"/b.db*; do cp "$f" "$W/${f##*/}"; done
DB=$W/b.db
PW='Loadtest-Passw0rd-2026'
ROOT=$(sqlite3 "$DB" "SELECT id FROM units WHERE parent_id IS NULL OR parent_id='' ORDER BY id LIMIT 1")
UNIT=$(sqlite3 "$DB" "SELECT unit_id FROM payments GROUP BY unit_id ORDER BY COUNT(*) DESC LIMIT 1")
sqlite3 "$DB" "SELECT t.person_id || ',' || p.unit_id FROM tenures t JOIN posts p ON p.id=t.post_id
  WHERE t.end_date IS NULL OR t.end_date=''" >"$W/subjects.csv"
SEC_W=$(plumb_bench_user "$PLUMB" "$DB" discipline_officer "$PW")
SEC_C=$(echo "$PW" | "$PLUMB" user add clues --role petition_officer --scope "$ROOT" --password-stdin --db "$DB" |
  sed -n 's/^totp_secret: //p')

rm -f "$W/port"
PERF=${PERF:-}
if [ -n "$PERF" ]; then RUNNER=(); else RUNNER=(valgrind --tool=callgrind --callgrind-out-file="$W/cg.out"); fi
"${RUNNER[@]}" "$PLUMB" serve --db "$DB" --port 0 --port-file "$W/port" --quiet --rate-ip 0 --rate-user 0 \
  --busy-wait 120 2>"$W/serve.log" &
echo $! >"$W/pid"
for _ in $(seq 1 1200); do [ -s "$W/port" ] && break; sleep 0.1; done
[ -s "$W/port" ] || { echo "plumb serve did not start: $(cat "$W/serve.log")" >&2; exit 1; }
API="http://127.0.0.1:$(cat "$W/port")"
plumb_signin "$API" bench "$PW" "$SEC_W" "$W"
CK_W=$COOKIE CS_W=$CSRF
sleep 1 # a second TOTP code would be refused only if it were the same step's reuse by the same user
plumb_signin "$API" clues "$PW" "$SEC_C" "$W"
CK_C=$COOKIE CS_C=$CSRF

post() { # kind count start
  node - "$API" "$1" "$2" "$3" "$UNIT" "$W/subjects.csv" "$CK_W" "$CS_W" "$CK_C" "$CS_C" <<'JS'
const [base, kind, nStr, startStr, unit, subjFile, ckw, csw, ckc, csc] = process.argv.slice(2);
const http = require('http'), fs = require('fs');
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const subjects = fs.readFileSync(subjFile, 'utf8').trim().split('\n').map((l) => l.split(','));
function post(path, headers, body) {
  return new Promise((resolve, reject) => {
    const u = new URL(base);
    const q = http.request({ host: u.hostname, port: u.port, path, method: 'POST', agent,
      headers: { ...headers, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } }, (r) => {
      const ch = []; r.on('data', (c) => ch.push(c)); r.on('end', () => resolve([r.statusCode, Buffer.concat(ch).toString()]));
    });
    q.on('error', reject); q.end(body);
  });
}
const WHAT = ['违规收受礼金', '插手工程项目', '违规发放津贴', '公车私用', '违规选人用人', '大办婚丧喜庆', '优亲厚友', '虚报冒领'];
(async () => {
  for (let i = Number(startStr); i < Number(startStr) + Number(nStr); i++) {
    let st, body;
    if (kind === 'write') {
      [st, body] = await post('/api/v1/supervision_activities', { Cookie: ckw, 'X-CSRF-Token': csw },
        JSON.stringify({ id: `WPATH-${i}`, kind: 'visit', unit_id: unit, held_at: '2026-01-01' }));
    } else {
      const x = (i * 2654435761) >>> 0;
      const [pid, u] = subjects[x % subjects.length];
      [st, body] = await post('/api/v1/cases', { Cookie: ckc, 'X-CSRF-Token': csc }, JSON.stringify({
        channel: ['letter', 'visit', 'phone', 'online', 'inspection'][x % 5], category: ['power', 'money', 'personnel', 'conduct', 'other'][(x >>> 3) % 5],
        received_at: `2025-${String(1 + ((x >>> 5) % 12)).padStart(2, '0')}-${String(1 + ((x >>> 9) % 28)).padStart(2, '0')}`,
        subject_person_id: pid, subject_unit_id: u, summary: `反映${WHAT[(x >>> 4) % 8]}问题`,
        facts: `第${i}号来信：该同志${WHAT[(x >>> 4) % 8]}，涉及金额约${(x >>> 7) % 90 + 1}万元，发生于${2019 + (x >>> 11) % 6}年，编号${x.toString(36)}。` }));
    }
    if (st !== 201) { console.error(kind, i, st, body); process.exit(1); }
  }
  agent.destroy();
})();
JS
}
PID=$(cat "$W/pid")
if [ -n "$PERF" ]; then
  P_OUT=${OUT:-/tmp}
  mkdir -p "$P_OUT"
  for kind in write intake; do
    post "$kind" "$WARM" 1000000
    perf record -q -g --call-graph dwarf,16384 -F 499 -p "$PID" -o "$P_OUT/perf-$kind.data" 2>/dev/null &
    PP=$!
    sleep 1
    CL=()
    for c in $(seq 1 "$PERF"); do
      post "$kind" "$N" $((c * 100000)) &
      CL+=($!)
    done
    wait "${CL[@]}"
    kill -INT "$PP"; wait "$PP" 2>/dev/null || true
  done
  kill "$PID"; wait "$PID" 2>/dev/null || true; rm -f "$W/pid"
  echo
  echo "Share of the server's samples (perf, $PERF clients at once, $N requests each; children included):"
  echo
  echo "| path | handler | under the writer lock (lock, checks, append, projections, COMMIT) | of which fdatasync | libmicrohttpd and the rest |"
  echo "|---|---:|---:|---:|---:|"
  for kind in write intake; do
    perf report -i "$P_OUT/perf-$kind.data" --children --stdio --no-demangle -g none --percent-limit 0.5 2>/dev/null >"$W/rep.txt"
    pc() { awk -v f="$1" '$NF == f { gsub("%", "", $1); print $1; exit }' "$W/rep.txt"; }
    if [ "$kind" = write ]; then
      H=$(pc write_entity); U=0
      for f in writer_lock_group writer_unlock_group pl_registry_exists row_allowed link_allowed pl_registry_record; do
        U=$(awk -v a="$U" -v b="$(pc $f)" 'BEGIN { print a + (b == "" ? 0 : b) }'); done
    else
      H=$(pc h_intake); U=0
      for f in writer_lock_group writer_unlock_group pl_cases_intake; do
        U=$(awk -v a="$U" -v b="$(pc $f)" 'BEGIN { print a + (b == "" ? 0 : b) }'); done
    fi
    F=$(pc __x64_sys_fdatasync)
    echo "| $kind | ${H:-0} % | $U % | ${F:-0} % | $(awk -v h="${H:-0}" 'BEGIN { print 100 - h }') % |"
  done
  exit 0
fi
phase() { # kind start: warm up, zero, N requests, dump
  post "$1" "$WARM" "$2"
  callgrind_control -z "$PID" >/dev/null
  post "$1" "$N" $(($2 + WARM))
  callgrind_control -d "$1" "$PID" >/dev/null
}
echo "record writes: $WARM + $N…" >&2
phase write 0
echo "clue intakes: $WARM + $N…" >&2
phase intake 0
kill "$PID"; wait "$PID" 2>/dev/null || true; rm -f "$W/pid"
if [ -n "${OUT:-}" ]; then mkdir -p "$OUT" && cp "$W"/cg.out* "$OUT"/; fi
fi

# The dumps: cg.out.1 (write), cg.out.2 (intake); ANALYSE=dir reads a
# kept OUT instead of running.
D=${ANALYSE:-$W}
DUMPS=("$D/cg.out.1" "$D/cg.out.2")
report() { # dump label handler lock-fns…
  local f=$1 label=$2 handler=$3
  shift 3
  callgrind_annotate --inclusive=yes --threshold=100 "$f" 2>/dev/null >"$W/ann.txt"
  local total
  total=$(sed -n 's/^\([0-9,]*\) .*PROGRAM TOTALS.*/\1/p' "$W/ann.txt" | tr -d ,)
  incl() { grep -E "[ :]$1( |$)" "$W/ann.txt" | head -1 | awk '{gsub(",","",$1); print $1+0}'; }
  local h under=0 fn
  h=$(incl "$handler")
  for fn in "$@"; do under=$((under + $(incl "$fn"))); done
  awk -v l="$label" -v t="$total" -v h="$h" -v u="$under" -v n="$N" 'BEGIN {
    printf "| %s | %.2f M | %.2f M | %.2f M | %.2f M | %.0f %% |\n", l, t/n/1e6, h/n/1e6, (h-u)/n/1e6, u/n/1e6, 100*u/t }'
}
echo
echo "Instructions per request (callgrind, $N requests one at a time after $WARM of warm-up):"
echo
echo "| path | whole server | handler | handler outside the writer lock | under the writer lock (incl. its COMMIT) | under the lock / whole server |"
echo "|---|---:|---:|---:|---:|---:|"
report "${DUMPS[0]}" "record write (POST /api/v1/supervision_activities)" write_entity \
  writer_lock_group writer_unlock_group pl_registry_exists row_allowed link_allowed pl_registry_record
report "${DUMPS[1]}" "clue intake (POST /api/v1/cases)" h_intake \
  writer_lock_group writer_unlock_group pl_cases_intake
