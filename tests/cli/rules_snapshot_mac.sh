#!/usr/bin/env bash
# rules_snapshot_mac.sh — issue #15, defect 3: the rules snapshot cannot hide
# a finding. The attack as reported: edit <db>.rules-snapshot (the start
# dates of the tenures behind the open R01 findings moved to 2026-01-01, so
# rotation is no longer due) and recompute its XXH3 checksum
# (tests/cli/helpers/snap_forge.c). Expected (DESIGN.md §4 last bullet,
# docs/RULES.md "Snapshot"): `plumb verify` fails naming the file; the next
# sweep refuses the snapshot, reads the projections and resolves nothing;
# the refused file is kept as .rejected and named by verify; the key file is
# 0600; a sweep's resolution records the evidence rows' current values.
# Both engines (store_lib.sh): on PostgreSQL the snapshot and its key are
# the state directory's plumbline.rules-snapshot and plumbline.rules.key.
# Env: PLUMB, PLUMB_SRC, CC (default cc). Layer: tests/cli (rules).
set -euo pipefail
: "${PLUMB:?PLUMB must name the plumb binary}" "${PLUMB_SRC:?}"
HERE=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. "$PLUMB_SRC/tests/cli/helpers/store_lib.sh"
P=$PLUMB
DB=$(store_new s)
SNAP=$(store_side "$DB" rules-snapshot)
KEY=$(store_side "$DB" rules.key)
AS_OF=2026-06-30
fail() { echo "FAIL: $*" >&2; exit 1; }
q() { store_sql "$DB" "$1"; }
${CC:-cc} -O2 -o "$T/snap_forge" "$HERE/helpers/snap_forge.c"

# plumb gen + init + import --all --as-of, or their copy: the rules.cache
# fixture's store on SQLite, a template database on PostgreSQL
# (helpers/rules_cache.sh, shared with rules_r18 and rules_r19)
. "$HERE/helpers/rules_cache.sh"
imported county 1 "" $AS_OF "$T/data" "$DB" >/dev/null
"$P" sweep --db "$DB" --as-of $AS_OF >/dev/null
[ -s "$SNAP" ] || fail "no snapshot written by the sweep"
[ -f "$KEY" ] || fail "no key file $KEY"
[ "$(stat -c %a "$KEY")" = 600 ] || fail "key file mode $(stat -c %a "$KEY"), want 600"
"$P" verify --db "$DB" --no-replay --lang en >"$T/v0" 2>&1 || fail "verify of an untouched store: $(cat "$T/v0")"
grep -q "rules snapshot: MAC ok" "$T/v0" || fail "verify does not report the snapshot: $(cat "$T/v0")"

echo "== the attack: R01 start dates moved in the snapshot, checksum recomputed"
q "SELECT id, status FROM findings ORDER BY id" >"$T/before"
dates=$(q "SELECT DISTINCT replace(t.start_date,'-','') FROM findings f JOIN tenures t ON t.id = f.key
           WHERE f.rule = 'R01' AND f.status = 'open'")
[ -n "$dates" ] || fail "no open R01 finding to hide"
args=()
for d in $dates; do args+=("$d" 20260101); done
n=$("$T/snap_forge" "$SNAP" "${args[@]}")
[ "$n" -gt 0 ] || fail "the forger changed nothing"
seq0=$(q "SELECT max(seq) FROM ledger_events")

set +e
"$P" verify --db "$DB" --no-replay --lang en >"$T/v1" 2>&1; rc=$?
set -e
[ $rc -eq 1 ] || fail "verify of a forged snapshot: rc=$rc $(cat "$T/v1")"
grep -q "rules-snapshot: MAC does not verify" "$T/v1" || fail "verify does not name the file: $(cat "$T/v1")"

"$P" sweep --db "$DB" --as-of $AS_OF --lang en >"$T/sw" 2>&1 || fail "sweep: $(cat "$T/sw")"
q "SELECT id, status FROM findings ORDER BY id" >"$T/after"
diff "$T/before" "$T/after" >/dev/null || fail "the forged snapshot changed findings: $(diff "$T/before" "$T/after" | head)"
nres=$(q "SELECT count(*) FROM ledger_events WHERE seq > $seq0 AND type = 'finding.resolved'")
[ "$nres" -eq 0 ] || fail "$nres findings resolved after the forged snapshot"
grep -qi "snapshot" "$T/sw" || fail "the sweep did not say it refused the snapshot: $(cat "$T/sw")"

echo "== the refused file is kept and named; a fresh snapshot is authentic"
[ -f "$SNAP.rejected" ] || fail "the refused snapshot was not kept"
set +e
"$P" verify --db "$DB" --no-replay --lang en >"$T/v2" 2>&1; rc=$?
set -e
[ $rc -eq 1 ] && grep -q "rules-snapshot.rejected" "$T/v2" || fail "verify ignores the kept forgery: rc=$rc $(cat "$T/v2")"
rm "$SNAP.rejected"
"$P" verify --db "$DB" --no-replay --lang en >"$T/v3" 2>&1 || fail "verify after the fresh sweep: $(cat "$T/v3")"

echo "== a snapshot whose key is gone is not used"
rm "$KEY"
"$P" sweep --db "$DB" --as-of $AS_OF >/dev/null 2>&1
[ -f "$SNAP.rejected" ] || fail "a snapshot with no key was used"
rm "$SNAP.rejected"

echo "== an older build's snapshot (no MAC) is reported as not used, not as an error"
{ printf 'PLRSNAP1'; head -c 8184 /dev/zero; } >"$SNAP"
"$P" verify --db "$DB" --no-replay --lang en >"$T/v4" 2>&1 || fail "verify with an old-format snapshot: $(cat "$T/v4")"
grep -q "rules snapshot: not of this version, not used" "$T/v4" || fail "old format: $(cat "$T/v4")"

echo "== a resolution records the evidence rows as the projections hold them"
tid=$(q "SELECT f.key FROM findings f WHERE f.rule = 'R01' AND f.status = 'open' ORDER BY f.id LIMIT 1")
fid=$(q "SELECT id FROM findings WHERE rule = 'R01' AND key = '$tid'")
start=$(q "SELECT start_date FROM tenures WHERE id = '$tid'")
# rotation is not due as of a date before the tenure began: the finding resolves
"$P" sweep --db "$DB" --as-of 2000-01-01 >/dev/null
pay=$(q "SELECT payload FROM ledger_events WHERE type = 'finding.resolved' AND payload LIKE '%\"id\":\"$fid\"%' ORDER BY seq DESC LIMIT 1")
[ -n "$pay" ] || fail "finding $fid not resolved"
echo "$pay" | grep -q "\"tenures:$tid\":{[^}]*\"start_date\":\"$start\"" \
  || fail "resolution of $fid lacks the row tenures:$tid with start_date $start: $pay"
echo OK
