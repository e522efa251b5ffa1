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
import { plumb, iso, T0, P } from './lib.mjs';
import { TASKS, startInspectStore } from './fixtures/inspect_store.mjs';

process.env.PLUMB_NOW = iso(T0); // today: 2026-03-02
let db, srv;
const C = {};


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

before(async () => {
  let c;
  ({ db, srv, C: c } = await startInspectStore('plumb-iscope-', READERS));
  Object.assign(C, c);
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
