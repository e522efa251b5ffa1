// matrix.test.mjs — the access matrix, generated from the permission table
// (`plumb serve --print-permissions`): every role × {in scope, out of scope,
// recused} × every route, each cell asserting allowed or denied
// (DESIGN.md §8: permission ∧ scope ∧ not recused). Prints the cell count
// and the leaks (denied cells that returned data), which must be zero.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeStore, startServer, Client, T0, FIX, P, plumb } from './lib.mjs';

const perms = JSON.parse(plumb(['serve', '--print-permissions']));
const roles = Object.keys(perms.roles);
const CONDS = ['in', 'out', 'recused'];

function userSpec(role, cond) {
  const mode = perms.roles[role].scope;
  if (mode === 'self') return { role, person: { in: P.S, out: P.O, recused: P.K }[cond] };
  if (mode === 'none') return { role };
  return { role, scopes: [cond === 'out' ? 'UB' : 'U0'], person: cond === 'recused' ? P.K : undefined };
}

// Routes the matrix cannot call without ending the session or signing in:
// they are covered by api.test.mjs and security.test.mjs.
const SKIP = new Set(['POST /api/v1/auth/logout', 'POST /api/v1/auth/login']);

test('access matrix: every role × scope/recusal × route', { timeout: 240000 }, async () => {
  const users = {};
  for (const role of roles) for (const cond of CONDS) users[`${role}.${cond}`.replace(/_/g, '-')] = userSpec(role, cond);
  users['setup'] = { role: 'discipline_officer', scopes: ['U0'] };
  const st = makeStore(users);
  const srv = await startServer(st.db, ['--rate-ip', '0', '--rate-user', '0', '--rate-login', '0', '--quiet']);
  try {
    const setup = new Client(srv.base);
    assert.equal((await setup.login('setup', st.secrets.setup, T0)).status, 200);
    // Fixture ids for the rule outputs and a profile.
    assert.equal((await setup.put('/api/v1/profiles/matrix', { region: '110101', reason: 'matrix fixture', params: { r01_top_years: 10 } })).status, 200);
    const f = await setup.get(`/api/v1/findings?subject=${P.S}&limit=1`);
    assert.ok(f.json.items.length, 'the fixture raises a finding about S');
    const ids = { ...FIX, case: FIX.clue, finding: f.json.items[0].id, profile: 'matrix', user: '1', event: '0' };
    const listFilter = { finding: `id=${ids.finding}`, warning: `person_id=${P.S}`, task: `person_id=${P.S}` };
    const w = await setup.get(`/api/v1/warnings?person_id=${P.S}`);
    const t = await setup.get(`/api/v1/tasks?person_id=${P.S}`);
    assert.ok(w.json.items.length && t.json.items.length, 'the fixture raises a warning and a task about S');

    // The current record of every entity, to write back unchanged.
    const records = {};
    for (const r of perms.routes) {
      if (r.method === 'GET' && r.entity && r.path.endsWith('/{id}') && !(r.entity in records)) {
        const g = await setup.get(r.path.replace('{id}', ids[r.entity]));
        if (g.status === 200) records[r.entity] = g.json;
      }
    }
    // The setup user (discipline) cannot read declarations' writers' view of all; fill gaps by fixture.
    const clients = {};
    for (const name of Object.keys(users)) {
      if (name === 'setup') continue;
      const c = new Client(srv.base);
      const res = await c.login(name, st.secrets[name], T0);
      assert.equal(res.status, 200, `login ${name}`);
      clients[name] = c;
    }
    let cells = 0, leaks = 0, allowedCells = 0;
    const wrong = [];
    for (const r of perms.routes) {
      const key = `${r.method} ${r.path}`;
      if (SKIP.has(key)) continue;
      for (const role of roles) {
        const rp = perms.roles[role];
        for (const cond of CONDS) {
          const c = clients[`${role}.${cond}`.replace(/_/g, '-')];
          const has = r.permission === 'public' || r.permission === 'authenticated' || rp.permissions.includes(r.permission);
          let expect = has;
          if (has && r.scoped) {
            if (rp.scope === 'self') expect = cond === 'in';
            else if (rp.scope === 'none') expect = false;
            else expect = cond === 'in' || (cond === 'recused' && !r.recusal);
          }
          // Build the request.
          let p = r.path;
          const idKey = r.entity || (p.includes('/profiles/') ? 'profile' : p.includes('/users/') ? 'user' : p.includes('/events/') ? 'event' : null);
          if (p.includes('{id}')) p = p.replace('{id}', encodeURIComponent(ids[idKey]));
          let body;
          if (r.method === 'GET' && r.entity && !r.path.endsWith('}') && r.path !== '/api/v1/risk')
            p += '?' + (listFilter[r.entity] || `id=${encodeURIComponent(ids[r.entity])}`);
          if (p.endsWith('/proof/inclusion')) p += '?index=0';
          if (p.endsWith('/proof/consistency')) p += '?first=1';
          if (r.body) body = r.entity && records[r.entity] && !p.includes('/status') ? records[r.entity] : {};
          if (r.body && r.entity && !records[r.entity] && !p.includes('/status')) body = { id: ids[r.entity] };
          const res = await c.req(r.method, p, body);
          cells++;
          if (expect) allowedCells++;
          let got;
          if (res.status === 401 || res.status === 403) got = false;
          else if (r.scoped && res.status === 404) got = false;
          else if (r.scoped && r.method === 'GET' && res.json && Array.isArray(res.json.items)) {
            got = r.entity === 'risk' ? res.json.items.some((x) => x.person === P.S) : res.json.items.length > 0;
          } else got = res.status < 500;
          assert.ok(res.status < 500, `${key} as ${role}/${cond}: ${res.status} ${res.text}`);
          if (got && !expect) { leaks++; wrong.push(`LEAK ${key} ${role}/${cond} → ${res.status}`); }
          if (!got && expect) wrong.push(`DENIED ${key} ${role}/${cond} → ${res.status} ${res.text.slice(0, 160)}`);
        }
      }
    }
    console.log(`access matrix: ${cells} cells checked (${perms.routes.length - SKIP.size} routes × ${roles.length} roles × ${CONDS.length} conditions; ${allowedCells} allowed, ${cells - allowedCells} denied), ${leaks} leaks, ${wrong.length - leaks} wrongly denied`);
    assert.deepEqual(wrong, []);
    assert.equal(leaks, 0);
  } finally {
    const { code } = await srv.stop();
    assert.equal(code, 0);
  }
});

test('every route declares a permission (deny by default)', () => {
  const known = new Set(['public', 'authenticated']);
  for (const r of Object.values(perms.roles)) for (const p of r.permissions) known.add(p);
  for (const r of perms.routes) {
    assert.ok(r.permission, `${r.method} ${r.path} has no permission`);
    assert.ok(known.has(r.permission) || /:(read|write)$/.test(r.permission), `${r.method} ${r.path}: unknown permission ${r.permission}`);
  }
  // Administrators manage accounts and read no content.
  for (const p of perms.roles.admin.permissions) assert.match(p, /^user:/);
  // Auditors read the ledger, not content.
  for (const p of perms.roles.auditor.permissions) assert.match(p, /^(ledger|access_log):/);
  // A subject never gets clue permissions.
  for (const p of perms.roles.subject.permissions) assert.doesNotMatch(p, /clue|disposition/);
});
