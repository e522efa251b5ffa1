# bench/signin.sh — sourced by the API benchmarks: sign in to `plumb serve`
# as a staff user (password + the current TOTP code of the user's secret).
# plumb_signin API USER PASSWORD TOTP_SECRET DIR: sets COOKIE
# ("plumb_session=…") and CSRF; the login reply is kept in DIR/login.json.
plumb_signin() {
  local api=$1 user=$2 pw=$3 secret=$4 dir=$5 code
  code=$(node -e '
const c=require("crypto");const s=process.argv[1];const A="ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
let b=0,a=0,o=[];for(const ch of s){a=(a<<5)|A.indexOf(ch);b+=5;if(b>=8){o.push((a>>>(b-8))&255);b-=8;}}
const m=Buffer.alloc(8);m.writeBigUInt64BE(BigInt(Math.floor(Date.now()/30000)));
const h=c.createHmac("sha1",Buffer.from(o)).update(m).digest();const f=h[19]&15;
console.log(String((h.readUInt32BE(f)&0x7fffffff)%1e6).padStart(6,"0"));' "$secret")
  curl -sS -D "$dir/login.h" -o "$dir/login.json" -H 'Content-Type: application/json' \
    -d "{\"username\":\"$user\",\"password\":\"$pw\",\"totp\":\"$code\"}" "$api/api/v1/auth/login"
  COOKIE=$(sed -n 's/^[Ss]et-[Cc]ookie: \(plumb_session=[^;]*\).*/\1/p' "$dir/login.h")
  CSRF=$(sed -E 's/.*"csrf_token":"([0-9a-f]+)".*/\1/' "$dir/login.json")
  [ -n "$COOKIE" ] || { echo "sign-in as $user failed: $(cat "$dir/login.json")" >&2; return 1; }
}

# plumb_bench_user BIN DB ROLE PASSWORD: add user "bench" with ROLE, scoped
# to every root unit of DB; prints the user's TOTP secret.
plumb_bench_user() {
  local bin=$1 db=$2 role=$3 pw=$4 sc=() r
  for r in $(sqlite3 "$db" "SELECT id FROM units WHERE parent_id IS NULL OR parent_id=''"); do sc+=(--scope "$r"); done
  echo "$pw" | "$bin" user add bench --role "$role" "${sc[@]}" --password-stdin --db "$db" |
    sed -n 's/^totp_secret: //p'
}

# plumb_serve BIN DB DIR [OPTION…]: start `plumb serve` on a free port in the
# background, without rate limits (pid in DIR/pid, stderr in DIR/serve.log);
# sets API ("http://127.0.0.1:PORT"). plumb_stop DIR stops it.
plumb_serve() {
  local bin=$1 db=$2 dir=$3
  shift 3
  rm -f "$dir/port"
  "$bin" serve --db "$db" --port 0 --port-file "$dir/port" --quiet --rate-ip 0 --rate-user 0 \
    "$@" 2>"$dir/serve.log" &
  echo $! >"$dir/pid"
  for _ in $(seq 1 300); do [ -s "$dir/port" ] && break; sleep 0.05; done
  [ -s "$dir/port" ] || { echo "plumb serve did not start: $(cat "$dir/serve.log")" >&2; return 1; }
  API="http://127.0.0.1:$(cat "$dir/port")"
}
plumb_stop() {
  kill "$(cat "$1/pid")"
  wait "$(cat "$1/pid")" 2>/dev/null || true
  rm -f "$1/pid"
}
