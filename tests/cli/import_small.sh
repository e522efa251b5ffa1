#!/bin/bash
# import_small.sh — the import service's two ways of checking a batch
# (docs/IMPORT.md "One import service"): a batch of at most
# PL_IMPORT_INCREMENTAL_ROWS rows (counted as lines less one header per CSV
# file) is checked event by event, a larger one by one sweep, and the same findings hold
# either way. The examples are imported source by source (small batches),
# then a follow-up batch, into store A the default way (event by event) and
# into store B with every batch swept (PLUMB_IMPORT_INCREMENTAL_ROWS=0,
# for tests only); the findings that hold must be equal, and the follow-up's
# planted cases as docs/RULES.md says. On both engines (helpers/
# store_lib.sh). Layer: tests/cli (import, rules).
set -u
: "${PLUMB:?}" "${PLUMB_SRC:?}"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
. "$PLUMB_SRC/tests/cli/helpers/store_lib.sh"
export PLUMB_LANG=en
unset PLUMB_IMPORT_INCREMENTAL_ROWS
AS_OF=2026-03-01
EX=$PLUMB_SRC/examples
SOURCES="org police market realestate securities vehicles contracts meetings finance declarations evaluations supervision clues"

# The follow-up batch (2 rows), planted from docs/RULES.md:
# - R07: PAY9001, 600,000 元 paid by the county bureau U002 with no decision,
#   at or above the county threshold of 500,000 元 → finding, key the
#   payment, subject the unit, severity high, evidence payments:PAY9001;
# - R16: 王建国 (43312719700315011X), a top leader, files his 2025
#   declaration on 2026-01-20, before the due date 2026-01-31 → the
#   finding for 2025 no longer holds; 2024 is still missing → it holds.
mkdir -p "$T/more/finance" "$T/more/declarations"
printf 'id,unit_id,payee_company_id,payee_person_id,amount_fen,paid_at,purpose,contract_id,decision_id\nPAY9001,U002,91433127MA4L00011W,,60000000,2025-11-03,工程款,,\n' \
    >"$T/more/finance/payments.csv"
printf 'id,person_id,year,filed_at\nDEC-2025-001,43312719700315011X,2025,2026-01-20\n' \
    >"$T/more/declarations/declarations.csv"

load() { # load DB OUT → every batch's rules line in OUT
    "$PLUMB" init --db "$1" >/dev/null 2>&1 || fail "init $1"
    for s in $SOURCES; do
        [ -d "$EX/$s" ] || continue
        "$PLUMB" import --db "$1" --as-of $AS_OF --quiet --source "$s" "$EX/$s"/* \
            >>"$2" 2>"$2.err" || { cat "$2.err"; fail "$s into $1"; }
    done
    "$PLUMB" import --db "$1" --as-of $AS_OF --quiet --all "$T/more" >>"$2" || fail "follow-up into $1"
}
A=$(store_new a) && B=$(store_new b) || exit 1
load "$A" "$T/a.out"
PLUMB_IMPORT_INCREMENTAL_ROWS=0 load "$B" "$T/b.out"

n_a=$(grep -c '^rules: checked event by event (small batch)' "$T/a.out")
n_b=$(grep -c '^rules: [0-9]* findings hold' "$T/b.out")
[ "$n_a" -ge 10 ] || { cat "$T/a.out"; fail "A: $n_a batches checked event by event"; }
[ "$n_b" = "$n_a" ] || { cat "$T/b.out"; fail "B: $n_b batches swept, A: $n_a"; }
grep -q 'findings hold' "$T/a.out" && fail "A: a small batch was swept"
# A sweep writes the snapshot; event-by-event checks do not.
[ -e "$(store_side "$B" rules-snapshot)" ] || fail "B: no snapshot after its sweeps"
[ -e "$(store_side "$A" rules-snapshot)" ] && fail "A: a snapshot was written without a sweep"

holding() { # the findings that hold, everything but the ledger's bookkeeping
    store_sql "$1" "SELECT rule, key, subject, subject_kind, unit_id, severity, params, profile,
        evidence, explanation_en, first_seen, evaluated_at, status FROM findings
        WHERE status <> 'resolved' ORDER BY rule, key, subject"
}
holding "$A" >"$T/ha"
holding "$B" >"$T/hb"
[ "$(wc -l <"$T/ha")" -ge 15 ] || fail "A: only $(wc -l <"$T/ha") findings"
diff "$T/ha" "$T/hb" >"$T/diff" || { cat "$T/diff"; fail "event by event (<) and swept (>) differ"; }

# The planted cases, as docs/RULES.md gives them (the same in B by the diff).
row() { store_sql "$A" "SELECT severity || ' ' || status || ' ' || evidence FROM findings WHERE rule = '$1' AND key = '$2'"; }
[ "$(row R07 PAY9001)" = 'high open ["payments:PAY9001"]' ] || fail "R07 PAY9001: '$(row R07 PAY9001)'"
[ "$(store_sql "$A" "SELECT subject FROM findings WHERE rule = 'R07' AND key = 'PAY9001'")" = U002 ] || fail "R07 subject"
[ "$(row R16 '43312719700315011X|2025')" = 'high resolved ["tenures:T001"]' ] || fail "R16 2025: '$(row R16 '43312719700315011X|2025')'"
[ "$(row R16 '43312719700315011X|2024')" = 'high open ["tenures:T001"]' ] || fail "R16 2024: '$(row R16 '43312719700315011X|2024')'"

# After event-by-event checks the snapshot a sweep left is stale (keyed by
# an older ledger): it must not decide anything. C: the examples swept
# (snapshot written), then the follow-up checked event by event, then a
# full sweep, which loads from the tables, has nothing to change.
C=$(store_new c) || exit 1
"$PLUMB" init --db "$C" >/dev/null 2>&1 || fail "init C"
PLUMB_IMPORT_INCREMENTAL_ROWS=0 "$PLUMB" import --db "$C" --as-of $AS_OF --quiet --all "$EX" >/dev/null 2>&1 || fail "examples into C"
[ -e "$(store_side "$C" rules-snapshot)" ] || fail "C: no snapshot"
"$PLUMB" import --db "$C" --as-of $AS_OF --quiet --all "$T/more" >"$T/c.out" || fail "follow-up into C"
grep -q '^rules: checked event by event' "$T/c.out" || { cat "$T/c.out"; fail "C: follow-up was not checked event by event"; }
"$PLUMB" sweep --db "$C" --as-of $AS_OF >"$T/c.sweep" || fail "sweep C"
grep -q '^changes: 0 raised, 0 updated, 0 resolved;' "$T/c.sweep" || { cat "$T/c.sweep"; fail "C: the sweep changed findings"; }
[ "$(store_sql "$C" "SELECT status FROM findings WHERE rule = 'R07' AND key = 'PAY9001'")" = open ] || fail "C: R07"

# The cutoff counts rows (lines less one header per CSV file): the
# follow-up has 2 — checked event by event at a cutoff of 2, swept at 1.
for cut in 1 2; do
    D=$(store_new d$cut) || exit 1
    "$PLUMB" init --db "$D" >/dev/null 2>&1 || fail "init D"
    "$PLUMB" import --db "$D" --as-of $AS_OF --quiet --all "$EX" --no-rules >/dev/null 2>&1 || fail "examples into D"
    PLUMB_IMPORT_INCREMENTAL_ROWS=$cut "$PLUMB" import --db "$D" --as-of $AS_OF --quiet --all "$T/more" >"$T/d$cut.out" || fail "follow-up into D"
done
grep -q '^rules: [0-9]* findings hold' "$T/d1.out" || { cat "$T/d1.out"; fail "2 rows at cutoff 1: not swept"; }
grep -q '^rules: checked event by event' "$T/d2.out" || { cat "$T/d2.out"; fail "2 rows at cutoff 2: not event by event"; }

for db in "$A" "$B" "$C"; do
    "$PLUMB" verify --db "$db" >"$T/v" 2>&1 || { cat "$T/v"; fail "verify $db"; }
done
echo "import_small: 1 passed, 0 failed"
