// bundle_tamper.mjs — a dishonest sender for tests/cli/levels.sh: reads a
// plumbline-bundle/v1 or /v2 file (docs/LEVELS.md §7: format line, head
// JSON line, v2 only: the multi-proof line, one line per event, an empty
// line, one signed-note signature line), changes its events
// as MODE says, and signs it again with KEYFILE (a `plumb keygen` /
// `plumb init` key: PRIVATE+KEY+<name>+<hex id>+<base64(0x01 || seed)>),
// using node's own Ed25519 — written from the documented format, not from
// the C code, so the receiver must refuse the lie on its merits, not on
// the signature.
//   node bundle_tamper.mjs IN OUT KEYFILE MODE [EVENT]
// MODE (v1 only): proof-flip (one bit of event 0's first proof hash),
// proof-short (event 0's proof one hash short), proof-len (event 0's proof
// one byte short: not a whole number of 32-byte hashes), proof-flip-top
// (one bit of the last, topmost proof hash), proof-drop-top (the last
// proof hash removed), proof-long (the last proof hash given twice);
// MODE (v2 only): mproof-flip (one bit of node EVENT of the multi-proof),
// mproof-drop (its last node removed), mproof-long (its last node given
// twice), mproof-swap (its first two nodes swapped), mproof-len (one byte
// short: not whole hashes), root (writes nothing: prints the root the
// documented walk gives from the events and the multi-proof, base64, and
// the number of nodes — an independent reading of the format);
// MODE (both): header (event EVENT's header with another actor: its seq
// and payload_sha256 unchanged), payload (event 0's payload changed), seq (event 1 claims
// event 0's seq), resign (nothing changed: a valid bundle signed by
// KEYFILE), b64-bits (the header's base64 with non-zero bits under its
// padding: the same bytes to a lax decoder, not canonical base64),
// b64-char-header, b64-char-payload (one character in the middle of the
// header's or payload's base64 replaced by '.', outside the alphabet), drop
// (the event line left out, the head's "events" count lowered: a sender
// that omits an event it sends later; in v2 the multi-proof is made again
// for the events left, from the subtree hashes the honest one gives, so
// it verifies).
// EVENT (default 0) is the index of the event line these modes change (the
// receiver checks events in order, so a later one is checked after others
// have verified).
import { createHash, createPrivateKey, sign } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';

const [inFile, outFile, keyFile, mode] = process.argv.slice(2);
const text = readFileSync(inFile, 'utf8');
const blank = text.indexOf('\n\n');
const lines = text.slice(0, blank).split('\n');
const v2 = lines[0] === 'plumbline-bundle/v2';
if (!v2 && lines[0] !== 'plumbline-bundle/v1') throw new Error('not a bundle');
// Event lines: v1 "<seq> <base64 header> <base64 payload | -> <base64 proof | ->",
// v2 "<seq> <base64 header> <base64 payload | ->" after the multi-proof line.
let mp = v2 ? lines[2] : null;
const ev = lines.slice(v2 ? 3 : 2).map((l) => l.split(' '));
if (!ev.length) throw new Error('bundle has no event');
const b64 = (s) => Buffer.from(s, 'base64');
const k = Number(process.argv[6] || 0);
if (!(k >= 0 && k < ev.length) && !mode.startsWith('mproof')) throw new Error('no event ' + k);
if (mode.startsWith('proof') && v2) throw new Error(mode + ': a v1 mode, the bundle is v2');
if ((mode.startsWith('mproof') || mode === 'root') && !v2) throw new Error(mode + ': a v2 mode');

// The multi-proof (docs/LEVELS.md §7 "Multi-proof"): the RFC 9162 MTH
// recursion from the root, left before right; a subtree without an event
// of the bundle is the next node, one of an event is its leaf hash
// SHA-256(0x00 || header), any other SHA-256(0x01 || left || right), split
// at the largest power of two below its size.
const sha = (...b) => createHash('sha256').update(Buffer.concat(b)).digest();
const split = (n) => { let x = 1; while (x * 2 < n) x *= 2; return x; };
const nodesOf = (line) => {
  if (line === '-') return [];
  const b = b64(line);
  const out = [];
  for (let i = 0; i < b.length; i += 32) out.push(b.subarray(i, i + 32));
  return out;
};
// The root from events (seq, leaf) and nodes; every subtree's hash in memo.
function walk(evs, nodes, size, memo) {
  let i = 0, u = 0;
  const rec = (lo, hi) => {
    let h;
    if (i >= evs.length || evs[i].seq >= hi) {
      if (u >= nodes.length) throw new Error('the multi-proof runs out');
      h = nodes[u++];
    } else if (hi - lo === 1) {
      h = evs[i++].leaf;
    } else {
      const mid = lo + split(hi - lo);
      const l = rec(lo, mid);
      h = sha(Buffer.from([1]), l, rec(mid, hi));
    }
    memo.set(`${lo},${hi}`, h);
    return h;
  };
  const root = rec(0, size);
  if (u !== nodes.length) throw new Error('nodes left over');
  return root;
}
// The nodes of the multi-proof of `seqs` from the subtree hashes in memo.
function gen(seqs, size, memo) {
  const out = [];
  let i = 0;
  const rec = (lo, hi) => {
    if (i >= seqs.length || seqs[i] >= hi) { out.push(memo.get(`${lo},${hi}`)); return; }
    if (hi - lo === 1) { i++; return; }
    const mid = lo + split(hi - lo);
    rec(lo, mid);
    rec(mid, hi);
  };
  rec(0, size);
  return out;
}
const head = () => JSON.parse(lines[1]);
const evLeaves = () => ev.map((f) => ({ seq: Number(f[0]), leaf: sha(Buffer.from([0]), b64(f[1])) }));
const mpLine = (nodes) => (nodes.length ? Buffer.concat(nodes).toString('base64') : '-');
switch (mode) {
case 'root': {
  const nodes = nodesOf(mp);
  console.log(`${walk(evLeaves(), nodes, head().to, new Map()).toString('base64')} ${nodes.length}`);
  process.exit(0);
}
case 'mproof-flip': {
  const h = b64(mp);
  if (32 * k >= h.length) throw new Error('no node ' + k);
  h[32 * k] ^= 1;
  mp = h.toString('base64');
  break;
}
case 'mproof-drop': mp = mpLine(nodesOf(mp).slice(0, -1)); break;
case 'mproof-long': { const n = nodesOf(mp); mp = mpLine([...n, n[n.length - 1]]); break; }
case 'mproof-swap': { const n = nodesOf(mp); mp = mpLine([n[1], n[0], ...n.slice(2)]); break; }
case 'mproof-len': mp = b64(mp).subarray(1).toString('base64'); break;
case 'proof-flip': {
    const h = b64(ev[0][3]);
    h[0] ^= 1;
    ev[0][3] = h.toString('base64');
    break;
}
case 'proof-short': ev[0][3] = b64(ev[0][3]).subarray(32).toString('base64'); break;
case 'proof-len': ev[0][3] = b64(ev[0][3]).subarray(1).toString('base64'); break;
case 'header': {
    // Event EVENT's header with another actor (seq and payload_sha256 kept,
    // so only the proof can tell), in the canonical form (sorted keys).
    const h = JSON.parse(b64(ev[k][1]).toString('utf8'));
    h.actor += 'x';
    const keys = Object.keys(h).sort();
    ev[k][1] = Buffer.from('{' + keys.map((x) => JSON.stringify(x) + ':' + JSON.stringify(h[x])).join(',') + '}').toString('base64');
    break;
}
case 'payload': ev[0][2] = Buffer.concat([b64(ev[0][2]), Buffer.from(' ')]).toString('base64'); break;
case 'seq': ev[1][0] = ev[0][0]; break;
case 'resign': break;
case 'proof-flip-top': {
    const h = b64(ev[k][3]);
    h[h.length - 32] ^= 1;
    ev[k][3] = h.toString('base64');
    break;
}
case 'proof-drop-top': ev[k][3] = b64(ev[k][3]).subarray(0, -32).toString('base64'); break;
case 'proof-long': {
    const h = b64(ev[k][3]);
    ev[k][3] = Buffer.concat([h, h.subarray(h.length - 32)]).toString('base64');
    break;
}
case 'drop': {
    const memo = new Map();
    if (v2) walk(evLeaves(), nodesOf(mp), head().to, memo);
    ev.splice(k, 1);
    if (v2) mp = mpLine(gen(ev.map((f) => Number(f[0])), head().to, memo));
    const hd = head();
    hd.events = ev.length;
    const keys = Object.keys(hd).sort();
    lines[1] = '{' + keys.map((x) => JSON.stringify(x) + ':' + JSON.stringify(hd[x])).join(',') + '}';
    break;
}
case 'b64-bits': {
    // A header of 3n+1 or 3n+2 bytes ends in '==' or '=': the last data
    // character carries bits that must be zero. Set the lowest of them.
    const s = ev[k][1];
    const pad = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0;
    if (!pad) throw new Error('header base64 of event ' + k + ' has no padding');
    const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    const i = s.length - pad - 1;
    ev[k][1] = s.slice(0, i) + abc[abc.indexOf(s[i]) | 1] + s.slice(i + 1);
    break;
}
case 'b64-char-header':
case 'b64-char-payload': {
    // One character of a whole group in the middle of the field replaced
    // by '.', outside the base64 alphabet (RFC 4648 §4).
    const f = mode === 'b64-char-header' ? 1 : 2;
    const s = ev[k][f];
    if (s === '-' || s.length < 8) throw new Error('event ' + k + ': field too short');
    const i = 4 * Math.floor(s.length / 8) + 1;
    ev[k][f] = s.slice(0, i) + '.' + s.slice(i + 1);
    break;
}
default: throw new Error('unknown mode ' + mode);
}
const signed = [lines[0], lines[1], ...(v2 ? [mp] : []), ...ev.map((f) => f.join(' '))].join('\n') + '\n';
const parts = readFileSync(keyFile, 'utf8').trim().split('+'); // base64 may hold '+'
const [name, hexId, keyB64] = [parts[2], parts[3], parts.slice(4).join('+')];
const raw = Buffer.from(keyB64, 'base64');
if (raw[0] !== 1 || raw.length !== 33) throw new Error('not an Ed25519 key');
const key = createPrivateKey({
    key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), raw.subarray(1)]),
    format: 'der',
    type: 'pkcs8',
});
const sig = sign(null, Buffer.from(signed, 'utf8'), key);
const line = '\u2014 ' + name + ' ' + Buffer.concat([Buffer.from(hexId, 'hex'), sig]).toString('base64');
writeFileSync(outFile, signed + '\n' + line + '\n');
