#!/usr/bin/env bash
# ledger_mutations.sh — the tamper-mutation suite (issue #15, "At scale"):
# random UPDATE/DELETE/INSERT of rows in every table and byte flips in the
# database file, the rules snapshot and the key files of a small county
# store, each caught by `plumb verify` or named in docs/SECURITY.md as
# outside its promise. The driver is ledger_mutations.py; this bounded run
# (MUTATIONS, default 120, well under 90 s) is part of make check; the full
# run (MUTATIONS=1000) is recorded in docs/RELIABILITY.md "Tamper mutations".
# Both engines (store_lib.sh): on PostgreSQL (cli.pg.ledger_mutations) the
# same build and draw, no file flips (the cluster's files are the server's),
# and MUTATIONS_PG turns (default 4: each is a CREATE DATABASE ... TEMPLATE
# and a verify that replays the 6,415 events into a scratch schema: 12.6 s
# a turn at load 13 (SQLite: the build and 120 turns in 62 s); the base's
# build 32 s. What differs by engine is the copy, the SQL of the edit and
# the verify's replay, the same for every turn, so the first turns of the
# same draw stand for the rest there; MUTATIONS_PG=120 runs them all by
# hand).
# Needs: $PLUMB, $PLUMB_SRC, python3 (with its sqlite3 module).
set -u
: "${PLUMB:?set PLUMB to the plumb binary}" "${PLUMB_SRC:?}"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. "$PLUMB_SRC/tests/cli/helpers/store_lib.sh"
if [ "$STORE_PG" = 0 ]; then
    python3 "$(dirname "$0")/ledger_mutations.py" --plumb "$PLUMB" \
        --count "${MUTATIONS:-120}" --seed "${MUTATION_SEED:-15}"
else
    DB=$(store_new base) || exit 1
    python3 "$(dirname "$0")/ledger_mutations.py" --plumb "$PLUMB" --db "$DB" \
        --count "${MUTATIONS_PG:-4}" --seed "${MUTATION_SEED:-15}"
fi
