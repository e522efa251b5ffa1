#!/usr/bin/env bash
# ledger_badinput.sh — bad input is a one-line error with exit code 1, never
# a crash: malformed payload, unknown type, a non-store file, a missing or
# exposed key, bad arguments. Also: every ledger command has --help.
# On both engines (helpers/store_lib.sh; cli.pg.ledger_badinput): the
# store and its key file are the engine's (a URL's key lives in its state
# directory); the non-store files (text, another SQLite database, a
# missing path) are files on both — a PostgreSQL database of another
# application is cli.pg_badinput's.
set -u
: "${PLUMB:?set PLUMB to the plumb binary}" "${PLUMB_SRC:?}"
export PLUMB_LANG=en
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 2
. "$PLUMB_SRC/tests/cli/helpers/store_lib.sh"
P=$PLUMB
S=$(store_new s) || exit 1
O=$(store_new o) || exit 1
fails=0
# want1 NAME SUBSTRING CMD... — the command must exit 1 with one line on stderr.
want1() {
    local name=$1 want=$2
    shift 2
    "$@" >out.txt 2>err.txt
    local rc=$?
    local err
    err=$(cat err.txt)
    if [ "$rc" -ne 1 ]; then echo "FAIL: $name: exit $rc (want 1): $err"; fails=$((fails + 1)); return; fi
    # Usage errors add a "try --help" hint line (src/cli/common.c).
    if [ "$(grep -vc '^try --help$' err.txt)" -ne 1 ]; then echo "FAIL: $name: not one line: $err"; fails=$((fails + 1)); return; fi
    if ! grep -qF -- "$want" err.txt; then echo "FAIL: $name: lacks '$want': $err"; fails=$((fails + 1)); return; fi
    echo "ok: $name: $err"
}
"$P" init --db "$S" >/dev/null || { echo "FAIL: init"; exit 1; }
want1 "malformed payload" "malformed JSON" "$P" ledger-append-test --db "$S" --type test.tick --payload '{"a":'
want1 "array payload" "payload must be a JSON object" "$P" ledger-append-test --db "$S" --type test.tick --payload '[1,2]'
want1 "real number payload" "real numbers are not allowed" "$P" ledger-append-test --db "$S" --type test.tick --payload '{"x":1.5}'
want1 "unknown event type" "unknown event type 'no.such'" "$P" ledger-append-test --db "$S" --type no.such --payload '{}'
echo "just some text" >notes.txt
want1 "text file as store" "not a Plumbline store" "$P" verify --db notes.txt
"$PLUMB" sql --create --db other.db "CREATE TABLE x(a)"
want1 "foreign sqlite db" "not a Plumbline store" "$P" verify --db other.db
want1 "missing store" "no such store" "$P" verify --db nothing.db
want1 "init twice" "already" "$P" init --db "$S"
chmod 640 "$(store_side "$S" key)"
want1 "exposed key file" "accessible by group or others" "$P" checkpoint --db "$S"
mv "$(store_side "$S" key)" away.key
want1 "missing key" "key file missing" "$P" checkpoint --db "$S"
want1 "bad witness key" "bad witness key" "$P" verify --db "$S" --witness nonsense+00000000+AAAA
want1 "proof of a missing event" "no such event" "$P" proof inclusion 999 --db "$S"
want1 "proof size too big" "beyond the log size" "$P" proof consistency 0 999 --db "$S"
want1 "purge without reason" "required" "$P" purge 0 --db "$S"
want1 "purge missing event" "no such event" "$P" purge 77 --reason x --db "$S"
want1 "bad number" "not a non-negative integer" "$P" log --from -3 --db "$S"
want1 "cosign without key" "required" "$P" cosign --db "$S"
want1 "bad origin" "origin" "$P" init --db "$O" --origin "has space"
for c in init keygen log checkpoint cosign "proof inclusion" "proof consistency" verify rebuild \
    export-tiles purge ledger-append-test; do
    # shellcheck disable=SC2086
    if ! "$P" $c --help | grep -q "usage: plumb $c"; then echo "FAIL: $c --help"; fails=$((fails + 1)); fi
done
[ "$fails" -eq 0 ] || { echo "$fails bad-input case(s) failed"; exit 1; }
echo "all bad-input cases give one-line errors with exit 1"
