#!/usr/bin/env bash
# ledger_privacy.sh — event headers are public (proofs, tiles, auditors):
# no citizen ID number, credit code or other record id may appear in them,
# only keyed subject handles. Import the examples, export the tiles, and
# look for every person's ID in the exported files and in the headers.
set -u
P=${PLUMB:?set PLUMB to the plumb binary}
SRC=${PLUMB_SRC:?set PLUMB_SRC}
export PLUMB_LANG=en
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 2
fail() { echo "FAIL: $*"; exit 1; }
"$P" init --db p.db --origin privacy.example/log >/dev/null || fail "init"
"$P" import --db p.db --all "$SRC/examples" --no-rules >/dev/null || fail "import of the examples"
"$P" checkpoint --db p.db >/dev/null || fail "checkpoint"
"$P" export-tiles --db p.db tiles >/dev/null || fail "export-tiles"
ids=$(tail -n +2 "$SRC/examples/org/03_persons.csv" | cut -d, -f1 | tr -d '"')
[ -n "$ids" ] || fail "no person ids in the examples"
n=0
for id in $ids; do
    n=$((n + 1))
    if grep -rqF "$id" tiles; then fail "citizen ID $id appears in the exported tiles"; fi
    hdr=$("$PLUMB" sql --db p.db "SELECT count(*) FROM ledger_events WHERE instr(header, '$id') > 0")
    [ "$hdr" = 0 ] || fail "citizen ID $id appears in $hdr event headers"
done
# Handles are there instead, and the subject key is not in the log.
"$PLUMB" sql --db p.db "SELECT header FROM ledger_events WHERE type='person.recorded' LIMIT 1" |
    grep -Eq '"subjects":\["s:[0-9a-f]{32}"' || fail "person.recorded header has no subject handle"
key=$("$PLUMB" sql --db p.db "SELECT value FROM plumb_meta WHERE key='ledger_subject_key'")
[ ${#key} -eq 64 ] || fail "no subject key in plumb_meta"
if grep -rqF "$key" tiles; then fail "the subject key leaked into the tiles"; fi
"$P" verify --db p.db >/dev/null || fail "verify"
# The store and its files hold personal data: owner-only, whatever the umask.
umask 022
"$P" init --db u.db >/dev/null || fail "init under umask 022"
"$P" import --db u.db --all "$SRC/examples" >/dev/null || fail "import into u.db"
# (a batch this small is checked event by event and writes no snapshot: a
# sweep does — docs/IMPORT.md "One import service")
"$P" sweep --db u.db >/dev/null || fail "sweep u.db"
for f in u.db u.db.key u.db.rules-snapshot; do
    [ -e "$f" ] || fail "$f missing"
    m=$(stat -c %a "$f")
    [ "$m" = 600 ] || fail "$f has mode $m, want 600"
done
echo "ok: $n citizen IDs checked; headers and tiles carry only subject handles; store files 0600"
