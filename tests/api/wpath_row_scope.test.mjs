// wpath_row_scope.test.mjs — the scope check of a record write (issue #22,
// wt-wpath): the writer now walks up from the record's own units instead
// of building the whole subtree of the writer's roots (routes.c
// row_allowed, accounts pl_accounts_scope_cte_row). The answers must be
// those of docs/SECURITY.md "Placing a record in the unit tree": a record
// is in scope if its unit is a scope root or below one, at any depth, or
// its person is placed (person_units) in such a unit. The expected statuses
// are a hand-written table from that rule, not read from the code: deep
// units (two and three levels below the root), the root's parent, another
// tree, a cycle of units under no root, a cycle that holds a root, and a
// record placed only by its person.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { makeStore, startServer, Client, T0, P, sql } from './lib.mjs';

const USERS = {
  disc_a: { role: 'discipline_officer', scopes: ['UA'] },
  disc_0: { role: 'discipline_officer', scopes: ['U0'] },
  disc_b: { role: 'discipline_officer', scopes: ['UB'] },
  cad_a: { role: 'cadre_officer', scopes: ['UA'] },
};
let st, srv;
const C = {};

before(async () => {
  st = makeStore(USERS);
  // Deep units below UA, and two units that are each other's parent
  // (under no root), straight into the table: the check must stop on a
  // cycle and find nothing there.
  sql(st.db, `
    INSERT INTO units(id, parent_id, name, division_code, level, kind, industry, ev_seq) VALUES
      ('UA1', 'UA', '一科', '110101', 'county', 'department', '财政', 0),
      ('UA2', 'UA1', '一组', '110101', 'county', 'department', '财政', 0),
      ('CY1', 'CY2', '环一', '110103', 'county', 'department', '财政', 0),
      ('CY2', 'CY1', '环二', '110103', 'county', 'department', '财政', 0);`);
  st.secrets.disc_c = (await import('./lib.mjs')).addUser(st.db, 'disc_c', { role: 'discipline_officer', scopes: ['CY1'] });
  srv = await startServer(st.db, ['--rate-ip', '0', '--rate-user', '0', '--rate-login', '0', '--quiet']);
  for (const name of [...Object.keys(USERS), 'disc_c']) {
    C[name] = new Client(srv.base);
    const r = await C[name].login(name, st.secrets[name], T0);
    assert.equal(r.status, 200, `login ${name}: ${r.text}`);
  }
});
after(async () => { await srv?.stop(); });

let n = 0;
const sv = (unit, person) => {
  const b = { id: `WSV${++n}`, kind: 'visit', held_at: '2026-01-01' };
  if (unit) b.unit_id = unit;
  if (person) b.person_id = person;
  return b;
};

// [user, unit, person, expected status]: docs/SECURITY.md's rule by hand.
const TABLE = [
  ['disc_a', 'UA', null, 201],    // the root itself
  ['disc_a', 'UA2', null, 201],   // two levels below the root
  ['disc_0', 'UA2', null, 201],   // three levels below the root
  ['disc_a', 'U0', null, 403],    // the root's parent
  ['disc_a', 'UB', null, 403],    // another tree
  ['disc_b', 'UA1', null, 403],   // another tree, deep
  ['disc_a', 'CY1', null, 403],   // a cycle under no root
  ['disc_c', 'CY2', null, 201],   // a cycle holding the root: CY2's parent is CY1
  ['disc_a', null, P.S, 201],     // no unit; the person is placed at UA
  ['disc_a', null, P.O, 403],     // no unit; the person is placed at UB
  ['disc_b', null, P.O, 201],
];

test('a new record: in scope at any depth, by unit or by person, nowhere else', async () => {
  for (const [who, unit, person, want] of TABLE) {
    const r = await C[who].post('/api/v1/supervision_activities', sv(unit, person));
    assert.equal(r.status, want, `${who} unit=${unit} person=${person}: ${r.text}`);
    if (want === 403) assert.equal(r.json.error.code, 'out_of_scope');
  }
});

test('an update: the stored record is placed as a new one would be', async () => {
  // SV1 (fixture): at UA, about S.
  const body = { kind: 'reminder_talk', person_id: P.S, unit_id: 'UA', held_at: '2024-06-01', notes: '再次提醒' };
  assert.equal((await C.disc_b.put('/api/v1/supervision_activities/SV1', body)).status, 404);
  assert.equal((await C.disc_a.put('/api/v1/supervision_activities/SV1', body)).status, 200);
  assert.equal((await C.disc_0.put('/api/v1/supervision_activities/SV1', { ...body, notes: '三次' })).status, 200);
  // Moving a record the caller sees into a unit out of sight: 403
  // out_of_scope naming the placing field (docs/SECURITY.md "Writes answer
  // without an existence oracle": the record is in sight, so the answer
  // confirms nothing), and the stored record is unchanged.
  const before = sql(st.db, "SELECT unit_id, person_id, notes FROM supervision_activities WHERE id='SV1'");
  const mv = await C.disc_a.put('/api/v1/supervision_activities/SV1', { ...body, unit_id: 'UB', person_id: null });
  assert.equal(mv.status, 403, mv.text);
  assert.equal(mv.json.error.code, 'out_of_scope');
  assert.equal(mv.json.error.field, 'unit_id');
  assert.equal(sql(st.db, "SELECT unit_id, person_id, notes FROM supervision_activities WHERE id='SV1'"), before);
  const deep = await C.disc_a.post('/api/v1/supervision_activities', sv('UA2', null));
  assert.equal(deep.status, 201);
  assert.equal((await C.disc_b.put(`/api/v1/supervision_activities/${deep.json.record.id}`, { ...sv('UB'), id: deep.json.record.id })).status, 404);
});

test('an update may not take a record in sight out of everyone\'s sight', async () => {
  // KIN1 (fixture): S (a leader at UA) and spouse K. R holds no post: a
  // kin row held by R is placed nowhere. Creating such a record is allowed
  // (a new person without a post yet is nobody's); moving KIN1 there would
  // hide a leader's kin row from every scoped user: 403 naming person_id,
  // nothing written (docs/SECURITY.md "Writes answer without an existence
  // oracle").
  const before = sql(st.db, "SELECT person_id, relative_id, relation FROM kin WHERE id='KIN1'");
  const mv = await C.cad_a.put('/api/v1/kin/KIN1', { person_id: P.R, relative_id: P.K, relation: 'spouse' });
  assert.equal(mv.status, 403, mv.text);
  assert.equal(mv.json.error.code, 'out_of_scope');
  assert.equal(mv.json.error.field, 'person_id');
  assert.equal(sql(st.db, "SELECT person_id, relative_id, relation FROM kin WHERE id='KIN1'"), before);
  // A unit moved under another tree: the placing field is its parent.
  const u = await C.cad_a.put('/api/v1/units/UA2', { parent_id: 'UB', name: '一组', division_code: '110101', level: 'county', kind: 'department', industry: '财政' });
  assert.equal(u.status, 403, u.text);
  assert.equal(u.json.error.field, 'parent_id');
  assert.equal(sql(st.db, "SELECT parent_id FROM units WHERE id='UA2'"), 'UA1');
});

test('a new unit is placed by its parent, at any depth', async () => {
  const u = (id, parent) => ({ id, parent_id: parent, name: `单位${id}`, division_code: '110101', level: 'county', kind: 'department', industry: '财政' });
  const cad = C.cad_a; // units:write is the cadre office's (roles.c)
  const r1 = await cad.post('/api/v1/units', u('UA3', 'UA2'));
  assert.equal(r1.status, 201, r1.text);
  const r2 = await cad.post('/api/v1/units', u('UB9', 'UB'));
  assert.equal(r2.status, 403, r2.text);
  assert.equal(r2.json.error.code, 'out_of_scope');
});
