// The reporter's proof checked in this browser, with WebCrypto only (no
// library, nothing sent anywhere): the proof of POST /portal/api/proof
// ({seq, leaf, leaf_hash, tree_size, proof[], checkpoint}) and the log's
// verifier key (C2SP signed-note "name+hash+base64(0x01 || ed25519 key)").
//   1. leaf_hash = SHA-256(0x00 || leaf)              (RFC 9162 §2.1.1)
//   2. the checkpoint note is signed by the key        (C2SP signed-note,
//      key id = SHA-256(name "\n" 0x01 key)[0:4], Ed25519 over the text)
//   3. the checkpoint's size = tree_size
//   4. the inclusion proof leads from leaf_hash at seq to the checkpoint's
//      root                                            (RFC 9162 §2.1.3.2)
// Returns {ok, steps: [{step, ok}], why} with why one of leaf, sig, size,
// incl, format, crypto (the first step that failed).

const enc = new TextEncoder()

function hexToBytes(h) {
  if (typeof h !== 'string' || !/^[0-9a-fA-F]{64}$/.test(h)) throw new Error('format')
  const out = new Uint8Array(32)
  for (let i = 0; i < 32; i++) out[i] = parseInt(h.slice(2 * i, 2 * i + 2), 16)
  return out
}

function b64ToBytes(s) {
  const bin = atob(s)
  const out = new Uint8Array(bin.length)
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i)
  return out
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let o = 0
  for (const p of parts) {
    out.set(p, o)
    o += p.length
  }
  return out
}

function equal(a, b) {
  if (a.length !== b.length) return false
  let d = 0
  for (let i = 0; i < a.length; i++) d |= a[i] ^ b[i]
  return d === 0
}

async function sha256(...parts) {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', concat(...parts)))
}

/** RFC 9162 §2.1.3.2: verify the inclusion of `leaf` at `index` in a tree of `size`. */
export async function verifyInclusion(index, size, leaf, path, root) {
  if (!(index >= 0 && index < size)) return false
  let fn = index
  let sn = size - 1
  let r = leaf
  const one = new Uint8Array([1])
  for (const p of path) {
    if (sn === 0) return false
    if (fn % 2 === 1 || fn === sn) {
      r = await sha256(one, p, r)
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2)
          sn = Math.floor(sn / 2)
        }
      }
    } else {
      r = await sha256(one, r, p)
    }
    fn = Math.floor(fn / 2)
    sn = Math.floor(sn / 2)
  }
  return sn === 0 && equal(r, root)
}

/** C2SP signed note: the note's text and its signature lines. */
function parseNote(note) {
  const i = note.indexOf('\n\n')
  if (i < 0) throw new Error('format')
  const text = note.slice(0, i + 1)
  const sigs = note.slice(i + 2).split('\n').filter((l) => l.startsWith('— '))
  const lines = text.split('\n')
  if (lines.length < 4) throw new Error('format')
  const size = Number(lines[1])
  if (!/^\d+$/.test(lines[1])) throw new Error('format')
  return { text, origin: lines[0], size, root: b64ToBytes(lines[2]), sigs }
}

function parseKey(vkey) {
  const p1 = vkey.indexOf('+')
  const p2 = vkey.indexOf('+', p1 + 1)
  if (p1 <= 0 || p2 < 0) throw new Error('format')
  const name = vkey.slice(0, p1)
  const hash = vkey.slice(p1 + 1, p2)
  const raw = b64ToBytes(vkey.slice(p2 + 1))
  if (raw.length !== 33 || raw[0] !== 1 || !/^[0-9a-f]{8}$/.test(hash)) throw new Error('format')
  return { name, hash, raw, pub: raw.subarray(1) }
}

async function signatureOk(note, key) {
  // The key id: SHA-256(name "\n" 0x01 key)[0:4], also the key's "+hash".
  const id = (await sha256(enc.encode(key.name + '\n'), key.raw)).subarray(0, 4)
  const idHex = [...id].map((b) => b.toString(16).padStart(2, '0')).join('')
  if (idHex !== key.hash) return false
  let pub
  try {
    pub = await crypto.subtle.importKey('raw', key.pub, { name: 'Ed25519' }, false, ['verify'])
  } catch {
    throw new Error('crypto')
  }
  for (const line of note.sigs) {
    const [, name, b64] = line.split(' ')
    if (name !== key.name || !b64) continue
    const blob = b64ToBytes(b64)
    if (blob.length !== 68 || !equal(blob.subarray(0, 4), id)) continue
    if (await crypto.subtle.verify({ name: 'Ed25519' }, pub, blob.subarray(4), enc.encode(note.text))) return true
  }
  return false
}

/**
 * The checkpoint note `noteText` is signed by the log key `logKey` (C2SP
 * signed-note, the same check as step 2 above): {ok, origin, size, root
 * (hex)} with the size and root read from the signed text itself, or
 * {ok: false, why} (format, sig, crypto). Used by views/ledgerCheck.js.
 */
export async function checkpointSigned(noteText, logKey) {
  let note, key
  try {
    note = parseNote(String(noteText || ''))
    key = parseKey(String(logKey || ''))
  } catch {
    return { ok: false, why: 'format' }
  }
  if (!crypto?.subtle) return { ok: false, why: 'crypto' }
  let ok
  try {
    ok = await signatureOk(note, key)
  } catch (e) {
    return { ok: false, why: e.message === 'crypto' ? 'crypto' : 'sig' }
  }
  const root = [...note.root].map((b) => b.toString(16).padStart(2, '0')).join('')
  return ok ? { ok, origin: note.origin, size: note.size, root } : { ok: false, why: 'sig' }
}

export async function verifyProof(proof, logKey) {
  const steps = []
  const fail = (why) => ({ ok: false, steps, why })
  let note, key, leafHash, path
  try {
    if (!proof || typeof proof.leaf !== 'string' || !Number.isSafeInteger(proof.seq) ||
        !Number.isSafeInteger(proof.tree_size) || !Array.isArray(proof.proof)) return fail('format')
    leafHash = hexToBytes(proof.leaf_hash)
    path = proof.proof.map(hexToBytes)
    note = parseNote(String(proof.checkpoint || ''))
    key = parseKey(String(logKey || ''))
  } catch {
    return fail('format')
  }
  if (!crypto?.subtle) return fail('crypto')
  const leafOk = equal(await sha256(new Uint8Array([0]), enc.encode(proof.leaf)), leafHash)
  steps.push({ step: 'leaf', ok: leafOk })
  if (!leafOk) return fail('leaf')
  let sigOk
  try {
    sigOk = await signatureOk(note, key)
  } catch (e) {
    return fail(e.message === 'crypto' ? 'crypto' : 'sig')
  }
  steps.push({ step: 'sig', ok: sigOk })
  if (!sigOk) return fail('sig')
  const sizeOk = note.size === proof.tree_size
  steps.push({ step: 'size', ok: sizeOk })
  if (!sizeOk) return fail('size')
  const inclOk = await verifyInclusion(proof.seq, note.size, leafHash, path, note.root)
  steps.push({ step: 'incl', ok: inclOk })
  if (!inclOk) return fail('incl')
  return { ok: true, steps, why: '' }
}

/**
 * RFC 9162 §2.1.4.2: verify that the tree of `second` leaves (root
 * `secondRoot`) extends the tree of `first` leaves (root `firstRoot`), from
 * the consistency proof `path` (arrays of 32 bytes). Used by the staff
 * ledger page (views/ledgerCheck.js).
 */
export async function verifyConsistency(first, second, path, firstRoot, secondRoot) {
  if (!(first >= 1 && first <= second)) return false
  if (first === second) return path.length === 0 && equal(firstRoot, secondRoot)
  if (!path.length) return false
  const one = new Uint8Array([1])
  // first an exact power of 2: its root starts the path.
  const p = (first & (first - 1)) === 0 ? [firstRoot, ...path] : path
  let fn = first - 1
  let sn = second - 1
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2)
    sn = Math.floor(sn / 2)
  }
  let fr = p[0]
  let sr = p[0]
  for (const c of p.slice(1)) {
    if (sn === 0) return false
    if (fn % 2 === 1 || fn === sn) {
      fr = await sha256(one, c, fr)
      sr = await sha256(one, c, sr)
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2)
          sn = Math.floor(sn / 2)
        }
      }
    } else {
      sr = await sha256(one, sr, c)
    }
    fn = Math.floor(fn / 2)
    sn = Math.floor(sn / 2)
  }
  return sn === 0 && equal(fr, firstRoot) && equal(sr, secondRoot)
}

export { hexToBytes }
