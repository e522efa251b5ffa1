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
import { iso, T0, P } from './lib.mjs';
import { TASKS, startInspectStore } from './fixtures/inspect_store.mjs';

process.env.PLUMB_NOW = iso(T0); // today: 2026-03-02
let db, srv;
const C = {};


// Each reader and, by hand, the tasks it sees.
const READERS = {
  whole: { scopes: ['R1', 'R2'], sees: ['RT-1', 'RT-2', 'RT-3', 'RT-4', 'RT-5', 'RT-6', 'RT-7'] },
  // The whole store, but responsible for RT-4 (P.O): recused from it.
  recused: { scopes: ['R1', 'R2'], person: P.O, sees: ['RT-1', 'RT-2', 'RT-3', 'RT-5', 'RT-6', 'RT-7'] },
};
const TODAY = '2026-03-02';

before(async () => {
  let c;
  ({ db, srv, C: c } = await startInspectStore('plumb-iwhole-', READERS));
  Object.assign(C, c);
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
