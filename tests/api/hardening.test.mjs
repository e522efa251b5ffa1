// hardening.test.mjs — issue #15 defect 6, the server's part, over real
// HTTP: no existence oracle on create, lockout alike for unknown names,
// no JSON type coercion, no citizen ID in the request log, a reply (not an
// empty one) to a query with too many parameters, logout ending every
// session of the user, and four eyes on an admin's own account.
// Expected values come from docs/SECURITY.md and docs/API.md.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { makeStore, startServer, Client, T0, P, C1, plumb, totp, sql as sqlOn, copyStore } from './lib.mjs';

let st, srv;
const USERS = {
  cadre: { role: 'cadre_officer', scopes: ['U0'] },
  prov: { role: 'data_provider', scopes: ['U0'] },
  pet: { role: 'petition_officer', scopes: ['U0'] },
  locky: { role: 'leader', scopes: ['U0'] },
  multi: { role: 'leader', scopes: ['U0'] },
  adm1: { role: 'admin' },
  adm2: { role: 'admin' },
};
let t = T0;
const C = {};

// Every sign-in uses the next TOTP step: a code is good once.
async function signIn(name) {
  t += 30;
  srv.setClock(t);
  const c = new Client(srv.base);
  const r = await c.login(name, st.secrets[name], t);
  assert.equal(r.status, 200, `${name}: ${r.text}`);
  return c;
}

function sql(q) {
  return sqlOn(st.db, q);
}

before(async () => {
  st = makeStore(USERS);
  srv = await startServer(st.db, ['--lockout', '3', '--lockout-secs', '600', '--rate-login', '1000']);
  for (const n of ['cadre', 'prov', 'pet', 'adm1', 'adm2']) C[n] = await signIn(n);
});
after(async () => {
  const { code } = await srv.stop();
  assert.equal(code, 0);
});

test('wrong JSON types are refused with 400 naming the field, and nothing is written', async () => {
  const pay = { id: 'PAYX', unit_id: 'UA', payee_company_id: C1, amount_fen: 100, paid_at: '2025-03-11', purpose: '维修款' };
  const post = { id: 'PTX', unit_id: 'UA', title: '科长', rank: 'section', is_top: 0, category: 'general' };
  const unit = { id: 'UX', parent_id: 'U0', name: '东城县统计局', division_code: '110101', level: 'county', kind: 'department', industry: '统计' };
  // [client, route, good record, field, wrong value] — the spec's types:
  // integers and money are JSON integers, flags true/false or 0/1, the
  // rest strings (SECURITY.md "JSON only on writes").
  const cases = [
    ['prov', '/api/v1/payments', pay, 'amount_fen', true],
    ['prov', '/api/v1/payments', pay, 'amount_fen', false],
    ['prov', '/api/v1/payments', pay, 'amount_fen', '100'],
    ['prov', '/api/v1/payments', pay, 'amount_fen', 1.5],
    ['prov', '/api/v1/payments', pay, 'amount_fen', [100]],
    ['prov', '/api/v1/payments', pay, 'amount_fen', { fen: 100 }],
    ['prov', '/api/v1/payments', pay, 'purpose', 42],
    ['prov', '/api/v1/payments', pay, 'paid_at', 20250311],
    ['prov', '/api/v1/payments', pay, 'unit_id', true],
    ['cadre', '/api/v1/posts', post, 'is_top', '1'],
    ['cadre', '/api/v1/posts', post, 'is_top', 2],
    ['cadre', '/api/v1/posts', post, 'is_top', 1.0 + 0.5],
    ['cadre', '/api/v1/posts', post, 'title', false],
    ['cadre', '/api/v1/units', unit, 'name', 123],
    ['cadre', '/api/v1/units', unit, 'division_code', 110101],
    ['cadre', '/api/v1/units', unit, 'id', 7],
  ];
  const before = sql('SELECT (SELECT COUNT(*) FROM ledger_events), (SELECT COUNT(*) FROM payments), (SELECT COUNT(*) FROM posts), (SELECT COUNT(*) FROM units)');
  for (const [who, route, good, field, bad] of cases) {
    const r = await C[who].post(route, { ...good, [field]: bad });
    assert.equal(r.status, 400, `${route} ${field}=${JSON.stringify(bad)}: ${r.status} ${r.text}`);
    assert.equal(r.json.error.code, 'wrong_type', r.text);
    assert.equal(r.json.error.field, field, r.text);
  }
  assert.equal(sql('SELECT (SELECT COUNT(*) FROM ledger_events), (SELECT COUNT(*) FROM payments), (SELECT COUNT(*) FROM posts), (SELECT COUNT(*) FROM units)'), before, 'no refused write changed the store');
  // The right types go in; flags also as true/false; null clears an optional field.
  let r = await C.prov.post('/api/v1/payments', { ...pay, contract_id: null });
  assert.equal(r.status, 201, r.text);
  assert.equal(sql("SELECT amount_fen FROM payments WHERE id='PAYX'"), '100');
  r = await C.cadre.post('/api/v1/posts', { ...post, is_top: false });
  assert.equal(r.status, 201, r.text);
  r = await C.cadre.put('/api/v1/posts/PTX', { ...post, is_top: 1 });
  assert.equal(r.status, 200, r.text);
  assert.equal(sql("SELECT is_top FROM posts WHERE id='PTX'"), '1');
});

test('clue intake: a flag is true/false or 0/1, nothing else', async () => {
  const clue = { channel: 'letter', category: 'money', summary: '反映问题', subject_unit_id: 'UA' };
  const before = sql('SELECT COUNT(*) FROM ledger_events');
  for (const bad of [5, -1, 'yes', '1', 1.5, []]) {
    const r = await C.pet.post('/api/v1/cases', { ...clue, real_name: bad });
    assert.equal(r.status, 400, `real_name=${JSON.stringify(bad)}: ${r.text}`);
    assert.equal(r.json.error.field, 'real_name');
  }
  assert.equal(sql('SELECT COUNT(*) FROM ledger_events'), before);
});

test('create: an id taken out of scope answers exactly like a new record out of scope', async () => {
  // cadre's scope is U0 (UA below it); PO is the top post of UB, another tree.
  const post = { title: '科长', rank: 'section', is_top: 0, category: 'general' };
  const before = sql('SELECT COUNT(*) FROM ledger_events');
  const taken = await C.cadre.post('/api/v1/posts', { ...post, id: 'PO', unit_id: 'UB' });
  const fresh = await C.cadre.post('/api/v1/posts', { ...post, id: 'PNEW1', unit_id: 'UB' });
  const takenHere = await C.cadre.post('/api/v1/posts', { ...post, id: 'PO', unit_id: 'UA' });
  assert.equal(taken.status, 403, taken.text);
  assert.deepEqual([fresh.status, fresh.json], [taken.status, taken.json]);
  assert.deepEqual([takenHere.status, takenHere.json], [taken.status, taken.json]);
  assert.equal(taken.json.error.code, 'out_of_scope');
  // A person placed in UB only (P.O, top of UB): the same answer.
  const personTaken = await C.cadre.post('/api/v1/persons', { id: P.O, name: '赵六', gender: 'M', birth_date: '1975-04-04' });
  assert.equal(personTaken.status, 403, personTaken.text);
  assert.deepEqual(personTaken.json, taken.json);
  assert.equal(sql('SELECT COUNT(*) FROM ledger_events'), before, 'nothing written');
  assert.equal(sql("SELECT title FROM posts WHERE id='PO'"), '书记');
  // An update of a record out of sight stays a 404, like a missing one.
  const put = await C.cadre.put('/api/v1/posts/PO', { ...post, id: 'PO', unit_id: 'UA' });
  const missing = await C.cadre.put('/api/v1/posts/NOPE9', { ...post, id: 'NOPE9', unit_id: 'UA' });
  assert.equal(put.status, 404);
  assert.deepEqual([missing.status, missing.json], [put.status, put.json]);
});

test('lockout: an unknown user name is locked exactly like an existing one', async () => {
  const attempt = (username) => new Client(srv.base).post('/api/v1/auth/login', { username, password: 'Wrong-password-123', totp: '000000' });
  const seen = { locky: [], 'no-such-user': [] };
  for (let i = 0; i < 5; i++) {
    for (const name of Object.keys(seen)) {
      const r = await attempt(name);
      seen[name].push(`${r.status} ${JSON.stringify(r.json)}`);
    }
  }
  // --lockout 3: three 401s, then 423 — for both names, byte for byte.
  assert.deepEqual(seen['no-such-user'], seen.locky);
  assert.deepEqual(seen.locky.map((s) => Number(s.slice(0, 3))), [401, 401, 401, 423, 423]);
  // The table holds a keyed hash, never the name.
  assert.equal(sql("SELECT COUNT(*) FROM login_failures WHERE name_key LIKE '%no-such-user%'"), '0');
  assert.match(sql('SELECT name_key FROM login_failures'), /^h:[0-9a-f]{32}$/m);
  // After the lockout time both are open again (injected clock).
  t += 601;
  srv.setClock(t);
  for (const name of Object.keys(seen)) assert.equal((await attempt(name)).status, 401, name);
});

test('query: 1,000 parameters get a 400 with a JSON body naming the query', async () => {
  for (const n of [1000, 3000, 101]) {
    const q = Array.from({ length: n }, (_, i) => `a${i}=1`).join('&');
    const r = await C.cadre.get(`/api/v1/units?${q}`);
    assert.equal(r.status, 400, `${n} parameters: ${r.status} ${r.text}`);
    assert.equal(r.json.error.code, 'too_many_parameters');
    assert.equal(r.json.error.field, 'query');
  }
  // A request line over the 32 KiB of connection memory (SECURITY.md
  // "Hardening") is libmicrohttpd's 414, still a reply, never an empty one.
  const long = Array.from({ length: 5000 }, (_, i) => `a${i}=1`).join('&');
  const r414 = await C.cadre.get(`/api/v1/units?${long}`);
  assert.equal(r414.status, 414);
  assert.ok(r414.text.length > 0);
  // A hundred are still read (and an unknown one is named as usual).
  const q = Array.from({ length: 100 }, (_, i) => `limit=${(i % 5) + 1}`).join('&');
  const r = await C.cadre.get(`/api/v1/units?${q}`);
  assert.ok(r.status === 200 || r.status === 400, r.text);
  assert.notEqual(r.json?.error?.code, 'too_many_parameters');
  assert.equal((await C.cadre.get('/api/v1/units?limit=1')).status, 200);
});

test('request log: citizen IDs in paths appear as keyed handles', async () => {
  const r1 = await C.cadre.get(`/api/v1/persons/${P.S}`);
  assert.equal(r1.status, 200);
  await C.cadre.get(`/api/v1/persons/${P.S}`);
  await C.cadre.get(`/api/v1/persons/${P.X}`);
  await C.cadre.get(`/api/v1/nosuchroute/${P.T}`);
  await new Promise((res) => setTimeout(res, 200));
  const log = srv.log();
  for (const id of [P.S, P.X, P.T]) assert.ok(!log.includes(id), `the log holds ${id}`);
  const handles = [...log.matchAll(/"path":"\/api\/v1\/persons\/(h:[0-9a-f]{32})"/g)].map((m) => m[1]);
  assert.equal(handles.length, 3, 'three person reads logged with a handle');
  // A line is written when its reply is done, so two reads in a row may be
  // logged in either order: S's handle twice, X's once.
  const counts = {};
  for (const h of handles) counts[h] = (counts[h] || 0) + 1;
  assert.deepEqual(Object.values(counts).sort(), [1, 2],
    'the same id gives the same handle, another id another handle');
  assert.match(log, /"path":"\/api\/v1\/nosuchroute\/h:[0-9a-f]{32}"/);
  // Not the public subject handle of the ledger headers ("s:…").
  assert.ok(!log.includes('"path":"/api/v1/persons/s:'));
});

test('logout ends every session of the user, not only this one', async () => {
  const a = await signIn('multi');
  const b = await signIn('multi');
  assert.equal((await a.get('/api/v1/auth/me')).status, 200);
  assert.equal((await b.get('/api/v1/auth/me')).status, 200);
  assert.equal((await a.post('/api/v1/auth/logout')).status, 200);
  assert.equal((await a.get('/api/v1/auth/me')).status, 401);
  assert.equal((await b.get('/api/v1/auth/me')).status, 401, 'the other session ended too');
  assert.equal((await C.cadre.get('/api/v1/auth/me')).status, 200, "other users' sessions stay");
});

test("four eyes: an admin's change of its own role or scope waits for a second admin", async () => {
  const users = (await C.adm1.get('/api/v1/users?limit=100')).json.items;
  const id = (name) => users.find((u) => u.username === name).id;
  const events = () => Number(sql('SELECT COUNT(*) FROM ledger_events'));
  // adm1 gives itself a content role and a scope: not applied, a pending grant.
  let e0 = events();
  let r = await C.adm1.put(`/api/v1/users/${id('adm1')}`, { role: 'discipline_officer', scopes: ['U0'] });
  assert.equal(r.status, 202, r.text);
  const g = r.json.grant;
  assert.equal(g.status, 'pending');
  assert.equal(g.requested_by, 'adm1');
  assert.equal(g.red_flag, true);
  assert.deepEqual(g.changes, { role: 'discipline_officer', scopes: ['U0'] });
  assert.equal(events(), e0 + 1, 'one user.grant event');
  assert.equal(sql(`SELECT role FROM users WHERE username='adm1'`), 'admin');
  assert.equal(sql(`SELECT COUNT(*) FROM user_scopes s JOIN users u ON u.id=s.user_id WHERE u.username='adm1'`), '0');
  assert.equal((await C.adm1.get('/api/v1/clues')).status, 403, 'still no content');
  // The dashboard's field: red flags and pending grants.
  r = await C.adm2.get('/api/v1/users/grants');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.pending, 1);
  assert.equal(r.json.red_flags, 1);
  assert.equal(r.json.items[0].id, g.id);
  // The same admin may not approve its own grant; nothing changes.
  e0 = events();
  r = await C.adm1.post(`/api/v1/users/grants/${g.id}`, { decision: 'approve' });
  assert.equal(r.status, 403, r.text);
  assert.equal(r.json.error.code, 'four_eyes');
  assert.equal(events(), e0);
  assert.equal(sql(`SELECT role FROM users WHERE username='adm1'`), 'admin');
  // Bad input names the field.
  r = await C.adm2.post(`/api/v1/users/grants/${g.id}`, { decision: 'yes' });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'decision');
  r = await C.adm2.post('/api/v1/users/grants/999999', { decision: 'approve' });
  assert.equal(r.status, 404);
  // A second admin approves: applied, recorded, the requester's sessions end.
  r = await C.adm2.post(`/api/v1/users/grants/${g.id}`, { decision: 'approve' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.grant.status, 'approved');
  assert.equal(r.json.grant.decided_by, 'adm2');
  assert.equal(sql(`SELECT role FROM users WHERE username='adm1'`), 'discipline_officer');
  assert.equal(sql(`SELECT s.unit_id FROM user_scopes s JOIN users u ON u.id=s.user_id WHERE u.username='adm1'`), 'U0');
  assert.equal((await C.adm1.get('/api/v1/auth/me')).status, 401, 'a role change ends the sessions');
  r = await C.adm2.post(`/api/v1/users/grants/${g.id}`, { decision: 'approve' });
  assert.equal(r.status, 409, 'decided once');
  // The grant events are in the ledger and the projection rebuilds alike.
  assert.match(plumb(['verify', '--db', st.db]), /ledger ok/);
  // A grant written into the table directly is found by verify.
  const copy = copyStore(st.db, st.dir, 'copy');
  sqlOn(copy, `UPDATE user_grants SET status='pending' WHERE id=${g.id}`);
  assert.throws(() => plumb(['verify', '--db', copy]), /user_grants/);
  // Another account is changed directly; one's own request can be refused (withdrawn).
  r = await C.adm2.put(`/api/v1/users/${id('prov')}`, { scopes: ['U0', 'UB'] });
  assert.equal(r.status, 200, r.text);
  r = await C.adm2.put(`/api/v1/users/${id('adm2')}`, { person_id: P.X });
  assert.equal(r.status, 202, r.text);
  r = await C.adm2.post(`/api/v1/users/grants/${r.json.grant.id}`, { decision: 'refuse' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.grant.status, 'refused');
  assert.equal(sql(`SELECT COALESCE(person_id, '') FROM users WHERE username='adm2'`), '');
  r = await C.adm2.get('/api/v1/users/grants');
  assert.equal(r.json.pending, 0);
  assert.equal(r.json.red_flags, 2);
});

test('four eyes: an admin cannot create a second account for its own person', async () => {
  // adm3 is linked to P.O by another admin (adm2, whose own change is not involved).
  let r = await C.adm2.post('/api/v1/users', { username: 'adm3', role: 'admin', person_id: P.O, password: 'Correct-Horse-9battery' });
  assert.equal(r.status, 201, r.text);
  const adm3 = await (async () => {
    t += 30; srv.setClock(t);
    const c = new Client(srv.base);
    const x = await c.post('/api/v1/auth/login', { username: 'adm3', password: 'Correct-Horse-9battery', totp: totp(r.json.totp_secret, t) });
    assert.equal(x.status, 200, x.text);
    c.csrf = x.json.csrf_token;
    return c;
  })();
  const before = sql('SELECT COUNT(*) FROM users');
  r = await adm3.post('/api/v1/users', { username: 'adm3-reader', role: 'discipline_officer', person_id: P.O, scopes: ['U0'], password: 'Correct-Horse-9battery' });
  assert.equal(r.status, 403, r.text);
  assert.equal(r.json.error.code, 'four_eyes');
  assert.equal(r.json.error.field, 'person_id');
  assert.equal(sql('SELECT COUNT(*) FROM users'), before);
  // Nor give itself a role through another account of the same person: a grant.
  r = await C.adm2.post('/api/v1/users', { username: 'o-leader', role: 'leader', person_id: P.O, scopes: ['U0'], password: 'Correct-Horse-9battery' });
  assert.equal(r.status, 201, r.text);
  r = await adm3.put(`/api/v1/users/${r.json.id}`, { role: 'discipline_officer' });
  assert.equal(r.status, 202, r.text);
  assert.equal(sql("SELECT role FROM users WHERE username='o-leader'"), 'leader');
});
