// The draw as the browser re-derives it (web/src/api/draw.js, the function
// behind 在本浏览器中验证 on a check round's page), run under node's WebCrypto
// against a table written by hand from docs/DECLARE.md "The draw and its
// proof" and computed once with python's hashlib (an independent
// implementation): seed = the bytes 00 01 … 1f, thirteen ids (one with a
// Chinese character: its UTF-8 bytes are hashed), candidates DE-3 and DE-甲,
// open clues DE-7 and DE-11. Ranking by SHA-256(seed ‖ id), ascending:
//   1 DE-12 0ac66df3…   2 DE-5 0d92f05f…   3 DE-甲 21d25759…   4 DE-11 6b9e10b7…
//   5 DE-10  6 DE-9  7 DE-2  8 DE-4  9 DE-1  10 DE-8  11 DE-3 b7582975…
//   12 DE-6  13 DE-7 fe8e1a2a…
// 25 %: ⌈25·13/100⌉ = 4 random (3.25 rounds up), then the candidate DE-3
// and the open clue DE-7 (DE-甲 and DE-11 are already in as random).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { deriveSample } from '../../web/src/api/draw.js'

const SEED = Array.from({ length: 32 }, (_, i) => i.toString(16).padStart(2, '0')).join('')
const LIST = [...Array.from({ length: 12 }, (_, i) => `DE-${i + 1}`), 'DE-甲'].map((id) => ({
  declaration_id: id, person_id: 'P-' + id, candidate: id === 'DE-3' || id === 'DE-甲' ? 1 : 0, open_clue: id === 'DE-7' || id === 'DE-11' ? 1 : 0,
}))
const pick = (r) => r.sample.map((x) => [x.declaration_id, x.basis, x.draw_rank])

test('the sample of the hand-written table at 25 %, 0 % and 100 %', async () => {
  let r = await deriveSample(SEED, LIST, 25)
  assert.equal(r.ok, true)
  assert.deepEqual(pick(r), [['DE-12', 'random', 1], ['DE-5', 'random', 2], ['DE-甲', 'random', 3], ['DE-11', 'random', 4],
    ['DE-3', 'candidate', 11], ['DE-7', 'open_clue', 13]])
  assert.equal(r.sample[0].hash.slice(0, 16), '0ac66df3345c7dd5', 'SHA-256(seed ‖ "DE-12")')
  assert.equal(r.sample[2].hash.slice(0, 16), '21d25759b5c4758d', 'SHA-256(seed ‖ UTF-8 "DE-甲")')
  // The order of the list does not matter.
  r = await deriveSample(SEED, [...LIST].reverse(), 25)
  assert.deepEqual(pick(r).map((x) => x[0]), ['DE-12', 'DE-5', 'DE-甲', 'DE-11', 'DE-3', 'DE-7'])
  r = await deriveSample(SEED, LIST, 0)
  assert.deepEqual(pick(r), [['DE-甲', 'candidate', 3], ['DE-11', 'open_clue', 4], ['DE-3', 'candidate', 11], ['DE-7', 'open_clue', 13]])
  r = await deriveSample(SEED.toUpperCase(), LIST, 100)
  assert.deepEqual(pick(r).map((x) => x[0]), ['DE-12', 'DE-5', 'DE-甲', 'DE-11', 'DE-10', 'DE-9', 'DE-2', 'DE-4', 'DE-1', 'DE-8', 'DE-3', 'DE-6', 'DE-7'])
  assert.ok(r.sample.every((x) => x.basis === 'random'))
})

test('what cannot be ranked is said, not guessed', async () => {
  assert.deepEqual(await deriveSample(SEED.slice(2), LIST, 25), { ok: false, why: 'seed' })
  assert.deepEqual(await deriveSample('zz' + SEED.slice(2), LIST, 25), { ok: false, why: 'seed' })
  assert.deepEqual(await deriveSample(SEED, [...LIST, { person_id: 'P-x' }], 25), { ok: false, why: 'list' })
  assert.deepEqual(await deriveSample(SEED, LIST, 101), { ok: false, why: 'rate' })
  assert.deepEqual(await deriveSample(SEED, LIST, 2.5), { ok: false, why: 'rate' })
  assert.deepEqual(await deriveSample(SEED, LIST, -1), { ok: false, why: 'rate' })
})
