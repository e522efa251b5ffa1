#!/bin/bash
# bench/import.sh — import rate of `plumb import` (validation, ledger and
# projections included) next to the sqlite3 shell's `.import` of the same
# CSV files, in the same run, as a ratio (wall clock and CPU seconds), with
# and without the rule sweep that ends an import batch; peak memory.
# The `--no-rules` import runs three times into fresh stores: pipelined
# (the default: a rollback journal when the store has no other connection,
# docs/IMPORT.md "Rollback journal"), the same in the WAL
# (PLUMB_IMPORT_WAL=1) and single-threaded (PLUMB_IMPORT_THREADS=1).
# Then the write floor: the rows the `--no-rules` import left in its store,
# copied by SQLite alone into a fresh store (no parsing, validation or
# hashing), all tables / ledger header emptied / projections only / ... /
# (f) like for like, the import's own settings, deferred indexes and
# derived tables. Each store is removed once measured (~1.4 GB each).
# Usage: bench/import.sh [PLUMB] [OUTDIR]   (env PAYMENTS, PERSONS, UNITS)
# BEFORE=path/to/another/plumb: the `--no-rules` import also with that
# binary (a build of an earlier commit), once right before and once right
# after this build's, into fresh stores made by it, with the same clock
# and subject key as this build's run (PLUMB_NOW, plumb_meta
# ledger_subject_key), so that their ledgers must be byte for byte the
# same (checked: every event's header, leaf hash and payload); its wall,
# CPU and peak RSS and its ratios to the floors are printed beside.
# Uses `plumb gen --scale prefecture --seed 1` when available, otherwise
# writes a synthetic prefecture-sized set (units, persons, payments).
set -eu
PLUMB=${1:-${PLUMB:-build/plumb}}
OUT=${2:-$(mktemp -d)}
PAYMENTS=${PAYMENTS:-1000000}
PERSONS=${PERSONS:-30000}
UNITS=${UNITS:-1500}
mkdir -p "$OUT"
DATA=$OUT/data
rm -rf "$DATA"
if "$PLUMB" gen --scale prefecture --seed 1 --out "$DATA" >/dev/null 2>&1; then
    kind="plumb gen --scale prefecture --seed 1"
else
    kind="synthetic: $UNITS units, $PERSONS persons, $PAYMENTS payments"
    mkdir -p "$DATA/org" "$DATA/finance"
    awk -v n="$UNITS" 'BEGIN { print "id,parent_id,name,division_code,level,kind,industry"
        print "U0000,,Prefecture committee,4331,prefecture,party,party"
        for (i = 1; i < n; i++) printf "U%04d,U0000,Unit %d,433127,county,department,finance\n", i, i }' \
        >"$DATA/org/01_units.csv"
    awk -v n="$PERSONS" 'BEGIN {
        split("7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2", W, " "); C = "10X98765432"
        print "id,name,gender,birth_date,native_place"
        for (y = 1950; y <= 2004 && k < n; y++) for (m = 1; m <= 12 && k < n; m++)
        for (d = 1; d <= 28 && k < n; d++) for (s = 1; s <= 999 && k < n; s++) {
            body = sprintf("433127%04d%02d%02d%03d", y, m, d, s); t = 0
            for (i = 1; i <= 17; i++) t += substr(body, i, 1) * W[i]
            printf "%s,张伟,%s,%04d-%02d-%02d,433127\n", body substr(C, t % 11 + 1, 1), (s % 2 ? "M" : "F"), y, m, d
            k++ } }' >"$DATA/org/03_persons.csv"
    awk -F, -v n="$PAYMENTS" -v units="$UNITS" 'NR > 1 { id[k++] = $1 }
        END { print "id,unit_id,payee_company_id,payee_person_id,amount_fen,paid_at,purpose,contract_id,decision_id"
        for (i = 0; i < n; i++)
            printf "PAY%07d,U%04d,,%s,%d,2023-%02d-%02d,办公用品采购,,\n", i, i % units, id[i % k], 1000 + (i * 7919) % 5000000, 1 + i % 12, 1 + i % 28 }' \
        "$DATA/org/03_persons.csv" >"$DATA/finance/payments.csv"
fi
# The inputs: DIR/<source>/*.csv, as `plumb import --all` takes them.
SOURCES="org police market realestate securities vehicles contracts meetings finance declarations evaluations supervision clues"
csvs() { for s in $SOURCES; do ls "$DATA/$s"/*.csv 2>/dev/null; done; }
rows=$(csvs | xargs cat | wc -l)
files=$(csvs | wc -l)
rows=$((rows - files))
bytes=$(csvs | xargs cat | wc -c)

now() { date +%s.%N; }
# A store's bytes (with its WAL). Each store is measured and then removed
# as soon as it is no longer needed: at prefecture one is ~1.4 GB and a run
# made fourteen of them (the disk is shared).
fsize() { local n=0 f; for f in "$1" "$1"-wal; do [ -e "$f" ] && n=$((n + $(stat -c %s "$f"))); done; echo "$n"; }
drop_store() { rm -f "$1" "$1"-wal "$1"-shm "$1"-journal "$1".key "$1".rules-snapshot "$1".rules.key; }
# sqlite3 shell: the same CSV files, each into a plain table.
SQ=$OUT/sqlite.db
rm -f "$SQ"
script=$OUT/import.sql
: >"$script"
for f in $(csvs); do
    t=$(basename "$f" .csv)
    echo ".import --csv $f $(echo "$(basename "$(dirname "$f")")_$t" | tr -c 'a-z0-9_\n' '_')" >>"$script"
done
# /usr/bin/time: peak RSS (KB), then user and system CPU seconds, then the
# file-system outputs (512-byte blocks the process sent to storage: WAL,
# checkpoint and journal included). On a shared machine the CPU seconds are
# the steadier figure; both are given.
TF="%M %U %S %O"
cpu() { awk '{ print $2 + $3 }' "$1"; }
mem() { awk '{ printf "%.0f", $1 / 1024 }' "$1"; }
t0=$(now)
/usr/bin/time -f "$TF" -o "$OUT/mem0" sqlite3 "$SQ" <"$script"
t1=$(now)
sq_s=$(echo "$t1 - $t0" | bc -l)
sq_size=$(fsize "$SQ")
drop_store "$SQ"

DB=$OUT/plumb.db
rm -f "$DB" "$DB"-wal "$DB"-shm "$DB".key
"$PLUMB" init --db "$DB" >/dev/null 2>&1
t0=$(now)
/usr/bin/time -f "$TF" -o "$OUT/mem1" "$PLUMB" import --all "$DATA" --partial --rejects "$OUT/rejects.csv" --db "$DB" --quiet --lang en >"$OUT/out1" 2>"$OUT/err1" || true
t1=$(now)
pl_s=$(echo "$t1 - $t0" | bc -l)
t0=$(now)
/usr/bin/time -f "$TF" -o "$OUT/mem2" "$PLUMB" import --all "$DATA" --partial --rejects "$OUT/rejects2.csv" --db "$DB" --quiet --lang en >"$OUT/out2" 2>"$OUT/err2" || true
t1=$(now)
re_s=$(echo "$t1 - $t0" | bc -l)
events=$(sqlite3 "$DB" 'SELECT count(*) FROM ledger_events')
db_size=$(fsize "$DB")
drop_store "$DB"
# The same import without the rule sweep that ends the batch (--no-rules):
# the import proper (validation, ledger, projections), into a fresh store.
DB3=$OUT/plumb-norules.db
BEFORE=${BEFORE:-}
# (BEFORE: one clock and one subject key, so the ledgers can be compared)
subject_key() { [ -z "$BEFORE" ] || sqlite3 "$1" "INSERT INTO plumb_meta(key, value) VALUES('ledger_subject_key', '$(printf '%064d' 7)')"; }
[ -z "$BEFORE" ] || export PLUMB_NOW=2026-01-01T00:00:00Z
events_md5() { sqlite3 "$1" "SELECT seq, type, hex(header), hex(leaf_hash), hex(payload) FROM ledger_events ORDER BY seq" | md5sum | cut -c1-32; }
before_run() { # N: the BEFORE binary's --no-rules import into a fresh store
    local db=$OUT/plumb-before$1.db t0 t1
    drop_store "$db"
    "$BEFORE" init --db "$db" >/dev/null 2>&1
    subject_key "$db"
    cat "$DB3" >/dev/null 2>&1 || true
    t0=$(now)
    /usr/bin/time -f "$TF" -o "$OUT/memb$1" "$BEFORE" import --all "$DATA" --partial --rejects "$OUT/rejectsb$1.csv" --db "$db" --no-rules --quiet --lang en >"$OUT/outb$1" 2>"$OUT/errb$1" || true
    t1=$(now)
    echo "$t1 - $t0" | bc -l >"$OUT/timeb$1"
    events_md5 "$db" >"$OUT/md5b$1"
    drop_store "$db"
}
[ -z "$BEFORE" ] || before_run 1
rm -f "$DB3" "$DB3"-wal "$DB3"-shm "$DB3".key
"$PLUMB" init --db "$DB3" >/dev/null 2>&1
subject_key "$DB3"
t0=$(now)
PLUMB_IMPORT_FLOOR_SQL=$OUT/floor-import.sql /usr/bin/time -f "$TF" -o "$OUT/mem3" "$PLUMB" import --all "$DATA" --partial --rejects "$OUT/rejects3.csv" --db "$DB3" --no-rules --quiet --lang en >"$OUT/out3" 2>"$OUT/err3" || true
t1=$(now)
nr_s=$(echo "$t1 - $t0" | bc -l)
[ -z "$BEFORE" ] || { events_md5 "$DB3" >"$OUT/md5a"; before_run 2; }
# The same, single-threaded (PLUMB_IMPORT_THREADS=1): the pipelined import
# above parses, validates and encodes on a producer thread while one
# writer appends (docs/IMPORT.md "Pipelined import"); this is the
# comparison, into another fresh store.
DB4=$OUT/plumb-single.db
rm -f "$DB4" "$DB4"-wal "$DB4"-shm "$DB4".key
"$PLUMB" init --db "$DB4" >/dev/null 2>&1
t0=$(now)
PLUMB_IMPORT_THREADS=1 /usr/bin/time -f "$TF" -o "$OUT/mem4" "$PLUMB" import --all "$DATA" --partial --rejects "$OUT/rejects4.csv" --db "$DB4" --no-rules --quiet --lang en >"$OUT/out4" 2>"$OUT/err4" || true
t1=$(now)
st_s=$(echo "$t1 - $t0" | bc -l)
db4_size=$(fsize "$DB4")
drop_store "$DB4"
# The same as the `--no-rules` import, in the WAL (PLUMB_IMPORT_WAL=1): the
# journal mode every import used before the rollback journal.
DB5=$OUT/plumb-wal.db
rm -f "$DB5" "$DB5"-wal "$DB5"-shm "$DB5".key
"$PLUMB" init --db "$DB5" >/dev/null 2>&1
t0=$(now)
PLUMB_IMPORT_WAL=1 /usr/bin/time -f "$TF" -o "$OUT/mem5" "$PLUMB" import --all "$DATA" --partial --rejects "$OUT/rejects5.csv" --db "$DB5" --no-rules --quiet --lang en >"$OUT/out5" 2>"$OUT/err5" || true
t1=$(now)
wal_s=$(echo "$t1 - $t0" | bc -l)
db5_size=$(fsize "$DB5")
drop_store "$DB5"

sq_rate=$(echo "$rows / $sq_s" | bc -l)
pl_rate=$(echo "$rows / $pl_s" | bc -l)
re_rate=$(echo "$rows / $re_s" | bc -l)
printf '## Import\n\n'
printf 'Data: %s — %d rows in %d CSV files, %.1f MB. Machine: %s, %s cores.\n\n' "$kind" "$rows" \
    "$files" "$(echo "$bytes / 1000000" | bc -l)" "$(uname -m)" "$(nproc)"
nr_rate=$(echo "$rows / $nr_s" | bc -l)
printf '| run | time (s) | rows/s | CPU (s) | peak RSS (MB) |\n|---|---:|---:|---:|---:|\n'
printf '| sqlite3 shell `.import` into plain tables | %.2f | %.0f | %.2f | %s |\n' "$sq_s" "$sq_rate" \
    "$(cpu "$OUT/mem0")" "$(mem "$OUT/mem0")"
printf '| `plumb import --all` (validate, ledger, projections, rule sweep; one transaction) | %.2f | %.0f | %.2f | %s |\n' \
    "$pl_s" "$pl_rate" "$(cpu "$OUT/mem1")" "$(mem "$OUT/mem1")"
printf '| `plumb import --all` again (idempotent: nothing appended) | %.2f | %.0f | %.2f | %s |\n' \
    "$re_s" "$re_rate" "$(cpu "$OUT/mem2")" "$(mem "$OUT/mem2")"
printf '| `plumb import --all --no-rules` (validate, ledger, projections) | %.2f | %.0f | %.2f | %s |\n' \
    "$nr_s" "$nr_rate" "$(cpu "$OUT/mem3")" "$(mem "$OUT/mem3")"
printf '| `PLUMB_IMPORT_THREADS=1 plumb import --all --no-rules` (single-threaded) | %.2f | %.0f | %.2f | %s |\n' \
    "$st_s" "$(echo "$rows / $st_s" | bc -l)" "$(cpu "$OUT/mem4")" "$(mem "$OUT/mem4")"
printf '| `PLUMB_IMPORT_WAL=1 plumb import --all --no-rules` (the WAL, not a rollback journal) | %.2f | %.0f | %.2f | %s |\n\n' \
    "$wal_s" "$(echo "$rows / $wal_s" | bc -l)" "$(cpu "$OUT/mem5")" "$(mem "$OUT/mem5")"
rejected=$(awk '$1 == "total" { print $5 }' "$OUT/out1")
printf 'With `--partial` (rows of the data set that fail validation are rejected, not counted as failures of the run): %s rows rejected.\n\n' "${rejected:-?}"
printf 'Ratio plumb / sqlite3 `.import` (target ≥ 0.5): with the rule sweep **%.3f**, without it (`--no-rules`) **%.3f**; in CPU seconds %.3f and %.3f. Events appended: %d. Load average at the end: %s.\n' \
    "$(echo "$pl_rate / $sq_rate" | bc -l)" "$(echo "$nr_rate / $sq_rate" | bc -l)" \
    "$(echo "$(cpu "$OUT/mem0") / $(cpu "$OUT/mem1")" | bc -l)" \
    "$(echo "$(cpu "$OUT/mem0") / $(cpu "$OUT/mem3")" | bc -l)" "$events" "$(cut -d' ' -f1-3 /proc/loadavg)"

# The write floor. What the design makes an import write (DESIGN.md §3: the
# event is appended to the ledger and applied to the projections in the same
# transaction; §4: payloads live beside the leaves), measured with no
# parsing, validation or hashing at all: the rows of the `--no-rules` store
# above, copied by SQLite into a fresh store made by `plumb init` (same
# schema, 16 KiB pages, WAL) under the connection pragmas of
# src/store/sqlite.c (synchronous=FULL, foreign_keys=ON, temp_store=MEMORY,
# cache_size=-65536), one transaction, `INSERT INTO main.t SELECT * FROM
# src.t` per table in creation order. The schema declares no foreign keys
# (counted below), so the order does not matter; with foreign_keys=ON and
# no triggers, SQLite uses its transfer optimisation for `SELECT *` (records
# and index entries copied in order, not decoded), so the floor is a lower
# bound on what row inserts of the same rows cost. Tables `plumb init`
# fills (plumb_meta, schema_migrations) are not copied. The source file is
# read once (cat) before each copy so the page cache is in the same state.
#   (a) every table;
#   (b) the same, with ledger_events' type and header emptied: the least
#       ledger bytes possible, leaf hash and payload (row by row: a column
#       list defeats the transfer optimisation);
#   (c) projections only: every table except the ledger_* ones;
# and two variants of (a) that say what the floor is made of:
#   (a-rows) every table, row by row: `WHERE 1` defeats the transfer
#       optimisation, so each row is decoded and inserted with its index
#       entries as an import's rows are;
#   (a-delete) every table in rollback-journal mode (journal_mode=DELETE,
#       synchronous=EXTRA: the mode of `.import`'s database, and of a
#       `plumb import` that is the store's only connection), not the WAL:
#       on a new store the pages are written once instead of to the WAL and
#       then again by the checkpoint;
#   (d-delete) floor (d) in the same rollback-journal mode: the floor of
#       the default import, as (d) is of PLUMB_IMPORT_WAL=1's;
# and the floor the import is held to (issue #22):
#   (f) like for like: every table row by row, under the settings the
#       `--no-rules` import's connection had in its batch (journal mode,
#       synchronous, cache size, temp store, foreign keys), with the
#       secondary indexes and triggers the import deferred dropped before
#       the rows and the derived tables filled, the triggers and indexes
#       built after them exactly as the import did (its own statements,
#       PLUMB_IMPORT_FLOOR_SQL; docs/IMPORT.md "The write floor's SQL").
#       The same store results (size and bytes written are printed).
mb() { echo "$1 / 1000000" | bc -l; }
wmb() { awk '{ printf "%.0f", $4 * 512 / 1000000 }' "$1"; }
fks=$(sqlite3 "$DB3" "SELECT count(*) FROM sqlite_master m, pragma_foreign_key_list(m.name) p WHERE m.type = 'table'")
# The SQL the `--no-rules` import noted (PLUMB_IMPORT_FLOOR_SQL,
# src/ingest/import.c): its connection's settings in the batch, and the
# statements it ran in its transaction before and after its rows.
FLOOR_SQL=$OUT/floor-import.sql
floor_section() { # TITLE: the statements of one "-- TITLE" section
    awk -v t="-- $1" '/^-- / { on = ($0 == t); next } on' "$FLOOR_SQL"
}
floor_run() { # NAME MODE [delete]
    local dst=$OUT/floor-$1.db sql=$OUT/floor-$1.sql t init_rows
    rm -f "$dst" "$dst"-wal "$dst"-shm "$dst".key "$OUT/floor-init-$1"
    "$PLUMB" init --db "$dst" >/dev/null 2>&1
    {
        if [ "$2" = like ]; then
            # the import's own connection settings, as it noted them
            floor_section settings
        else
            [ "${3:-}" = delete ] && printf 'PRAGMA journal_mode=DELETE;\n'
            printf 'PRAGMA synchronous=%s; PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY; PRAGMA cache_size=-65536;\n' \
                "$([ "${3:-}" = delete ] && echo EXTRA || echo FULL)"
        fi
        printf "ATTACH '%s' AS src;\nBEGIN IMMEDIATE;\n" "$DB3"
        # (f): what the import dropped before its rows (deferred indexes,
        # the derived tables' triggers), in its transaction as it does
        [ "$2" != like ] || floor_section "before the rows"
        # The derived tables' triggers (person_units, persons_placed,
        # scope_generation) are dropped, inside the transaction, so that
        # their rows are copied like every other table's (a trigger would
        # insert them a second time: "UNIQUE constraint failed:
        # person_units"); only (d) keeps them and lets them derive.
        if [ "$2" != triggers ] && [ "$2" != like ]; then
            sqlite3 "$dst" "SELECT name FROM sqlite_master WHERE type = 'trigger'" |
                while read -r t; do printf 'DROP TRIGGER "%s";\n' "$t"; done
        fi
        for t in $(sqlite3 "$DB3" "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY rowid"); do
            init_rows=$(sqlite3 "$dst" "SELECT count(*) FROM \"$t\"" 2>/dev/null || echo skip)
            [ "$init_rows" = 0 ] || { echo "$t" >>"$OUT/floor-init-$1"; continue; }
            case "$2:$t" in
            projections:ledger_*) ;;
            triggers:person_units | triggers:persons_placed) ;;
            triggers:*) printf 'INSERT INTO main."%s" SELECT * FROM src."%s" WHERE 1;\n' "$t" "$t" ;;
            noderived:person_units | noderived:persons_placed | noderived:person_initials | noderived:match_keys) ;;
            noheader:ledger_events)
                printf "INSERT INTO main.ledger_events(seq, type, header, leaf_hash, payload) SELECT seq, '', '', leaf_hash, payload FROM src.ledger_events;\n" ;;
            # derived, as by the import: once after the rows (the fill
            # in the import's "after" section) or by their triggers
            like:person_units | like:persons_placed) ;;
            # OR FAIL: no statement journal, as the import's one-row
            # inserts (pl_store_insert_new_verb) open none
            like:*) printf 'INSERT OR FAIL INTO main."%s" SELECT * FROM src."%s" WHERE 1;\n' "$t" "$t" ;;
            rows:*) printf 'INSERT INTO main."%s" SELECT * FROM src."%s" WHERE 1;\n' "$t" "$t" ;;
            *) printf 'INSERT INTO main."%s" SELECT * FROM src."%s";\n' "$t" "$t" ;;
            esac
        done
        [ "$2" != like ] || floor_section "after the rows"
        printf 'COMMIT;\n'
    } >"$sql"
    cat "$DB3" >/dev/null
    local t0 t1
    t0=$(now)
    /usr/bin/time -f "$TF" -o "$OUT/memf-$1" sqlite3 -bail "$dst" <"$sql" >/dev/null
    t1=$(now)
    echo "$t1 - $t0" | bc -l >"$OUT/timef-$1"
    # (a), (d), (d-delete) and (f) must hold the rows they claim: every
    # table as in the source store (row counts), else their figures mean
    # nothing
    case $1 in
    all | triggers | triggers-delete | like)
        for t in $(sqlite3 "$DB3" "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"); do
            # the tables `plumb init` fills (plumb_meta, schema_migrations, …) are not copied
            grep -qx "$t" "$OUT/floor-init-$1" 2>/dev/null && continue
            a=$(sqlite3 "$DB3" "SELECT count(*) FROM \"$t\"")
            b=$(sqlite3 "$dst" "SELECT count(*) FROM \"$t\"")
            [ "$a" = "$b" ] || { echo "floor ($1): table $t has $b rows, the store $a" >&2; exit 1; }
        done ;;
    esac
    fsize "$dst" >"$OUT/sizef-$1"
    sqlite3 "$dst" 'PRAGMA page_size' >"$OUT/pagef-$1"
    drop_store "$dst"
}
# `.import` once more, right before the floors: the baseline of the floor
# table, measured in the same minute (on this shared machine the first one
# ran minutes earlier, and a short run moves with the load).
SQ2=$OUT/sqlite2.db
rm -f "$SQ2"
csvs | xargs cat >/dev/null
t0=$(now)
/usr/bin/time -f "$TF" -o "$OUT/mem0b" sqlite3 "$SQ2" <"$script"
t1=$(now)
sq2_s=$(echo "$t1 - $t0" | bc -l)
sq2_size=$(fsize "$SQ2")
drop_store "$SQ2"
floor_run all all
floor_run noheader noheader
floor_run projections projections
floor_run rows rows
floor_run delete all delete
floor_run triggers triggers
floor_run triggers-delete triggers delete
floor_run noderived noderived
floor_run like like
fl_s() { cat "$OUT/timef-$1"; }
printf '\n### Write floor\n\n'
printf 'The rows of the `--no-rules` store copied by SQLite alone into a fresh `plumb init` store (same schema and pragmas, one transaction, no parsing, validation or hashing; %s foreign keys declared). `.import` / floor ≥ 0.5 is what the target needs even with zero import work.\n\n' "$fks"
printf '| run | time (s) | CPU (s) | store (MB) | written (MB) | `.import` / run, wall | `.import` / run, CPU |\n|---|---:|---:|---:|---:|---:|---:|\n'
printf '| sqlite3 shell `.import` (the first run, above) | %.2f | %.2f | %.1f | %s | — | — |\n' "$sq_s" "$(cpu "$OUT/mem0")" \
    "$(mb "$sq_size")" "$(wmb "$OUT/mem0")"
printf '| sqlite3 shell `.import` again, just before the floors: **the baseline of this table** | %.2f | %.2f | %.1f | %s | 1 | 1 |\n' \
    "$sq2_s" "$(cpu "$OUT/mem0b")" "$(mb "$sq2_size")" "$(wmb "$OUT/mem0b")"
printf '| `plumb import --all --no-rules` | %.2f | %.2f | %.1f | %s | %.3f | %.3f |\n' "$nr_s" "$(cpu "$OUT/mem3")" \
    "$(mb "$(fsize "$DB3")")" "$(wmb "$OUT/mem3")" "$(echo "$sq2_s / $nr_s" | bc -l)" \
    "$(echo "$(cpu "$OUT/mem0b") / $(cpu "$OUT/mem3")" | bc -l)"
printf '| `PLUMB_IMPORT_THREADS=1 plumb import --all --no-rules` (single-threaded) | %.2f | %.2f | %.1f | %s | %.3f | %.3f |\n' "$st_s" "$(cpu "$OUT/mem4")" \
    "$(mb "$db4_size")" "$(wmb "$OUT/mem4")" "$(echo "$sq2_s / $st_s" | bc -l)" \
    "$(echo "$(cpu "$OUT/mem0b") / $(cpu "$OUT/mem4")" | bc -l)"
printf '| `PLUMB_IMPORT_WAL=1 plumb import --all --no-rules` (the WAL) | %.2f | %.2f | %.1f | %s | %.3f | %.3f |\n' "$wal_s" "$(cpu "$OUT/mem5")" \
    "$(mb "$db5_size")" "$(wmb "$OUT/mem5")" "$(echo "$sq2_s / $wal_s" | bc -l)" \
    "$(echo "$(cpu "$OUT/mem0b") / $(cpu "$OUT/mem5")" | bc -l)"
printf '| `plumb import --all` (rule sweep) | %.2f | %.2f | %.1f | %s | %.3f | %.3f |\n' "$pl_s" "$(cpu "$OUT/mem1")" \
    "$(mb "$db_size")" "$(wmb "$OUT/mem1")" "$(echo "$sq2_s / $pl_s" | bc -l)" \
    "$(echo "$(cpu "$OUT/mem0b") / $(cpu "$OUT/mem1")" | bc -l)"
for f in all:"(a) floor: all tables" noheader:"(b) floor: ledger type and header emptied" \
    projections:"(c) floor: projections only" rows:"(a-rows) all tables, row by row (no transfer optimisation)" \
    delete:"(a-delete) all tables, rollback journal instead of WAL (the mode of an import that is the store's only connection)" \
    triggers:"(d) all tables row by row, person_units and persons_placed derived by their triggers (as the import does)" \
    triggers-delete:"(d-delete) (d) with a rollback journal (the floor of the default import)" \
    noderived:"(e) floor (a) less the derived tables (person_units, persons_placed, person_initials, match_keys)" \
    like:"(f) **like for like**: all tables row by row, with the import's settings, indexes and derived tables (below)"; do
    n=${f%%:*}
    printf '| %s | %.2f | %.2f | %.1f | %s | %.3f | %.3f |\n' "${f#*:}" "$(fl_s "$n")" "$(cpu "$OUT/memf-$n")" \
        "$(mb "$(cat "$OUT/sizef-$n")")" "$(wmb "$OUT/memf-$n")" "$(echo "$sq2_s / $(fl_s "$n")" | bc -l)" \
        "$(echo "$(cpu "$OUT/mem0b") / $(cpu "$OUT/memf-$n")" | bc -l)"
done
printf '\nThe derived tables the import maintains (rows and bytes with their indexes, from dbstat, in the `--no-rules` store); their share of the floor is (a) − (e), and what deriving them by trigger adds is (d) − (a-rows):\n\n| derived table | maintained by | rows | MB |\n|---|---|---:|---:|\n'
for d in person_units:"triggers on tenures, posts, kin (0063)" persons_placed:"triggers on persons, person_units, units (0066)" \
    person_initials:"src/model/registry.c, per person (0108)" match_keys:"src/model/registry.c, per named row (0110)"; do
    t=${d%%:*}
    printf '| %s | %s | %s | %.1f |\n' "$t" "${d#*:}" "$(sqlite3 "$DB3" "SELECT count(*) FROM $t")" \
        "$(mb "$(sqlite3 "$DB3" "SELECT coalesce(sum(d.pgsize), 0) FROM dbstat d LEFT JOIN sqlite_master m ON m.name = d.name WHERE d.name = '$t' OR m.tbl_name = '$t'")")"
done
printf '\nplumb import (`--no-rules`) / floor (a): wall **%.3f**, CPU **%.3f** (1 = the import costs no more than its own writes). Load average at the end: %s.\n' \
    "$(echo "$(fl_s all) / $nr_s" | bc -l)" "$(echo "$(cpu "$OUT/memf-all") / $(cpu "$OUT/mem3")" | bc -l)" \
    "$(cut -d' ' -f1-3 /proc/loadavg)"
printf 'Pipelined against single-threaded (`--no-rules`): wall %.2f s vs %.2f s, CPU %.2f s vs %.2f s, peak RSS %s MB vs %s MB. Target (issue #22): the import within 1.3× of floor (a) and under 15 s wall: pipelined / floor (a) = **%.2f×** wall, **%.2f×** CPU; single-threaded %.2f× wall, %.2f× CPU.\n' \
    "$nr_s" "$st_s" "$(cpu "$OUT/mem3")" "$(cpu "$OUT/mem4")" "$(mem "$OUT/mem3")" "$(mem "$OUT/mem4")" \
    "$(echo "$nr_s / $(fl_s all)" | bc -l)" "$(echo "$(cpu "$OUT/mem3") / $(cpu "$OUT/memf-all")" | bc -l)" \
    "$(echo "$st_s / $(fl_s all)" | bc -l)" "$(echo "$(cpu "$OUT/mem4") / $(cpu "$OUT/memf-all")" | bc -l)"
# (f): what it was made of, from the import's own note
like_set=$(floor_section settings | tr '\n' ' ' | sed 's/ *$//')
like_idx=$(floor_section "before the rows" | grep -o 'DROP INDEX' | wc -l)
like_trg=$(floor_section "before the rows" | grep -o 'DROP TRIGGER' | wc -l)
like_fill=$(floor_section "after the rows" | grep -c '^INSERT INTO person_units' || true)
like_runs=$(floor_section "after the rows" | grep -c 'temp_store=FILE' || true)
printf '\nFloor (f), like for like (issue #22): the rows of the `--no-rules` store, row by row (`INSERT OR FAIL … SELECT … WHERE 1`: decoded and inserted with their index entries, no statement journal, as the import'"'"'s one-row inserts) into a fresh `plumb init` store (page size %s B, the import'"'"'s %s B), under the settings the import'"'"'s connection had in its batch (`%s`), in one transaction that drops, before the rows, the %d secondary indexes and %d triggers the import dropped, and after them %s and builds the indexes again%s: the statements the import noted (PLUMB_IMPORT_FLOOR_SQL, `%s`). The derived tables person_units and persons_placed are not copied: %s.\n' \
    "$(cat "$OUT/pagef-like")" "$(sqlite3 "$DB3" 'PRAGMA page_size')" "$like_set" \
    "$like_idx" "$like_trg" \
    "$([ "$like_fill" -gt 0 ] && echo 'fills the derived tables from their rule and creates the triggers again' || echo 'derives nothing')" \
    "$([ "$like_runs" -gt 0 ] && echo ' with the sorter in runs (temp_store=FILE, 4 MiB cache) as the import' || echo '')" \
    "$FLOOR_SQL" \
    "$([ "$like_fill" -gt 0 ] && echo 'the fill writes them, as in the import' || echo 'their triggers derive them, as in the import')"
printf 'The import (`--no-rules`, pipelined, its default journal) / floor (f) = **%.2f×** wall, **%.2f×** CPU; single-threaded %.2f× wall, %.2f× CPU (target ≤ 1.3× wall).\n' \
    "$(echo "$nr_s / $(fl_s like)" | bc -l)" "$(echo "$(cpu "$OUT/mem3") / $(cpu "$OUT/memf-like")" | bc -l)" \
    "$(echo "$st_s / $(fl_s like)" | bc -l)" "$(echo "$(cpu "$OUT/mem4") / $(cpu "$OUT/memf-like")" | bc -l)"
printf 'Journal modes compared like for like (issue #22): the default import (a rollback journal) / floor (d-delete) = **%.2f×** wall, **%.2f×** CPU; the WAL import (`PLUMB_IMPORT_WAL=1`) / floor (d) = %.2f× wall, %.2f× CPU. Across modes: the default import / floor (d) (WAL) = %.2f× wall; the default import against the WAL import: wall %.2f s vs %.2f s, CPU %.2f s vs %.2f s, written %s MB vs %s MB.\n' \
    "$(echo "$nr_s / $(fl_s triggers-delete)" | bc -l)" "$(echo "$(cpu "$OUT/mem3") / $(cpu "$OUT/memf-triggers-delete")" | bc -l)" \
    "$(echo "$wal_s / $(fl_s triggers)" | bc -l)" "$(echo "$(cpu "$OUT/mem5") / $(cpu "$OUT/memf-triggers")" | bc -l)" \
    "$(echo "$nr_s / $(fl_s triggers)" | bc -l)" "$nr_s" "$wal_s" "$(cpu "$OUT/mem3")" "$(cpu "$OUT/mem5")" \
    "$(wmb "$OUT/mem3")" "$(wmb "$OUT/mem5")"
if [ -n "$BEFORE" ]; then
    bs() { cat "$OUT/timeb$1"; }
    printf '\nBefore and after (`--no-rules`, pipelined, the same data, clock and subject key; the before binary `%s` ran right before and right after this build):\n\n| run | time (s) | CPU (s) | peak RSS (MB) | / floor (a-rows) wall | / floor (d) wall | / floor (d-delete) wall | / floor (f) wall | / floor (f) CPU |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n' "$BEFORE"
    for r in b1:"before (first)" a:"this build" b2:"before (second)"; do
        n=${r%%:*}
        if [ "$n" = a ]; then w=$nr_s m=$OUT/mem3; else w=$(bs "${n#b}") m=$OUT/memb${n#b}; fi
        printf '| %s | %.2f | %.2f | %s | %.2f | %.2f | %.2f | %.2f | %.2f |\n' "${r#*:}" "$w" "$(cpu "$m")" "$(mem "$m")" \
            "$(echo "$w / $(fl_s rows)" | bc -l)" "$(echo "$w / $(fl_s triggers)" | bc -l)" \
            "$(echo "$w / $(fl_s triggers-delete)" | bc -l)" "$(echo "$w / $(fl_s like)" | bc -l)" \
            "$(echo "$(cpu "$m") / $(cpu "$OUT/memf-like")" | bc -l)"
    done
    same=no
    [ "$(cat "$OUT/md5a")" = "$(cat "$OUT/md5b1")" ] && [ "$(cat "$OUT/md5a")" = "$(cat "$OUT/md5b2")" ] && same=yes
    printf '\nLedger bytes the same (every event'"'"'s seq, type, header, leaf hash and payload, before and after): **%s**. Load average at the end: %s.\n' \
        "$same" "$(cut -d' ' -f1-3 /proc/loadavg)"
fi
