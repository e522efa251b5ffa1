// The draw of a declaration check round re-derived in the browser
// (docs/DECLARE.md "The draw and its proof", "Verified in the browser";
// src/declare/round.c pl_declare_sample_derive), with WebCrypto only and no
// other import, so that tests/e2e/draw.test.js runs it under node too.

function hexToBytes(h) {
  if (typeof h !== 'string' || !/^[0-9a-f]{64}$/i.test(h)) return null
  const out = new Uint8Array(32)
  for (let i = 0; i < 32; i++) out[i] = parseInt(h.slice(2 * i, 2 * i + 2), 16)
  return out
}

function cmpBytes(a, b) {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i]
  return a.length - b.length
}

const hex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')

/**
 * The documented function of the draw, in this browser: rank each eligible
 * declaration id by SHA-256(seed ‖ id) (seed: the 32 raw bytes of the
 * checkpoint's root, id: its UTF-8 bytes), ascending bytewise (ties by the
 * id's bytes, as strcmp); the first ⌈pct·n/100⌉ are 随机抽查 (random),
 * then every candidate (candidate) and open-clue declaration (open_clue)
 * not already in them. draw_rank is the place in the ranking (1-based).
 * Returns {ok: true, sample: [{declaration_id, basis, draw_rank, hash}], k}
 * or {ok: false, why: 'seed' | 'list' | 'rate' | 'crypto'}.
 */
export async function deriveSample(seedHex, eligible, pct) {
  const seed = hexToBytes(seedHex)
  if (!seed) return { ok: false, why: 'seed' }
  if (!Array.isArray(eligible) || eligible.some((x) => !x || typeof x.declaration_id !== 'string')) return { ok: false, why: 'list' }
  if (!Number.isInteger(pct) || pct < 0 || pct > 100) return { ok: false, why: 'rate' }
  if (!globalThis.crypto || !globalThis.crypto.subtle) return { ok: false, why: 'crypto' }
  const te = new TextEncoder()
  const ranked = await Promise.all(eligible.map(async (x) => {
    const id = te.encode(x.declaration_id)
    const buf = new Uint8Array(32 + id.length)
    buf.set(seed, 0)
    buf.set(id, 32)
    const h = new Uint8Array(await crypto.subtle.digest('SHA-256', buf))
    return { x, id, h }
  }))
  ranked.sort((a, b) => cmpBytes(a.h, b.h) || cmpBytes(a.id, b.id))
  const n = ranked.length
  const k = Math.floor((pct * n + 99) / 100)
  const sample = []
  ranked.forEach((r, i) => {
    const basis = i < k ? 'random' : r.x.candidate ? 'candidate' : r.x.open_clue ? 'open_clue' : null
    if (basis) sample.push({ declaration_id: r.x.declaration_id, basis, draw_rank: i + 1, hash: hex(r.h) })
  })
  return { ok: true, sample, k, n }
}
