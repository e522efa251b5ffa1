// casestats.test.mjs — GET /api/v1/cases/stats counts exactly the clues the
// caller's queue lists (docs/CASES.md "Statistics": scope and recusal as the
// list; issue #16: a panel's count = the linked list's total), with and
// without a from/to window, for a county-wide officer linked to a person
// (recused from the clues about that person, their kin and their unit's
// leadership team) and an officer scoped to one township. The expected
// counts are taken from the list (GET /api/v1/cases, every page) and, for
// the window, from the clues' receipt dates in the list rows: a second
// path to the same numbers, not the statistics code.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { plumb, addUser, startServer, tempDir, Client, T0, genStore } from './lib.mjs';

let dir, srv;
const C = {};
let FROM, TO;

before(async () => {
  dir = tempDir('casestats-');
  const db = genStore(dir, { seed: 3 });
  const units = fs.readFileSync(path.join(dir, 'gen/org/units.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
  const root = units.find((u) => !u[1])[0];
  const parent = Object.fromEntries(units.map((u) => [u[0], u[1]]));
  const top = (u) => { while (u && parent[u] && parent[u] !== root) u = parent[u]; return u; };
  const rows = fs.readFileSync(path.join(dir, 'gen/clues/clues.csv'), 'utf8').trim().split('\n');
  const head = rows[0].split(',');
  const clues = rows.slice(1).map((l) => l.split(','));
  const col = (name) => head.indexOf(name);
  const most = (f) => {
    const n = {};
    for (const x of clues) { const k = f(x); if (k) n[k] = (n[k] || 0) + 1; }
    return Object.keys(n).sort((a, b) => n[b] - n[a] || (a < b ? -1 : 1))[0];
  };
  // The person most often a clue's subject: the officer linked to them is
  // recused from those clues (and their kin's, and their team's); the
  // township under the county with the most clues in its scope; the year with most.
  const person = most((x) => x[col('subject_person_id')]);
  // (the clue's unit for the scope: its handling unit, else its subject's)
  const handled = plumb(['sql', '--db', db, 'SELECT COALESCE(cc.handling_unit_id, c.subject_unit_id) FROM clues c LEFT JOIN case_clues cc ON cc.id = c.id']).trim().split('\n');
  const nt = {};
  for (const u of handled) { const t = top(u); if (t && t !== root) nt[t] = (nt[t] || 0) + 1; }
  const town = Object.keys(nt).sort((a, b) => nt[b] - nt[a] || (a < b ? -1 : 1))[0];
  assert.ok(town, 'a township handles clues');
  const year = most((x) => x[col('received_at')].slice(0, 4));
  FROM = `${year}-01-01`;
  TO = `${year}-12-31`;
  const users = {
    all: { role: 'discipline_officer', scopes: [root] },
    recused: { role: 'discipline_officer', scopes: [root], person },
    town: { role: 'discipline_officer', scopes: [town] },
  };
  const secrets = {};
  for (const [name, u] of Object.entries(users)) secrets[name] = addUser(db, name, u);
  srv = await startServer(db, ['--rate-ip', '0', '--rate-user', '0', '--rate-login', '0', '--quiet']);
  for (const name of Object.keys(users)) {
    C[name] = new Client(srv.base);
    const r = await C[name].login(name, secrets[name], T0);
    assert.equal(r.status, 200, `login ${name}: ${r.text}`);
  }
});

after(async () => {
  await srv?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function listAll(c) {
  const items = [];
  for (let off = 0; ; off += 500) {
    const r = await c.get(`/api/v1/cases?limit=500&offset=${off}`);
    assert.equal(r.status, 200, r.text);
    items.push(...r.json.items);
    if (r.json.items.length < 500) return { items, total: r.json.total };
  }
}

function counts(items) {
  const by = (f) => items.reduce((m, x) => ((m[f(x)] = (m[f(x)] || 0) + 1), m), {});
  return {
    total: items.length,
    by_channel: by((x) => x.channel),
    by_category: by((x) => x.category),
    by_unit: by((x) => x.subject_unit_id || 'none'),
    by_month: by((x) => x.received_at.slice(0, 7)),
  };
}

const pick = (s) => ({ total: s.total, by_channel: s.by_channel, by_category: s.by_category, by_unit: s.by_unit, by_month: s.by_month });

test('the statistics count what the queue lists: scope, recusal and the from/to window', { timeout: 300000 }, async () => {
  const all = await listAll(C.all);
  assert.ok(all.total > 100, `a county has clues: ${all.total}`);
  for (const name of ['all', 'recused', 'town']) {
    const l = name === 'all' ? all : await listAll(C[name]);
    assert.equal(l.items.length, l.total, `${name}: every page read`);
    let r = await C[name].get('/api/v1/cases/stats');
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(pick(r.json), counts(l.items), `${name}: whole period`);
    r = await C[name].get(`/api/v1/cases/stats?from=${FROM}&to=${TO}`);
    assert.equal(r.status, 200, r.text);
    const inWin = l.items.filter((x) => x.received_at >= FROM && x.received_at <= TO);
    assert.deepEqual(pick(r.json), counts(inWin), `${name}: ${FROM}..${TO}`);
    assert.ok(name === 'all' || l.total < all.total, `${name} sees fewer clues than the county: ${l.total}`);
    assert.ok(inWin.length > 0 && inWin.length < l.total, `${name}: the window ${FROM}..${TO} is a strict part (${inWin.length} of ${l.total})`);
  }
});

test('the server stops cleanly (a sanitizer build reports nothing)', async () => {
  const { code, sig } = await srv.stop();
  assert.equal(code, 0, `exit ${code} ${sig}: ${srv.log()}`);
  assert.doesNotMatch(srv.log(), /Sanitizer|runtime error/);
});
