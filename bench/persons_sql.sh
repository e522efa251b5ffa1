#!/usr/bin/env bash
# persons_sql.sh — the persons list page of a whole-store scope at the
# SQLite level (bench/sql_page.c), in the shapes the server has used: the
# probe of person_units and the scope set per row (migration 0063), the
# same over a covering index of persons (measured, not adopted), and the
# walk of persons_placed (0066); a plain walk of persons as the floor.
# Usage: bench/persons_sql.sh [BUILD_DIR]   (SCALE=county|prefecture, N=2000)
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$SRC/build}
SCALE=${SCALE:-county}
N=${N:-2000}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
cc -O2 -o "$W/sql_page" "$SRC/bench/sql_page.c" -lsqlite3
"$BUILD/plumb" init --db "$W/s.db" --origin bench/persons >/dev/null
"$BUILD/plumb" gen --scale "$SCALE" --seed 1 --out "$W/data" --quiet >/dev/null
"$BUILD/plumb" import --db "$W/s.db" --all "$W/data" --quiet --no-rules >/dev/null
cp "$W/s.db" "$W/cov.db"
sqlite3 "$W/cov.db" "CREATE INDEX cov_persons ON persons(id, name, gender, birth_date, native_place, ev_seq)"
PROBE="SELECT t.* FROM persons t WHERE 1 AND (EXISTS (SELECT 1 FROM person_units pu_ WHERE pu_.person_id=t.id AND +pu_.unit_id IN (SELECT id FROM temp.pl_scope))) ORDER BY t.id LIMIT ?1 OFFSET ?2"
echo "$SCALE store: $(sqlite3 "$W/s.db" 'SELECT count(*) FROM persons') persons, $(sqlite3 "$W/s.db" 'SELECT count(*) FROM persons_placed') placed; best of 15 rounds × $N pages; load $(cut -d' ' -f1-3 /proc/loadavg)"
"$W/sql_page" "$W/s.db" "$N" "$PROBE" \
  "SELECT t.* FROM persons_placed t WHERE 1 ORDER BY t.id LIMIT ?1 OFFSET ?2" \
  "SELECT t.* FROM persons t ORDER BY t.id LIMIT ?1 OFFSET ?2"
echo "with a covering index of persons (cov_persons):"
"$W/sql_page" "$W/cov.db" "$N" "$PROBE"
