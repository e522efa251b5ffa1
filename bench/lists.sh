#!/usr/bin/env bash
# bench/lists.sh — per-route timing of list reads: for each route, the
# minimum of 7 requests with curl (each a fresh connection; ms, HTTP
# included) and the md5 of the first reply, to compare binaries on the same
# store (docs/BENCHMARKS.md "Sorted lists, narrow scopes and the cases
# queue"). Starts `plumb serve` on DB, adds a discipline officer whose
# scope is SCOPE (default: every root unit, the whole store) and signs in.
# Usage: bench/lists.sh PLUMB DB [SCOPE_UNIT] < routes   (one
#   "payments?limit=50"-style route a line; writes to the store: a user)
# Needs curl, sqlite3, node (TOTP).
set -euo pipefail
PLUMB=$1 DB=$2
. "$(dirname "$0")/signin.sh"
W=$(mktemp -d)
SRV=
trap '[ -n "$SRV" ] && kill "$SRV" 2>/dev/null; rm -rf "$W"' EXIT
ROOTS=${3:-$(sqlite3 "$DB" "SELECT id FROM units WHERE parent_id IS NULL OR parent_id='' ORDER BY id")}
SCOPES=()
for u in $ROOTS; do SCOPES+=(--scope "$u"); done
PW='Bench-Lists-Passw0rd-2026' U=bench$RANDOM
SECRET=$(echo "$PW" | "$PLUMB" user add "$U" --role discipline_officer "${SCOPES[@]}" --password-stdin --db "$DB" |
    sed -n 's/^totp_secret: //p')
"$PLUMB" serve --db "$DB" --port 0 --port-file "$W/port" --quiet --rate-ip 0 --rate-user 0 2>"$W/serve.log" &
SRV=$!
for _ in $(seq 100); do [ -s "$W/port" ] && break; sleep 0.1; done
API=http://127.0.0.1:$(cat "$W/port")
plumb_signin "$API" "$U" "$PW" "$SECRET" "$W" || exit 1
echo "| route | min of 7 (ms) | md5 of the first reply |"
echo "|---|---:|---|"
while read -r rt; do
    [ -z "$rt" ] && continue
    best=
    for i in 1 2 3 4 5 6 7; do
        t=$(curl -sS -o "$W/body" -w '%{time_total}' -b "$COOKIE" "$API/api/v1/$rt")
        [ "$i" = 1 ] && md5=$(md5sum <"$W/body" | cut -c1-8)
        best=$(awk -v a="${best:-1e9}" -v t="$t" 'BEGIN { m = t * 1000; printf "%.1f", (m < a) ? m : a }')
    done
    echo "| \`$rt\` | $best | $md5 |"
done
