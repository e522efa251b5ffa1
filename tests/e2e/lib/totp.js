// RFC 6238 TOTP (HMAC-SHA1, 30 s, 6 digits) with node's crypto, and RFC 4648
// base32 decoding of the secret that `plumb user add` prints.
import { createHmac } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'

export function base32Decode(s) {
  const A = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
  const clean = s.toUpperCase().replace(/[=\s]/g, '')
  let bits = 0
  let value = 0
  const out = []
  for (const ch of clean) {
    const v = A.indexOf(ch)
    if (v < 0) throw new Error(`base32: bad character ${ch}`)
    value = (value << 5) | v
    bits += 5
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff)
      bits -= 8
    }
  }
  return Buffer.from(out)
}

/** RFC 4226 HOTP of `counter` with `key` (Buffer), `digits` digits. */
export function hotp(key, counter, digits = 6, algo = 'sha1') {
  const msg = Buffer.alloc(8)
  msg.writeBigUInt64BE(BigInt(counter))
  const mac = createHmac(algo, key).update(msg).digest()
  const off = mac[mac.length - 1] & 0x0f
  const bin = ((mac[off] & 0x7f) << 24) | (mac[off + 1] << 16) | (mac[off + 2] << 8) | mac[off + 3]
  return String(bin % 10 ** digits).padStart(digits, '0')
}

/** RFC 6238 TOTP at unix time `t` seconds (T0 = 0, step 30). */
export function totp(key, t = Date.now() / 1000, { step = 30, digits = 6, algo = 'sha1' } = {}) {
  return hotp(key, Math.floor(t / step), digits, algo)
}

/** A code to sign in with now, for an account whose last used step is
 * `last` (undefined: none), and its step (for the caller to keep as the
 * new `last`). docs/SECURITY.md "Second factor": 30 s steps, ±1 step of
 * skew, and once a step is used only later ones are taken. So a second
 * sign-in within one step uses the next step's code (the +1 of the skew)
 * instead of waiting up to 30 s for that step to begin; only a third one
 * within the same step waits (until the step after the last used one is
 * at most one ahead). */
export async function signInCode(key, last) {
  const now = Math.floor(Date.now() / 30000)
  const step = last === undefined || now > last ? now : last + 1
  if (step > now + 1) await sleep((step - 1) * 30000 - Date.now() + 200)
  return { code: hotp(key, step), step }
}
