#!/usr/bin/env bash
# init_page_size.sh — `plumb init --page-size BYTES` (issue #22, wt-wpath2):
# a new SQLite store takes the page size asked for (a power of two from 512
# to 65536, SQLite's range), the default stays 16 KiB, the store works
# (import, verify) at 4 KiB, and a bad value is one line, exit 1, no store
# file and no key left behind. Expected values from docs/BENCHMARKS.md
# "Page size" and SQLite's documented range.
set -u
P=${PLUMB:?set PLUMB to the plumb binary}
export PLUMB_LANG=en
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 2
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
pagesize() { sqlite3 "$1" 'PRAGMA page_size'; }

"$P" init --db d.db --origin t/d >/dev/null || fail "init without --page-size"
[ "$(pagesize d.db)" = 16384 ] || fail "default page size $(pagesize d.db), want 16384"
for ps in 512 4096 8192 65536; do
    "$P" init --db "p$ps.db" --origin "t/p$ps" --page-size "$ps" >/dev/null || fail "init --page-size $ps"
    [ "$(pagesize "p$ps.db")" = "$ps" ] || fail "--page-size $ps gave $(pagesize "p$ps.db")"
done
# A 4 KiB store is a whole store: a small import and a clean verify.
mkdir -p data/org
printf 'id,parent_id,name,division_code,level,kind,industry\nU1,,中共永顺县委,433127,county,party,党委\nCD,U1,永顺县纪委监委,433127,county,discipline,纪检\n' >data/org/01_units.csv
"$P" import --db p4096.db --all data --quiet >/dev/null 2>imp.err || fail "import into a 4 KiB store: $(cat imp.err)"
[ "$(sqlite3 p4096.db 'SELECT count(*) FROM units')" = 2 ] || fail "4 KiB store: units not imported"
"$P" verify --db p4096.db >/dev/null 2>ver.err || fail "verify of a 4 KiB store: $(cat ver.err)"
[ "$(pagesize p4096.db)" = 4096 ] || fail "the import changed the page size"
# An existing store keeps its page size whatever is asked (init refuses it).
"$P" init --db p4096.db --page-size 16384 >/dev/null 2>&1 && fail "init over an existing store succeeded"
[ "$(pagesize p4096.db)" = 4096 ] || fail "existing store's page size changed"

for bad in 1000 256 131072 4096x x ""; do
    "$P" init --db bad.db --origin t/bad --page-size "$bad" >out.txt 2>err.txt
    rc=$?
    [ "$rc" = 1 ] || fail "--page-size '$bad': exit $rc, want 1"
    [ "$(grep -vc '^try --help$' err.txt)" = 1 ] || fail "--page-size '$bad': not one line: $(cat err.txt)"
    grep -qF -- '--page-size must be a power of two from 512 to 65536' err.txt ||
        fail "--page-size '$bad': message: $(cat err.txt)"
    [ ! -e bad.db ] && [ ! -e bad.db.key ] || fail "--page-size '$bad' left a store or key behind"
    rm -f bad.db bad.db.key
done
# PostgreSQL has no page size to choose: refused before any connection.
"$P" init --db postgresql://nobody@127.0.0.1:1/none --page-size 4096 >out.txt 2>err.txt
rc=$?
[ "$rc" = 1 ] && grep -qF -- '--page-size applies to a SQLite store only' err.txt ||
    fail "--page-size on a PostgreSQL URL: exit $rc: $(cat err.txt)"
[ "$fails" = 0 ] && echo "init_page_size: ok" || { echo "init_page_size: $fails failure(s)"; exit 1; }
