// inspect_ledger.test.mjs — the rectification ledger (整改台账) in Excel
// (issue #17 item 5, docs/INSPECT.md §7, docs/API.md "Inspection"):
// GET /api/v1/inspection_rounds/{id}/ledger.xlsx and
// GET /api/v1/rectification_tasks.xlsx, one row per task in the layout the
// offices use (序号, 问题, 被巡察单位, 整改措施, 责任领导, 整改时限, 状态,
// 进展, 佐证材料数), the header bold and frozen, English with ?lang=en;
// the same rows as the JSON list for the same caller (scope, recusal); the
// list's ?round_id= and ?overdue=1 filters; bad arguments named. The
// expected cells are written here by hand from the fixture (tests/api/lib.mjs:
// UA = 东城县财政局, S = 张三, T = 王五) and the steps below, with the
// clock at 2026-03-02 (lib.mjs T0).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { makeStore, startServer, Client, T0, P, PLUMB } from './lib.mjs';
import { readXlsx } from '../e2e/lib/xlsx.js';

const USERS = {
  insp: { role: 'inspection_officer', scopes: ['U0'] },
  insp_b: { role: 'inspection_officer', scopes: ['UB'] },
  lead: { role: 'leader', scopes: ['U0'] },
  staff: { role: 'subject', scopes: ['UA'], person: P.T },
  staff_b: { role: 'subject', scopes: ['UB'], person: P.O },
  insp_kin: { role: 'inspection_officer', scopes: ['U0'], person: P.K }, // spouse of S: recused from S
  disc: { role: 'discipline_officer', scopes: ['U0'] },
};
const SHA = 'ab'.repeat(32);
const ZH = ['序号', '问题', '被巡察单位', '整改措施', '责任领导', '整改时限', '状态', '进展', '佐证材料数'];
const EN = ['No.', 'Problem', 'Unit inspected', 'Measures', 'Responsible leader', 'Deadline', 'Status', 'Progress', 'Evidence items'];
let st, srv, dir;
const C = {};
const ids = {};

async function xlsx(c, p, name) {
  const res = await fetch(srv.base + p, { headers: { Cookie: c.cookie } });
  const body = Buffer.from(await res.arrayBuffer());
  const file = path.join(dir, name);
  fs.writeFileSync(file, body);
  return { status: res.status, type: res.headers.get('content-type'), disposition: res.headers.get('content-disposition'), file, text: body.toString('utf8') };
}
const ok = (r, what) => assert.ok(r.status >= 200 && r.status < 300, `${what}: ${r.status} ${r.text}`);

before(async () => {
  st = makeStore(USERS);
  dir = st.dir;
  srv = await startServer(st.db, ['--rate-ip', '0', '--rate-user', '0', '--rate-login', '0', '--quiet']);
  for (const name of Object.keys(USERS)) {
    C[name] = new Client(srv.base);
    const r = await C[name].login(name, st.secrets[name], T0);
    assert.equal(r.status, 200, `login ${name}: ${r.text}`);
  }
  // A round over UA (clock 2026-03-02) with two problems: one about S
  // (用财), one about the unit (作风, no person).
  let r = await C.insp.post('/api/v1/inspection_rounds', { round_no: '2026-1', level: 'county', team: '县委第一巡察组',
    leader_person_id: P.X, start_date: '2026-02-01', end_date: '2026-04-30', units: ['UA'], reason: '年度巡察计划' });
  ok(r, 'round');
  ids.round = r.json.id;
  r = await C.insp.post('/api/v1/inspection_problems', { round_id: ids.round, unit_id: 'UA', person_id: P.S, category: 'money',
    description: '向亲属关联企业支付维修款', found_at: '2026-02-20' });
  ok(r, 'problem S');
  ids.pS = r.json.id;
  r = await C.insp.post('/api/v1/inspection_problems', { round_id: ids.round, unit_id: 'UA', category: 'conduct',
    description: '会议费超标准列支', found_at: '2026-02-21' });
  ok(r, 'problem UA');
  ids.pU = r.json.id;
  // Task 1 (S, deadline passed on 2026-02-27, nothing reported): overdue.
  r = await C.insp.post('/api/v1/rectification_tasks', { problem_id: ids.pS, responsible_person_id: P.S,
    measures: '追回款项，完善采购审批', deadline: '2026-02-27' });
  ok(r, 'task 1');
  ids.t1 = r.json.id;
  // Task 2 (S, deadline 2026-05-31): two reports with one attachment each, signed off.
  r = await C.insp.post('/api/v1/rectification_tasks', { problem_id: ids.pS, responsible_person_id: P.S,
    measures: '建立关联交易回避制度', deadline: '2026-05-31' });
  ok(r, 'task 2');
  ids.t2 = r.json.id;
  ok(await C.staff.post(`/api/v1/rectification_tasks/${ids.t2}/progress`, { text: '已起草制度', evidence: [{ name: '制度草案.pdf', sha256: SHA }] }), 'progress 1');
  ok(await C.staff.post(`/api/v1/rectification_tasks/${ids.t2}/progress`, { text: '制度已印发', evidence: [{ name: '印发通知.pdf', sha256: 'cd'.repeat(32) }] }), 'progress 2');
  ok(await C.insp.post(`/api/v1/rectification_tasks/${ids.t2}/signoff`, { reason: '核查属实，予以销号' }), 'signoff');
  // Task 3 (the unit's problem, responsible T, deadline 2026-03-31): one report without evidence.
  r = await C.insp.post('/api/v1/rectification_tasks', { problem_id: ids.pU, responsible_person_id: P.T,
    measures: '清退超标准费用', deadline: '2026-03-31' });
  ok(r, 'task 3');
  ids.t3 = r.json.id;
  ok(await C.staff.post(`/api/v1/rectification_tasks/${ids.t3}/progress`, { text: '正在清退' }), 'progress 3');
});

after(async () => {
  const fails = Object.values(C).flatMap((c) => c.fails5xx);
  await srv.stop();
  assert.deepEqual(fails, [], 'no 5xx');
  assert.doesNotMatch(srv.log(), /Sanitizer|runtime error/);
});

test('a round\'s ledger: the offices\' layout, one row per task, in words', async () => {
  const x = await xlsx(C.insp, `/api/v1/inspection_rounds/${ids.round}/ledger.xlsx`, 'round.xlsx');
  assert.equal(x.status, 200, x.text.slice(0, 300));
  assert.equal(x.type, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  assert.match(x.disposition, /^attachment; filename="[^"]+\.xlsx"$/);
  const { rows, sheet, styles, workbook } = readXlsx(x.file);
  assert.match(workbook, /<sheet name="整改台账"/);
  assert.deepEqual(rows[0], ZH);
  // The header row frozen (a pane split below row 1), bold, widths set.
  assert.match(sheet, /<pane[^>]*ySplit="1"[^>]*state="frozen"/);
  assert.match(styles, /<b\/>/);
  assert.match(sheet, /<cols>/);
  assert.deepEqual(rows.slice(1), [
    [1, '用财：向亲属关联企业支付维修款', '东城县财政局', '追回款项，完善采购审批', '张三', '2026-02-27', '待整改（逾期）', '', 0],
    [2, '用财：向亲属关联企业支付维修款', '东城县财政局', '建立关联交易回避制度', '张三', '2026-05-31', '已销号', '制度已印发', 2],
    [3, '作风：会议费超标准列支', '东城县财政局', '清退超标准费用', '王五', '2026-03-31', '整改中', '正在清退', 0],
  ]);
});

test('English with ?lang=en; the whole store\'s ledger with the list\'s filters', async () => {
  const x = await xlsx(C.insp, `/api/v1/inspection_rounds/${ids.round}/ledger.xlsx?lang=en`, 'round-en.xlsx');
  assert.equal(x.status, 200, x.text.slice(0, 300));
  const { rows, workbook } = readXlsx(x.file);
  assert.match(workbook, /<sheet name="Rectification ledger"/);
  assert.deepEqual(rows[0], EN);
  assert.deepEqual(rows[1].slice(0, 7), [1, 'use of funds: 向亲属关联企业支付维修款', '东城县财政局', '追回款项，完善采购审批', '张三', '2026-02-27', 'open (overdue)']);
  assert.equal(rows[2][6], 'signed off');
  assert.equal(rows[3][6], 'in progress');
  // The whole store, only the overdue: task 1.
  const y = await xlsx(C.insp, '/api/v1/rectification_tasks.xlsx?overdue=1', 'overdue.xlsx');
  assert.equal(y.status, 200, y.text.slice(0, 300));
  const o = readXlsx(y.file).rows;
  assert.equal(o.length, 2, 'the header and task 1');
  assert.equal(o[1][3], '追回款项，完善采购审批');
  const z = await xlsx(C.insp, '/api/v1/rectification_tasks.xlsx?status=signed_off', 'signed.xlsx');
  assert.deepEqual(readXlsx(z.file).rows.slice(1).map((r) => r[3]), ['建立关联交易回避制度']);
});

test('the JSON list: ?round_id= and ?overdue=1, each task with its latest progress and overdue mark', async () => {
  let r = await C.insp.get(`/api/v1/rectification_tasks?round_id=${ids.round}&limit=500`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.total, 3);
  const by = Object.fromEntries(r.json.items.map((t) => [t.id, t]));
  assert.equal(by[ids.t1].overdue, true);
  assert.equal(by[ids.t2].overdue, false);
  assert.equal(by[ids.t3].overdue, false);
  assert.equal(by[ids.t2].latest_progress, '制度已印发');
  assert.equal(by[ids.t1].latest_progress, undefined);
  r = await C.insp.get('/api/v1/rectification_tasks?overdue=1');
  assert.deepEqual(r.json.items.map((t) => t.id), [ids.t1]);
  assert.equal(r.json.total, 1);
  r = await C.insp.get(`/api/v1/rectification_tasks?round_id=IR-none`);
  assert.equal(r.json.total, 0);
  // Later (2026-04-01): task 3's deadline has passed too; task 2 is signed off.
  // (a session of its own: the others' would expire at the jump)
  const t = Date.parse('2026-04-01T09:00:00Z') / 1000;
  srv.setClock(t);
  try {
    const later = new Client(srv.base);
    assert.equal((await later.login('insp', st.secrets.insp, t)).status, 200);
    r = await later.get('/api/v1/rectification_tasks?overdue=1');
    assert.deepEqual(r.json.items.map((t) => t.id).sort(), [ids.t1, ids.t3].sort());
  } finally {
    srv.setClock(T0);
  }
});

test('the same rows as the list for each caller: scope, recusal, the unit\'s staff', async () => {
  for (const who of ['insp', 'lead', 'staff', 'insp_kin']) {
    const list = await C[who].get(`/api/v1/rectification_tasks?round_id=${ids.round}&limit=500`);
    assert.equal(list.status, 200, `${who}: ${list.text}`);
    const x = await xlsx(C[who], `/api/v1/inspection_rounds/${ids.round}/ledger.xlsx`, `${who}.xlsx`);
    assert.equal(x.status, 200, `${who}: ${x.text.slice(0, 300)}`);
    const rows = readXlsx(x.file).rows.slice(1);
    assert.equal(rows.length, list.json.total, `${who}: the workbook's rows = the list's total`);
    assert.deepEqual(rows.map((r) => r[3]), list.json.items.map((t) => t.measures), `${who}: the same tasks in the same order`);
  }
  // S's spouse is recused from S's tasks (INSPECT.md §4): only the unit's.
  const k = readXlsx(path.join(dir, 'insp_kin.xlsx')).rows.slice(1);
  assert.deepEqual(k.map((r) => r[3]), ['清退超标准费用']);
  // The unit's staff see all three (not recused: their unit's tasks).
  assert.equal(readXlsx(path.join(dir, 'staff.xlsx')).rows.length, 4);
  // Outside scope: the round is not found (404 naming id), nothing leaks.
  for (const who of ['insp_b', 'staff_b']) {
    const x = await xlsx(C[who], `/api/v1/inspection_rounds/${ids.round}/ledger.xlsx`, `${who}.xlsx`);
    assert.equal(x.status, 404, `${who}: ${x.text.slice(0, 200)}`);
    assert.equal(JSON.parse(x.text).error.field, 'id');
    const y = await xlsx(C[who], '/api/v1/rectification_tasks.xlsx', `${who}-all.xlsx`);
    assert.equal(y.status, 200);
    assert.equal(readXlsx(y.file).rows.length, 1, `${who}: only the header row`);
  }
  // A role without rectification:read: 403.
  const d = await xlsx(C.disc, `/api/v1/inspection_rounds/${ids.round}/ledger.xlsx`, 'disc.xlsx');
  assert.equal(d.status, 403);
});

test('bad arguments are named (400); an unknown round is 404', async () => {
  for (const [q, field] of [['?overdue=2', 'overdue'], ['?lang=fr', 'lang'], ['?colour=red', 'colour']]) {
    const r = await C.insp.get(`/api/v1/inspection_rounds/${ids.round}/ledger.xlsx${q}`);
    assert.equal(r.status, 400, `${q}: ${r.text}`);
    assert.equal(r.json.error.field, field, r.text);
    const s = await C.insp.get(`/api/v1/rectification_tasks.xlsx${q}`);
    assert.equal(s.status, 400, `${q}: ${s.text}`);
  }
  const r = await C.insp.get('/api/v1/rectification_tasks?overdue=yes');
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'overdue');
  const n = await C.insp.get('/api/v1/inspection_rounds/IR-999/ledger.xlsx');
  assert.equal(n.status, 404);
});

test('plumb inspect ledger --round --xlsx: the same workbook from the CLI; an unknown round is one line, exit 1', () => {
  const out = path.join(dir, 'cli.xlsx');
  const said = execFileSync(PLUMB, ['inspect', 'ledger', '--db', st.db, '--round', ids.round, '--xlsx', out],
    { encoding: 'utf8', env: { ...process.env, PLUMB_LANG: 'zh' } });
  assert.match(said, /整改台账: 3 个整改任务/);
  const rows = readXlsx(out).rows;
  assert.deepEqual(rows[0], ZH);
  assert.equal(rows.length, 4);
  assert.equal(rows[2][4], '张三');
  let err = null;
  try {
    execFileSync(PLUMB, ['inspect', 'ledger', '--db', st.db, '--round', 'IR-999', '--xlsx', path.join(dir, 'no.xlsx'), '--lang', 'en'],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    err = e;
  }
  assert.ok(err, 'an unknown round fails');
  assert.equal(err.status, 1);
  assert.equal(err.stderr.trim().split('\n').length, 1, err.stderr);
  assert.match(err.stderr, /IR-999/);
  assert.equal(fs.existsSync(path.join(dir, 'no.xlsx')), false, 'nothing written');
});
