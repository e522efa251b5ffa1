#!/usr/bin/env bash
# ledger_migrate.sh — a store in the layout before migrations 0060/0061
# (payloads in their own table, level-0 Merkle nodes stored) converts on
# open: same payloads, same root, no low-level node rows, verify passes and
# appends continue (docs/LEDGER.md §2).
# Needs: $PLUMB (the plumb binary), sqlite3 (3.35+ for DROP COLUMN).
set -u
P=${PLUMB:?set PLUMB to the plumb binary}
export PLUMB_LANG=en PLUMB_NOW=2026-01-01T00:00:00Z
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 2
die() { echo "FAIL: $*"; exit 1; }

"$P" init --db s.db >/dev/null || die "init"
"$P" ledger-append-test --db s.db --count 40 --batch 7 >/dev/null || die "append"
"$P" purge 3 --reason retention --db s.db >/dev/null || die "purge"
"$P" checkpoint --db s.db >/dev/null || die "checkpoint"
# 42 events: 40, the purge (40) and the checkpoint's own record (41).
before=$("$P" verify --db s.db 2>&1) || die "verify before: $before"
root=$(grep -o 'root [0-9a-f]*' <<<"$before")
[ -n "$root" ] || die "no root in: $before"
sqlite3 s.db "SELECT seq, payload FROM ledger_events ORDER BY seq" >payloads.before

# Back to the earlier layout, as a store written by the previous version.
sqlite3 s.db "
DROP VIEW ledger_payloads;
CREATE TABLE ledger_payloads(seq INTEGER PRIMARY KEY REFERENCES ledger_events(seq),
                             payload TEXT NOT NULL);
INSERT INTO ledger_payloads SELECT seq, payload FROM ledger_events WHERE payload IS NOT NULL;
ALTER TABLE ledger_events DROP COLUMN payload;
INSERT INTO ledger_nodes SELECT 0, seq, leaf_hash FROM ledger_events;
DELETE FROM schema_migrations WHERE version IN (60, 61);" || die "downgrade"
[ "$(sqlite3 s.db "SELECT count(*) FROM ledger_nodes WHERE level = 0")" = 42 ] || die "setup"

# Any write opens the store read-write and runs the migrations. (The
# checkpoint records itself as event 42: the tree of the first 42 is compared.)
"$P" checkpoint --db s.db >/dev/null || die "checkpoint after conversion"
after=$("$P" verify --db s.db 2>&1) || die "verify after conversion: $after"
r42=$("$P" proof consistency 42 43 --db s.db | sed -n 's/^root 42 /root /p')
[ "$r42" = "$root" ] || die "root changed: $before // $r42"
sqlite3 s.db "SELECT seq, payload FROM ledger_events WHERE seq < 42 ORDER BY seq" >payloads.after
cmp -s payloads.before payloads.after || die "payloads differ after the conversion"
[ "$(sqlite3 s.db "SELECT count(*) FROM ledger_nodes WHERE level < 4")" = 0 ] ||
    die "low-level nodes left"
[ "$(sqlite3 s.db "SELECT count(*) FROM sqlite_master WHERE name = 'ledger_payloads' AND type = 'view'")" = 1 ] ||
    die "ledger_payloads is not a view"
"$P" ledger-append-test --db s.db --count 30 --batch 4 >/dev/null || die "append after conversion"
"$P" checkpoint --db s.db >/dev/null || die "checkpoint 3"
out=$("$P" verify --db s.db 2>&1) || die "verify after appends: $out"
grep -q "ledger ok: 74 events" <<<"$out" || die "unexpected report: $out"
echo "ok: $out"
