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
CODE=$(node -e '
const c=require("crypto");const s=process.argv[1];const A="ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
let b=0,a=0,o=[];for(const ch of s){a=(a<<5)|A.indexOf(ch);b+=5;if(b>=8){o.push((a>>>(b-8))&255);b-=8;}}
const m=Buffer.alloc(8);m.writeBigUInt64BE(BigInt(Math.floor(Date.now()/30000)));
const h=c.createHmac("sha1",Buffer.from(o)).update(m).digest();const f=h[19]&15;
console.log(String((h.readUInt32BE(f)&0x7fffffff)%1e6).padStart(6,"0"));' "$SECRET")
curl -sS -D "$W/h" -o /dev/null -H 'Content-Type: application/json' \
    -d "{\"username\":\"$U\",\"password\":\"$PW\",\"totp\":\"$CODE\"}" "$API/api/v1/auth/login"
COOKIE=$(sed -n 's/^[Ss]et-[Cc]ookie: \(plumb_session=[^;]*\).*/\1/p' "$W/h")
[ -n "$COOKIE" ] || { echo "bench/lists.sh: sign-in failed" >&2; exit 1; }
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
