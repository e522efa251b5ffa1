#!/usr/bin/env bash
# ledger_deep.sh — `plumb verify` runs SQLite's quick_check, which does not
# look inside indexes; `plumb verify --deep` runs integrity_check and must
# name a broken index (issue #15, defect 6). The index is broken on
# purpose: its definition is rewritten to another column, so its b-tree
# no longer holds what its table says (the classic "row N missing from
# index" damage of a torn or hand-edited file).
# SQLite's by nature, so SQLite only (no cli.pg.ledger_deep): the damage is
# made through PRAGMA writable_schema and found by SQLite's integrity_check;
# PostgreSQL has neither (its catalogs are not rewritten by hand, and an
# index's agreement with its table is amcheck's, not plumb's). The edit goes
# through `plumb sql` (which opens the file as it is), not the sqlite3 shell.
# Needs: $PLUMB (the plumb binary).
set -u
P=${PLUMB:?set PLUMB to the plumb binary}
export PLUMB_LANG=en PLUMB_NOW=2026-01-01T00:00:00Z
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 2
die() { echo "FAIL: $*"; exit 1; }

"$P" init --db s.db --origin county.example/deep >/dev/null || die "init"
"$P" ledger-append-test --db s.db --count 20 >/dev/null || die "append"
"$P" checkpoint --db s.db >/dev/null || die "checkpoint 1"
"$P" ledger-append-test --db s.db --count 3 >/dev/null || die "append 2"
"$P" checkpoint --db s.db >/dev/null || die "checkpoint 2"

out=$("$P" verify --deep --db s.db 2>&1) || die "clean store fails verify --deep: $out"
grep -q "^ledger ok:" <<<"$out" || die "unexpected clean report: $out"
echo "ok: clean store passes --deep"

"$P" sql --db s.db "PRAGMA writable_schema=ON;
  UPDATE sqlite_schema SET sql='CREATE INDEX ledger_checkpoints_size ON ledger_checkpoints(created_at)'
   WHERE name='ledger_checkpoints_size'" >/dev/null || die "plumb sql: the index edit"
[ "$("$P" sql --db s.db 'PRAGMA quick_check')" = ok ] || die "setup: quick_check already sees the damage"

# Without --deep the index's contents are not read (quick_check is O(N)),
# but its rewritten definition differs from the migrations' schema, which
# verify compares with the replay's.
out=$("$P" verify --db s.db 2>&1)
rc=$?
[ "$rc" -eq 1 ] || die "plain verify exited $rc (want 1): $out"
grep -qF "schema: index ledger_checkpoints_size is defined otherwise" <<<"$out" ||
    die "plain verify does not name the edited index: $out"
echo "ok: plain verify: $out"

out=$("$P" verify --deep --db s.db 2>&1)
rc=$?
[ "$rc" -eq 1 ] || die "verify --deep exited $rc (want 1): $out"
[ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] || die "message is not one line: $out"
grep -qF "s.db: database file is damaged (integrity_check): row 1 missing from index ledger_checkpoints_size (and 1 more)" <<<"$out" ||
    die "message does not name the index: $out"
echo "ok: --deep: $out"

out=$(PLUMB_LANG=zh "$P" verify --deep --db s.db 2>&1)
grep -q "校验失败" <<<"$out" || die "no Chinese message: $out"
echo "PASS"
