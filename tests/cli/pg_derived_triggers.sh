#!/bin/bash
# pg_derived_triggers.sh — on PostgreSQL the INSERT triggers of the derived
# tables person_units and persons_placed run once per statement, over the
# statement's new rows (migration 0145, issue #20 item 3); they must derive
# exactly the rows the per-row triggers of SQLite do (migrations 0063 and
# 0066, docs/SECURITY.md "Placing a record"). Both of 0145's branches are
# driven: an import by COPY (statements of hundreds of rows: the branch
# planned for the statement's size) and writes of one to four rows (the
# other branch), then rows of 5+ in one INSERT … SELECT, and the per-row
# UPDATE and DELETE triggers after them. After every step person_units and
# persons_placed, read whole and sorted, are the same on both stores; a few
# pairs are also checked against the rule by hand (a relative is placed
# at the unit of every post their kin holds or held). `plumb verify` is
# clean on PostgreSQL after the import (the schema is the migrations').
# Layer: tests/cli (store migrations-pg 0145).
set -u
: "${PLUMB:?}" "${PLUMB_SRC:?}" "${PLUMB_PG_STATE:?run through ctest (fixture pg)}"
T=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT; [ -n "${KEEP:-}" ] && echo "$T"
. "$PLUMB_SRC/tests/cli/helpers/pg_lib.sh"
export PLUMB_LANG=en PGOPTIONS='-c client_min_messages=warning'
unset PLUMB_IMPORT_INCREMENTAL_ROWS PLUMB_PG_COPY
export PLUMB_NOW=2026-01-01T00:00:00Z
"$PLUMB" gen --scale county --seed 5 --out "$T/gen" --quiet >/dev/null 2>&1 || fail "gen"
D=$T/data
for f in "$T"/gen/*/*.csv; do
    s=$(basename "$(dirname "$f")")
    case $s in org | police) ;; *) continue ;; esac
    mkdir -p "$D/$s"
    head -n 3001 "$f" >"$D/$s/$(basename "$f")"
done
U=$(pg_db pg_derived) || exit 1
SQ=$T/s.db
SK=$(printf '%064d' 5)
for db in "$U" "$SQ"; do
    k=$T/k$([ "$db" = "$SQ" ] && echo sq || echo pg)
    PLUMB_KEY=$k "$PLUMB" init --db "$db" >/dev/null 2>&1 || fail "init"
    "$PLUMB" sql --db "$db" "INSERT INTO plumb_meta(key, value) VALUES('ledger_subject_key', '$SK')" \
        >/dev/null || fail "subject key"
    PLUMB_KEY=$k "$PLUMB" import --all "$D" --partial --db "$db" --no-rules --quiet \
        >/dev/null 2>"$T/err" || { tail -3 "$T/err"; fail "import"; }
done
both() { # run the same SQL on both stores
    "$PLUMB" sql --db "$U" "$1" >/dev/null || fail "PostgreSQL: $1"
    "$PLUMB" sql --db "$SQ" "$1" >/dev/null || fail "SQLite: $1"
}
q() { "$PLUMB" sql --db "$1" "$2"; }
same() { # same STEP: the two derived tables agree, row for row
    for t in person_units persons_placed; do
        local c
        c=$([ $t = person_units ] && echo "person_id, unit_id" ||
            echo "id, name, gender, birth_date, native_place, ev_seq")
        q "$U" "SELECT $c FROM $t ORDER BY $c" >"$T/pg" || fail "$1: read $t (PostgreSQL)"
        q "$SQ" "SELECT $c FROM $t ORDER BY $c" >"$T/sq" || fail "$1: read $t (SQLite)"
        [ -s "$T/sq" ] || fail "$1: $t is empty"
        cmp -s "$T/pg" "$T/sq" || { diff "$T/pg" "$T/sq" | head -5; fail "$1: $t differs"; }
    done
}
has() { # has DB PERSON UNIT: 1 if the pair is in person_units, else 0
    q "$1" "SELECT count(*) FROM person_units WHERE person_id = '$2' AND unit_id = '$3'"
}
same "after the import"
PLUMB_KEY=$T/kpg "$PLUMB" verify --db "$U" >"$T/v" 2>&1 || { cat "$T/v"; fail "verify after the import"; }
n=$(q "$U" "SELECT count(*) FROM person_units")
[ "$n" -gt 1000 ] || fail "the import placed only $n pairs"
k=$(q "$U" "SELECT count(*) FROM kin")
[ "$k" -gt 100 ] || fail "only $k kin rows imported"

# One row a statement. A new person, relative of a post holder: placed at
# the unit of the holder's post (by the rule, not by the code: the pair is
# written out here).
read -r HP HU <<<"$(q "$U" "SELECT te.person_id || ' ' || p.unit_id FROM tenures te
    JOIN posts p ON p.id = te.post_id ORDER BY te.id LIMIT 1")"
[ -n "$HU" ] || fail "no tenure to relate to"
both "INSERT INTO persons(id, name, gender, birth_date, ev_seq) VALUES('T-REL-1', '甲', 'F', '1970-01-01', 1)"
[ "$(q "$U" "SELECT count(*) FROM persons_placed WHERE id = 'T-REL-1'")" = 0 ] ||
    fail "a person without a post or kin is placed"
both "INSERT INTO kin(id, person_id, relative_id, relation, ev_seq) VALUES('T-KIN-1', '$HP', 'T-REL-1', 'spouse', 1)"
[ "$(has "$U" T-REL-1 "$HU")" = 1 ] || fail "the relative is not placed at the holder's unit"
[ "$(q "$U" "SELECT count(*) FROM persons_placed WHERE id = 'T-REL-1'")" = 1 ] ||
    fail "the placed relative is not in persons_placed"
same "one kin row"
# A new post at another unit and a tenure of it: the holder and the
# relative both placed there.
OU=$(q "$U" "SELECT id FROM units WHERE id <> '$HU' ORDER BY id LIMIT 1")
both "INSERT INTO posts(id, unit_id, title, rank, is_top, category, ev_seq) VALUES('T-POST-1', '$OU', 'x', 'x', 0, 'x', 1)"
both "INSERT INTO tenures(id, person_id, post_id, start_date, ev_seq) VALUES('T-TEN-1', '$HP', 'T-POST-1', '2020-01-01', 1)"
[ "$(has "$U" T-REL-1 "$OU")" = 1 ] || fail "the relative is not placed at the new post's unit"
[ "$(has "$U" "$HP" "$OU")" = 1 ] || fail "the holder is not placed at the new post's unit"
same "one post and one tenure"
# Four tenures in one statement (the one-row branch's limit).
both "INSERT INTO tenures(id, person_id, post_id, start_date, ev_seq)
      SELECT 'T-TEN4-' || id, id, 'T-POST-1', '2021-01-01', 1 FROM persons
       WHERE id NOT IN (SELECT person_id FROM tenures) ORDER BY id LIMIT 4"
same "four tenures"

# Many rows a statement: kin between the first 300 persons, a post at every
# unit held by the holder above, and 50 new persons made the holder's
# relatives: each placed at every unit.
both "INSERT INTO kin(id, person_id, relative_id, relation, ev_seq)
      SELECT 'T-KIN300-' || a.id, a.id, b.id, 'sibling', 1 FROM persons a
        JOIN persons b ON b.id = (SELECT min(c.id) FROM persons c WHERE c.id > a.id)
       WHERE a.id IN (SELECT id FROM persons ORDER BY id LIMIT 300)"
both "INSERT INTO posts(id, unit_id, title, rank, is_top, category, ev_seq)
      SELECT 'T-POSTU-' || id, id, 'x', 'x', 0, 'x', 1 FROM units"
both "INSERT INTO tenures(id, person_id, post_id, start_date, ev_seq)
      SELECT 'T-TENU-' || u.id, '$HP', 'T-POSTU-' || u.id, '2022-01-01', 1
        FROM units u"
both "INSERT INTO persons(id, name, gender, birth_date, ev_seq)
      SELECT 'T-NEW-' || id, name, gender, birth_date, 1 FROM persons ORDER BY id LIMIT 50"
both "INSERT INTO kin(id, person_id, relative_id, relation, ev_seq)
      SELECT 'T-KINNEW-' || p.id, '$HP', p.id, 'child', 1
        FROM persons p WHERE p.id LIKE 'T-NEW-%'"
m=$(q "$U" "SELECT count(*) FROM person_units WHERE person_id LIKE 'T-NEW-%'")
u=$(q "$U" "SELECT count(*) FROM units")
[ "$m" = $((50 * u)) ] || fail "50 new relatives of a holder at each of $u units: $m pairs, want $((50 * u))"
same "statements of many rows"

# The per-row UPDATE and DELETE triggers after them.
both "UPDATE posts SET unit_id = '$HU' WHERE id = 'T-POST-1'"
same "a post moved"
both "DELETE FROM kin WHERE id = 'T-KIN-1'"
[ "$(has "$U" T-REL-1 "$HU")" = 0 ] || fail "the relative is still placed after the kin row went"
same "a kin row deleted"
both "DELETE FROM tenures WHERE id LIKE 'T-TENU-%'"
both "DELETE FROM persons WHERE id LIKE 'T-NEW-1%'"
same "tenures and persons deleted"

echo "pg_derived_triggers: ok ($n pairs imported, $k kin rows; the same as SQLite after 10 writes)"
