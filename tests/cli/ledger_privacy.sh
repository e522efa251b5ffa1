#!/usr/bin/env bash
# ledger_privacy.sh — event headers are public (proofs, tiles, auditors):
# no citizen ID number, credit code or other record id may appear in them,
# only keyed subject handles. Import the examples, export the tiles, and
# look for every person's ID in the exported files and in the headers.
# On both engines (helpers/store_lib.sh; cli.pg.ledger_privacy): on
# PostgreSQL the owner-only check is the side files' (key, rules snapshot
# in the state directory, itself 0700), the database being no file of ours.
set -u
: "${PLUMB:?set PLUMB to the plumb binary}"
SRC=${PLUMB_SRC:?set PLUMB_SRC}
export PLUMB_LANG=en
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 2
. "$PLUMB_SRC/tests/cli/helpers/store_lib.sh"
P=$PLUMB
DB=$(store_new p) || exit 1
U=$(store_new u) || exit 1
fail() { echo "FAIL: $*"; exit 1; }
"$P" init --db "$DB" --origin privacy.example/log >/dev/null || fail "init"
"$P" import --db "$DB" --all "$SRC/examples" --no-rules >/dev/null || fail "import of the examples"
"$P" checkpoint --db "$DB" >/dev/null || fail "checkpoint"
"$P" export-tiles --db "$DB" tiles >/dev/null || fail "export-tiles"
ids=$(tail -n +2 "$SRC/examples/org/03_persons.csv" | cut -d, -f1 | tr -d '"')
[ -n "$ids" ] || fail "no person ids in the examples"
n=0
for id in $ids; do
    n=$((n + 1))
    if grep -rqF "$id" tiles; then fail "citizen ID $id appears in the exported tiles"; fi
    hdr=$(store_sql "$DB" "SELECT count(*) FROM ledger_events WHERE header LIKE '%$id%'")
    [ "$hdr" = 0 ] || fail "citizen ID $id appears in $hdr event headers"
done
# Handles are there instead, and the subject key is not in the log.
store_sql "$DB" "SELECT header FROM ledger_events WHERE type='person.recorded' LIMIT 1" |
    grep -Eq '"subjects":\["s:[0-9a-f]{32}"' || fail "person.recorded header has no subject handle"
key=$(store_sql "$DB" "SELECT value FROM plumb_meta WHERE key='ledger_subject_key'")
[ ${#key} -eq 64 ] || fail "no subject key in plumb_meta"
if grep -rqF "$key" tiles; then fail "the subject key leaked into the tiles"; fi
"$P" verify --db "$DB" >/dev/null || fail "verify"
# The store and its files hold personal data: owner-only, whatever the umask.
umask 022
"$P" init --db "$U" >/dev/null || fail "init under umask 022"
"$P" import --db "$U" --all "$SRC/examples" >/dev/null || fail "import into u"
# (a batch this small is checked event by event and writes no snapshot: a
# sweep does — docs/IMPORT.md "One import service")
"$P" sweep --db "$U" >/dev/null || fail "sweep u"
files=("$(store_side "$U" key)" "$(store_side "$U" rules-snapshot)")
[ "$STORE_PG" = 1 ] || files+=("$U")
for f in "${files[@]}"; do
    [ -e "$f" ] || fail "$f missing"
    m=$(stat -c %a "$f")
    [ "$m" = 600 ] || fail "$f has mode $m, want 600"
done
if [ "$STORE_PG" = 1 ]; then # the state directory plumb made: 0700 (docs/DEPLOY.md)
    d=$(dirname "$(store_side "$U" key)")
    m=$(stat -c %a "$d")
    [ "$m" = 700 ] || fail "the state directory $d has mode $m, want 700"
fi
echo "ok: $n citizen IDs checked; headers and tiles carry only subject handles; store files 0600"
