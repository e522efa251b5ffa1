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
