// inspect_whole_count.test.mjs — the `total` of a page (?limit=N) of the
// rectification ledger, the problem list and the dashboard's stats for a
// caller whose scope is the whole store: without a filter and without
// recusal it is the table's count (docs/INSPECT.md §4 "How a list is
// read", count_table in src/inspect/inspect.c); with any filter, or for a
// recused caller, it is the count of the filtered rows. Every expected
// total is written out by hand from the fixture (the same hand-made store
// as inspect_scope_fast.test.mjs: six units in two trees, seven tasks, six
// problems in two rounds), never from the server's SQL.
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
  // The whole store, but responsible for RT-4 (P.O): recused from it.
  recused: { scopes: ['R1', 'R2'], person: P.O, sees: ['RT-1', 'RT-2', 'RT-3', 'RT-5', 'RT-6', 'RT-7'] },
};
const TODAY = '2026-03-02';

function csv(rows) {
  return rows.map((r) => r.join(',')).join('\n') + '\n';
}

before(async () => {
  const dir = tempDir('plumb-iwhole-');
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


// The task ids of a round (IR-1: the problems of R1's tree; IR-2: B1, R2).
const ROUND_UNITS = { 'IR-1': ['R1', 'A1', 'A2', 'A3'], 'IR-2': ['R2', 'B1'] };
const overdue = (id) => TASKS[id][2] !== 'signed_off' && TASKS[id][3] < TODAY;

async function total(c, route) {
  const r = await c.get(route);
  assert.equal(r.status, 200, `${route}: ${r.text}`);
  return r.json.total;
}

for (const [who, r] of Object.entries(READERS)) {
  test(`${who}: a page's total is the count of its rows, with and without each filter`, async () => {
    const c = C[who];
    const want = (f) => r.sees.filter(f).length;
    for (const limit of [1, 2, 50]) {
      assert.equal(await total(c, `/api/v1/rectification_tasks?limit=${limit}`), r.sees.length, `limit=${limit}`);
      assert.equal(await total(c, `/api/v1/rectification_tasks?limit=${limit}&offset=5`), r.sees.length, `offset 5`);
    }
    for (const status of ['open', 'in_progress', 'sent_back', 'reopened', 'signed_off']) {
      assert.equal(await total(c, `/api/v1/rectification_tasks?status=${status}&limit=1`),
        want((id) => TASKS[id][2] === status), status);
    }
    assert.equal(await total(c, '/api/v1/rectification_tasks?overdue=1&limit=1'), want(overdue), 'overdue');
    for (const u of ['A2', 'B1', 'R1']) {
      assert.equal(await total(c, `/api/v1/rectification_tasks?unit_id=${u}&limit=1`),
        want((id) => TASKS[id][0] === u), `unit ${u}`);
    }
    for (const [round, units] of Object.entries(ROUND_UNITS)) {
      assert.equal(await total(c, `/api/v1/rectification_tasks?round_id=${round}&limit=1`),
        want((id) => units.includes(TASKS[id][0])), `round ${round}`);
    }
    // The problems: six, one per unit, IR-2 holding B1's and R2's (none
    // about a person: nobody is recused from them).
    assert.equal(await total(c, '/api/v1/inspection_problems?limit=2'), 6, 'problems');
    assert.equal(await total(c, '/api/v1/inspection_problems?round_id=IR-2&limit=2'), 2, 'problems of IR-2');
    assert.equal(await total(c, '/api/v1/inspection_problems?unit_id=A1&limit=2'), 1, 'problems of A1');
    // The dashboard's total, whole and filtered.
    assert.equal(await total(c, '/api/v1/rectification_tasks/stats'), r.sees.length, 'stats');
    assert.equal(await total(c, '/api/v1/rectification_tasks/stats?unit_id=A2'),
      want((id) => TASKS[id][0] === 'A2'), 'stats of A2');
    assert.equal(await total(c, '/api/v1/rectification_tasks/stats?round_id=IR-1'),
      want((id) => ROUND_UNITS['IR-1'].includes(TASKS[id][0])), 'stats of IR-1');
  });
}
