#!/usr/bin/env bash
# bench/web.sh — the web pages at prefecture scale (issue #16, bench/web):
# first contentful paint, time to data and API requests per page of the
# dashboard, a person's integrity file (the top-risk leader's) and the clue
# queue, in Debian's chromium (playwright-core, tests/e2e/lib), signed in as
# a leader whose scope is the whole prefecture; and the bundle's size
# (web/dist, raw and gzip). Target (issue #16): ≤ 5 requests and ≤ 1 s to
# data per page. Results: docs/BENCHMARKS.md "Web pages".
#
#   bench/web.sh                      # build/bench-web/p.db, made once:
#                                     # plumb gen --scale prefecture --seed 1; import --all
#   bench/web.sh /path/p.db           # that store (as DB=/path/p.db)
#   DB=/path/p.db ROUNDS=5 bench/web.sh
#   WEB=/tmp/dist-before bench/web.sh # another build of web/ (before/after)
set -euo pipefail
cd "$(dirname "$0")/.."
PLUMB=${PLUMB:-$PWD/build/plumb}
WORK=${WORK:-$PWD/build/bench-web}
DB=${1:-${DB:-$WORK/p.db}}
ROUNDS=${ROUNDS:-5}
WEB=${WEB:-web/dist}
[ -x /usr/bin/chromium ] || { echo "bench/web: /usr/bin/chromium missing"; exit 1; }
[ -f "$WEB/index.html" ] || { echo "bench/web: run 'make web' first ($WEB)"; exit 1; }
mkdir -p "$WORK"
if [ ! -f "$DB" ]; then
    echo "bench/web: generating the prefecture store in $DB (once)"
    "$PLUMB" gen --scale prefecture --seed 1 --out "$WORK/data" --quiet
    "$PLUMB" init --db "$DB" >/dev/null
    "$PLUMB" import --db "$DB" --all "$WORK/data" --quiet >/dev/null
fi
T=$(mktemp -d)
SERVE_PID=
cleanup() { [ -n "$SERVE_PID" ] && kill "$SERVE_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
# The prefecture's root (the unit without a parent) and its top-risk leader.
ROOT_UNIT=$("$PLUMB" sql --db "$DB" "SELECT id FROM units WHERE parent_id IS NULL OR parent_id='' ORDER BY id LIMIT 1" | tail -1)
PERSON=$("$PLUMB" risk --db "$DB" --top 1 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["person"])')
USER_NAME=bench-web-$$
PASSWORD=Correct-Horse-42-battery
SECRET=$(printf '%s\n' "$PASSWORD" | "$PLUMB" user add "$USER_NAME" --role leader --scope "$ROOT_UNIT" \
    --password-stdin --db "$DB" --actor bench | sed -n 's/.*totp_secret: *\([A-Z2-7]*\).*/\1/p')
"$PLUMB" serve --db "$DB" --bind 127.0.0.1 --port 0 --port-file "$T/port" --web "$WEB" --quiet &
SERVE_PID=$!
for _ in $(seq 300); do [ -s "$T/port" ] && break; sleep 0.1; done
ORIGIN=http://127.0.0.1:$(cat "$T/port")
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "store: $DB ($(du -h "$DB" | cut -f1)), root unit $ROOT_UNIT, person $PERSON"
ORIGIN=$ORIGIN USER_NAME=$USER_NAME PASSWORD=$PASSWORD SECRET=$SECRET PERSON=$PERSON ROUNDS=$ROUNDS \
    node bench/web.mjs | tee "$T/out.json"
python3 - "$T/out.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print("| page | FCP (median) | data asked (median) | data answered (median) | code loaded (median) | to data (median) | slowest API answer (median) | API requests | JS+CSS loaded |")
print("|---|---|---|---|---|---|---|---|---|")
for name, r in d["pages"].items():
    print(f"| {name} | {r['fcp_median_ms']} ms | {r['asked_median_ms']} ms | {r['answered_median_ms']} ms | {r['code_done_median_ms']} ms | {r['data_median_ms']} ms | {r['api_median_ms']} ms | {r['requests_max']} ({', '.join(r['last_requests'])}) | {r['code_bytes']:,} B |")
PY
echo "bundle ($WEB): $(du -sh "$WEB" | cut -f1) on disk; JS+CSS $(cat "$WEB"/assets/*.js "$WEB"/assets/*.css | wc -c) bytes raw, $(cat "$WEB"/assets/*.js "$WEB"/assets/*.css | gzip -9 | wc -c) bytes gzip (all chunks; each page loads its own)"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
