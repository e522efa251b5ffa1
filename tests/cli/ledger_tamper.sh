#!/usr/bin/env bash
# ledger_tamper.sh — every direct change to the store must make
# `plumb verify` exit non-zero with a precise one-line message (DESIGN.md §4).
# Needs: $PLUMB (the plumb binary), sqlite3.
set -u
P=${PLUMB:?set PLUMB to the plumb binary}
export PLUMB_LANG=en PLUMB_NOW=2026-01-01T00:00:00Z
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 2
fails=0
die() { echo "FAIL: $*"; exit 1; }

"$P" init --db base.db --origin county.example/ledger >/dev/null || die "init"
"$P" ledger-append-test --db base.db --count 20 --batch 4 >/dev/null || die "append"
"$P" purge 3 --reason retention-rule-XYZ --db base.db >/dev/null || die "purge"
"$P" checkpoint --db base.db >/dev/null || die "checkpoint 1"
cp base.db fork.db && cp base.db.key fork.db.key
"$P" ledger-append-test --db base.db --count 5 >/dev/null || die "append 2"
"$P" checkpoint --db base.db >/dev/null || die "checkpoint 2"
out=$("$P" verify --db base.db 2>&1) || die "clean store does not verify: $out"
echo "clean: $out"
grep -q "ledger ok: 28 events" <<<"$out" || die "unexpected clean report: $out"

# expect_fail NAME SUBSTRING SQL — apply SQL to a copy, verify must fail.
expect_fail() {
    local name=$1 want=$2 sql=$3 db="t_$RANDOM.db"
    cp base.db "$db"
    if [ -n "$sql" ]; then sqlite3 "$db" "$sql" || { echo "FAIL: $name: sqlite3"; fails=$((fails + 1)); return; }; fi
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
    "UPDATE ledger_events SET leaf_hash=zeroblob(32) WHERE seq=6"
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
    "UPDATE ledger_nodes SET hash=zeroblob(32) WHERE level=4 AND idx=0"
expect_fail "delete node" "ledger_nodes (4,0): node missing" \
    "DELETE FROM ledger_nodes WHERE level=4 AND idx=0"
expect_fail "insert node" "ledger_nodes (4,500): node beyond" \
    "INSERT INTO ledger_nodes VALUES(4,500,zeroblob(32))"
expect_fail "insert low-level node" "ledger_nodes (1,2): level 1 is never stored" \
    "INSERT INTO ledger_nodes VALUES(1,2,zeroblob(32))"
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
expect_fail "column type edited" "schema: table ledger_purges is defined otherwise than the migrations define it" \
    "PRAGMA writable_schema=ON; UPDATE sqlite_schema SET sql=replace(sql, 'reason TEXT', 'reason NUMERIC') WHERE name='ledger_purges'"
expect_fail "trigger dropped" "schema: trigger person_units_post_ins, made by the migrations, is missing" \
    "DROP TRIGGER person_units_post_ins"
expect_fail "origin changed in plumb_meta" "plumb_meta ledger_origin 'county.example/other' is not the log key's name" \
    "UPDATE plumb_meta SET value='county.example/other' WHERE key='ledger_origin'"
expect_fail "origin deleted from plumb_meta" "plumb_meta ledger_origin is missing" \
    "DELETE FROM plumb_meta WHERE key='ledger_origin'"
expect_fail "log key swapped in plumb_meta" "not signed by the log key" \
    "UPDATE plumb_meta SET value='$other' WHERE key='ledger_verifier_key'"

# A checkpoint from a forked history (validly signed by the same key) is
# inconsistent with the earlier one.
"$P" ledger-append-test --db fork.db --count 5 --payload-bytes 3 >/dev/null || die "fork append"
"$P" checkpoint --db fork.db >/dev/null || die "fork checkpoint"
cp base.db incons.db
sqlite3 incons.db "ATTACH 'fork.db' AS f; INSERT INTO ledger_checkpoints(size,root_hash,note,created_at) SELECT size,root_hash,note,created_at FROM f.ledger_checkpoints WHERE id=2" || die "attach"
check "forked checkpoint" "checkpoint #3 (size 27) is not consistent with checkpoint #2 (size 27)" incons.db

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
cp base.db flip.db && cp base.db.key flip.db.key
"$P" checkpoint --db flip.db >/dev/null || die "checkpoint flip"
sqlite3 flip.db "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
off=$(grep -boa "retention-rule-XYZ" flip.db | head -1 | cut -d: -f1)
[ -n "$off" ] || die "marker not found in the database file"
printf 'Q' | dd of=flip.db bs=1 seek=$((off + 10)) count=1 conv=notrunc 2>/dev/null
check "byte flipped in file" "event 20" flip.db

# Witness: a cosigned checkpoint verifies with --witness; a bad witness
# signature does not.
cp base.db wit.db && cp base.db.key wit.db.key
wkey=$("$P" keygen --name province.example/witness --out w.key) || die "keygen"
"$P" cosign --db wit.db --key w.key >/dev/null || die "cosign"
out=$("$P" verify --db wit.db --witness "$wkey" 2>&1) || die "cosigned store does not verify: $out"
grep -q "1 cosigned" <<<"$out" || die "cosign not counted: $out"
echo "ok: cosigned: $out"
sqlite3 wit.db "UPDATE ledger_checkpoints SET note = substr(note,1,length(note)-20) || CASE substr(note,length(note)-19,1) WHEN 'A' THEN 'B' ELSE 'A' END || substr(note,length(note)-18) WHERE id=2"
out=$("$P" verify --db wit.db --witness "$wkey" 2>&1)
[ $? -eq 1 ] && grep -q "witness: invalid signature" <<<"$out" && echo "ok: bad witness signature: $out" ||
    { echo "FAIL: bad witness signature: $out"; fails=$((fails + 1)); }

# Attachment bytes (case_blobs) live beside the ledger, keyed by the SHA-256
# the clue.received event carries: verify recomputes it. The expected key is
# sha256sum of the file, not anything plumb prints.
cp base.db att.db && cp base.db.key att.db.key
mkdir -p fx/org
printf 'id,parent_id,name,division_code,level,kind,industry\nU1,,中共永顺县委,433127,county,party,党委\nCD,U1,永顺县纪委监委,433127,county,discipline,纪检\nFB,U1,永顺县财政局,433127,county,department,财政\n' >fx/org/01_units.csv
"$P" import --all fx --db att.db --quiet >/dev/null || die "import units"
printf '%%PDF-1.4\n%%%%EOF\n' >evidence.pdf
sha=$(sha256sum evidence.pdf | cut -d' ' -f1)
"$P" clue add --db att.db --channel letter --category money --subject-unit FB --summary x \
    --attach evidence.pdf >/dev/null || die "clue with attachment"
out=$("$P" verify --db att.db 2>&1) || die "store with an attachment does not verify: $out"
grep -q "attachment blobs: sha256 matches, count 1" <<<"$out" || die "blob not counted: $out"
[ "$(sqlite3 att.db "SELECT count(*) FROM case_blobs WHERE sha256='$sha'")" = 1 ] ||
    die "blob not stored under its SHA-256 $sha"
expect_att() {
    local name=$1 want=$2 sql=$3 db="a_$RANDOM.db"
    cp att.db "$db"
    sqlite3 "$db" "$sql" || { echo "FAIL: $name: sqlite3"; fails=$((fails + 1)); return; }
    check "$name" "$want" "$db"
}
expect_att "changed blob bytes" "attachment blob $sha (attachment CL-2026-0000001/" \
    "UPDATE case_blobs SET data = CAST(replace(CAST(data AS TEXT), '1.4', '1.7') AS BLOB)"
expect_att "blob moved to another key" "its blob $sha is missing" \
    "UPDATE case_blobs SET sha256 = '$(printf '%064d' 0)'"
expect_att "blob deleted" "attachment CL-2026-0000001/" "DELETE FROM case_blobs"

# Rebuild repairs a projection, then verify is clean again.
cp base.db rb.db
sqlite3 rb.db "DELETE FROM ledger_purges"
"$P" rebuild --db rb.db >/dev/null || die "rebuild"
"$P" verify --db rb.db >/dev/null || die "verify after rebuild"
echo "ok: rebuild restores projections"

[ "$fails" -eq 0 ] || { echo "$fails tamper case(s) failed"; exit 1; }
echo "all tamper cases detected"
