// bundle_tamper.mjs — a dishonest sender for tests/cli/levels.sh: reads a
// plumbline-bundle/v1 file (docs/LEVELS.md §7: format line, head JSON
// line, one line per event, an empty line, one signed-note signature
// line), changes its events
// as MODE says, and signs it again with KEYFILE (a `plumb keygen` /
// `plumb init` key: PRIVATE+KEY+<name>+<hex id>+<base64(0x01 || seed)>),
// using node's own Ed25519 — written from the documented format, not from
// the C code, so the receiver must refuse the lie on its merits, not on
// the signature.
//   node bundle_tamper.mjs IN OUT KEYFILE MODE [EVENT]
// MODE: proof-flip (one bit of event 0's first proof hash), proof-short
// (event 0's proof one hash short), proof-len (event 0's proof one byte
// short: not a whole number of 32-byte hashes),
// payload (event 0's payload changed), seq (event 1 claims event 0's seq),
// resign (nothing changed: a valid bundle signed by KEYFILE);
// proof-flip-top (one bit of the last, topmost proof hash), proof-drop-top
// (the last proof hash removed), proof-long (the last proof hash given
// twice), b64-bits (the header's base64 with non-zero bits under its
// padding: the same bytes to a lax decoder, not canonical base64), drop
// (the event line left out, the head's "events" count lowered: a sender
// that omits an event it sends later).
// EVENT (default 0) is the index of the event line these modes change (the
// receiver checks events in order, so a later one is checked after others
// have verified).
import { createPrivateKey, sign } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';

const [inFile, outFile, keyFile, mode] = process.argv.slice(2);
const text = readFileSync(inFile, 'utf8');
const blank = text.indexOf('\n\n');
const lines = text.slice(0, blank).split('\n');
if (lines[0] !== 'plumbline-bundle/v1') throw new Error('not a bundle');
// Event lines: "<seq> <base64 header> <base64 payload | -> <base64 proof | ->".
const ev = lines.slice(2).map((l) => l.split(' '));
if (!ev.length) throw new Error('bundle has no event');
const b64 = (s) => Buffer.from(s, 'base64');
const k = Number(process.argv[6] || 0);
if (!(k >= 0 && k < ev.length)) throw new Error('no event ' + k);
switch (mode) {
case 'proof-flip': {
    const h = b64(ev[0][3]);
    h[0] ^= 1;
    ev[0][3] = h.toString('base64');
    break;
}
case 'proof-short': ev[0][3] = b64(ev[0][3]).subarray(32).toString('base64'); break;
case 'proof-len': ev[0][3] = b64(ev[0][3]).subarray(1).toString('base64'); break;
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
    ev.splice(k, 1);
    const head = JSON.parse(lines[1]);
    head.events = ev.length;
    const keys = Object.keys(head).sort();
    lines[1] = '{' + keys.map((x) => JSON.stringify(x) + ':' + JSON.stringify(head[x])).join(',') + '}';
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
default: throw new Error('unknown mode ' + mode);
}
const signed = [lines[0], lines[1], ...ev.map((f) => f.join(' '))].join('\n') + '\n';
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
