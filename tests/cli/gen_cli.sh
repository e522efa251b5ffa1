#!/usr/bin/env bash
# gen_cli.sh — `plumb gen` from the command line: help, usage errors (exit 1),
# determinism of the whole output tree, manifest and truth present.
set -u
: "${PLUMB:?PLUMB must point at the plumb binary}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$PLUMB" gen --help >"$tmp/help" || fail "gen --help exit $?"
grep -q -- "--scale" "$tmp/help" || fail "help lacks --scale"

"$PLUMB" gen --scale county --out "$tmp/x" 2>/dev/null; rc=$?
[ "$rc" -eq 1 ] || fail "missing --seed: exit $rc, want 1"
"$PLUMB" gen --scale city --seed 1 --out "$tmp/x" 2>/dev/null; rc=$?
[ "$rc" -eq 1 ] || fail "bad --scale: exit $rc, want 1"
"$PLUMB" gen --scale county --seed -4 --out "$tmp/x" 2>/dev/null; rc=$?
[ "$rc" -eq 1 ] || fail "negative --seed: exit $rc, want 1"

"$PLUMB" gen --scale county --seed 42 --out "$tmp/a" --quiet >/dev/null || fail "gen a"
"$PLUMB" gen --scale county --seed 42 --out "$tmp/b" --quiet >/dev/null || fail "gen b"
(cd "$tmp/a" && find . -type f | sort | xargs sha256sum) >"$tmp/sa"
(cd "$tmp/b" && find . -type f | sort | xargs sha256sum) >"$tmp/sb"
cmp -s "$tmp/sa" "$tmp/sb" || fail "same seed, different bytes"
# 35 files + market/ and police/person_records.csv (gen_link.c, issue #19 items 3-4;
# both listed in manifest.json too, unit.gen_test checks their rows)
[ "$(wc -l <"$tmp/sa")" -eq 37 ] || fail "expected 37 files, got $(wc -l <"$tmp/sa")"
for f in manifest.json truth.json bad/expected.txt org/units.csv finance/payments.csv; do
  [ -s "$tmp/a/$f" ] || fail "missing $f"
done
grep -q '"as_of":"2026-06-30"' "$tmp/a/truth.json" || fail "truth as_of"
# UTF-8 without BOM, \n line ends
head -c 3 "$tmp/a/org/units.csv" | grep -q $'\xef\xbb\xbf' && fail "BOM written"
grep -q $'\r' "$tmp/a/org/persons.csv" && fail "CR in output"
echo "ok"
