// RFC 6238 TOTP (HMAC-SHA1, 30 s, 6 digits) with node's crypto, and RFC 4648
// base32 decoding of the secret that `plumb user add` prints.
import { createHmac } from 'node:crypto'

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
