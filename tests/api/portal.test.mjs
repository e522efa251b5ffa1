// portal.test.mjs — the reporter portal over HTTP (/portal/api/, issue 7):
// a report without an account returns a 16-digit receipt (Luhn); receipt +
// passphrase shows status and replies but never handler notes or
// sub-status; wrong passphrases and guessed receipts are rate-limited per
// receipt and per address per hour (the injected clock opens the next
// hour); forbidden and oversized attachments get an error naming the file;
// the inclusion proof verifies against the signed checkpoint (RFC 9162
// §2.1.3.2 and C2SP signed-note, checked here with node:crypto and with
// `plumb portal verify`); staff cookies count for nothing and /api/v1 is
// out of reach; no client address is stored.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { makeStore, startServer, Client, T0, P, plumb, dumpStore } from './lib.mjs';

const HOUR = 3600;
const USERS = { cadre: { role: 'cadre_officer', scopes: ['U0'] }, disc: { role: 'discipline_officer', scopes: ['U0'] } };
let st, srv, staff, cadre;
const portal = () => new Client(srv.base);
let now = T0;

// ISO/IEC 7812-1 Luhn: a receipt with a valid check digit.
function luhnReceipt(body15) {
  let s = 0;
  for (let i = 0; i < 15; i++) {
    let d = Number(body15[14 - i]);
    if (i % 2 === 0) { d *= 2; if (d > 9) d -= 9; }
    s += d;
  }
  return body15 + String((10 - (s % 10)) % 10);
}
const guess = () => luhnReceipt(String(crypto.randomInt(1, 10)) + Array.from({ length: 14 }, () => crypto.randomInt(0, 10)).join(''));

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000' + '1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082', 'hex');

before(async () => {
  st = makeStore(USERS);
  srv = await startServer(st.db, ['--rate-ip', '0', '--rate-user', '0', '--rate-login', '0']);
  staff = new Client(srv.base);
  cadre = new Client(srv.base);
  assert.equal((await staff.login('disc', st.secrets.disc, T0)).status, 200);
  assert.equal((await cadre.login('cadre', st.secrets.cadre, T0)).status, 200);
  let r = await cadre.post('/api/v1/units', { id: 'UD', parent_id: 'U0', name: '东城县纪委监委', division_code: '110101', level: 'county', kind: 'discipline', industry: '纪检' });
  assert.equal(r.status, 201, r.text);
  r = await staff.post('/api/v1/offices/UD/keys', { passphrase: 'office passphrase 2026' });
  assert.equal(r.status, 201, r.text);
  // The log needs a signed checkpoint (or the key, which the server has).
  r = await staff.get('/api/v1/health');
});

after(async () => {
  const { code } = await srv.stop();
  assert.equal(code, 0);
});

function nextHour() { now += HOUR; srv.setClock(now); }

let receipt;
const PASS = '我的查询密码2026';

test('units to choose from; a report without an account', async () => {
  const c = portal();
  let r = await c.get('/portal/api/units');
  assert.equal(r.status, 200);
  assert.ok(r.json.items.some((u) => u.id === 'UA' && u.name === '东城县财政局'));
  assert.ok(!r.json.items.some((u) => u.kind === 'discipline'));
  r = await c.post('/portal/api/reports', { subject_unit_id: 'UA', category: 'money', summary: '反映问题', passphrase: 'short' });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'passphrase');
  r = await c.post('/portal/api/reports', {
    subject_name: '张三', subject_unit_id: 'UA', category: 'money', summary: '反映局长违规发包工程',
    facts: '办公楼维修工程未经招标直接发包给其配偶控股的公司。', real_name: true,
    reporter_name: '钱七', reporter_contact: '13800000000', passphrase: PASS,
    attachments: [{ name: 'photo.png', content_base64: PNG.toString('base64') }],
  });
  assert.equal(r.status, 201, r.text);
  assert.match(r.json.receipt, /^\d{16}$/);
  assert.equal(luhnReceipt(r.json.receipt.slice(0, 15)), r.json.receipt, 'Luhn check digit');
  receipt = r.json.receipt;
  // The staff see it; the identity is sealed (not in the clue).
  const list = await staff.get('/api/v1/cases?limit=10');
  const it = list.json.items.find((x) => x.channel === 'online');
  assert.ok(it, list.text);
  const one = await staff.get(`/api/v1/cases/${it.id}`);
  assert.equal(one.json.sealed_identity > 0, true);
  assert.doesNotMatch(one.text, /13800000000/);
  assert.equal(one.json.attachments.length, 1);
});

test('receipt + passphrase: status and replies, never notes or sub-status', async () => {
  const list = await staff.get('/api/v1/cases?limit=10');
  const id = list.json.items.find((x) => x.channel === 'online').id;
  let r = await staff.post(`/api/v1/cases/${id}/notes`, { text: '内部意见：先调取合同', sub_status: '调取资料中' });
  assert.equal(r.status, 200, r.text);
  r = await staff.post(`/api/v1/cases/${id}/replies`, { text: '您反映的问题已收悉，正在办理。' });
  assert.equal(r.status, 200);
  const c = portal();
  r = await c.post('/portal/api/check', { receipt, passphrase: PASS });
  assert.equal(r.status, 200, r.text);
  assert.ok(['received', 'in_progress'].includes(r.json.status));
  assert.ok(r.json.replies.some((x) => /正在办理/.test(x.text)));
  assert.doesNotMatch(r.text, /内部意见|调取资料中|sub_status|handling_unit|UD|notes/);
  // Add material, then read it back.
  r = await c.post('/portal/api/material', { receipt, passphrase: PASS, text: '补充：合同编号CT1' });
  assert.equal(r.status, 201, r.text);
  r = await c.post('/portal/api/check', { receipt, passphrase: PASS });
  assert.ok(r.text.includes('合同编号CT1'));
  r = await c.post('/portal/api/check', { receipt });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'passphrase');
});

test('wrong passphrases are limited per receipt; guessed receipts per address', async () => {
  nextHour();
  const c = portal();
  for (let i = 0; i < 5; i++) {
    const r = await c.post('/portal/api/check', { receipt, passphrase: 'not the passphrase' });
    assert.equal(r.status, 403, `try ${i}: ${r.text}`);
    assert.equal(r.json.error.code, 'wrong_receipt_or_passphrase');
  }
  let r = await c.post('/portal/api/check', { receipt, passphrase: PASS });
  assert.equal(r.status, 429, 'even the right passphrase waits: ' + r.text);
  assert.match(r.json.error.message, /try again after/);
  assert.ok(Number(r.headers.get('retry-after')) > 0);
  // A typo (bad check digit) is caught before any lookup and costs nothing.
  const typo = receipt.slice(0, 15) + String((Number(receipt[15]) + 1) % 10);
  r = await c.post('/portal/api/check', { receipt: typo, passphrase: PASS });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'receipt');
  nextHour();
  r = await c.post('/portal/api/check', { receipt, passphrase: PASS });
  assert.equal(r.status, 200, 'the next hour opens again');
  // Guessing receipts: 10 failures per address per hour.
  nextHour();
  let limited = 0;
  for (let i = 0; i < 11; i++) {
    r = await c.post('/portal/api/check', { receipt: guess(), passphrase: 'guessing 12345' });
    if (r.status === 429) limited++;
    else assert.equal(r.status, 403);
  }
  assert.equal(limited, 1, 'the 11th guess is refused');
  r = await c.post('/portal/api/proof', { receipt, passphrase: PASS });
  assert.equal(r.status, 429, 'the address is limited for every call');
  nextHour();
});

test('attachments: forbidden type and over the size limit name the file', async () => {
  nextHour();
  const c = portal();
  const base = { receipt, passphrase: PASS, text: '附件' };
  let r = await c.post('/portal/api/material', { ...base, attachments: [{ name: 'setup.exe', content_base64: Buffer.from('MZ\x90\x00binary').toString('base64') }] });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'attachments');
  assert.match(r.json.error.message, /setup\.exe.*not allowed/);
  const big = Buffer.alloc(12 * 1024 * 1024, 0x20);
  Buffer.from('%PDF-1.4\n').copy(big);
  r = await c.post('/portal/api/material', { ...base, attachments: [{ name: 'big.pdf', content_base64: big.toString('base64') }] });
  assert.equal(r.status, 400, r.text.slice(0, 200));
  assert.match(r.json.error.message, /big\.pdf.*12\.0 MiB.*10 MiB/);
  r = await c.post('/portal/api/material', { ...base, attachments: [{ name: 'photo.jpg', content_base64: PNG.toString('base64') }] });
  assert.equal(r.status, 400);
  assert.match(r.json.error.message, /photo\.jpg/);
  r = await c.post('/portal/api/material', { ...base, attachments: [{ name: 'a.png', content_base64: '%%%' }] });
  assert.equal(r.status, 400);
  const huge = Buffer.alloc(21 * 1024 * 1024, 0x41).toString('base64');
  // Over the portal's body limit: 413 (or the connection closed mid-upload).
  let status = 0;
  try {
    r = await c.req('POST', '/portal/api/material', `{"receipt":"${receipt}","passphrase":"x","text":"${huge}"}`, { raw: true });
    status = r.status;
  } catch { status = 413; }
  assert.equal(status, 413, 'the body limit of the portal');
  assert.equal((await c.get('/portal/api/units')).status, 200, 'the server goes on');
});

// RFC 9162 §2.1.3.2 inclusion verification.
function verifyInclusion(index, size, leafHash, proof, root) {
  const H = (...b) => crypto.createHash('sha256').update(Buffer.concat(b)).digest();
  let fn = BigInt(index), sn = BigInt(size) - 1n, r = leafHash;
  for (const p of proof) {
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      r = H(Buffer.from([1]), p, r);
      if ((fn & 1n) === 0n) while ((fn & 1n) === 0n && fn !== 0n) { fn >>= 1n; sn >>= 1n; }
    } else r = H(Buffer.from([1]), r, p);
    fn >>= 1n; sn >>= 1n;
  }
  return sn === 0n && r.equals(root);
}

test('the inclusion proof verifies against the signed checkpoint', async () => {
  const c = portal();
  const r = await c.post('/portal/api/proof', { receipt, passphrase: PASS });
  assert.equal(r.status, 200, r.text);
  const pr = r.json;
  assert.ok(pr.log_key, 'the log key is given');
  // The checkpoint: origin, size, root; then the signature lines.
  const [body, sigs] = pr.checkpoint.split('\n\n');
  const lines = body.split('\n');
  assert.equal(Number(lines[1]), pr.tree_size);
  const root = Buffer.from(lines[2], 'base64');
  const ok = verifyInclusion(pr.seq, pr.tree_size, Buffer.from(pr.leaf_hash, 'hex'), pr.proof.map((h) => Buffer.from(h, 'hex')), root);
  assert.ok(ok, 'RFC 9162 inclusion');
  // C2SP signed note: "— name base64(keyid(4) || sig(64))", key "name+hash+base64(0x01||pk)".
  const p1 = pr.log_key.indexOf('+'), p2 = pr.log_key.indexOf('+', p1 + 1);
  const kname = pr.log_key.slice(0, p1), kb64 = pr.log_key.slice(p2 + 1);
  const kraw = Buffer.from(kb64, 'base64');
  const pub = crypto.createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: kraw.subarray(1).toString('base64url') }, format: 'jwk' });
  const line = sigs.split('\n').find((l) => l.startsWith(`— ${kname} `));
  assert.ok(line, 'signed by the log key');
  const sig = Buffer.from(line.split(' ')[2], 'base64');
  assert.ok(crypto.verify(null, Buffer.from(body + '\n'), pub, sig.subarray(4)), 'Ed25519 signature');
  // The same with the reporter's tool.
  const f = path.join(st.dir, 'proof.json');
  fs.writeFileSync(f, r.text);
  plumb(['portal', 'verify', f, '--log-key', pr.log_key]);
  // A tampered proof fails.
  const bad = { ...pr, leaf_hash: pr.leaf_hash.replace(/^./, (x) => (x === '0' ? '1' : '0')) };
  fs.writeFileSync(f, JSON.stringify(bad));
  assert.throws(() => plumb(['portal', 'verify', f, '--log-key', pr.log_key]));
});

test('no session on the portal; no way from the portal to staff routes', async () => {
  // Staff routes are not under the prefix.
  for (const p of ['/portal/api/v1/cases', '/portal/api/v1/units', '/portal/api/cases', '/portal/api/../v1/units'])
    assert.equal((await fetch(srv.base + p)).status, 404, p);
  // A staff cookie sent to the portal grants nothing and names nobody.
  const c = portal(); c.cookie = staff.cookie;
  const r = await c.post('/portal/api/check', { receipt, passphrase: PASS });
  assert.equal(r.status, 200);
  const anon = await portal().get('/api/v1/cases');
  assert.equal(anon.status, 401, 'but the portal client has no session of its own');
  // The access log names no user or address for portal requests.
  const lines = srv.log().split('\n').filter((l) => l.includes('"/portal/api/'));
  assert.ok(lines.length > 5);
  for (const l of lines) {
    assert.doesNotMatch(l, /127\.0\.0\.1/);
    assert.doesNotMatch(l, /"user"/);
  }
});

test('reports per address per hour; no address stored', async () => {
  nextHour();
  const c = portal();
  const rep = { subject_unit_id: 'UA', category: 'conduct', summary: '反映工作作风问题', passphrase: 'passphrase 12345' };
  let n = 0, limited = 0;
  for (let i = 0; i < 6; i++) {
    const r = await c.post('/portal/api/reports', { ...rep, facts: `第${i}次反映：${crypto.randomUUID()}` });
    if (r.status === 201) n++;
    else if (r.status === 429) limited++;
    else assert.fail(r.text);
  }
  assert.equal(n, 5);
  assert.equal(limited, 1);
  // Nothing of the client in the store: no address in any table or event.
  const dump = dumpStore(st.db);
  assert.doesNotMatch(dump, /127\.0\.0\.1/);
  assert.doesNotMatch(dump, /undici|Mozilla|user-agent/i);
  void P;
});
