#!/usr/bin/env bash
# ledger_mutations.sh — the tamper-mutation suite (issue #15, "At scale"):
# random UPDATE/DELETE/INSERT of rows in every table and byte flips in the
# database file, the rules snapshot and the key files of a small county
# store, each caught by `plumb verify` or named in docs/SECURITY.md as
# outside its promise. The driver is ledger_mutations.py; this bounded run
# (MUTATIONS, default 120, well under 90 s) is part of make check; the full
# run (MUTATIONS=1000) is recorded in docs/RELIABILITY.md "Tamper mutations".
# Needs: $PLUMB, python3 (with its sqlite3 module).
set -u
P=${PLUMB:?set PLUMB to the plumb binary}
exec python3 "$(dirname "$0")/ledger_mutations.py" --plumb "$P" \
    --count "${MUTATIONS:-120}" --seed "${MUTATION_SEED:-15}"
