#!/usr/bin/env bash
# ledger_migrate.sh — a store in the layout before migrations 0060/0061
# (payloads in their own table, level-0 Merkle nodes stored) converts on
# open: same payloads, same root, no low-level node rows, verify passes and
# appends continue (docs/LEDGER.md §2). Both engines (store_lib.sh): the
# downgrade is each engine's own SQL (SQLite 3.35+ for DROP COLUMN), and
# each engine's twin of 0060/0061 converts it back.
# Needs: $PLUMB (the plumb binary), $PLUMB_SRC.
set -u
: "${PLUMB:?set PLUMB to the plumb binary}" "${PLUMB_SRC:?}"
export PLUMB_LANG=en PLUMB_NOW=2026-01-01T00:00:00Z
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. "$PLUMB_SRC/tests/cli/helpers/store_lib.sh"
P=$PLUMB
cd "$T" || exit 2
die() { echo "FAIL: $*"; exit 1; }
DB=$(store_new s) || exit 1

"$P" init --db "$DB" >/dev/null || die "init"
"$P" ledger-append-test --db "$DB" --count 40 --batch 7 >/dev/null || die "append"
"$P" purge 3 --reason retention --db "$DB" >/dev/null || die "purge"
"$P" checkpoint --db "$DB" >/dev/null || die "checkpoint"
# 42 events: 40, the purge (40) and the checkpoint's own record (41).
before=$("$P" verify --db "$DB" 2>&1) || die "verify before: $before"
root=$(grep -o 'root [0-9a-f]*' <<<"$before")
[ -n "$root" ] || die "no root in: $before"
store_sql "$DB" "SELECT seq, payload FROM ledger_events ORDER BY seq" >payloads.before

# Back to the earlier layout, as a store written by the previous version
# (the table of migration 0001, each engine's types).
if [ "$STORE_PG" = 0 ]; then SEQ='INTEGER PRIMARY KEY'; else SEQ='BIGINT PRIMARY KEY'; fi
store_sql "$DB" "
DROP VIEW ledger_payloads;
CREATE TABLE ledger_payloads(seq $SEQ REFERENCES ledger_events(seq),
                             payload TEXT NOT NULL);
INSERT INTO ledger_payloads SELECT seq, payload FROM ledger_events WHERE payload IS NOT NULL;
ALTER TABLE ledger_events DROP COLUMN payload;
INSERT INTO ledger_nodes SELECT 0, seq, leaf_hash FROM ledger_events;
DELETE FROM schema_migrations WHERE version IN (60, 61)" >/dev/null || die "downgrade"
[ "$(store_sql "$DB" "SELECT count(*) FROM ledger_nodes WHERE level = 0")" = 42 ] || die "setup"
[ "$(store_sql "$DB" "SELECT count(*) FROM ledger_payloads")" = 41 ] || die "setup: payloads (42 events, one purged)"

# Any write opens the store read-write and runs the migrations. (The
# checkpoint records itself as event 42: the tree of the first 42 is compared.)
"$P" checkpoint --db "$DB" >/dev/null || die "checkpoint after conversion"
after=$("$P" verify --db "$DB" 2>&1) || die "verify after conversion: $after"
r42=$("$P" proof consistency 42 43 --db "$DB" | sed -n 's/^root 42 /root /p')
[ "$r42" = "$root" ] || die "root changed: $before // $r42"
store_sql "$DB" "SELECT seq, payload FROM ledger_events WHERE seq < 42 ORDER BY seq" >payloads.after
cmp -s payloads.before payloads.after || die "payloads differ after the conversion"
[ "$(store_sql "$DB" "SELECT count(*) FROM ledger_nodes WHERE level < 4")" = 0 ] ||
    die "low-level nodes left"
if [ "$STORE_PG" = 0 ]; then
    isview="SELECT count(*) FROM sqlite_master WHERE name = 'ledger_payloads' AND type = 'view'"
else
    isview="SELECT count(*) FROM pg_views WHERE schemaname = current_schema() AND viewname = 'ledger_payloads'"
fi
[ "$(store_sql "$DB" "$isview")" = 1 ] || die "ledger_payloads is not a view"
"$P" ledger-append-test --db "$DB" --count 30 --batch 4 >/dev/null || die "append after conversion"
"$P" checkpoint --db "$DB" >/dev/null || die "checkpoint 3"
out=$("$P" verify --db "$DB" 2>&1) || die "verify after appends: $out"
grep -q "ledger ok: 74 events" <<<"$out" || die "unexpected report: $out"
echo "ok: $out"
