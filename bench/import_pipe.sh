#!/bin/bash
# bench/import_pipe.sh — the --no-rules import pipelined (PLUMB_IMPORT_THREADS=2)
# and single-threaded (=1), run at the same time, then floor (a) of
# bench/import.sh from the pipelined store. Usage: bench/import_pipe.sh PLUMB OUTDIR
# (OUTDIR/data: `plumb gen --scale prefecture --seed 1 --out OUTDIR/data`).
set -u
PLUMB=$1; OUT=$2; DATA=$OUT/data
TF="%M %U %S %O"
now() { date +%s.%N; }
run() { # NAME THREADS
    local db=$OUT/$1.db
    rm -f "$db" "$db"-wal "$db"-shm "$db".key
    "$PLUMB" init --db "$db" >/dev/null 2>&1
    local t0 t1; t0=$(now)
    PLUMB_IMPORT_THREADS=$2 /usr/bin/time -f "$TF" -o "$OUT/mem-$1" "$PLUMB" import --all "$DATA" --partial --rejects "$OUT/rej-$1.csv" --db "$db" --no-rules --quiet --lang en >"$OUT/out-$1" 2>"$OUT/err-$1"
    t1=$(now); echo "$t1 - $t0" | bc -l >"$OUT/time-$1"
}
run pipe 2 &
run single 1 &
wait
# floor (a): every table of the pipelined store copied by SQLite alone
dst=$OUT/floor-all.db; src=$OUT/pipe.db
rm -f "$dst" "$dst"-wal "$dst"-shm "$dst".key
"$PLUMB" init --db "$dst" >/dev/null 2>&1
{
    printf 'PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY; PRAGMA cache_size=-65536;\n'
    printf "ATTACH '%s' AS src;\nBEGIN IMMEDIATE;\n" "$src"
    sqlite3 "$dst" "SELECT name FROM sqlite_master WHERE type = 'trigger'" | while read -r t; do printf 'DROP TRIGGER "%s";\n' "$t"; done
    for t in $(sqlite3 "$src" "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY rowid"); do
        n=$(sqlite3 "$dst" "SELECT count(*) FROM \"$t\"" 2>/dev/null || echo skip)
        [ "$n" = 0 ] || continue
        printf 'INSERT INTO main."%s" SELECT * FROM src."%s";\n' "$t" "$t"
    done
    printf 'COMMIT;\n'
} >"$OUT/floor-all.sql"
cat "$src" >/dev/null
t0=$(now)
/usr/bin/time -f "$TF" -o "$OUT/mem-floor" sqlite3 -bail "$dst" <"$OUT/floor-all.sql" >/dev/null
t1=$(now); echo "$t1 - $t0" | bc -l >"$OUT/time-floor"
for n in pipe single floor; do
    printf '%s: wall %.2f s, CPU %.2f s (user %s, sys %s), peak RSS %.0f MB, written %.0f MB\n' "$n" "$(cat "$OUT/time-$n")" \
        "$(awk '{print $2+$3}' "$OUT/mem-$n")" "$(awk '{print $2}' "$OUT/mem-$n")" "$(awk '{print $3}' "$OUT/mem-$n")" \
        "$(awk '{print $1/1024}' "$OUT/mem-$n")" "$(awk '{print $4*512/1000000}' "$OUT/mem-$n")"
done
echo "events: pipe $(sqlite3 "$OUT/pipe.db" 'SELECT count(*) FROM ledger_events'), single $(sqlite3 "$OUT/single.db" 'SELECT count(*) FROM ledger_events')"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
