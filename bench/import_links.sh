#!/usr/bin/env bash
# bench/import_links.sh — the cost of the link check of tenures and kin in an
# import upload (POST /api/v1/import, docs/SECURITY.md "Links do not widen a
# scope", issue #15): the county store (seed 1) without one generated file,
# a user whose scope is every root, and that file uploaded as one batch.
# UPLOAD=dir/file.csv (default org/tenures.csv; its directory is the source;
# police/kin.csv for kin), ROLE (default cadre_officer, who may write
# tenures and kin). Each binary builds its own store; the runs are
# interleaved, RUNS times (default 2). Prints Markdown.
# Usage: bench/import_links.sh BEFORE_PLUMB AFTER_PLUMB
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BEFORE=${1:?usage: bench/import_links.sh BEFORE_PLUMB AFTER_PLUMB}
AFTER=${2:?usage: bench/import_links.sh BEFORE_PLUMB AFTER_PLUMB}
RUNS=${RUNS:-2}
UPLOAD=${UPLOAD:-org/tenures.csv}
ROLE=${ROLE:-cadre_officer}
W=$(mktemp -d)
trap 'kill $(cat "$W"/*/pid 2>/dev/null) 2>/dev/null || true; rm -rf "$W"' EXIT
export PLUMB_LANG=en
. "$SRC/bench/signin.sh"
"$AFTER" gen --scale county --seed 1 --out "$W/gen" --quiet >/dev/null
node -e "const fs=require('fs'),path=require('path');fs.writeFileSync(process.argv[2],JSON.stringify({source:process.argv[3],files:[{name:path.basename(process.argv[1]),content:fs.readFileSync(process.argv[1],'utf8')}]}))" \
    "$W/gen/$UPLOAD" "$W/body.json" "$(dirname "$UPLOAD")"
PW='Correct-Horse-9battery'
one() { # one BIN TAG → seconds of the upload
    local BIN=$1 D=$W/$2
    rm -rf "$D"
    mkdir -p "$D/data"
    cp -r "$W/gen/." "$D/data/"
    rm -rf "$D/data/$UPLOAD" "$D/data/bad"
    "$BIN" init --db "$D/p.db" --origin bench.example/log >/dev/null
    "$BIN" import --db "$D/p.db" --all "$D/data" --quiet --no-rules >/dev/null
    local SECRET t0 t1
    SECRET=$(plumb_bench_user "$BIN" "$D/p.db" "$ROLE" "$PW")
    plumb_serve "$BIN" "$D/p.db" "$D" --max-import 67108864
    plumb_signin "$API" bench "$PW" "$SECRET" "$D" >&2
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
