#!/usr/bin/env bash
# bench/dash_cpu.sh — server CPU per request of the dashboard's reads: the
# utime+stime of the `plumb serve` process (/proc/PID/stat) before and after
# each request, one client, signed in as a leader whose scope is the whole
# store (the root unit). CPU time does not depend on the machine's load the
# way wall time does (docs/BENCHMARKS.md "Web pages").
#
#   DB=/path/p.db [ROUNDS=3] [PLUMB=build/plumb] [URLS='/api/v1/… …'] bench/dash_cpu.sh
#
# PERF=file: perf record (dwarf call graphs) of the server during the run;
# DUMP=dir: each answer's body kept there (cmp them across builds);
# SERVE_LOG=file: the server's stderr kept (a sanitizer build's report).
#
# The store is copied (with its side files) to a scratch directory first:
# the run adds a user and sessions. Store: plumb gen --scale prefecture
# --seed 1, init, import --all (as bench/web.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
PLUMB=${PLUMB:-$PWD/build/plumb}
ROUNDS=${ROUNDS:-3}
[ -n "${DB:-}" ] && [ -f "$DB" ] || { echo "bench/dash_cpu: DB=<store> needed"; exit 1; }
W=$(mktemp -d)
SERVE_PID=
cleanup() { [ -n "$SERVE_PID" ] && kill "$SERVE_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT
for f in "$DB"*; do cp "$f" "$W/p.db${f#"$DB"}"; done
ROOT=$(sqlite3 "$W/p.db" "SELECT id FROM units WHERE parent_id IS NULL OR parent_id='' ORDER BY id LIMIT 1")
PW='Correct-Horse-42-battery'
SECRET=$(printf '%s\n' "$PW" | "$PLUMB" user add bench-cpu --role leader --scope "$ROOT" \
    --password-stdin --db "$W/p.db" --actor bench | sed -n 's/.*totp_secret: *\([A-Z2-7]*\).*/\1/p')
"$PLUMB" serve --db "$W/p.db" --bind 127.0.0.1 --port 0 --port-file "$W/port" --quiet \
    --rate-ip 0 --rate-user 0 2>"${SERVE_LOG:-$W/serve.log}" &
SERVE_PID=$!
for _ in $(seq 600); do [ -s "$W/port" ] && break; sleep 0.1; done
API=http://127.0.0.1:$(cat "$W/port")
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
PERF_PID=
if [ -n "${PERF:-}" ]; then # PERF=out.data: perf record the server during the run
    perf record -F 499 --call-graph dwarf,16384 -o "$PERF" -p "$SERVE_PID" 2>/dev/null & PERF_PID=$!
    sleep 1
fi
URLS=${URLS:-} DUMP=${DUMP:-} node - "$API" "$SECRET" "$PW" "$SERVE_PID" "$ROUNDS" <<'EOF'
const [base, secret, pw, pid, roundsStr] = process.argv.slice(2);
const crypto = require('crypto'), fs = require('fs');
const A = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
let b = 0, a = 0; const o = [];
for (const ch of secret) { a = (a << 5) | A.indexOf(ch); b += 5; if (b >= 8) { o.push((a >>> (b - 8)) & 255); b -= 8; } }
const m = Buffer.alloc(8); m.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 30000)));
const h = crypto.createHmac('sha1', Buffer.from(o)).update(m).digest(); const f = h[19] & 15;
const totp = String((h.readUInt32BE(f) & 0x7fffffff) % 1e6).padStart(6, '0');
const tick = 100; // USER_HZ
function cpu() { // utime + stime of the server, in ms
  const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8'); const r = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return (Number(r[11]) + Number(r[12])) * 1000 / tick;
}
(async () => {
  const login = await fetch(base + '/api/v1/auth/login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: 'bench-cpu', password: pw, totp }) });
  const j = await login.json(); if (!j.csrf_token) throw new Error('login: ' + JSON.stringify(j));
  const cookie = /plumb_session=[^;]*/.exec(login.headers.get('set-cookie'))[0];
  const urls = (process.env.URLS || '/api/v1/dashboard /api/v1/cases/stats /api/v1/findings/stats /api/v1/rotations /api/v1/risk?top=50').split(' ');
  for (const u of urls) {
    const cpus = [], walls = [];
    for (let i = 0; i <= Number(roundsStr); i++) {
      const c0 = cpu(), t0 = process.hrtime.bigint();
      const r = await fetch(base + u, { headers: { Cookie: cookie } });
      const body = await r.text();
      if (process.env.DUMP) fs.writeFileSync(`${process.env.DUMP}/${u.replace(/[^a-z0-9]+/gi, '_')}.json`, body);
      if (r.status !== 200) throw new Error(`${u}: ${r.status}`);
      const t1 = process.hrtime.bigint();
      await new Promise((res) => setTimeout(res, 50)); // let the counters settle
      if (i === 0) continue; // warm-up round
      cpus.push(Math.round(cpu() - c0)); walls.push(Number((t1 - t0) / 1000000n));
    }
    console.log(`${u}: server CPU ms ${cpus.join(', ')}; wall ms ${walls.join(', ')}`);
  }
})().catch((err) => { console.error(err.message); process.exit(1); });
EOF
[ -n "$PERF_PID" ] && kill -INT "$PERF_PID" && wait "$PERF_PID" || true
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
