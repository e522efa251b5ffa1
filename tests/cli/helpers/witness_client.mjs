// witness_client.mjs — an independent client of the C2SP tlog-witness
// protocol (https://c2sp.org/tlog-witness) and verifier of its Ed25519
// cosignature/v1 answers (https://c2sp.org/tlog-cosignature), written from
// the two specs with node's own crypto: it shares no code with
// src/ledger/witness.c. Run by tests/cli/witness.sh:
//   node witness_client.mjs PLUMB WORKDIR KILLS
// It keeps its own log (RFC 6962 Merkle tree in memory, its own Ed25519
// log key) and a fork of it, drives `plumb witness serve`, and checks
// every status, Content-Type and body against the spec; then kills the
// witness with SIGKILL KILLS times while it co-signs, and checks from the
// answers it collected that the witness never cosigned two roots for one
// size and never went back. Prints "FAIL: ..." and exits 1 on the first
// mismatch.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { spawn, execFileSync } from 'node:child_process';

const [PLUMB, WORK, KILLS_S] = process.argv.slice(2);
const KILLS = Number(KILLS_S || 20);
const fail = (m) => { console.log(`FAIL: ${m}`); process.exit(1); };
const eq = (a, b, what) => { if (a !== b) fail(`${what}: got ${JSON.stringify(a)}, want ${JSON.stringify(b)}`); };

// ---------------------------------------------------------- RFC 6962 tree
const sha = (...parts) => crypto.createHash('sha256').update(Buffer.concat(parts)).digest();
const leafHash = (d) => sha(Buffer.from([0]), Buffer.from(d));
const kSplit = (n) => { let k = 1; while (k * 2 < n) k *= 2; return k; };
function mth(h) { // h: leaf hashes
  if (h.length === 0) return sha(Buffer.alloc(0));
  if (h.length === 1) return h[0];
  const k = kSplit(h.length);
  return sha(Buffer.from([1]), mth(h.slice(0, k)), mth(h.slice(k)));
}
function subproof(m, h, b) { // RFC 6962 §2.1.2 SUBPROOF
  const n = h.length;
  if (m === n) return b ? [] : [mth(h)];
  const k = kSplit(n);
  if (m <= k) return [...subproof(m, h.slice(0, k), b), mth(h.slice(k))];
  return [...subproof(m - k, h.slice(k), false), mth(h.slice(0, k))];
}
const proof = (m, h) => (m === 0 || m === h.length ? [] : subproof(m, h, true));

// ------------------------------------------------------ signed-note keys
const b64 = (b) => Buffer.from(b).toString('base64');
function rawPub(pub) { return Buffer.from(pub.export({ format: 'jwk' }).x, 'base64url'); }
function keyId(name, type, pk) { return sha(Buffer.from(name + '\n'), Buffer.from([type]), pk).subarray(0, 4); }
function newLogKey(name) {
  const { publicKey, privateKey } = crypto.generateKeyPairSync('ed25519');
  const pk = rawPub(publicKey);
  const id = keyId(name, 1, pk);
  return { name, privateKey, pk, id, vkey: `${name}+${id.toString('hex')}+${b64(Buffer.concat([Buffer.from([1]), pk]))}` };
}
function checkpoint(origin, size, root) { return `${origin}\n${size}\n${b64(root)}\n`; }
function sign(text, key) {
  const sig = crypto.sign(null, Buffer.from(text), key.privateKey);
  return `${text}\n\u2014 ${key.name} ${b64(Buffer.concat([key.id, sig]))}\n`;
}
// The add-checkpoint request body, as the spec's "add-checkpoint" section.
function request(old, prf, note) { return `old ${old}\n` + prf.map((p) => b64(p) + '\n').join('') + '\n' + note; }

// Parse a 200 body: one or more note signature lines "— <name> <base64>\n".
function parseSigLines(body) {
  if (!body.endsWith('\n')) fail(`response body does not end in a newline: ${JSON.stringify(body)}`);
  return body.slice(0, -1).split('\n').map((l) => {
    const m = /^\u2014 (\S+) ([A-Za-z0-9+/]+={0,2})$/.exec(l);
    if (!m) fail(`not a signature line: ${JSON.stringify(l)}`);
    return { name: m[1], raw: Buffer.from(m[2], 'base64') };
  });
}
// The spec's example response body (c2sp.org/tlog-witness, add-checkpoint),
// copied by hand: our parser must read it, or it is not the spec's format.
const SPEC_RESPONSE =
  '\u2014 witness.example/w1 CMp+6LWBU0anHGH5aNDTJkH/gj79sG+T6+iP2ThYN5krrDJbR1HDnucjL39QsZTSvVjyQLrdk3DXDqI5G2HgLatVs0pWh6Up69HVOw==\n' +
  '\u2014 witness.example/w1 I7rEps0pvK2UqkS2gSpVUDhrhVtQV9lgF6pRrWAvjJHjyWpW7VcE3SiOlVlbQNt64vWhO+DlkL0+UfzuOBMh9ChdMkP1vi/lCAsmlw==\n' +
  '\u2014 witness.example/w2 AWui8Sk55XjYLOijihBjhqEH6nS1ndDymE0a+6idX7pLcnoB+dhnz0854aLZgrrKbYKA7nC3HNJhm/kWl7oJlqU3rXXvpysAdyP3wQ==\n';
{
  const l = parseSigLines(SPEC_RESPONSE);
  eq(l.length, 3, 'spec example response: lines');
  eq(l[2].name, 'witness.example/w2', 'spec example response: third name');
  eq(l[0].raw.length, 4 + 8 + 64, 'spec example: key ID + timestamp + Ed25519 signature bytes');
}
// The spec's example request body (tlog-witness, add-checkpoint).
const SPEC_REQUEST = 'old 20852014\n' +
  'PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\n' + 'jrJZDmY8Y7SyJE0MWLpLozkIVMSMZcD5kvuKxPC3swk=\n' +
  '5+pKlUdi2LeF/BcMHBn+Ku6yhPGNCswZZD1X/6QgPd8=\n' + '/6WVhPs2CwSsb5rYBH5cjHV/wSmA79abXAwhXw3Kj/0=\n' + '\n' +
  'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n' +
  '\u2014 example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n' +
  '\u2014 example.com/behind-the-sofa opLqBQsREYCgu6xQkYQwJr9fo45a62DN9EdmHXnZdXNqlcVGlCum2Wks+49/V6267UEjw6QUXTS5Rovnzv++qbSzm9Q=\n';

// Witness key: made by plumb keygen; its vkey (type 0x04) by plumb witness vkey.
fs.mkdirSync(WORK, { recursive: true });
const run = (...a) => execFileSync(PLUMB, a, { encoding: 'utf8', env: { ...process.env, PLUMB_LANG: 'en' } }).trim();
const wkeyFile = path.join(WORK, 'w.key');
run('keygen', '--name', 'witness.example/pref', '--out', wkeyFile);
const wvkey = run('witness', 'vkey', '--key', wkeyFile);
const wm = /^([^+]+)\+([0-9a-f]{8})\+(.+)$/.exec(wvkey) || fail(`witness vkey: ${wvkey}`);
const wraw = Buffer.from(wm[3], 'base64');
eq(wraw.length, 33, 'witness vkey length'); eq(wraw[0], 4, 'witness vkey type (cosignature/v1 is 0x04)');
const wpk = wraw.subarray(1);
const WNAME = wm[1];
eq(keyId(WNAME, 4, wpk).toString('hex'), wm[2], 'witness key ID = SHA-256(name || "\\n" || 0x04 || pk)[:4]');
const wpub = crypto.createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: wpk.toString('base64url') }, format: 'jwk' });

// Check a 200 answer: one cosignature/v1 line by the witness on `text`.
function checkCosig(body, text) {
  const lines = parseSigLines(body).filter((l) => l.name === WNAME && l.raw.subarray(0, 4).toString('hex') === wm[2]);
  if (lines.length !== 1) fail(`expected one cosignature by ${WNAME}, got ${JSON.stringify(body)}`);
  const r = lines[0].raw;
  eq(r.length, 4 + 8 + 64, 'cosignature length');
  const ts = r.readBigUInt64BE(4);
  if (ts > 2n ** 63n - 1n) fail('timestamp above 2^63-1');
  const msg = Buffer.from(`cosignature/v1\ntime ${ts}\n${text}`);
  if (!crypto.verify(null, msg, wpub, r.subarray(12))) fail(`cosignature does not verify on ${JSON.stringify(text)}`);
  return ts;
}

// ------------------------------------------------------------- the logs
const ORIGIN = 'example.com/county-log';
const logKey = newLogKey(ORIGIN);
const strangerKey = newLogKey(ORIGIN); // same name, other key: not configured
const otherLog = newLogKey('other.example/log'); // an origin not configured
fs.writeFileSync(path.join(WORK, 'logs.conf'), `# witnessed logs\n${ORIGIN} ${logKey.vkey}\n`);
const A = []; // the honest log (leaf hashes)
const B = []; // a fork: different from leaf 0 on
const grow = (t, tag, n) => { for (let i = 0; i < n; i++) t.push(leafHash(`${tag}-${t.length}`)); };
const cpOf = (t, n, key = logKey) => { const text = checkpoint(key.name, n, mth(t.slice(0, n))); return { text, note: sign(text, key) }; };
grow(A, 'a', 40); grow(B, 'b', 40);

// ----------------------------------------------------------- the server
const STATE = path.join(WORK, 'state');
let srv = null, base = null;
async function start(env = {}) {
  const pf = path.join(WORK, 'port');
  fs.rmSync(pf, { force: true });
  srv = spawn(PLUMB, ['witness', 'serve', '--state', STATE, '--key', wkeyFile, '--logs', path.join(WORK, 'logs.conf'),
    '--listen', '127.0.0.1:0', '--port-file', pf], { stdio: ['ignore', 'ignore', 'ignore'], env: { ...process.env, ...env } });
  for (let i = 0; i < 500 && !fs.existsSync(pf); i++) await new Promise((r) => setTimeout(r, 10));
  if (!fs.existsSync(pf)) fail('witness serve did not start');
  base = `http://127.0.0.1:${fs.readFileSync(pf, 'utf8').trim()}`;
}
async function post(body, p = '/add-checkpoint') {
  const r = await fetch(base + p, { method: 'POST', body, headers: { 'Content-Type': 'text/plain' } });
  return { status: r.status, ctype: r.headers.get('content-type') || '', body: await r.text() };
}
async function expect(body, status, what, bodyWant) {
  const r = await post(body);
  if (r.status !== status) fail(`${what}: HTTP ${r.status} ${JSON.stringify(r.body)}, want ${status}`);
  if (status === 409) { eq(r.ctype, 'text/x.tlog.size', `${what}: 409 Content-Type`); }
  if (bodyWant !== undefined) eq(r.body, bodyWant, `${what}: body`);
  if (status >= 400 && status !== 409) {
    let j; try { j = JSON.parse(r.body); } catch { fail(`${what}: error body is not JSON: ${r.body}`); }
    if (!j.error || !j.error.field || !j.error.message) fail(`${what}: error body names no field: ${r.body}`);
  }
  return r;
}
const stateFiles = () => fs.readdirSync(STATE).filter((f) => f.endsWith('.state')).map((f) => fs.readFileSync(path.join(STATE, f), 'utf8')).join('|');

// bench mode (bench/witness.sh): N growing checkpoints, one at a time,
// each with a consistency proof; latency of each add-checkpoint as the
// client sees it (HTTP, proof check, fsync of file and directory, signing).
if (process.argv[5] === 'bench') {
  const N = Number(process.argv[6] || 500);
  grow(A, 'a', N + 8);
  await start();
  let old = 0;
  const lat = [];
  const t0 = process.hrtime.bigint();
  for (let i = 1; i <= N; i++) {
    const n = 8 + i;
    const body = request(old, proof(old, A.slice(0, n)), cpOf(A, n).note);
    const t = process.hrtime.bigint();
    const r = await post(body);
    lat.push(Number(process.hrtime.bigint() - t) / 1e6);
    if (r.status !== 200) fail(`bench: HTTP ${r.status} ${r.body}`);
    old = n;
  }
  const total = Number(process.hrtime.bigint() - t0) / 1e9;
  srv.kill('SIGKILL');
  lat.sort((a, b) => a - b);
  const q = (p) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))].toFixed(2);
  console.log(`witness add-checkpoint: ${N} cosignatures in ${total.toFixed(2)} s (${(N / total).toFixed(0)}/s); ` +
    `latency p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, max ${lat[lat.length - 1].toFixed(2)} ms`);
  process.exit(0);
}

await start();
try {
  // Spec example request: the bytes parse; the origin is not ours -> 404.
  await expect(SPEC_REQUEST, 404, 'spec example request (unknown origin)');
  // First checkpoint, old 0, empty proof -> 200 and a valid cosignature.
  let c = cpOf(A, 3);
  let r = await expect(request(0, [], c.note), 200, 'first checkpoint (old 0)');
  eq(r.ctype.split(';')[0], 'text/plain', '200 Content-Type');
  checkCosig(r.body, c.text);
  // Grow with a consistency proof 3 -> 8.
  c = cpOf(A, 8);
  r = await expect(request(3, proof(3, A.slice(0, 8)), c.note), 200, 'grow 3 -> 8');
  checkCosig(r.body, c.text);
  // The same checkpoint again (old = size, empty proof): cosigned again.
  r = await expect(request(8, [], c.note), 200, 'same checkpoint again');
  checkCosig(r.body, c.text);
  const st8 = stateFiles();
  // A fork at the covered size 8: 409 with the size, state unchanged.
  await expect(request(8, [], cpOf(B, 8).note), 409, 'fork at covered size', '8\n');
  // A fork beyond it, with B's own proof from 8: does not verify -> 422.
  await expect(request(8, proof(8, B.slice(0, 12)), cpOf(B, 12).note), 422, 'fork with a proof from B');
  // Both forks are kept as evidence (the spec's MAY), with the request bytes.
  const ev = fs.readdirSync(STATE).filter((f) => f.endsWith('.refused')).map((f) => fs.readFileSync(path.join(STATE, f), 'utf8')).join('');
  eq((ev.match(/^refused 409 \d+ \d+$/mg) || []).length, 1, 'evidence: 409 records');
  eq((ev.match(/^refused 422 \d+ \d+$/mg) || []).length, 1, 'evidence: 422 records');
  if (!ev.includes(cpOf(B, 8).note) || !ev.includes(cpOf(B, 12).note)) fail('evidence does not hold the forked checkpoints');
  // Rollback: an older size of the same log -> 409 "8\n".
  await expect(request(5, [], cpOf(A, 5).note), 409, 'rollback to 5 (old 5)', '8\n');
  await expect(request(3, proof(3, A.slice(0, 5)), cpOf(A, 5).note), 409, 'rollback to 5 (old 3)', '8\n');
  // Client does not know the size: old 0 -> 409 with the size (spec).
  await expect(request(0, [], cpOf(A, 12).note), 409, 'old 0 after cosigning', '8\n');
  // Unknown log -> 404; configured origin but an unknown key -> 403;
  // tampered signature by the right key -> 403.
  await expect(request(0, [], sign(checkpoint(otherLog.name, 3, mth(A.slice(0, 3))), otherLog)), 404, 'unknown log');
  await expect(request(8, proof(8, A.slice(0, 12)), cpOf(A, 12, strangerKey).note), 403, 'unknown key for the origin');
  const good = cpOf(A, 12).note;
  const tampered = good.replace(/ ([A-Za-z0-9+/=]+)\n$/, (m, s64) => {
    const raw = Buffer.from(s64, 'base64'); raw[20] ^= 1; return ` ${b64(raw)}\n`;
  });
  if (tampered === good) fail('tampering did not change the note');
  await expect(request(8, proof(8, A.slice(0, 12)), tampered), 403, 'tampered signature');
  // Malformed bodies -> 400.
  await expect(request(8, [], good).replace('old 8', 'old 08'), 400, 'old size with a leading zero');
  await expect('old 8\n' + good, 400, 'no empty line after the proof (checkpoint read as proof)');
  await expect(request(13, [], good), 400, 'old size above the checkpoint size');
  await expect(request(8, Array(64).fill(Buffer.alloc(32)), good), 400, '64 proof lines');
  await expect(request(8, [], 'example.com/county-log\n12\nnot-base64\n\n\u2014 x AAAA\n'), 400, 'malformed checkpoint');
  await expect(request(8, [Buffer.alloc(31)], good), 400, 'proof line of 31 bytes');
  // Proofs of the wrong length -> 422.
  const p812 = proof(8, A.slice(0, 12));
  await expect(request(8, p812.slice(0, -1), good), 422, 'proof one hash short');
  await expect(request(8, [...p812, p812[0]], good), 422, 'proof one hash long');
  await expect(request(8, [p812[0]], cpOf(A, 8).note), 422, 'non-empty proof at the same size');
  // None of the refusals changed the state.
  eq(stateFiles(), st8, 'state after the refusals');
  // And the honest log goes on from 8.
  r = await expect(request(8, p812, good), 200, 'grow 8 -> 12');
  checkCosig(r.body, cpOf(A, 12).text);
  // Wrong path and method.
  eq((await post('x', '/nope')).status, 404, 'unknown path');
  eq((await fetch(base + '/add-checkpoint')).status, 405, 'GET add-checkpoint');
  console.log('ok: protocol: statuses, bodies and cosignatures as c2sp.org/tlog-witness and tlog-cosignature say');
} finally { srv.kill('SIGKILL'); }

// ------------------------------------------------------------ crash test
// Every 200 the client ever got: size -> root (base64). The witness may
// never have cosigned two roots at one size, nor a size below one it
// cosigned before (answers come in request order: one client, sequential).
const cosigned = new Map();
let maxSize = 12, known = 12, answered = 0, lastAnswered = 12, sent = 0, lost = 0, refused = 0;
cosigned.set(12, b64(mth(A.slice(0, 12))));
const t0 = Date.now(); // for the report only: nothing asserts on time
for (let k = 0; k < KILLS; k++) {
  await start({ PLUMB_TEST_HOOKS: '1', PLUMB_WITNESS_DELAY_MS: String(k % 3 === 0 ? 0 : Math.floor(Math.random() * 4)) });
  // After the restart the witness holds at least every size it cosigned.
  const probe = await post(request(0, [], cpOf(A, A.length).note));
  if (probe.status === 200) fail(`kill ${k}: the witness went back to 0: it cosigned from old 0 after cosigning ${maxSize}`);
  if (probe.status !== 409) fail(`kill ${k}: probe after restart: HTTP ${probe.status} ${probe.body}`);
  const held = Number(probe.body.trim());
  if (held < maxSize) fail(`kill ${k}: the witness went back: holds ${held} after cosigning ${maxSize}`);
  known = held;
  let dead = false;
  const killer = setTimeout(() => { dead = true; srv.kill('SIGKILL'); }, 5 + Math.floor(Math.random() * 60));
  while (!dead) {
    let body, n;
    while (B.length < known + 2) grow(B, 'b', 1);
    if (Math.random() < 0.3) { // a fork attempt at a covered size or beyond
      n = Math.max(1, known - Math.floor(Math.random() * 3));
      body = Math.random() < 0.5 ? request(known, [], cpOf(B, known).note)
        : request(known, proof(known, B.slice(0, known + 2)), cpOf(B, known + 2).note);
      n = -1;
    } else {
      grow(A, 'a', 1 + Math.floor(Math.random() * 3));
      n = A.length;
      body = request(known, proof(known, A.slice(0, n)), cpOf(A, n).note);
    }
    let res;
    sent++;
    try { res = await post(body); } catch { lost++; break; } // killed mid-request: outcome unknown
    if (res.status === 200) {
      if (n < 0) fail(`kill ${k}: the witness cosigned a fork`);
      const txt = cpOf(A, n).text;
      checkCosig(res.body, txt);
      const root = b64(mth(A.slice(0, n)));
      if (cosigned.has(n) && cosigned.get(n) !== root) fail(`kill ${k}: two roots cosigned at size ${n}`);
      if (n < lastAnswered) fail(`kill ${k}: cosigned ${n} after ${lastAnswered}`);
      cosigned.set(n, root); lastAnswered = n; maxSize = Math.max(maxSize, n); known = n; answered++;
    } else if (res.status === 409) {
      known = Number(res.body.trim());
      if (n > 0) fail(`kill ${k}: 409 (${res.body.trim()}) on a grow from ${known}`);
      refused++;
    } else if (res.status === 422 && n < 0) {
      refused++;
    } else {
      fail(`kill ${k}: HTTP ${res.status} ${res.body} (fork=${n < 0})`);
    }
  }
  clearTimeout(killer);
  if (!dead) srv.kill('SIGKILL');
  await new Promise((r) => srv.exitCode !== null || srv.signalCode ? r() : srv.once('exit', r));
}
await start();
const last = await post(request(0, [], cpOf(A, A.length).note));
srv.kill('SIGKILL');
if (last.status !== 409 || Number(last.body.trim()) < maxSize) fail(`final: witness holds ${last.body} < ${maxSize}`);
if (answered === 0 && KILLS >= 20) fail('no cosignature was ever answered during the crash test');
console.log(`ok: crash: ${KILLS} kill -9 while cosigning; ${sent} requests, ${answered} cosignatures answered, ` +
  `${refused} forks refused, ${lost} cut by the kill; ` +
  `${cosigned.size} sizes each with one root, never back (max ${maxSize}, held ${last.body.trim()}); ` +
  `${((Date.now() - t0) / 1000).toFixed(1)} s`);
