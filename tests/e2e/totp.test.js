// The E2E suite's own TOTP against the published vectors: RFC 6238
// Appendix B (SHA-1, secret "12345678901234567890", 8 digits) and RFC 4226
// Appendix D (HOTP, 6 digits). If this fails, every login in the suite would.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { hotp, totp, base32Decode } from './lib/totp.js'

const key = Buffer.from('12345678901234567890')

test('RFC 6238 Appendix B SHA-1 vectors', () => {
  const vectors = [[59, '94287082'], [1111111109, '07081804'], [1111111111, '14050471'],
    [1234567890, '89005924'], [2000000000, '69279037'], [20000000000, '65353130']]
  for (const [t, code] of vectors) assert.equal(totp(key, t, { digits: 8 }), code, `t=${t}`)
})

test('RFC 4226 Appendix D HOTP vectors', () => {
  const codes = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489']
  codes.forEach((c, i) => assert.equal(hotp(key, i), c, `counter=${i}`))
})

test('base32 decodes the RFC 4648 §10 vectors', () => {
  assert.equal(base32Decode('MZXW6YTBOI======').toString(), 'foobar')
  assert.equal(base32Decode('mzxw6ytb').toString(), 'fooba')
  assert.throws(() => base32Decode('M1'))
})
