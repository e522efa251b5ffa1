#!/usr/bin/env bash
# ledger_tamper.sh — every direct change to the store must make
# `plumb verify` exit non-zero with a precise one-line message (DESIGN.md §4).
# On both engines (helpers/store_lib.sh; cli.pg.ledger_tamper): the same
# changes and messages; where a change needs the engine's own SQL (a blob
# literal, the schema, another database's rows) both forms are here, and
# the one change that is SQLite's by nature (a byte flipped in the file) is
# skipped on PostgreSQL, saying so.
# Needs: $PLUMB (the plumb binary), $PLUMB_SRC.
set -u
: "${PLUMB:?set PLUMB to the plumb binary}" "${PLUMB_SRC:?}"
export PLUMB_LANG=en PLUMB_NOW=2026-01-01T00:00:00Z
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 2
. "$PLUMB_SRC/tests/cli/helpers/store_lib.sh"
P=$PLUMB
fails=0
die() { echo "FAIL: $*"; exit 1; }
if [ "$STORE_PG" = 1 ]; then
    ZB32="decode(repeat('00', 32), 'hex')"
else
    ZB32="zeroblob(32)"
fi

B=$(store_new base) || die "store"
"$P" init --db "$B" --origin county.example/ledger >/dev/null || die "init"
"$P" ledger-append-test --db "$B" --count 20 --batch 4 >/dev/null || die "append"
"$P" purge 3 --reason retention-rule-XYZ --db "$B" >/dev/null || die "purge"
"$P" checkpoint --db "$B" >/dev/null || die "checkpoint 1"
FORK=$(store_copy "$B" fork) || die "copy fork"
"$P" ledger-append-test --db "$B" --count 5 >/dev/null || die "append 2"
"$P" checkpoint --db "$B" >/dev/null || die "checkpoint 2"
out=$("$P" verify --db "$B" 2>&1) || die "clean store does not verify: $out"
echo "clean: $out"
grep -q "ledger ok: 28 events" <<<"$out" || die "unexpected clean report: $out"

# expect_fail NAME SUBSTRING SQL — apply SQL to a copy, verify must fail.
ncopy=0
expect_fail() {
    local name=$1 want=$2 sql=$3 db
    ncopy=$((ncopy + 1))
    db=$(store_copy "$B" "t$ncopy") || die "copy for $name"
    if [ -n "$sql" ]; then store_sql "$db" "$sql" || { echo "FAIL: $name: sql"; fails=$((fails + 1)); return; }; fi
    check "$name" "$want" "$db"
}
check() {
    local name=$1 want=$2 db=$3 out rc
    out=$("$P" verify --db "$db" 2>&1)
    rc=$?
    if [ "$rc" -ne 1 ]; then
        echo "FAIL: $name: verify exited $rc (want 1): $out"; fails=$((fails + 1)); return
    fi
    if [ "$(printf '%s\n' "$out" | wc -l)" -ne 1 ]; then
        echo "FAIL: $name: message is not one line: $out"; fails=$((fails + 1)); return
    fi
    if ! grep -qF -- "$want" <<<"$out"; then
        echo "FAIL: $name: message lacks '$want': $out"; fails=$((fails + 1)); return
    fi
    echo "ok: $name: $out"
}

expect_fail "update event header" "event 5: ledger_events.leaf_hash does not match" \
    "UPDATE ledger_events SET header=replace(header,'plumb-test','plumb-evil') WHERE seq=5"
expect_fail "update event leaf hash" "event 6: ledger_events.leaf_hash" \
    "UPDATE ledger_events SET leaf_hash=$ZB32 WHERE seq=6"
expect_fail "update event type" "event 2: ledger_events.type" \
    "UPDATE ledger_events SET type='ledger.purged' WHERE seq=2"
expect_fail "delete event" "event 7: missing from ledger_events" \
    "DELETE FROM ledger_events WHERE seq=7"
# The last event is checkpoint #2's own record (size 27, event 27).
expect_fail "delete last event" "checkpoint #2 (size 27): its record, event 27 (ledger.checkpoint), is missing" \
    "DELETE FROM ledger_events WHERE seq=27"
expect_fail "delete the last two events" "beyond the log size" \
    "DELETE FROM ledger_events WHERE seq>=26"
expect_fail "update payload" "event 4: ledger_events.payload does not match" \
    "UPDATE ledger_events SET payload=replace(payload,'\"n\":4','\"n\":5') WHERE seq=4"
expect_fail "delete payload" "event 9: payload missing from ledger_events" \
    "UPDATE ledger_events SET payload=NULL WHERE seq=9"
# ledger_nodes holds levels 4 and up (26 events: node (4,0)); the levels
# below come from ledger_events.leaf_hash and must never appear.
expect_fail "update node" "ledger_nodes (4,0): hash does not match" \
    "UPDATE ledger_nodes SET hash=$ZB32 WHERE level=4 AND idx=0"
expect_fail "delete node" "ledger_nodes (4,0): node missing" \
    "DELETE FROM ledger_nodes WHERE level=4 AND idx=0"
expect_fail "insert node" "ledger_nodes (4,500): node beyond" \
    "INSERT INTO ledger_nodes(level, idx, hash) VALUES(4,500,$ZB32)"
expect_fail "insert low-level node" "ledger_nodes (1,2): level 1 is never stored" \
    "INSERT INTO ledger_nodes(level, idx, hash) VALUES(1,2,$ZB32)"
# Projection tables: ledger_purges is the ledger's own projection; any other
# projection table present is covered by the same row-by-row comparison.
expect_fail "update projection" "table ledger_purges row seq=3, column reason" \
    "UPDATE ledger_purges SET reason='nothing to see' WHERE seq=3"
expect_fail "delete projection" "table ledger_purges row seq=3: missing from the store" \
    "DELETE FROM ledger_purges WHERE seq=3"
expect_fail "insert projection" "table ledger_purges row seq=5: in the store but not produced" \
    "INSERT INTO ledger_purges VALUES(5,'x','y','2026-01-01T00:00:00Z',20)"
expect_fail "purge payload rewritten" "event 3: payload missing from ledger_events" \
    "UPDATE ledger_events SET payload='{\"reason\":\"x\",\"seq\":4}' WHERE seq=20"
expect_fail "bad checkpoint signature" "checkpoint #1 (size 21): invalid signature for key county.example/ledger" \
    "UPDATE ledger_checkpoints SET note = substr(note,1,length(note)-20) || CASE substr(note,length(note)-19,1) WHEN 'A' THEN 'B' ELSE 'A' END || substr(note,length(note)-18) WHERE id=1"
expect_fail "checkpoint row copied" "checkpoint #3 is a copy of checkpoint #1 (the same note stored twice)" \
    "INSERT INTO ledger_checkpoints(size,root_hash,note,created_at) SELECT size,root_hash,note,created_at FROM ledger_checkpoints WHERE id=1"
expect_fail "checkpoint columns" "checkpoint #2: ledger_checkpoints size/root_hash columns differ" \
    "UPDATE ledger_checkpoints SET size=3 WHERE id=2"
other=$("$P" keygen --name county.example/ledger --out other.key) || die "keygen other"
# The schema itself: a column's declared type changed (the tamper suite's
# byte flip 'TEXT' -> 'TEX\xd4' gave paid_at another affinity) and a
# trigger that keeps a derived table dropped.
if [ "$STORE_PG" = 1 ]; then
    expect_fail "column type edited" "schema: table ledger_purges is defined otherwise than the migrations define it" \
        "ALTER TABLE ledger_purges ALTER COLUMN reason TYPE varchar(500)"
    expect_fail "trigger dropped" "schema: trigger person_units_post_ins, made by the migrations, is missing" \
        "DROP TRIGGER person_units_post_ins ON posts"
else
    expect_fail "column type edited" "schema: table ledger_purges is defined otherwise than the migrations define it" \
        "PRAGMA writable_schema=ON; UPDATE sqlite_schema SET sql=replace(sql, 'reason TEXT', 'reason NUMERIC') WHERE name='ledger_purges'"
    expect_fail "trigger dropped" "schema: trigger person_units_post_ins, made by the migrations, is missing" \
        "DROP TRIGGER person_units_post_ins"
fi
expect_fail "origin changed in plumb_meta" "plumb_meta ledger_origin 'county.example/other' is not the log key's name" \
    "UPDATE plumb_meta SET value='county.example/other' WHERE key='ledger_origin'"
expect_fail "origin deleted from plumb_meta" "plumb_meta ledger_origin is missing" \
    "DELETE FROM plumb_meta WHERE key='ledger_origin'"
expect_fail "log key swapped in plumb_meta" "not signed by the log key" \
    "UPDATE plumb_meta SET value='$other' WHERE key='ledger_verifier_key'"

# A checkpoint from a forked history (validly signed by the same key) is
# inconsistent with the earlier one.
"$P" ledger-append-test --db "$FORK" --count 5 --payload-bytes 3 >/dev/null || die "fork append"
"$P" checkpoint --db "$FORK" >/dev/null || die "fork checkpoint"
INCONS=$(store_copy "$B" incons) || die "copy incons"
if [ "$STORE_PG" = 1 ]; then # the row through COPY, from one database to the other
    psql -X -q -v ON_ERROR_STOP=1 "$FORK" -c "COPY (SELECT size,root_hash,note,created_at FROM ledger_checkpoints WHERE id=2) TO STDOUT" |
        psql -X -q -v ON_ERROR_STOP=1 "$INCONS" -c "COPY ledger_checkpoints(size,root_hash,note,created_at) FROM STDIN" ||
        die "copy the fork's checkpoint"
else
    store_sql "$INCONS" "ATTACH '$FORK' AS f; INSERT INTO ledger_checkpoints(size,root_hash,note,created_at) SELECT size,root_hash,note,created_at FROM f.ledger_checkpoints WHERE id=2" || die "attach"
fi
check "forked checkpoint" "checkpoint #3 (size 27) is not consistent with checkpoint #2 (size 27)" "$INCONS"

# One byte flipped in the database file, after a checkpoint and a WAL
# checkpoint: flip a byte inside the purge reason text.
# A derived table (person_units, kept by triggers): a row written into it
# places a person in a unit, which widens every scope holding that unit.
expect_fail "insert a person placement" \
    "table person_units row person_id='P1',unit_id='U1': in the store but not produced by replaying" \
    "INSERT INTO person_units(person_id, unit_id) VALUES('P1','U1')"
# Another (persons_placed, migration 0066): a row there lists a person to
# every user whose scope is the whole store.
expect_fail "insert a placed person" \
    "table persons_placed row id='PX': in the store but not produced by replaying" \
    "INSERT INTO persons_placed VALUES('PX','某某','M','1970-01-01',NULL,1)"
if [ "$STORE_PG" = 1 ]; then
    echo "skip: byte flipped in file (SQLite's database file; PostgreSQL's pages are the server's)"
else
    FLIP=$(store_copy "$B" flip) || die "copy flip"
    "$P" checkpoint --db "$FLIP" >/dev/null || die "checkpoint flip"
    store_sql "$FLIP" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
    off=$(grep -boa "retention-rule-XYZ" "$FLIP" | head -1 | cut -d: -f1)
    [ -n "$off" ] || die "marker not found in the database file"
    printf 'Q' | dd of="$FLIP" bs=1 seek=$((off + 10)) count=1 conv=notrunc 2>/dev/null
    check "byte flipped in file" "event 20" "$FLIP"
fi

# Witness: a cosigned checkpoint verifies with --witness; a bad witness
# signature does not.
WIT=$(store_copy "$B" wit) || die "copy wit"
wkey=$("$P" keygen --name province.example/witness --out w.key) || die "keygen"
"$P" cosign --db "$WIT" --key w.key >/dev/null || die "cosign"
out=$("$P" verify --db "$WIT" --witness "$wkey" 2>&1) || die "cosigned store does not verify: $out"
grep -q "1 cosigned" <<<"$out" || die "cosign not counted: $out"
echo "ok: cosigned: $out"
store_sql "$WIT" "UPDATE ledger_checkpoints SET note = substr(note,1,length(note)-20) || CASE substr(note,length(note)-19,1) WHEN 'A' THEN 'B' ELSE 'A' END || substr(note,length(note)-18) WHERE id=2"
out=$("$P" verify --db "$WIT" --witness "$wkey" 2>&1)
[ $? -eq 1 ] && grep -q "witness: invalid signature" <<<"$out" && echo "ok: bad witness signature: $out" ||
    { echo "FAIL: bad witness signature: $out"; fails=$((fails + 1)); }

# Attachment bytes (case_blobs) live beside the ledger, keyed by the SHA-256
# the clue.received event carries: verify recomputes it. The expected key is
# sha256sum of the file, not anything plumb prints.
ATT=$(store_copy "$B" att) || die "copy att"
mkdir -p fx/org
printf 'id,parent_id,name,division_code,level,kind,industry\nU1,,中共永顺县委,433127,county,party,党委\nCD,U1,永顺县纪委监委,433127,county,discipline,纪检\nFB,U1,永顺县财政局,433127,county,department,财政\n' >fx/org/01_units.csv
"$P" import --all fx --db "$ATT" --quiet >/dev/null || die "import units"
printf '%%PDF-1.4\n%%%%EOF\n' >evidence.pdf
sha=$(sha256sum evidence.pdf | cut -d' ' -f1)
"$P" clue add --db "$ATT" --channel letter --category money --subject-unit FB --summary x \
    --attach evidence.pdf >/dev/null || die "clue with attachment"
out=$("$P" verify --db "$ATT" 2>&1) || die "store with an attachment does not verify: $out"
grep -q "attachment blobs: sha256 matches, count 1" <<<"$out" || die "blob not counted: $out"
[ "$(store_sql "$ATT" "SELECT count(*) FROM case_blobs WHERE sha256='$sha'")" = 1 ] ||
    die "blob not stored under its SHA-256 $sha"
expect_att() {
    local name=$1 want=$2 sql=$3 db
    ncopy=$((ncopy + 1))
    db=$(store_copy "$ATT" "a$ncopy") || die "copy for $name"
    store_sql "$db" "$sql" || { echo "FAIL: $name: sql"; fails=$((fails + 1)); return; }
    check "$name" "$want" "$db"
}
if [ "$STORE_PG" = 1 ]; then
    expect_att "changed blob bytes" "attachment blob $sha (attachment CL-2026-0000001/" \
        "UPDATE case_blobs SET data = convert_to(replace(convert_from(data, 'UTF8'), '1.4', '1.7'), 'UTF8')"
else
    expect_att "changed blob bytes" "attachment blob $sha (attachment CL-2026-0000001/" \
        "UPDATE case_blobs SET data = CAST(replace(CAST(data AS TEXT), '1.4', '1.7') AS BLOB)"
fi
expect_att "blob moved to another key" "its blob $sha is missing" \
    "UPDATE case_blobs SET sha256 = '$(printf '%064d' 0)'"
expect_att "blob deleted" "attachment CL-2026-0000001/" "DELETE FROM case_blobs"

# Rebuild repairs a projection, then verify is clean again.
RB=$(store_copy "$B" rb) || die "copy rb"
store_sql "$RB" "DELETE FROM ledger_purges"
"$P" rebuild --db "$RB" >/dev/null || die "rebuild"
"$P" verify --db "$RB" >/dev/null || die "verify after rebuild"
echo "ok: rebuild restores projections"

[ "$fails" -eq 0 ] || { echo "$fails tamper case(s) failed"; exit 1; }
echo "all tamper cases detected"
