#!/usr/bin/env bash
# mkseed-bundle.sh — make the seed bundles of fuzz/bundle_fuzz.c with the
# real exporter: a tiny county store (6 test.tick events with 16-byte
# payloads, taken by the policy through the PLUMB_BUNDLE_EXTRA_TYPE test
# hook as bench/levels.sh does), its checkpoint cosigned by a witness (`plumb witness serve`), `plumb bundle
# export` twice (--since 0 and --since 3). Prints the keys to paste into
# bundle_fuzz.c (the county's key signs, the fuzz target re-signs with it;
# new keys on every run, so the seeds and the constants go together). The
# files are then prefixed with the target's mode byte (0: raw-*, 1: the
# signed text, signed-*); the broken seeds are cut from them by hand.
# Usage: PLUMB=build/plumb fuzz/mkseed-bundle.sh DIR
set -eu
P=$(realpath "${PLUMB:?set PLUMB to the plumb binary}")
OUT=$(realpath "${1:?output directory}")
T=$(mktemp -d)
WPID=
trap '[ -n "$WPID" ] && kill "$WPID" 2>/dev/null; rm -rf "$T"' EXIT
cd "$T"
"$P" init --db c.db --origin fuzz.example/county >init.out
"$P" keygen --name fuzz.example/witness --out w.key >/dev/null
WV=$("$P" witness vkey --key w.key)
LV=$(tail -n 1 init.out)
printf 'fuzz.example/county %s\n' "$LV" >logs.conf
"$P" ledger-append-test --db c.db --count 6 --payload-bytes 16 >/dev/null
"$P" witness serve --state wst --key w.key --logs logs.conf --listen 127.0.0.1:0 --port-file wport 2>wlog &
WPID=$!
for _ in $(seq 1 300); do [ -s wport ] && break; sleep 0.02; done
"$P" checkpoint push --db c.db --witness "$WV" --url "http://127.0.0.1:$(cat wport)" >/dev/null
PLUMB_TEST_HOOKS=1 PLUMB_BUNDLE_EXTRA_TYPE=test.tick \
    "$P" bundle export --db c.db --witness-vkey "$WV" --out "$OUT/valid-all" >/dev/null
PLUMB_TEST_HOOKS=1 PLUMB_BUNDLE_EXTRA_TYPE=test.tick \
    "$P" bundle export --db c.db --witness-vkey "$WV" --since 3 --out "$OUT/valid-since3" >/dev/null
printf 'fuzz.example/county %s\n' "$LV" >origins.conf
"$P" bundle verify "$OUT/valid-all" --origins origins.conf --witness-vkey "$WV"
echo "log/sender skey: $(cat c.db.key)"
echo "log vkey:        $LV"
echo "witness vkey:    $WV"
