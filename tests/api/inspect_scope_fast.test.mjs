// inspect_scope_fast.test.mjs — the rectification reads of a caller whose
// scope is the whole store skip the per-row scope test (docs/INSPECT.md §4
// "How a list is read"); a narrower caller must still see only its rows,
// and recusal still applies to a whole-store caller. On a hand-made store
// (six units in two trees, seven tasks written here through the CLI), every
// list, page and count is compared with the rows written out below by hand
// from the fixture and the spec (a task is in scope by its owner unit, each
// scope unit with its subtree; recusal: the caller is the task's responsible
// person; overdue: deadline before today and not signed off), never from
// the server's SQL. Also: `rectification_tasks/stats?round_id=` of an
// unknown round, or of a round with no unit in the caller's scope, is a 404
// naming round_id (as any unknown id), and so is the CLI's `stats --round`.
// With INSPECT_PG_URL (and PLUMB_STATE_DIR) the store is that PostgreSQL
// database: tests/cli/pg_inspect_reads.sh runs this file so.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { addUser, startServer, Client, plumb, tempDir, iso, T0, P } from './lib.mjs';

process.env.PLUMB_NOW = iso(T0); // today: 2026-03-02
let db, srv;
const C = {};

// Two trees: R1 with A1, A2, A3 under it; R2 with B1 under it.
const UNITS = [
  ['R1', '', '北县县委', '110101', 'county', 'party', '党委'],
  ['A1', 'R1', '北县财政局', '110101', 'county', 'department', '财政'],
  ['A2', 'R1', '北县教育局', '110101', 'county', 'department', '教育'],
  ['A3', 'R1', '北县水利局', '110101', 'county', 'department', '水利'],
  ['R2', '', '南县县委', '110102', 'county', 'party', '党委'],
  ['B1', 'R2', '南县财政局', '110102', 'county', 'department', '财政'],
];

// The tasks as written in before(): id → [owner unit, responsible, status, deadline].
const TASKS = {
  'RT-1': ['A1', P.X, 'open', '2026-02-10'],
  'RT-2': ['A2', P.X, 'signed_off', '2026-02-15'],
  'RT-3': ['A2', P.T, 'in_progress', '2026-04-30'],
  'RT-4': ['A3', P.O, 'open', '2026-02-20'],
  'RT-5': ['R1', P.X, 'open', '2026-05-01'],
  'RT-6': ['B1', P.X, 'open', '2026-02-01'],
  'RT-7': ['R2', P.T, 'in_progress', '2026-06-01'],
};

// Each reader and, by hand, the tasks it sees.
const READERS = {
  whole: { scopes: ['R1', 'R2'], sees: ['RT-1', 'RT-2', 'RT-3', 'RT-4', 'RT-5', 'RT-6', 'RT-7'] },
  // R1's tree: four of the six units (a wide scope, not the whole store).
  wide: { scopes: ['R1'], sees: ['RT-1', 'RT-2', 'RT-3', 'RT-4', 'RT-5'] },
  // Every unit but R2 itself, named one by one: B1 is in, R2 is not.
  all_but_root: { scopes: ['R1', 'B1'], sees: ['RT-1', 'RT-2', 'RT-3', 'RT-4', 'RT-5', 'RT-6'] },
  narrow: { scopes: ['A2'], sees: ['RT-2', 'RT-3'] },
  // The whole store, but responsible for RT-4 (P.O): recused from it.
  recused: { scopes: ['R1', 'R2'], person: P.O, sees: ['RT-1', 'RT-2', 'RT-3', 'RT-5', 'RT-6', 'RT-7'] },
};
const TODAY = '2026-03-02';

function csv(rows) {
  return rows.map((r) => r.join(',')).join('\n') + '\n';
}

before(async () => {
  const dir = tempDir('plumb-iscope-');
  db = process.env.INSPECT_PG_URL || path.join(dir, 'p.db');
  const data = path.join(dir, 'data');
  fs.mkdirSync(path.join(data, 'org'), { recursive: true });
  fs.writeFileSync(path.join(data, 'org/units.csv'), csv([['id', 'parent_id', 'name', 'division_code', 'level', 'kind', 'industry'], ...UNITS]));
  fs.writeFileSync(path.join(data, 'org/persons.csv'), csv([['id', 'name', 'gender', 'birth_date', 'native_place'],
    [P.T, '王五', 'M', '1980-03-03', ''], [P.O, '赵六', 'M', '1975-04-04', ''], [P.X, '孙八', 'M', '1985-06-06', '']]));
  plumb(['init', '--db', db]);
  plumb(['import', '--all', data, '--db', db, '--quiet', '--no-rules']);
  const i = (...a) => plumb(['inspect', ...a, '--db', db]).trim();
  assert.equal(i('round-add', '--round-no', '2026-1', '--level', 'county', '--team', '第一巡察组', '--leader', P.X,
    '--start', '2026-01-05', '--end', '2026-02-27', '--unit', 'R1', '--unit', 'A1', '--unit', 'A2', '--unit', 'A3'), 'IR-1');
  assert.equal(i('round-add', '--round-no', '2026-2', '--level', 'county', '--team', '第二巡察组', '--leader', P.X,
    '--start', '2026-01-05', '--end', '2026-02-27', '--unit', 'R2', '--unit', 'B1'), 'IR-2');
  const problems = { A1: 'IP-1', A2: 'IP-2', A3: 'IP-3', R1: 'IP-4', B1: 'IP-5', R2: 'IP-6' };
  for (const [u, id] of Object.entries(problems)) {
    assert.equal(i('problem-add', '--round', ['B1', 'R2'].includes(u) ? 'IR-2' : 'IR-1', '--unit', u,
      '--category', 'money', '--description', `${u} 违规支出`, '--found-at', '2026-01-20'), id);
  }
  for (const [id, [u, who, , deadline]] of Object.entries(TASKS)) {
    const p = u === 'A2' ? 'IP-2' : problems[u];
    assert.equal(i('task-add', '--problem', p, '--owner', u, '--responsible', who, '--measures', '逐项整改', '--deadline', deadline), id);
  }
  i('progress', 'RT-2', '--text', '已整改', '--evidence', `report.pdf=${'ab'.repeat(32)}`);
  i('signoff', 'RT-2', '--reason', '整改到位');
  i('progress', 'RT-3', '--text', '整改中');
  i('progress', 'RT-7', '--text', '整改中', '--evidence', `plan.pdf=${'cd'.repeat(32)}`);
  // The store holds what the tables above say.
  const got = plumb(['sql', '--db', db, "SELECT id||' '||owner_unit_id||' '||status||' '||deadline FROM inspect_tasks ORDER BY id"]).trim().split('\n');
  assert.deepEqual(got, Object.entries(TASKS).map(([id, [u, , s, d]]) => `${id} ${u} ${s} ${d}`));

  const secrets = {};
  for (const [name, r] of Object.entries(READERS)) secrets[name] = addUser(db, name, { role: 'leader', scopes: r.scopes, person: r.person });
  srv = await startServer(db, ['--rate-ip', '0', '--rate-user', '0', '--rate-login', '0', '--quiet'], { dir });
  srv.setClock(T0);
  for (const name of Object.keys(READERS)) {
    C[name] = new Client(srv.base);
    const r = await C[name].login(name, secrets[name], T0);
    assert.equal(r.status, 200, `login ${name}: ${r.text}`);
  }
});

after(async () => {
  const fails = Object.values(C).flatMap((c) => c.fails5xx);
  await srv.stop();
  assert.deepEqual(fails, [], 'no 5xx');
  assert.doesNotMatch(srv.log(), /Sanitizer|runtime error/);
});

// Every page of ?limit=2 for a query string: the ids in order and the total.
async function pages(c, qs) {
  const ids = [];
  let total = null;
  for (let offset = 0; ;) {
    const r = await c.get(`/api/v1/rectification_tasks?${qs}${qs ? '&' : ''}limit=2&offset=${offset}`);
    assert.equal(r.status, 200, r.text);
    total ??= r.json.total;
    assert.equal(r.json.total, total, 'the same total on every page');
    ids.push(...r.json.items.map((x) => x.id));
    if (r.json.next_offset === null) return { ids, total, last: r.json };
    assert.equal(r.json.next_offset, offset + 2);
    offset = r.json.next_offset;
  }
}

const overdue = (id) => TASKS[id][2] !== 'signed_off' && TASKS[id][3] < TODAY;

for (const [who, r] of Object.entries(READERS)) {
  test(`${who}: the tasks list, its pages, filters and counts are the rows in scope`, async () => {
    const all = await pages(C[who], '');
    assert.deepEqual(all.ids, r.sees);
    assert.equal(all.total, r.sees.length);
    // One page of everything: each row's owner, status, overdue mark.
    const one = await C[who].get('/api/v1/rectification_tasks?limit=50');
    assert.deepEqual(one.json.items.map((x) => [x.id, x.owner_unit_id, x.status, x.overdue]),
      r.sees.map((id) => [id, TASKS[id][0], TASKS[id][2], overdue(id)]));
    assert.equal(one.json.next_offset, null);
    for (const status of ['open', 'in_progress', 'sent_back', 'reopened', 'signed_off']) {
      const want = r.sees.filter((id) => TASKS[id][2] === status);
      const got = await pages(C[who], `status=${status}`);
      assert.deepEqual(got.ids, want, status);
    }
    const od = await pages(C[who], 'overdue=1');
    assert.deepEqual(od.ids, r.sees.filter(overdue), 'overdue');
    // A unit outside the scope filtered on: nothing.
    const b1 = await pages(C[who], 'unit_id=B1');
    assert.deepEqual(b1.ids, r.sees.filter((id) => TASKS[id][0] === 'B1'), 'unit B1');
    // The dashboard's counts.
    const s = await C[who].get('/api/v1/rectification_tasks/stats');
    assert.equal(s.status, 200, s.text);
    const want = { total: r.sees.length, overdue: r.sees.filter(overdue).length, pending_approval: 0 };
    for (const status of ['open', 'in_progress', 'sent_back', 'reopened', 'signed_off']) want[status] = r.sees.filter((id) => TASKS[id][2] === status).length;
    assert.deepEqual(Object.fromEntries(Object.keys(want).map((k) => [k, s.json[k]])), want);
    assert.deepEqual(s.json.overdue_items.map((x) => x.id), r.sees.filter(overdue));
    // A task outside the scope (or recused) is not found.
    for (const id of Object.keys(TASKS).filter((x) => !r.sees.includes(x))) {
      const g = await C[who].get(`/api/v1/rectification_tasks/${id}`);
      assert.equal(g.status, 404, `${who} ${id}: ${g.text}`);
    }
  });
}

test('stats of a round: its tasks in scope; an unknown round or one out of scope is a 404 naming round_id', async () => {
  let r = await C.whole.get('/api/v1/rectification_tasks/stats?round_id=IR-2');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual([r.json.total, r.json.open, r.json.in_progress, r.json.overdue], [2, 1, 1, 1]);
  r = await C.narrow.get('/api/v1/rectification_tasks/stats?round_id=IR-1');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual([r.json.total, r.json.signed_off, r.json.in_progress], [2, 1, 1]);
  for (const [who, round] of [['whole', 'IR-99'], ['narrow', 'IR-2'], ['wide', 'IR-2'], ['narrow', 'IR-x']]) {
    r = await C[who].get(`/api/v1/rectification_tasks/stats?round_id=${round}`);
    assert.equal(r.status, 404, `${who} ${round}: ${r.text}`);
    assert.equal(r.json.error.field, 'round_id', r.text);
    assert.match(r.json.error.message, new RegExp(round));
  }
  // The CLI: one line naming round_id, exit 1.
  let err = null;
  try { plumb(['inspect', 'stats', '--round', 'IR-99', '--db', db]); } catch (e) { err = e; }
  assert.ok(err, 'the CLI refused the unknown round');
  assert.equal(err.status, 1);
  assert.match(err.stderr, /round_id.*IR-99/);
  assert.equal(err.stderr.trim().split('\n').length, 1, err.stderr);
});
