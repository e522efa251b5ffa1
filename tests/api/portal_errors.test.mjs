// portal_errors.test.mjs — the reporter portal's rejected reports and what a
// reporter sees after the conclusion (issue #16 item 9, docs/CASES.md §5,
// docs/SECURITY.md "Reporter portal"):
// - a report with several mistakes gets every field error at once, as
//   `errors: [{field, message}]` in the reporter's language (body `lang`,
//   else Accept-Language; both languages without a preference, as before),
//   messages without field codes,
//   the first one also as the single {field, message} older clients read;
// - rejected reports do not count toward the 5 reports per address per
//   hour; they have their own limit (20 per hour), after which every report
//   from the address waits; a 429 carries Retry-After and retry_at (the next
//   full hour of the injected clock);
// - once concluded and archived, check says the outcome in public words and
//   can_add is false, and the material the server refuses is refused.
// Expected values are written from those docs, not read from the server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { makeStore, startServer, Client, T0, iso } from './lib.mjs';

const HOUR = 3600;
const USERS = { cadre: { role: 'cadre_officer', scopes: ['U0'] }, disc: { role: 'discipline_officer', scopes: ['U0'] } };
const CJK = /[\u3400-\u9fff]/;
const FIELDS = ['subject_unit_id', 'category', 'summary', 'reporter_name', 'passphrase', 'attachments'];
const EXE = Buffer.from('4d5a90000300000004000000ffff0000', 'hex').toString('base64');
let st, srv, staff;
let now = T0 + 600; // 09:10 UTC: the next full hour is 10:00
const portal = () => new Client(srv.base);
const good = (i) => ({ subject_unit_id: 'UA', category: 'conduct', summary: `反映工作作风问题${i}`,
  facts: `第${i}次：${Math.random()}`, passphrase: 'passphrase 12345' });
// Every mistake at once: no unit, unknown category, no summary, a real-name
// report without the name, a short passphrase and an .exe attachment.
const BAD = { category: 'gossip', summary: '', real_name: true, passphrase: 'short',
  attachments: [{ name: 'setup.exe', content_base64: EXE }] };

before(async () => {
  st = makeStore(USERS);
  srv = await startServer(st.db, ['--rate-ip', '0', '--rate-user', '0', '--rate-login', '0', '--quiet']);
  srv.setClock(now);
  staff = new Client(srv.base);
  assert.equal((await staff.login('disc', st.secrets.disc, now)).status, 200);
  const cadre = new Client(srv.base);
  assert.equal((await cadre.login('cadre', st.secrets.cadre, now)).status, 200);
  const r = await cadre.post('/api/v1/units', { id: 'UD', parent_id: 'U0', name: '东城县纪委监委', division_code: '110101', level: 'county', kind: 'discipline', industry: '纪检' });
  assert.equal(r.status, 201, r.text);
});
after(async () => {
  const { code } = await srv.stop();
  assert.equal(code, 0);
});

function checkList(r, lang) {
  assert.equal(r.status, 400, r.text);
  const errs = r.json.error.errors;
  assert.ok(Array.isArray(errs), `errors list: ${r.text}`);
  assert.deepEqual(errs.map((x) => x.field).sort(), [...FIELDS].sort(), r.text);
  // The single-error shape stays: the first error as {field, message}.
  assert.equal(r.json.error.field, errs[0].field);
  assert.equal(r.json.error.message, errs[0].message);
  for (const x of errs) {
    assert.ok(x.message && x.message.length > 3, `a message for ${x.field}`);
    assert.doesNotMatch(x.message, /\b[a-z]+_[a-z_]+\b/, `no field code in “${x.message}”`);
    assert.ok(!x.message.includes(' / '), `one language only: “${x.message}”`);
    if (lang === 'en') assert.doesNotMatch(x.message, CJK, `English: ${x.message}`);
    else assert.match(x.message, CJK, `Chinese: ${x.message}`);
  }
  assert.match(errs.find((x) => x.field === 'attachments').message, /setup\.exe/, 'the file is named');
}

test('every field error at once, in the reporter\'s language', async () => {
  const c = portal();
  checkList(await c.post('/portal/api/reports', { ...BAD, lang: 'zh-CN' }), 'zh');
  checkList(await c.post('/portal/api/reports', { ...BAD, lang: 'en' }), 'en');
  checkList(await c.post('/portal/api/reports', BAD, { headers: { 'Accept-Language': 'en-US,en;q=0.9,zh-CN;q=0.5' } }), 'en');
  checkList(await c.post('/portal/api/reports', BAD, { headers: { 'Accept-Language': 'zh-CN,zh;q=0.9,en;q=0.8' } }), 'zh');
  // No preference at all: each message in both languages, as before.
  const both = await c.post('/portal/api/reports', BAD);
  assert.equal(both.json.error.errors.length, FIELDS.length);
  for (const x of both.json.error.errors) assert.match(x.message, /^[^/]*[\u3400-\u9fff][^/]* \/ [^\u3400-\u9fff]+$/, x.message);
  // One mistake alone is one error.
  const r = await c.post('/portal/api/reports', { ...good(0), passphrase: 'short', lang: 'en' });
  assert.equal(r.status, 400);
  assert.deepEqual(r.json.error.errors.map((x) => x.field), ['passphrase']);
  assert.equal(r.json.error.message, 'the passphrase needs at least 8 characters');
});

test('only accepted reports count toward the 5 per hour; the retry time is exact', async () => {
  const c = portal();
  // Six rejected attempts already this hour (above), five more now.
  for (let i = 0; i < 5; i++) assert.equal((await c.post('/portal/api/reports', BAD)).status, 400);
  for (let i = 1; i <= 5; i++) {
    const r = await c.post('/portal/api/reports', good(i));
    assert.equal(r.status, 201, `accepted report ${i} after 10 rejected: ${r.text}`);
  }
  const r = await c.post('/portal/api/reports', { ...good(6), lang: 'en' });
  assert.equal(r.status, 429, r.text);
  const nextHour = (Math.floor(now / HOUR) + 1) * HOUR;
  assert.equal(Number(r.headers.get('retry-after')), nextHour - now);
  assert.equal(r.json.error.retry_after, nextHour - now);
  assert.equal(r.json.error.retry_at, iso(nextHour));
  assert.doesNotMatch(r.json.error.message, CJK, 'in English as asked');
  assert.equal(r.json.error.reason, 'too many reports from this address this hour', 'the reason without the time');
});

test('rejected reports have their own, higher limit', async () => {
  now = (Math.floor(now / HOUR) + 1) * HOUR + 60;
  srv.setClock(now);
  const c = portal();
  for (let i = 0; i < 20; i++) assert.equal((await c.post('/portal/api/reports', BAD)).status, 400, `reject ${i}`);
  let r = await c.post('/portal/api/reports', BAD);
  assert.equal(r.status, 429, 'the 21st rejected attempt waits: ' + r.text);
  r = await c.post('/portal/api/reports', good(7));
  assert.equal(r.status, 429, 'and so does a good report from that address this hour');
  assert.equal(Number(r.headers.get('retry-after')), HOUR - 60);
});

test('after the conclusion: the outcome in words, no material form once archived', async () => {
  now = (Math.floor(now / HOUR) + 1) * HOUR + 60;
  srv.setClock(now);
  assert.equal((await staff.login('disc', st.secrets.disc, now)).status, 200);
  const c = portal();
  const PASS = '我的查询密码2026';
  let r = await c.post('/portal/api/reports', { ...good(8), subject_name: '张三', passphrase: PASS });
  assert.equal(r.status, 201, r.text);
  const receipt = r.json.receipt;
  r = await c.post('/portal/api/check', { receipt, passphrase: PASS });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.outcome, undefined, 'no outcome while being handled');
  assert.equal(r.json.can_add, true);
  const list = await staff.get('/api/v1/cases?limit=50');
  const id = list.json.items.filter((x) => x.channel === 'online').map((x) => x.id)
    .sort((a, b) => Number(a.replace(/\D/g, '')) - Number(b.replace(/\D/g, ''))).pop();
  r = await staff.post(`/api/v1/cases/${id}/replies`, { text: '您反映的问题已收悉，正在办理。' });
  assert.equal(r.status, 200, r.text);
  r = await staff.post(`/api/v1/cases/${id}/dispose`, { method: 'preliminary_verification', reason: '线索具体' });
  assert.equal(r.status, 200, r.text);
  r = await staff.post(`/api/v1/cases/${id}/verify`, { reason: '初核完毕' });
  assert.equal(r.status, 200, r.text);
  r = await staff.post(`/api/v1/cases/${id}/conclude`, { outcome: 'unfounded', reason: '反映问题失实' });
  assert.equal(r.status, 200, r.text);
  r = await staff.post(`/api/v1/cases/${id}/replies`, { text: '经核查，您反映的问题不属实。' });
  assert.equal(r.status, 200, r.text);
  r = await c.post('/portal/api/check', { receipt, passphrase: PASS });
  assert.equal(r.json.status, 'concluded');
  assert.equal(r.json.outcome, 'unfounded', 'the public outcome of “unfounded”');
  assert.equal(r.json.can_add, true, 'concluded, not archived: material is still taken');
  assert.doesNotMatch(r.text, /form\d|preliminary_verification|反映问题失实/, 'no internals');
  r = await staff.post(`/api/v1/cases/${id}/clear-name`, { basis: '在单位会议上予以澄清' });
  assert.equal(r.status, 200, r.text);
  r = await staff.post(`/api/v1/cases/${id}/archive`, { reason: '归档' });
  assert.equal(r.status, 200, r.text);
  r = await c.post('/portal/api/check', { receipt, passphrase: PASS });
  assert.equal(r.json.status, 'concluded');
  assert.equal(r.json.outcome, 'unfounded');
  assert.equal(r.json.can_add, false, 'archived: no material');
  assert.equal(r.json.replies.at(-1).text, '经核查，您反映的问题不属实。');
  r = await c.post('/portal/api/material', { receipt, passphrase: PASS, text: '补充', lang: 'en' });
  assert.equal(r.status, 400, 'the server refuses what the page no longer offers');
  assert.doesNotMatch(r.json.error.message, CJK);
});
