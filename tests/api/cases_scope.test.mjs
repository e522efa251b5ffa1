// cases_scope.test.mjs — the clue workflow's scope and audit holes of
// issue #15, defect 5, each reproduced: from-finding on a finding outside
// the scope (no 409/404 oracle), reminders for other units' clues and for
// future dates, the dedupe reply to a recused user, over-recusal of clues
// without a subject person, unaudited queue lists, the access log without
// the workflow's own reads and unlocks, unlimited office passphrase
// guesses, and office keys for units that are not discipline offices.
// Expected values come from docs/SECURITY.md and docs/CASES.md.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { makeStore, startServer, Client, T0, P, sql as sqlOn, queryPlan, PG } from './lib.mjs';

const USERS = {
  cadre: { role: 'cadre_officer', scopes: ['U0'] },
  disc: { role: 'discipline_officer', scopes: ['U0'] },
  guess: { role: 'discipline_officer', scopes: ['U0'] },
  other: { role: 'discipline_officer', scopes: ['UB'] },
  pet: { role: 'petition_officer', scopes: ['U0'] },
  kin: { role: 'discipline_officer', scopes: ['U0'], person: P.K },   // spouse of S
  staff: { role: 'discipline_officer', scopes: ['U0'], person: P.X }, // no link to S or UA's team
  aud: { role: 'auditor' },
};
const OFFICE_PASS = 'office passphrase 2026';
const FACTS = '反映张三在办公楼维修工程中指定其妻子持股的建材公司供货，合同金额八十万元，未经集体研究。';
let st, srv;
const C = {};
let now = T0;

const sql = (q) => sqlOn(st.db, q);
const ledgerSize = () => Number(sql('SELECT count(*) FROM ledger_events'));
const findingOf = (rule, kind, subject) =>
  sql(`SELECT id FROM findings WHERE rule='${rule}' AND subject_kind='${kind}' AND subject='${subject}' ORDER BY id LIMIT 1`);

async function loginAll() {
  for (const name of Object.keys(USERS)) {
    C[name] = new Client(srv.base);
    const r = await C[name].login(name, st.secrets[name], now);
    assert.equal(r.status, 200, `login ${name}: ${r.text}`);
  }
}

before(async () => {
  st = makeStore(USERS);
  srv = await startServer(st.db, ['--rate-ip', '0', '--rate-user', '0', '--rate-login', '0', '--quiet']);
  await loginAll();
  // The county's discipline office (U0's child): clues about UA's top leader go there.
  const r = await C.cadre.post('/api/v1/units', { id: 'UD', parent_id: 'U0', name: '东城县纪委监委', division_code: '110101', level: 'county', kind: 'discipline', industry: '纪检' });
  assert.equal(r.status, 201, r.text);
  const k = await C.disc.post('/api/v1/offices/UD/keys', { passphrase: OFFICE_PASS });
  assert.equal(k.status, 201, k.text);
});

after(async () => {
  const fails = Object.values(C).flatMap((c) => c.fails5xx);
  const { code } = await srv.stop();
  assert.equal(code, 0, 'the server exits cleanly (sanitizer builds: no report)');
  assert.deepEqual(fails, [], 'no request got a 5xx');
});

test('office keys only for a discipline office (clear 4xx, nothing written; UD, one, was made above)', async () => {
  const n = ledgerSize();
  let r = await C.disc.post('/api/v1/offices/UA/keys', { passphrase: OFFICE_PASS });
  assert.equal(r.status, 400, r.text);
  assert.equal(r.json.error.field, 'office_id');
  assert.match(r.json.error.message, /not a discipline office/);
  assert.equal(ledgerSize(), n);
  assert.equal(sql("SELECT count(*) FROM office_keys WHERE office_id='UA'"), '0');
});

test('from-finding: a finding outside the scope answers as one that does not exist', async () => {
  const ua = findingOf('R15', 'unit', 'UA'), ub = findingOf('R15', 'unit', 'UB');
  assert.ok(ua && ub, 'the fixture raises R15 for UA and UB');
  const missing = await C.other.post('/api/v1/cases/from-finding', { finding_id: 'R15-000000000000' });
  assert.equal(missing.status, 404);
  const n = ledgerSize(), clues = sql('SELECT count(*) FROM case_clues');
  // UB's officer on UA's finding, before and after it became a clue.
  let r = await C.other.post('/api/v1/cases/from-finding', { finding_id: ua });
  assert.equal(r.status, 404, r.text);
  assert.deepEqual(r.json, missing.json);
  assert.equal(ledgerSize(), n);
  assert.equal(sql('SELECT count(*) FROM case_clues'), clues);
  r = await C.disc.post('/api/v1/cases/from-finding', { finding_id: ua });
  assert.equal(r.status, 201, r.text);
  const n2 = ledgerSize();
  r = await C.other.post('/api/v1/cases/from-finding', { finding_id: ua });
  assert.equal(r.status, 404, `already a clue, still no 409 outside the scope: ${r.text}`);
  assert.deepEqual(r.json, missing.json);
  assert.equal(ledgerSize(), n2);
  // and the other way round
  r = await C.disc.post('/api/v1/cases/from-finding', { finding_id: ub });
  assert.equal(r.status, 404, r.text);
  assert.deepEqual(r.json, missing.json);
  // in scope, a second time: the 409 the caller may see
  r = await C.disc.post('/api/v1/cases/from-finding', { finding_id: ua });
  assert.equal(r.status, 409, r.text);
});

test('remind: only the caller\'s clues, never a future date', async () => {
  // Received two months ago: the 30-day disposal deadline is past for both.
  let r = await C.other.post('/api/v1/cases', { channel: 'letter', category: 'conduct', summary: '西城来信', facts: '西城县某单位公车私用', received_at: '2026-01-02', subject_unit_id: 'UB' });
  assert.equal(r.status, 201, r.text);
  const inB = r.json.id;
  r = await C.pet.post('/api/v1/cases', { channel: 'letter', category: 'conduct', summary: '东城来信', facts: '东城县财政局某科室公车私用', received_at: '2026-01-02', subject_unit_id: 'UA' });
  assert.equal(r.status, 201, r.text);
  const inA = r.json.id;
  const reminded = (id) => Number(sql(`SELECT count(*) FROM case_reminders WHERE clue_id='${id}'`));
  // a future date: 400 naming as_of, nothing sent
  const n = ledgerSize();
  r = await C.disc.post('/api/v1/cases/remind', { as_of: '2026-03-03' });
  assert.equal(r.status, 400, r.text);
  assert.equal(r.json.error.field, 'as_of');
  r = await C.disc.post('/api/v1/cases/remind', { as_of: '2027-01-01' });
  assert.equal(r.status, 400, r.text);
  assert.equal(ledgerSize(), n);
  assert.equal(reminded(inA) + reminded(inB), 0);
  // today (the server's clock, 2026-03-02): U0's officer reminds U0's clue only
  r = await C.disc.post('/api/v1/cases/remind', { as_of: '2026-03-02' });
  assert.equal(r.status, 200, r.text);
  assert.equal(reminded(inA), 1, 'the clue in scope is reminded');
  assert.equal(reminded(inB), 0, 'UB\'s clue is not touched by U0\'s officer');
  r = await C.other.post('/api/v1/cases/remind', {});
  assert.equal(r.status, 200, r.text);
  assert.equal(reminded(inB), 1, 'UB\'s own officer reminds it');
});

test('dedupe: a recused user is not told a clue about himself exists', async () => {
  // A clue about S handled by the county office; then the same facts again.
  let r = await C.pet.post('/api/v1/cases', { channel: 'letter', category: 'money', summary: '反映张三', facts: FACTS, subject_person_id: P.S });
  assert.equal(r.status, 201, r.text);
  const first = r.json.id;
  // An unrelated clue: the shape of a reply that matched nothing.
  const alone = await C.kin.post('/api/v1/cases', { channel: 'letter', category: 'other', summary: '其他', facts: '某村道路年久失修，群众出行不便，希望尽快修缮。', subject_unit_id: 'U0' });
  assert.equal(alone.status, 201, alone.text);
  assert.equal(alone.json.linked, false);
  // S's spouse files the same facts about S: linked in the store, not in the reply.
  r = await C.kin.post('/api/v1/cases', { channel: 'letter', category: 'money', summary: '反映张三', facts: FACTS, subject_person_id: P.S });
  assert.equal(r.status, 201, r.text);
  assert.deepEqual(Object.keys(r.json).sort(), Object.keys(alone.json).sort());
  assert.equal(r.json.linked, false);
  assert.equal(r.json.overlap_pct, 0);
  assert.equal(r.json.group_id, r.json.id);
  assert.equal(sql(`SELECT group_id FROM case_clues WHERE id='${r.json.id}'`), first, 'merged, never dropped');
  // An officer who may see the group is told.
  r = await C.disc.post('/api/v1/cases', { channel: 'letter', category: 'money', summary: '反映张三', facts: FACTS, subject_person_id: P.S });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.linked, true);
  assert.equal(r.json.group_id, first);
  assert.ok(r.json.overlap_pct >= 60);
});

test('recusal applies to the subject\'s clues, not to clues without a subject person', async () => {
  let r = await C.pet.post('/api/v1/cases', { channel: 'letter', category: 'conduct', summary: '反映财政局', facts: '东城县财政局窗口服务态度差，办事拖延。', subject_unit_id: 'UA' });
  assert.equal(r.status, 201, r.text);
  const unitClue = r.json.id;
  r = await C.pet.post('/api/v1/cases', { channel: 'letter', category: 'money', summary: '反映张三', facts: '张三收受礼金。', subject_person_id: P.S });
  assert.equal(r.status, 201, r.text);
  const aboutS = r.json.id;
  for (const who of ['staff', 'kin']) {
    r = await C[who].get(`/api/v1/cases/${unitClue}`);
    assert.equal(r.status, 200, `${who} reads a clue about a unit it has no tie to: ${r.text}`);
    const list = (await C[who].get(`/api/v1/cases?id=${unitClue}`)).json.items;
    assert.equal(list.length, 1, `${who} lists it`);
  }
  assert.equal((await C.staff.get(`/api/v1/cases/${aboutS}`)).status, 200, 'no tie to S');
  assert.equal((await C.kin.get(`/api/v1/cases/${aboutS}`)).status, 404, 'S\'s spouse stays recused');
  assert.equal((await C.kin.get(`/api/v1/cases?id=${aboutS}`)).json.items.length, 0);
});

test('queue lists are audited (access.read with the ids returned)', async () => {
  const r = await C.disc.get('/api/v1/cases?limit=3');
  assert.equal(r.status, 200, r.text);
  const ids = r.json.items.map((x) => x.id);
  assert.ok(ids.length > 0);
  const log = (await C.aud.get('/api/v1/access-log?username=disc&route=/api/v1/cases&limit=500')).json.items;
  assert.ok(log.some((x) => x.event === 'access.read' && x.entity === 'case' &&
    JSON.stringify(x.record_ids) === JSON.stringify(ids)), JSON.stringify(log));
});

test('the access log shows clue reads, identity reads, unlocks and failed unlocks', async () => {
  let r = await C.pet.post('/api/v1/cases', { channel: 'letter', category: 'money', summary: '实名举报', facts: '张三违规发放津贴。', subject_person_id: P.S, real_name: true, reporter_identity: '钱七 13800000000' });
  assert.equal(r.status, 201, r.text);
  const id = r.json.id;
  assert.equal(r.json.handling_unit_id, 'UD');
  assert.equal((await C.disc.get(`/api/v1/cases/${id}?reason=核查`)).status, 200);
  r = await C.disc.post(`/api/v1/cases/${id}/reporter`, { passphrase: 'wrong passphrase!!', reason: '核实需要' });
  assert.equal(r.status, 403, r.text);
  r = await C.disc.post(`/api/v1/cases/${id}/reporter`, { passphrase: OFFICE_PASS, reason: '核实需要' });
  assert.equal(r.status, 200, r.text);
  const log = (await C.aud.get('/api/v1/access-log?username=disc&limit=500')).json.items;
  const has = (event, entity, rid) => log.some((x) => x.event === event && x.entity === entity &&
    x.record_ids[0] === rid && x.role === 'discipline_officer');
  assert.ok(has('clue.read', 'clue', id), JSON.stringify(log));
  assert.ok(has('office.unlock_failed', 'office', 'UD'));
  assert.ok(has('office.key_unlocked', 'office', 'UD'));
  assert.ok(has('clue.reporter_read', 'clue', id));
  assert.ok(log.filter((x) => x.event === 'office.key_unlocked').every((x) => x.reason === '核实需要'));
  // in ledger order, one list
  const seqs = log.map((x) => x.seq);
  assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b));
  // a page is a merge of the two tables in seq order, never a sort of both
  // whole (migration 0067: same affinity in both arms of the view)
  // (PostgreSQL: a Merge Append of the two, no Sort node of its own)
  for (const order of ['', ' DESC']) {
    const plan = queryPlan(st.db, `SELECT t.* FROM access_log_all t WHERE TRUE ORDER BY t.seq${order} LIMIT 51`);
    assert.match(plan, PG ? /Merge Append/ : /MERGE \(UNION ALL\)/, plan);
    assert.doesNotMatch(plan, PG ? /(^|->\s*)Sort\s/m : /TEMP B-TREE/, plan);
  }
});

test('office passphrase guessing: each failure logged, locked after 5 like sign-in', async () => {
  let r = await C.pet.post('/api/v1/cases', { channel: 'letter', category: 'money', summary: '实名举报二', facts: '张三借用公车。', subject_person_id: P.S, real_name: true, reporter_identity: '孙八 13900000000' });
  assert.equal(r.status, 201, r.text);
  const id = r.json.id;
  const failed = () => Number(sql("SELECT count(*) FROM case_access_log WHERE actor='guess' AND kind='unlock_failed'"));
  for (let i = 1; i <= 5; i++) {
    r = await C.guess.post(`/api/v1/cases/${id}/reporter`, { passphrase: `guess number ${i}!`, reason: '试' });
    assert.equal(r.status, 403, r.text);
    assert.equal(r.json.error.code, 'wrong_passphrase');
    assert.equal(failed(), i);
  }
  // the sixth try is refused before the key is tried, even with the right passphrase
  const n = ledgerSize();
  r = await C.guess.post(`/api/v1/cases/${id}/reporter`, { passphrase: OFFICE_PASS, reason: '试' });
  assert.equal(r.status, 423, r.text);
  assert.equal(r.json.error.field, 'passphrase');
  assert.ok(Number(r.headers.get('retry-after')) > 0 && Number(r.headers.get('retry-after')) <= 900);
  assert.equal(ledgerSize(), n, 'nothing appended while locked');
  // another officer is not locked out by it
  r = await C.disc.post(`/api/v1/cases/${id}/reporter`, { passphrase: OFFICE_PASS, reason: '核实' });
  assert.equal(r.status, 200, r.text);
  // 15 minutes later the lock is over
  now += 16 * 60; srv.setClock(now); await loginAll();
  r = await C.guess.post(`/api/v1/cases/${id}/reporter`, { passphrase: OFFICE_PASS, reason: '核实' });
  assert.equal(r.status, 200, r.text);
  assert.equal(failed(), 5, 'the locked try and the good ones add no failure');
});
