// cases.test.mjs — the clue workflow over HTTP (/api/v1/cases, issue 7):
// intake → dispose → verify → conclude → clear name → archive, with the
// injected clock (--clock-file) driving deadlines and reminders; recusal
// (the subject, kin, the subject unit's leadership team can neither read,
// list nor count); the sealed reporter identity readable only after the
// logged unlock and only by the designated role; statistics equal a direct
// count of generated data; the Excel export read back (unzip + sheet XML);
// the HTTP permissions agree with the library's role table (docs/CASES.md §3).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { makeStore, startServer, Client, T0, P, plumb, addUser, sql as sqlOn, genStore } from './lib.mjs';

const DAY = 86400;
const USERS = {
  cadre: { role: 'cadre_officer', scopes: ['U0'] },
  disc: { role: 'discipline_officer', scopes: ['U0'] },
  multi: { role: 'discipline_officer', scopes: ['U0', 'UB'] },
  pet: { role: 'petition_officer', scopes: ['U0'] },
  insp: { role: 'inspection_officer', scopes: ['U0'] },
  lead: { role: 'leader', scopes: ['U0'] },
  other: { role: 'discipline_officer', scopes: ['UB'] },
  subj: { role: 'subject', person: P.S },
  kin: { role: 'discipline_officer', scopes: ['U0'], person: P.K },
  team: { role: 'leader', scopes: ['U0'], person: P.T },
  aud: { role: 'auditor' },
};
const OFFICE_PASS = 'office passphrase 2026';
let st, srv;
const C = {};
let now = T0;

async function loginAll() {
  for (const name of Object.keys(USERS)) {
    C[name] = new Client(srv.base);
    const r = await C[name].login(name, st.secrets[name], now);
    assert.equal(r.status, 200, `login ${name}: ${r.text}`);
  }
}

// Move the injected clock; sessions are re-established past their lifetime.
async function setNow(t) {
  now = t; srv.setClock(t);
  await loginAll();
}

before(async () => {
  st = makeStore(USERS);
  srv = await startServer(st.db, ['--rate-ip', '0', '--rate-user', '0', '--rate-login', '0', '--quiet']);
  await loginAll();
  // A discipline office at the county level (U0): clues about UA's leaders
  // are handled there.
  const r = await C.cadre.post('/api/v1/units', { id: 'UD', parent_id: 'U0', name: '东城县纪委监委', division_code: '110101', level: 'county', kind: 'discipline', industry: '纪检' });
  assert.equal(r.status, 201, r.text);
});

after(async () => {
  const fails = Object.values(C).flatMap((c) => c.fails5xx);
  const { code } = await srv.stop();
  assert.equal(code, 0);
  assert.deepEqual(fails, [], 'no request got a 5xx');
});

test('HTTP permissions agree with the library roles (docs/CASES.md §3)', () => {
  const perms = JSON.parse(plumb(['serve', '--print-permissions']));
  const want = {
    discipline_officer: ['intake', 'read', 'list', 'handle', 'note', 'reply', 'identity'],
    petition_officer: ['intake', 'read', 'list', 'reply'],
    inspection_officer: ['intake', 'list'],
    leader: ['read', 'list'],
  };
  for (const [role, p] of Object.entries(perms.roles)) {
    const got = p.permissions.filter((x) => x.startsWith('case:')).map((x) => x.slice(5)).sort();
    assert.deepEqual(got, (want[role] || []).sort(), role);
    assert.equal(p.permissions.includes('office_key:write'), role === 'discipline_officer', role);
  }
  const paths = perms.routes.map((r) => `${r.method} ${r.path}`);
  for (const k of ['GET /api/v1/cases', 'GET /api/v1/cases/{id}', 'POST /api/v1/cases/{id}/conclude', 'GET /api/v1/cases/stats.xlsx', 'POST /portal/api/reports'])
    assert.ok(paths.includes(k), k);
});

let clueS, clueT;

test('intake: validation names the field; routing to the level above; keys', async () => {
  let r = await C.disc.post('/api/v1/offices/UD/keys', { passphrase: OFFICE_PASS });
  assert.equal(r.status, 201, r.text);
  assert.match(r.json.key_id, /^[0-9a-f]{16}$/);
  r = await C.pet.post('/api/v1/offices/UD/keys', { passphrase: OFFICE_PASS });
  assert.equal(r.status, 403, 'only the designated role creates office keys');
  r = await C.other.post('/api/v1/offices/UD/keys', { passphrase: OFFICE_PASS });
  assert.equal(r.status, 404, 'an office outside the scope is not found');

  r = await C.pet.post('/api/v1/cases', { channel: 'letter', category: 'money', summary: '' });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'summary');
  r = await C.pet.post('/api/v1/cases', { channel: 'pigeon', category: 'money', summary: 'x', subject_unit_id: 'UA' });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'channel', r.text);
  r = await C.pet.post('/api/v1/cases', { channel: 'letter', category: 'money', summary: 'x', colour: 'red' });
  assert.equal(r.json.error.field, 'colour');
  r = await C.lead.post('/api/v1/cases', { channel: 'letter', category: 'money', summary: 'x' });
  assert.equal(r.status, 403, 'a leader does not register clues');
  r = await C.other.post('/api/v1/cases', { channel: 'letter', category: 'money', summary: 'x', subject_unit_id: 'UA' });
  assert.equal(r.status, 403, 'outside the jurisdiction');

  // About S, the top leader of UA: handled by the county office UD.
  r = await C.pet.post('/api/v1/cases', {
    channel: 'letter', category: 'money', subject_person_id: P.S, subject_unit_id: 'UA',
    summary: '反映局长违规发包工程', facts: '2025年3月办公楼维修工程未经招标直接发包给其配偶控股的公司，金额八十万元。',
    real_name: true, reporter_identity: '{"name":"钱七","contact":"13800000000"}',
  });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.handling_unit_id, 'UD');
  assert.equal(r.json.is_top, true);
  clueS = r.json.id;
  // About T (deputy), no identity.
  r = await C.insp.post('/api/v1/cases', {
    channel: 'inspection', category: 'conduct', subject_person_id: P.T, subject_unit_id: 'UA',
    summary: '巡察发现副局长违规接受宴请', facts: '巡察组发现副局长多次在私人会所接受管理服务对象宴请。',
  });
  assert.equal(r.status, 201, r.text);
  clueT = r.json.id;
  // A second report with the same facts is linked to the open clue.
  r = await C.pet.post('/api/v1/cases', {
    channel: 'phone', category: 'money', subject_person_id: P.S, subject_unit_id: 'UA',
    summary: '反映局长违规发包', facts: '2025年3月办公楼维修工程未经招标直接发包给其配偶控股的公司，金额八十万元。',
  });
  assert.equal(r.status, 201);
  assert.equal(r.json.linked, true);
  assert.equal(r.json.group_id, clueS);
});

test('recusal: the subject, kin and leadership team neither read, list nor count', async () => {
  // Allowed readers see it (the read is logged in the history).
  let r = await C.disc.get(`/api/v1/cases/${clueS}?reason=handling`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'routed');
  assert.ok(r.json.history.some((h) => h.type === 'clue.read' || h.type === 'clue.received'));
  r = await C.lead.get(`/api/v1/cases/${clueS}`);
  assert.equal(r.status, 200, 'a leader in scope reads');
  assert.equal(r.json.notes, undefined, 'a leader never sees handler notes');
  const base = await C.disc.get('/api/v1/cases?limit=500');
  assert.ok(base.json.items.some((x) => x.id === clueS));
  const baseStats = await C.disc.get('/api/v1/cases/stats');
  for (const who of ['subj', 'kin', 'team', 'other', 'cadre', 'aud']) {
    r = await C[who].get(`/api/v1/cases/${clueS}`);
    assert.ok(r.status === 404 || r.status === 403, `${who} reads: ${r.status}`);
    r = await C[who].get(`/api/v1/cases?id=${clueS}`);
    assert.ok(r.status === 403 || (r.status === 200 && r.json.items.length === 0), `${who} lists: ${r.text}`);
    r = await C[who].get('/api/v1/cases?limit=500');
    if (r.status === 200) {
      assert.ok(!r.json.items.some((x) => x.subject_person_id === P.S), `${who} lists a clue about S`);
      assert.equal(r.json.total, r.json.items.length);
    }
    r = await C[who].get('/api/v1/cases/stats');
    if (r.status === 200) assert.ok(r.json.total < baseStats.json.total, `${who} counts the clues about S`);
    else assert.equal(r.status, 403);
    r = await C[who].post(`/api/v1/cases/${clueS}/notes`, { text: 'x' });
    assert.ok(r.status === 404 || r.status === 403, `${who} writes a note: ${r.status}`);
  }
  // The kin is a discipline officer in scope: sees T's clue, not S's.
  r = await C.kin.get(`/api/v1/cases/${clueT}`);
  assert.equal(r.status, 200);
  // Assigning a recused handler is refused, naming why.
  r = await C.disc.post(`/api/v1/cases/${clueS}/assign`, { handler_person_id: P.K });
  assert.equal(r.status, 403);
  assert.match(r.json.error.message, /kin/);
  r = await C.disc.post(`/api/v1/cases/${clueS}/assign`, { handler_person_id: P.X, team: 'supervision' });
  assert.equal(r.status, 200, r.text);
  // The multi-scope user sees it through U0 and counts it once.
  r = await C.multi.get('/api/v1/cases?limit=500');
  assert.equal(r.json.total, base.json.total);
});

test('reporter identity: designated role, after a logged unlock', async () => {
  let r = await C.pet.post(`/api/v1/cases/${clueS}/reporter`, { passphrase: OFFICE_PASS, reason: 'x' });
  assert.equal(r.status, 403, 'petition may not read identities');
  r = await C.lead.post(`/api/v1/cases/${clueS}/reporter`, { passphrase: OFFICE_PASS, reason: 'x' });
  assert.equal(r.status, 403);
  r = await C.kin.post(`/api/v1/cases/${clueS}/reporter`, { passphrase: OFFICE_PASS, reason: 'x' });
  assert.equal(r.status, 404, 'recused: not found');
  const before = (await C.aud.get('/api/v1/ledger/checkpoint')).status;
  assert.ok(before === 200 || before === 404);
  r = await C.disc.post(`/api/v1/cases/${clueS}/reporter`, { passphrase: 'wrong passphrase!!', reason: '核实需要' });
  assert.equal(r.status, 403);
  assert.equal(r.json.error.field, 'passphrase');
  r = await C.disc.post(`/api/v1/cases/${clueS}/reporter`, { passphrase: OFFICE_PASS });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'reason');
  r = await C.disc.post(`/api/v1/cases/${clueS}/reporter`, { passphrase: OFFICE_PASS, reason: '核实需要联系举报人' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.identity.name, '钱七');
  // Both the unlock and the read are events, with the actor.
  const types = eventTypes();
  assert.ok(types.includes('office.key_unlocked'), 'unlock logged');
  assert.ok(types.includes('clue.reporter_read'), 'identity read logged');
  assert.equal(types.filter((t) => t === 'office.key_unlocked').length, 1, 'a wrong passphrase logs no unlock');
  // A clue without a sealed identity.
  r = await C.disc.post(`/api/v1/cases/${clueT}/reporter`, { passphrase: OFFICE_PASS, reason: 'x' });
  assert.equal(r.status, 404);
});

function eventTypes() {
  return sqlOn(st.db, 'SELECT type FROM ledger_events ORDER BY seq').split('\n');
}

test('workflow to conclusion with deadlines and reminders on the injected clock', async () => {
  // Nothing due yet on the day of receipt.
  let r = await C.disc.post('/api/v1/cases/remind', {});
  assert.equal(r.status, 200, r.text);
  const first = r.json.sent;
  // 25 days later: the disposal deadline (30 days) is within 7 days.
  await setNow(T0 + 25 * DAY);
  r = await C.disc.post('/api/v1/cases/remind', {});
  assert.ok(r.json.sent > first, `due-soon reminders: ${r.text}`);
  r = await C.disc.post('/api/v1/cases/remind', {});
  assert.equal(r.json.sent, 0, 'never twice');
  r = await C.disc.get(`/api/v1/cases/${clueT}`);
  assert.ok(r.json.reminders.some((x) => x.stage === 'due_soon'), JSON.stringify(r.json.reminders));
  // 31 days: overdue, listed by ?overdue=1.
  await setNow(T0 + 31 * DAY);
  r = await C.disc.post('/api/v1/cases/remind', {});
  assert.ok(r.json.sent >= 1);
  r = await C.disc.get('/api/v1/cases?overdue=1');
  assert.ok(r.json.items.some((x) => x.id === clueT), r.text);
  // Handling: leader and petition may not.
  r = await C.lead.post(`/api/v1/cases/${clueS}/dispose`, { method: 'talk_inquiry', reason: 'x' });
  assert.equal(r.status, 403);
  r = await C.disc.post(`/api/v1/cases/${clueS}/dispose`, { method: 'exile', reason: 'x' });
  assert.equal(r.status, 400);
  r = await C.disc.post(`/api/v1/cases/${clueS}/dispose`, { method: 'preliminary_verification' });
  assert.equal(r.json.error.field, 'reason');
  r = await C.disc.post(`/api/v1/cases/${clueS}/dispose`, { method: 'preliminary_verification', reason: '线索具体，可查性强' });
  assert.equal(r.status, 200, r.text);
  r = await C.disc.post(`/api/v1/cases/${clueS}/archive`, { reason: 'x' });
  assert.ok(r.status >= 400 && r.status < 500, 'cannot archive a clue under verification');
  r = await C.disc.post(`/api/v1/cases/${clueS}/notes`, { text: '已调取合同资料', sub_status: '调取资料' });
  assert.equal(r.status, 200, r.text);
  r = await C.pet.post(`/api/v1/cases/${clueS}/replies`, { text: '您反映的问题已受理，正在核实。' });
  assert.equal(r.status, 200, r.text);
  r = await C.disc.post(`/api/v1/cases/${clueS}/verify`, { reason: '初核完毕' });
  assert.equal(r.status, 200, r.text);
  r = await C.disc.post(`/api/v1/cases/${clueS}/conclude`, { outcome: 'form2', reason: 'x' });
  assert.equal(r.status, 400, 'form2 needs a measure');
  r = await C.disc.post(`/api/v1/cases/${clueS}/conclude`, { outcome: 'unfounded', reason: '反映问题失实' });
  assert.equal(r.status, 200, r.text);
  r = await C.disc.post(`/api/v1/cases/${clueS}/archive`, { reason: '归档' });
  assert.ok(r.status >= 400 && r.status < 500, 'name clearing first');
  // The name-clearing deadline reminds too.
  await setNow(T0 + 31 * DAY + 26 * DAY);
  r = await C.disc.post('/api/v1/cases/remind', {});
  r = await C.disc.get(`/api/v1/cases/${clueS}`);
  assert.ok(r.json.reminders.some((x) => x.deadline === 'clearing'), JSON.stringify(r.json.reminders));
  r = await C.disc.post(`/api/v1/cases/${clueS}/clear-name`, { basis: '在单位会议上予以澄清' });
  assert.equal(r.status, 200, r.text);
  r = await C.disc.post(`/api/v1/cases/${clueS}/archive`, { reason: '归档' });
  assert.equal(r.status, 200, r.text);
  r = await C.disc.get(`/api/v1/cases/${clueS}`);
  assert.equal(r.json.status, 'archived');
  const seen = r.json.history.map((h) => h.status).filter(Boolean);
  let at = 0;
  for (const s of ['routed', 'verifying', 'verified', 'concluded', 'archived']) {
    const i = seen.indexOf(s, at);
    assert.ok(i >= 0, `history reaches ${s}: ${seen}`);
    at = i;
  }
  assert.ok(r.json.notes.some((n) => n.text === '已调取合同资料'), 'notes for the discipline role');
  assert.ok(r.json.replies.some((n) => /已受理/.test(n.text)));
  assert.equal(r.json.outcome, 'unfounded');
  // The registry rows the rules read were recorded alongside.
  r = await C.disc.get(`/api/v1/dispositions?clue_id=${clueS}`);
  assert.ok(r.json.items.some((d) => d.outcome === 'unfounded'), r.text);
  // No reminders for an archived clue.
  await setNow(T0 + 200 * DAY);
  await C.disc.post('/api/v1/cases/remind', {});
  r = await C.disc.get(`/api/v1/cases/${clueS}`);
  const late = r.json.reminders.filter((x) => x.at > '2026-09');
  assert.deepEqual(late, []);
});

test('a finding becomes a clue', async () => {
  const f = await C.disc.get(`/api/v1/findings?subject=${P.S}&limit=1`);
  assert.ok(f.json.items.length);
  let r = await C.disc.post('/api/v1/cases/from-finding', { finding_id: f.json.items[0].id });
  assert.equal(r.status, 201, r.text);
  r = await C.disc.post('/api/v1/cases/from-finding', { finding_id: f.json.items[0].id });
  assert.equal(r.status, 409);
});

test('statistics equal a direct count on generated data; the Excel file opens', { timeout: 180000 }, async () => {
  const dir = fs.mkdtempSync(path.join(st.dir, 'gen-'));
  const db = genStore(dir, { seed: 5 });
  const units = fs.readFileSync(path.join(dir, 'gen/org/units.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
  const root = units.find((u) => !u[1])[0];
  const secret = addUser(db, 'stat', { role: 'discipline_officer', scopes: [root] });
  const s2 = await startServer(db, ['--rate-ip', '0', '--rate-user', '0', '--rate-login', '0', '--quiet']);
  try {
    const c = new Client(s2.base);
    assert.equal((await c.login('stat', secret, T0)).status, 200);
    const r = await c.get('/api/v1/cases/stats');
    assert.equal(r.status, 200, r.text);
    // Direct count from the generated CSV (clues with a subject unit: the
    // scope is the county's tree).
    const rows = fs.readFileSync(path.join(dir, 'gen/clues/clues.csv'), 'utf8').trim().split('\n');
    const head = rows[0].split(',');
    const col = (n) => head.indexOf(n);
    const recs = rows.slice(1).map((l) => l.split(',')).filter((x) => x[col('subject_unit_id')]);
    const count = (f) => recs.reduce((m, x) => ((m[f(x)] = (m[f(x)] || 0) + 1), m), {});
    assert.equal(r.json.total, recs.length);
    assert.deepEqual(r.json.by_channel, count((x) => x[col('channel')]));
    assert.deepEqual(r.json.by_category, count((x) => x[col('category')]));
    assert.deepEqual(r.json.by_month, count((x) => x[col('received_at')].slice(0, 7)));
    assert.deepEqual(r.json.by_unit, count((x) => x[col('subject_unit_id')]));
    const list = await c.get('/api/v1/cases?limit=1');
    assert.equal(list.json.total, recs.length, 'the queue counts the same clues');
    // Excel: a real workbook whose summary sheet carries the total.
    const x = await fetch(s2.base + '/api/v1/cases/stats.xlsx', { headers: { Cookie: c.cookie } });
    assert.equal(x.status, 200);
    assert.match(x.headers.get('content-type'), /spreadsheetml/);
    const file = path.join(dir, 's.xlsx');
    fs.writeFileSync(file, Buffer.from(await x.arrayBuffer()));
    const sheet = execFileSync('unzip', ['-p', file, 'xl/worksheets/sheet1.xml'], { encoding: 'utf8' });
    assert.match(sheet, new RegExp(`<v>${recs.length}</v>`));
    const names = execFileSync('unzip', ['-p', file, 'xl/workbook.xml'], { encoding: 'utf8' });
    assert.match(names, /name="summary"/);
  } finally {
    await s2.stop();
  }
});

test('stats.xlsx with several scopes asks for one', async () => {
  let r = await C.multi.get('/api/v1/cases/stats.xlsx');
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'scope');
  r = await C.multi.get('/api/v1/cases/stats.xlsx?scope=U0');
  assert.equal(r.status, 200);
  r = await C.multi.get('/api/v1/cases/stats?from=2026-13-01');
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'from');
  r = await C.disc.get('/api/v1/cases?colour=red');
  assert.equal(r.json.error.field, 'colour');
});
