#!/usr/bin/env bash
# bench/clues_api.sh — clue intake through the HTTP API (POST /api/v1/cases,
# one request = one transaction: validate, dedupe, route, clue.received +
# clue.recorded + clue.routed/linked) next to the plain event append rate
# and the library's intake rate (bench/clues_bench.c) in the same run.
# A node script posts N clues (default 100,000: county scale ×100) over
# keep-alive connections on loopback, CONNS in parallel, stopping after
# MAX_SECONDS if not done (the rate is then over the clues posted), twice
# on copies of the same store: with PLUMB_GROUP_COMMIT=off (one commit per
# request: the "before") and on (group commit, docs/LEDGER.md), with the
# latency p50/p99, next to the durable append of one event per transaction.
# The client is node's http module with a keep-alive agent (fetch, used
# before, spent ~0.9 ms of CPU per request on this 2-core machine, as much
# as the server); the server's CPU per clue and the load average are
# printed beside each rate. BATCH=k (k > 1) adds a third run: the same
# clues posted k at a time to POST /api/v1/cases/batch (group commit on).
# BEFORE_BUILD=dir adds a run of that build's plumb (group commit on) first:
# another commit's code, before/after in the same run.
# Usage: bench/clues_api.sh [BUILD_DIR]
#   env: N, CONNS, MAX_SECONDS, LIB_N, BATCH, BEFORE_BUILD, PAGE_SIZE (the
#   store made with `plumb init --page-size`; BEFORE_BUILD must know it)
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$SRC/build}
PLUMB=$BUILD/plumb
N=${N:-100000}
CONNS=${CONNS:-4}
MAX_SECONDS=${MAX_SECONDS:-900}
LIB_N=${LIB_N:-20000}
BATCH=${BATCH:-0}
BEFORE_BUILD=${BEFORE_BUILD:-}
W=$(mktemp -d)
trap 'kill $(cat "$W"/*.pid 2>/dev/null) 2>/dev/null || true; rm -rf "$W"' EXIT

echo "library: clues_bench $LIB_N (plain append and library intake)…" >&2
"$BUILD/clues_bench" "$LIB_N" "$W/lib.db" | tee "$W/lib.txt"

echo "setting up a county store…" >&2
DB=$W/b.db
# Made by the older build when there is one: a newer plumb migrates its
# copy on open, an older one refuses a store with migrations it lacks.
SETUP=${BEFORE_BUILD:+$BEFORE_BUILD/plumb}
SETUP=${SETUP:-$PLUMB}
"$SETUP" init --db "$DB" --origin bench/clues ${PAGE_SIZE:+--page-size "$PAGE_SIZE"} >/dev/null
"$SETUP" gen --scale county --seed 1 --out "$W/data" --quiet >/dev/null
"$SETUP" import --db "$DB" --all "$W/data" --quiet >/dev/null
ROOT=$(sqlite3 "$DB" "SELECT id FROM units WHERE parent_id IS NULL OR parent_id='' ORDER BY id LIMIT 1")
sqlite3 "$DB" "SELECT t.person_id || ',' || p.unit_id FROM tenures t JOIN posts p ON p.id=t.post_id
  WHERE t.end_date IS NULL OR t.end_date=''" >"$W/subjects.csv"
PW='Loadtest-Passw0rd-2026'
SECRET=$(echo "$PW" | "$SETUP" user add bench --role petition_officer --scope "$ROOT" --password-stdin --db "$DB" |
  sed -n 's/^totp_secret: //p')
run_api() { # $1: run name (off: one commit per request, the "before"; on; batch; prev), $2: PLUMB_GROUP_COMMIT, $3: clues per request (1: POST /api/v1/cases), $4: plumb (default this build's)
rm -f "$W/api.port"
for f in "$DB"*; do cp "$f" "$W/run-$1.db${f#"$DB"}"; done # the store and its side files (.key …)
PLUMB_GROUP_COMMIT=$2 "${4:-$PLUMB}" serve --db "$W/run-$1.db" --port 0 --port-file "$W/api.port" --quiet --rate-ip 0 --rate-user 0 \
  2>"$W/serve-$1.log" & echo $! >"$W/api.pid"
for _ in $(seq 100); do [ -s "$W/api.port" ] && break; sleep 0.1; done
API=http://127.0.0.1:$(cat "$W/api.port")
BEFORE=$(sqlite3 "$W/run-$1.db" "SELECT count(*) FROM ledger_events")
SPID=$(cat "$W/api.pid")
CPU0=$(awk '{print $14+$15}' "/proc/$SPID/stat")

node - "$API" "$SECRET" "$PW" "$N" "$CONNS" "$MAX_SECONDS" "$W/subjects.csv" "$3" >"$W/api-$1.txt" <<'EOF'
const [base, secret, pw, nStr, connsStr, maxStr, subjFile, batchStr] = process.argv.slice(2);
const crypto = require('crypto'), fs = require('fs'), http = require('http'), os = require('os');
// node's http with a keep-alive agent: a fraction of fetch's CPU per request.
const agent = new http.Agent({ keepAlive: true, maxSockets: Number(connsStr) });
function post(url, headers, body) {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const q = http.request({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', agent, headers: { ...headers, 'Content-Length': Buffer.byteLength(body) } }, (r) => {
      const ch = []; r.on('data', (c) => ch.push(c)); r.on('end', () => resolve({ status: r.statusCode, headers: r.headers, json: JSON.parse(Buffer.concat(ch).toString()) }));
    });
    q.on('error', reject); q.end(body);
  });
}
const A = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
let b = 0, a = 0; const o = [];
for (const ch of secret) { a = (a << 5) | A.indexOf(ch); b += 5; if (b >= 8) { o.push((a >>> (b - 8)) & 255); b -= 8; } }
const m = Buffer.alloc(8); m.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 30000)));
const h = crypto.createHmac('sha1', Buffer.from(o)).update(m).digest(); const f = h[19] & 15;
const totp = String((h.readUInt32BE(f) & 0x7fffffff) % 1e6).padStart(6, '0');
const subjects = fs.readFileSync(subjFile, 'utf8').trim().split('\n').map((l) => l.split(','));
const CH = ['letter', 'visit', 'phone', 'online', 'inspection'], CAT = ['power', 'money', 'personnel', 'conduct', 'other'];
const WHAT = ['违规收受礼金', '插手工程项目', '违规发放津贴', '公车私用', '违规选人用人', '大办婚丧喜庆', '优亲厚友', '虚报冒领'];
function clue(i) {
  let x = (i * 2654435761) >>> 0;
  const [pid, unit] = subjects[x % subjects.length];
  return { channel: CH[x % 5], category: CAT[(x >>> 3) % 5], received_at: `2025-${String(1 + ((x >>> 5) % 12)).padStart(2, '0')}-${String(1 + ((x >>> 9) % 28)).padStart(2, '0')}`,
    subject_person_id: pid, subject_unit_id: unit, summary: `反映${WHAT[(x >>> 4) % 8]}问题`,
    facts: `第${i}号来信：该同志${WHAT[(x >>> 4) % 8]}，涉及金额约${(x >>> 7) % 90 + 1}万元，发生于${2019 + (x >>> 11) % 6}年，编号${x.toString(36)}。` };
}
(async () => {
  const login = await post(base + '/api/v1/auth/login', { 'Content-Type': 'application/json' }, JSON.stringify({ username: 'bench', password: pw, totp }));
  const j = login.json; if (!j.csrf_token) throw new Error('login: ' + JSON.stringify(j));
  const cookie = /plumb_session=[^;]*/.exec([].concat(login.headers['set-cookie']).join(';'))[0];
  const N = Number(nStr), K = Math.max(1, Number(batchStr) || 1), deadline = Date.now() + Number(maxStr) * 1000;
  const hdr = { 'Content-Type': 'application/json', Cookie: cookie, 'X-CSRF-Token': j.csrf_token };
  let next = 0, ok = 0, linked = 0, bad = 0; const lat = [];
  const t0 = process.hrtime.bigint();
  async function worker() {
    while (next < N && Date.now() < deadline) {
      const i = next; next += K;
      const items = []; for (let k = i; k < Math.min(N, i + K); k++) items.push(clue(k));
      const q0 = process.hrtime.bigint();
      const r = K > 1 ? await post(base + '/api/v1/cases/batch', hdr, JSON.stringify({ clues: items }))
        : await post(base + '/api/v1/cases', hdr, JSON.stringify(items[0]));
      lat.push(Number(process.hrtime.bigint() - q0) / 1e6);
      if (r.status === 201) {
        const res = K > 1 ? r.json.results : [r.json];
        ok += res.length; linked += res.filter((x) => x.linked).length;
      } else { bad += items.length; if (bad <= 3 * K) console.error(r.status, JSON.stringify(r.json)); }
    }
  }
  await Promise.all(Array.from({ length: Number(connsStr) }, worker));
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  lat.sort((x, y) => x - y); const pc = (p) => lat.length ? lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] : 0;
  const cu = process.cpuUsage();
  console.log(JSON.stringify({ posted: ok, linked, failed: bad, seconds: secs, rate: ok / secs, p50: pc(0.5), p99: pc(0.99), client_cpu_s: (cu.user + cu.system) / 1e6, load: os.loadavg()[0] }));
})().catch((e) => { console.error(e); process.exit(1); });
EOF
  CPU1=$(awk '{print $14+$15}' "/proc/$SPID/stat")
  echo $(((CPU1 - CPU0) * 1000000 / $(getconf CLK_TCK))) >"$W/cpu-$1.txt" # server CPU, µs
  AFTER=$(sqlite3 "$W/run-$1.db" "SELECT count(*) FROM ledger_events")
  kill "$(cat "$W/api.pid")"; wait "$(cat "$W/api.pid")" 2>/dev/null || true; rm -f "$W/api.pid"
  echo $((AFTER - BEFORE)) >"$W/ev-$1.txt"
}
if [ -n "$BEFORE_BUILD" ]; then run_api prev on 1 "$BEFORE_BUILD/plumb"; fi
run_api off off 1
run_api on on 1
if [ "$BATCH" -gt 1 ]; then run_api batch on "$BATCH"; fi
APPEND=$(sed -n 's/^plain event append: *\([0-9]*\).*/\1/p' "$W/lib.txt")
APPEND1=$(sed -n 's/^append, 1 per transaction: *\([0-9]*\).*/\1/p' "$W/lib.txt")
LIB=$(sed -n 's/^clue intake: *\([0-9]*\).*/\1/p' "$W/lib.txt")
LIB1=$(sed -n 's/^clue intake, 1 per transaction: *\([0-9]*\).*/\1/p' "$W/lib.txt")
row() { # $1 run, $2 what
  read -r POSTED LINKED FAILED SECS RATE P50 P99 CCPU LOAD < <(node -e 'const j=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"));console.log(j.posted,j.linked,j.failed,j.seconds.toFixed(1),j.rate.toFixed(0),j.p50.toFixed(1),j.p99.toFixed(1),j.client_cpu_s.toFixed(1),j.load.toFixed(1))' "$W/api-$1.txt")
  SCPU=$(($(cat "$W/cpu-$1.txt") / (POSTED > 0 ? POSTED : 1)))
  echo "| clue intake through the API ($2, $CONNS connections) | $RATE clues/s | $SECS s for $POSTED ($LINKED linked, $FAILED failed; $(cat "$W/ev-$1.txt") events); p50 $P50 ms, p99 $P99 ms (per request); server CPU $SCPU µs/clue, client CPU $CCPU s; load average $LOAD |"
  echo "$RATE" >"$W/rate-$1.txt"
}
echo
echo "| what | rate | time |"
echo "|---|---|---|"
echo "| plain event append (clues_bench $LIB_N, batches of 1,000) | $APPEND events/s | |"
echo "| durable append, 1 event per transaction (clues_bench) | $APPEND1 events/s | |"
echo "| clue intake, library (clues_bench $LIB_N, batches of 1,000) | $LIB clues/s | |"
echo "| durable clue intake, library, 1 clue per transaction (clues_bench) | $LIB1 clues/s | |"
if [ -n "$BEFORE_BUILD" ]; then row prev "POST /api/v1/cases, group commit on, $BEFORE_BUILD/plumb"; fi
row off "POST /api/v1/cases, group commit off"
row on "POST /api/v1/cases, group commit on"
if [ "$BATCH" -gt 1 ]; then row batch "POST /api/v1/cases/batch, $BATCH clues per request, group commit on"; fi
node -e "const [a1,off,on]=process.argv.slice(1).map(Number);console.log('\nratio API intake / 1-event-per-transaction append: before (group commit off) '+(off/a1).toFixed(2)+'×, after (on) '+(on/a1).toFixed(2)+'×; after/before '+(on/off).toFixed(2)+'×')" "$APPEND1" "$(cat "$W/rate-off.txt")" "$(cat "$W/rate-on.txt")"
node -e "const [c1,off,on]=process.argv.slice(1).map(Number);console.log('ratio API intake / the library\\'s durable intake of 1 clue per transaction: group commit off '+(off/c1).toFixed(2)+'×, on '+(on/c1).toFixed(2)+'×')" "$LIB1" "$(cat "$W/rate-off.txt")" "$(cat "$W/rate-on.txt")"
if [ "$BATCH" -gt 1 ]; then node -e "const [a1,b]=process.argv.slice(1).map(Number);console.log('ratio batched intake / 1-event-per-transaction append: '+(b/a1).toFixed(2)+'×')" "$APPEND1" "$(cat "$W/rate-batch.txt")"; fi
if [ -n "$BEFORE_BUILD" ]; then node -e "const [a1,p,on]=process.argv.slice(1).map(Number);console.log('before ($BEFORE_BUILD, group commit on) '+(p/a1).toFixed(2)+'×; this build / before '+(on/p).toFixed(2)+'×')" "$APPEND1" "$(cat "$W/rate-prev.txt")" "$(cat "$W/rate-on.txt")"; fi
