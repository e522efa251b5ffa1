// The ledger page's check in this browser (issue #16: "verify is always
// unavailable" — there is no POST /api/v1/ledger/verify; the full check,
// every record replayed, is `plumb verify` on the server, docs/LEDGER.md §4).
// What the browser can check from the read-only routes, with WebCrypto:
//   sig       the checkpoint note is signed by the log's key (C2SP
//             signed-note, Ed25519), and its origin, size and root are the
//             ones the page shows; the key is the one this browser saw last
//             time (a new key is a failed step: compare it with the one the
//             office publishes);
//   root      the server's root of the tree at the checkpoint's size is the
//             signed checkpoint's root (GET …/proof/inclusion gives it);
//   first     the first record is in the signed tree (RFC 9162 §2.1.3.2);
//   last      the newest record of the checkpoint is in the signed tree;
//   grown     the signed tree extends the one this browser checked last time
//             (RFC 9162 §2.1.4.2, GET …/proof/consistency), so nothing
//             signed before was changed or removed; the first time: nothing
//             to compare, said so.
// The checkpoint last checked is kept in localStorage (plumb.ledger.seen:
// origin, size, root, key; public values).
import { get } from '../api/client.js'
import { verifyInclusion, verifyConsistency, hexToBytes, checkpointSigned } from './portal/verify.js'

const SEEN = 'plumb.ledger.seen'

function same(a, b) {
  return typeof a === 'string' && typeof b === 'string' && a.toLowerCase() === b.toLowerCase()
}

async function included(index, size, root) {
  const p = await get('ledger/proof/inclusion', { index, size })
  const ok = same(p.root_hash, root) &&
    (await verifyInclusion(index, size, hexToBytes(p.leaf_hash), (p.proof || []).map(hexToBytes), hexToBytes(root)))
  return ok
}

/** {ok, steps: [{step, ok, n?}], size} for the checkpoint `cp` ({origin, size, root_hash}). */
export async function checkLedger(cp) {
  const steps = []
  const size = Number(cp.size)
  const root = String(cp.root_hash || '')
  if (!(size >= 1) || !/^[0-9a-f]{64}$/i.test(root)) return { ok: false, steps: [{ step: 'format', ok: false }], size }
  const signed = await checkpointSigned(cp.note, cp.log_key)
  steps.push({ step: 'sig', ok: signed.ok && signed.origin === cp.origin && signed.size === size && same(signed.root, root) })
  const p = await get('ledger/proof/inclusion', { index: size - 1, size })
  steps.push({ step: 'root', ok: same(p.root_hash, root) })
  steps.push({ step: 'first', ok: await included(0, size, root), n: 1 })
  steps.push({ step: 'last', ok: await verifyInclusion(size - 1, size, hexToBytes(p.leaf_hash),
    (p.proof || []).map(hexToBytes), hexToBytes(root)), n: size })
  let seen = null
  try {
    seen = JSON.parse(localStorage.getItem(SEEN) || 'null')
  } catch {
    seen = null
  }
  if (seen && seen.origin === cp.origin && seen.key && seen.key !== cp.log_key) steps.push({ step: 'keyChanged', ok: false })
  if (seen && seen.origin === cp.origin && seen.size >= 1 && seen.size <= size && /^[0-9a-f]{64}$/i.test(seen.root)) {
    let ok
    if (seen.size === size) ok = same(seen.root, root)
    else {
      const c = await get('ledger/proof/consistency', { first: seen.size, second: size })
      ok = same(c.first_root, seen.root) && same(c.second_root, root) &&
        (await verifyConsistency(seen.size, size, (c.proof || []).map(hexToBytes), hexToBytes(seen.root), hexToBytes(root)))
    }
    steps.push({ step: 'grown', ok, n: seen.size })
  } else if (seen && seen.origin === cp.origin && seen.size > size) {
    steps.push({ step: 'shrunk', ok: false, n: seen.size })
  } else steps.push({ step: 'firstVisit', ok: true })
  const ok = steps.every((s) => s.ok)
  if (ok) localStorage.setItem(SEEN, JSON.stringify({ origin: cp.origin, size, root: root.toLowerCase(), key: cp.log_key }))
  return { ok, steps, size }
}
