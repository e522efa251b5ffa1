#!/usr/bin/env bash
# bench/import_api.sh — the cost of the per-row scope check of an import
# upload (POST /api/v1/import, docs/SECURITY.md): the county store (seed 1)
# without its payments, a data provider whose scope is every root, and
# the 100,504 payments uploaded as one batch. Each binary builds its own
# store; the runs are interleaved, RUNS times (default 2). Prints Markdown.
# SCALE=prefecture|province generates that scale instead of county (the
# payments of a larger store may need a larger --max-import than 64 MiB
# for a whole upload); ROWS=N uploads only the first N payments; SWEEP=1 runs `plumb sweep` on
# the store before the upload (an upload is one batch of the import service,
# src/import: its rows checked event by event up to 5,000 rows, else by one
# sweep, which a swept store starts from its snapshot;
# PLUMB_IMPORT_INCREMENTAL_ROWS in the environment moves that cutoff in a
# binary that has one); WARM=1 (with ROWS) first uploads, untimed, the ROWS payments
# that follow the timed ones, so the timed upload meets a server whose rule
# engine has its model in memory (steady state rather than the first write
# after start).
# Usage: bench/import_api.sh BEFORE_PLUMB AFTER_PLUMB
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BEFORE=${1:?usage: bench/import_api.sh BEFORE_PLUMB AFTER_PLUMB}
AFTER=${2:?usage: bench/import_api.sh BEFORE_PLUMB AFTER_PLUMB}
RUNS=${RUNS:-2}
W=$(mktemp -d)
trap 'kill $(cat "$W"/*/pid 2>/dev/null) 2>/dev/null || true; rm -rf "$W"' EXIT
export PLUMB_LANG=en
. "$SRC/bench/signin.sh"
"$AFTER" gen --scale "${SCALE:-county}" --seed 1 --out "$W/gen" --quiet >/dev/null
ROWS=${ROWS:-0}
SWEEP=${SWEEP:-0}
node -e "const fs=require('fs');let c=fs.readFileSync(process.argv[1],'utf8');const n=+process.argv[3];if(n>0)c=c.split('\n').slice(0,n+1).join('\n')+'\n';fs.writeFileSync(process.argv[2],JSON.stringify({source:'finance',files:[{name:'payments.csv',content:c}]}))" \
    "$W/gen/finance/payments.csv" "$W/body.json" "$ROWS"
WARM=${WARM:-0}
if [ "$WARM" = 1 ]; then
    node -e "const fs=require('fs');const l=fs.readFileSync(process.argv[1],'utf8').split('\n');const n=+process.argv[3];fs.writeFileSync(process.argv[2],JSON.stringify({source:'finance',files:[{name:'payments.csv',content:[l[0],...l.slice(n+1,2*n+1)].join('\n')+'\n'}]}))" \
        "$W/gen/finance/payments.csv" "$W/warm.json" "$ROWS"
fi
PW='Correct-Horse-9battery'
one() { # one BIN TAG → seconds of the upload
    local BIN=$1 D=$W/$2
    rm -rf "$D"
    mkdir -p "$D/data"
    cp -r "$W/gen/." "$D/data/"
    rm -rf "$D/data/finance" "$D/data/bad"
    "$BIN" init --db "$D/p.db" --origin bench.example/log >/dev/null
    "$BIN" import --db "$D/p.db" --all "$D/data" --quiet --no-rules >/dev/null
    if [ "$SWEEP" = 1 ]; then "$BIN" sweep --db "$D/p.db" >/dev/null; fi
    local SECRET t0 t1
    SECRET=$(plumb_bench_user "$BIN" "$D/p.db" data_provider "$PW")
    plumb_serve "$BIN" "$D/p.db" "$D" --max-import 67108864
    plumb_signin "$API" bench "$PW" "$SECRET" "$D" >&2
    if [ "$WARM" = 1 ]; then
        curl -sS -H "Cookie: $COOKIE" -H "X-CSRF-Token: $CSRF" -H 'Content-Type: application/json' \
            --data-binary @"$W/warm.json" "$API/api/v1/import" >"$D/warm.out"
        grep -q '"committed":true' "$D/warm.out" || { echo "warm-up failed: $(head -c 300 "$D/warm.out")" >&2; exit 1; }
    fi
    t0=$(date +%s.%N)
    curl -sS -H "Cookie: $COOKIE" -H "X-CSRF-Token: $CSRF" -H 'Content-Type: application/json' \
        --data-binary @"$W/body.json" "$API/api/v1/import" >"$D/out.json"
    t1=$(date +%s.%N)
    plumb_stop "$D"
    grep -q '"committed":true' "$D/out.json" || { echo "upload failed: $(head -c 300 "$D/out.json")" >&2; exit 1; }
    echo "$t1 - $t0" | bc
}
echo "| run | before s | after s | after / before |"
echo "|---|---:|---:|---:|"
for i in $(seq 1 "$RUNS"); do
    b=$(one "$BEFORE" before)
    a=$(one "$AFTER" after)
    printf '| %d | %.2f | %.2f | %.2f |\n' "$i" "$b" "$a" "$(echo "$a / $b" | bc -l)"
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores"
