// inspect_lists.test.mjs — the inspection lists page and count exactly the
// records in the caller's scope (docs/INSPECT.md §4: a task by its owner
// unit, a problem by its unit, a round by any of its units; each scope unit
// with its subtree; docs/API.md: `{items, limit, offset, next_offset,
// total}` in id order), on a generated county, for a caller whose scope is
// the whole store (the server walks the rows in id order) and one whose
// scope is twelve units (it fetches them by the unit index): every page
// of `?limit=7`, concatenated, is the expected list, `total` its length,
// and the `?status=` totals the dashboard reads add up. Expected lists come
// from the spec's definition of scope, computed here over the projections
// with a recursive query written for this test, not from the server's SQL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { addUser, startServer, Client, plumb, tempDir, iso, PLUMB, genStore } from './lib.mjs';

const NOW = Date.parse('2026-06-30T09:00:00Z') / 1000;
process.env.PLUMB_NOW = iso(NOW);
let db, srv, root, branch;
const C = {};
const sql = (q) => execFileSync(PLUMB, ['sql', '--db', db, q], { encoding: 'utf8', maxBuffer: 1 << 28 }).trimEnd();
const lines = (q) => { const out = sql(q); return out ? out.split('\n') : []; };
// The units of the scope roots' subtrees (the roots included).
const subtree = (us) => `WITH RECURSIVE d(id) AS (SELECT id FROM units WHERE id IN (${us.map((u) => `'${u}'`).join(',')}) UNION SELECT x.id FROM units x JOIN d ON x.parent_id=d.id) SELECT id FROM d`;
// Text order of ids, as SQLite's BINARY collation and the API's "id order".
const byId = (a) => [...a].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));

before(async () => {
  const dir = tempDir('plumb-ilists-');
  db = genStore(dir, { seed: 17, name: 'p' });
  root = sql("SELECT id FROM units WHERE parent_id IS NULL OR parent_id='' ORDER BY id LIMIT 1");
  // A narrow scope: twelve units holding tasks (each with its subtree),
  // more than one page of tasks but far less than half the store's units.
  branch = lines(`SELECT DISTINCT owner_unit_id FROM inspect_tasks WHERE owner_unit_id<>'${root}' ORDER BY 1 LIMIT 12`);
  assert.equal(branch.length, 12);
  const secrets = {
    whole: addUser(db, 'whole', { role: 'inspection_officer', scopes: [root] }),
    narrow: addUser(db, 'narrow', { role: 'inspection_officer', scopes: branch }),
  };
  srv = await startServer(db, ['--rate-ip', '0', '--rate-user', '0', '--rate-login', '0', '--quiet']);
  srv.setClock(NOW);
  for (const name of Object.keys(secrets)) {
    C[name] = new Client(srv.base);
    const r = await C[name].login(name, secrets[name], NOW);
    assert.equal(r.status, 200, `login ${name}: ${r.text}`);
  }
});

after(async () => {
  const fails = Object.values(C).flatMap((c) => c.fails5xx);
  await srv.stop();
  assert.deepEqual(fails, [], 'no 5xx');
  assert.doesNotMatch(srv.log(), /Sanitizer|runtime error/);
});

async function pages(c, route) {
  const ids = [];
  let offset = 0, total = null;
  for (;;) {
    const sep = route.includes('?') ? '&' : '?';
    const r = await c.get(`${route}${sep}limit=7&offset=${offset}`);
    assert.equal(r.status, 200, r.text);
    if (total === null) total = r.json.total;
    assert.equal(r.json.total, total, 'the same total on every page');
    ids.push(...r.json.items.map((x) => x.id));
    assert.ok(r.json.items.length <= 7);
    if (r.json.next_offset === null) break;
    assert.equal(r.json.next_offset, offset + 7);
    offset = r.json.next_offset;
  }
  return { ids, total };
}

for (const who of ['whole', 'narrow']) {
  test(`${who}: every page of the tasks, problems and rounds lists, and the totals`, { timeout: 120000 }, async () => {
    const tops = who === 'whole' ? [root] : branch;
    const inScope = `(${subtree(tops)})`;
    const expected = {
      rectification_tasks: lines(`SELECT id FROM inspect_tasks WHERE owner_unit_id IN ${inScope}`),
      inspection_problems: lines(`SELECT id FROM inspect_problems WHERE unit_id IN ${inScope}`),
      inspection_rounds: lines(`SELECT DISTINCT round_id FROM inspect_round_units WHERE unit_id IN ${inScope}`),
    };
    assert.ok(expected.rectification_tasks.length > 7, 'more than one page');
    if (who === 'narrow') assert.ok(expected.rectification_tasks.length < Number(sql('SELECT count(*) FROM inspect_tasks')));
    for (const [route, want] of Object.entries(expected)) {
      const got = await pages(C[who], `/api/v1/${route}`);
      assert.deepEqual(got.ids, byId(want), route);
      assert.equal(got.total, want.length, route);
    }
    // The dashboard's counts by status add up to the total.
    let sum = 0;
    for (const status of ['open', 'in_progress', 'sent_back', 'signed_off', 'reopened']) {
      const want = lines(`SELECT id FROM inspect_tasks WHERE status='${status}' AND owner_unit_id IN ${inScope}`);
      const got = await pages(C[who], `/api/v1/rectification_tasks?status=${status}`);
      assert.deepEqual(got.ids, byId(want), status);
      sum += got.total;
    }
    assert.equal(sum, expected.rectification_tasks.length);
    // An offset past the end: no items, the same total.
    const r = await C[who].get(`/api/v1/rectification_tasks?limit=7&offset=100000`);
    assert.deepEqual([r.json.items, r.json.total, r.json.next_offset], [[], expected.rectification_tasks.length, null]);
  });
}
