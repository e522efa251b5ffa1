// bundle_tamper.mjs — a dishonest sender for tests/cli/levels.sh: reads a
// plumbline-bundle/v1 file (docs/LEVELS.md "Bundles": format line, body
// JSON line, blank line, one signed-note signature line), changes its body
// as MODE says, and signs it again with KEYFILE (a `plumb keygen` /
// `plumb init` key: PRIVATE+KEY+<name>+<hex id>+<base64(0x01 || seed)>),
// using node's own Ed25519 — written from the documented format, not from
// the C code, so the receiver must refuse the lie on its merits, not on
// the signature.
//   node bundle_tamper.mjs IN OUT KEYFILE MODE
// MODE: proof-flip (one bit of event 0's first proof hash), proof-short
// (event 0's proof one hash short), proof-len (a 31-byte proof hash),
// payload (event 0's payload changed), seq (event 1 claims event 0's seq),
// resign (nothing changed: a valid bundle signed by KEYFILE).
import { createPrivateKey, sign } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';

const [inFile, outFile, keyFile, mode] = process.argv.slice(2);
const text = readFileSync(inFile, 'utf8');
const lines = text.split('\n');
if (lines[0] !== 'plumbline-bundle/v1' || lines[2] !== '') throw new Error('not a bundle');
const body = JSON.parse(lines[1]);
const ev = body.events;
if (!ev.length) throw new Error('bundle has no event');
switch (mode) {
case 'proof-flip': {
    const h = Buffer.from(ev[0].proof[0], 'base64');
    h[0] ^= 1;
    ev[0].proof[0] = h.toString('base64');
    break;
}
case 'proof-short': ev[0].proof.pop(); break;
case 'proof-len': ev[0].proof[0] = Buffer.alloc(31, 7).toString('base64'); break;
case 'payload': ev[0].payload += ' '; break;
case 'seq': ev[1].seq = ev[0].seq; break;
case 'resign': break;
default: throw new Error('unknown mode ' + mode);
}
const signed = 'plumbline-bundle/v1\n' + JSON.stringify(body) + '\n';
const parts = readFileSync(keyFile, 'utf8').trim().split('+'); // base64 may hold '+'
const [name, hexId, b64] = [parts[2], parts[3], parts.slice(4).join('+')];
const raw = Buffer.from(b64, 'base64');
if (raw[0] !== 1 || raw.length !== 33) throw new Error('not an Ed25519 key');
const key = createPrivateKey({
    key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), raw.subarray(1)]),
    format: 'der',
    type: 'pkcs8',
});
const sig = sign(null, Buffer.from(signed, 'utf8'), key);
const line = '\u2014 ' + name + ' ' + Buffer.concat([Buffer.from(hexId, 'hex'), sig]).toString('base64');
writeFileSync(outFile, signed + '\n' + line + '\n');
