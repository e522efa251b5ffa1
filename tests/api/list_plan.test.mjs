// list_plan.test.mjs — a scoped list returns the same rows whichever plan
// the server picks for it (docs/API.md "How a scoped list is planned"): a
// scope holding at least half of the units walks the table in the sort
// order (the unit column written "+t.unit_id"), a smaller one goes through
// the unit index and sorts. Users on both sides of that line page through
// payments, posts and persons to the end, in several sort orders, and the
// rows must equal an oracle computed here from the fixture this test writes
// (the unit tree, who holds which post, who is kin of whom), not from the
// server.
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, Client, T0, plumb, addUser, citizenId, tempDir, indexLeading, tableColumns, sql, newDb } from './lib.mjs';

// R ─ A, B ─ B1, C, D ; Z ─ Z1   (8 units)
const UNITS = [['R', ''], ['A', 'R'], ['B', 'R'], ['B1', 'B'], ['C', 'R'], ['D', 'R'], ['Z', ''], ['Z1', 'Z']];
const closure = (roots, units) => {
  const out = new Set(roots);
  for (let grew = true; grew;) {
    grew = false;
    for (const [u, p] of units) if (out.has(p) && !out.has(u)) { out.add(u); grew = true; }
  }
  return out;
};

function fixture() {
  const units = UNITS.map(([u, p]) => [u, p, `单位${u}`, '110101', 'county', 'department', '财政']);
  const pay = [];
  // Interleaved ids (each unit's rows spread over the key order) …
  for (let i = 0; i < 160; i++) {
    const u = UNITS[(i * 5) % UNITS.length][0];
    pay.push([`P${String((i * 37) % 160).padStart(4, '0')}`, u, String(1000 * (i % 7)), `2025-0${1 + (i % 9)}-1${i % 10}`]);
  }
  // … and a block of one unit's rows that all come last, as ids clustered
  // by division do (the case that makes a walk in key order expensive).
  for (let i = 0; i < 30; i++) pay.push([`Q${String(i).padStart(4, '0')}`, i % 2 ? 'B1' : 'Z1', String(500 * (i % 4)), '2025-12-01']);
  const persons = [], posts = [], tenures = [], kin = [];
  let seq = 1;
  const CH = '子丑寅卯辰巳午未申酉戌亥';
  for (const [ui, [u]] of UNITS.entries()) {
    for (let j = 0; j < 3; j++) {
      const nm = CH[ui] + CH[j];
      const holder = citizenId(seq++), relative = citizenId(seq++), loner = citizenId(seq++);
      persons.push([holder, `甲${nm}`, 'M', '1970-01-01', ''], [relative, `乙${nm}`, 'F', '1970-01-01', ''],
        [loner, `丙${nm}`, 'M', '1970-01-01', '']);
      posts.push([`PO-${u}-${j}`, u, '科员', 'staff', j === 0 ? '1' : '0', 'general', '', '']);
      tenures.push([`TE-${u}-${j}`, holder, `PO-${u}-${j}`, '2020-01-01', '', '']);
      kin.push([`KI-${u}-${j}`, holder, relative, 'spouse']);
    }
  }
  return { units, pay, persons, posts, tenures, kin };
}

const csv = (head, rows) => [head, ...rows].map((r) => r.join(',')).join('\n') + '\n';

function makeStore(F, users) {
  const dir = tempDir('plumb-plan-');
  const db = newDb(dir);
  const data = path.join(dir, 'data');
  const put = (name, text) => { fs.mkdirSync(path.join(data, path.dirname(name)), { recursive: true }); fs.writeFileSync(path.join(data, name), text); };
  put('org/units.csv', csv(['id', 'parent_id', 'name', 'division_code', 'level', 'kind', 'industry'], F.units));
  put('org/persons.csv', csv(['id', 'name', 'gender', 'birth_date', 'native_place'], F.persons));
  put('org/posts.csv', csv(['id', 'unit_id', 'title', 'rank', 'is_top', 'category', 'portfolio', 'reports_to'], F.posts));
  put('org/tenures.csv', csv(['id', 'person_id', 'post_id', 'start_date', 'end_date', 'decision_id'], F.tenures));
  put('police/kin.csv', csv(['id', 'person_id', 'relative_id', 'relation'], F.kin));
  put('finance/payments.csv', csv(['id', 'unit_id', 'payee_company_id', 'payee_person_id', 'amount_fen', 'paid_at', 'purpose', 'contract_id', 'decision_id'],
    F.pay.map(([id, u, amt, at]) => [id, u, '', F.persons[0][0], amt, at, '款', '', ''])));
  plumb(['init', '--db', db, '--origin', 'plumbline.test/plan']);
  plumb(['import', '--db', db, '--all', data, '--quiet']);
  const secrets = {};
  for (const [name, u] of Object.entries(users)) secrets[name] = addUser(db, name, u);
  return { db, secrets };
}

// The expected rows of each list for a set of scope roots, in a sort order.
function oracle(F, roots) {
  const sc = closure(roots, F.units);
  const inUnit = (u) => sc.has(u) && F.units.some(([id]) => id === u);
  const post = new Map(F.posts.map((p) => [p[0], p[1]]));
  const holders = new Set(F.tenures.filter((t) => inUnit(post.get(t[2]))).map((t) => t[1]));
  const people = new Set(holders);
  for (const k of F.kin) if (holders.has(k[1])) people.add(k[2]);
  return {
    payments: F.pay.filter((p) => inUnit(p[1])).map(([id, , amt, at]) => ({ id, amount_fen: Number(amt), paid_at: at })),
    posts: F.posts.filter((p) => inUnit(p[1])).map((p) => ({ id: p[0], title: p[2] })),
    persons: F.persons.filter((p) => people.has(p[0])).map((p) => ({ id: p[0], name: p[1] })),
  };
}

const cmp = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
function ordered(rows, sort) {
  const desc = sort.startsWith('-'), col = sort.replace(/^-/, '');
  return rows.slice().sort((x, y) => (desc ? -1 : 1) * cmp(x[col], y[col]) || cmp(x.id, y.id)).map((r) => r.id);
}

async function pageAll(c, url) {
  const ids = [];
  for (let offset = 0, n = 0; offset !== null; n++) {
    assert.ok(n < 100, 'paging does not end');
    const r = await c.get(`${url}${url.includes('?') ? '&' : '?'}limit=7&offset=${offset}`);
    assert.equal(r.status, 200, `${url}: ${r.text}`);
    ids.push(...r.json.items.map((x) => x.id));
    offset = r.json.next_offset;
  }
  return ids;
}

const LISTS = [
  ['payments', ['id', '-id', '-amount_fen', 'amount_fen', 'paid_at', '-paid_at']],
  ['posts', ['id', '-title', 'title']],
  ['persons', ['id', 'name', '-name']],
];

// A store of F with USERS, a server on it and every user signed in; runs
// body({st, srv, C}) and prints the server's log when it throws.
async function withServer(F, USERS, body) {
  const st = makeStore(F, USERS);
  const srv = await startServer(st.db, ['--rate-ip', '0', '--rate-user', '0', '--rate-login', '0']);
  try {
    const C = {};
    for (const name of Object.keys(USERS)) {
      C[name] = new Client(srv.base);
      assert.equal((await C[name].login(name, st.secrets[name], T0)).status, 200);
    }
    await body({ st, srv, C });
  } catch (e) { console.log(srv.log().slice(-2000)); throw e; }
  finally { await srv.stop(); }
}

test('scoped lists: the same rows under either plan (wide and narrow scopes)', async () => {
  const F = fixture();
  // 6 of 8 units (walk), 8 of 8 (walk), 2 of 8 (index), 3 of 8 (index).
  const USERS = {
    wide: { role: 'discipline_officer', scopes: ['R'] },
    all: { role: 'discipline_officer', scopes: ['R', 'Z'] },
    narrow: { role: 'discipline_officer', scopes: ['B'] },
    side: { role: 'discipline_officer', scopes: ['Z', 'D'] },
    adm: { role: 'admin' },
  };
  await withServer(F, USERS, async ({ st, srv, C }) => {
    const check = async (name, roots) => {
      const want = oracle(F, roots);
      assert.ok(want.payments.length > 0 && want.persons.length > 0, 'the oracle has rows');
      // both sides of the plan line have more payments than a default page
      if (name === 'narrow' || name === 'all') assert.ok(want.payments.length > 50, `${name}: a full first page`);
      for (const [list, sorts] of LISTS) {
        for (const sort of sorts) {
          const got = await pageAll(C[name], sort === 'id' ? `/api/v1/${list}` : `/api/v1/${list}?sort=${sort}`);
          assert.deepEqual(got, ordered(want[list], sort), `${name} ${list} sort=${sort}`);
          // The first page of the default size (50, docs/API.md "Lists"),
          // asked for without limit and offset and with them: on
          // PostgreSQL its SQL is another text (the page written from the
          // constant, routes.c page_clause), whose rows and next_offset
          // must be the same as any page's.
          const first = ordered(want[list], sort);
          const q = sort === 'id' ? '' : `sort=${sort}`;
          for (const url of [`/api/v1/${list}${q ? `?${q}` : ''}`, `/api/v1/${list}?${q ? `${q}&` : ''}limit=50&offset=0`]) {
            const r = await C[name].get(url);
            assert.equal(r.status, 200, `${url}: ${r.text}`);
            assert.deepEqual(r.json.items.map((x) => x.id), first.slice(0, 50), `${name} ${url}`);
            assert.equal(r.json.next_offset, first.length > 50 ? 50 : null, `${name} ${url}: next_offset`);
          }
        }
      }
    };
    // Twice each, interleaved: the per-worker caches (scope closure, list
    // SQL) must not carry one user's plan or rows over to another.
    for (let round = 0; round < 2; round++) {
      await check('wide', ['R']);
      await check('narrow', ['B']);
      await check('all', ['R', 'Z']);
      await check('side', ['Z', 'D']);
    }
    // The same user across the line: narrowed, then widened again.
    const users = (await C.adm.get('/api/v1/users')).json.items;
    const id = users.find((u) => u.username === 'wide').id;
    let tick = T0;
    const relog = async () => {
      tick += 30; srv.setClock(tick); C.wide = new Client(srv.base);
      assert.equal((await C.wide.login('wide', st.secrets.wide, tick)).status, 200);
    };
    assert.equal((await C.adm.put(`/api/v1/users/${id}`, { scopes: ['B1'] })).status, 200);
    await relog();
    await check('wide', ['B1']);
    assert.equal((await C.adm.put(`/api/v1/users/${id}`, { scopes: ['R', 'Z1'] })).status, 200);
    await relog();
    await check('wide', ['R', 'Z1']);
  });
});

// The sortable columns (docs/API.md "Lists"): the OpenAPI document lists
// them as the enum of each list's sort parameter; every one of them is
// accepted and has an index leading with it (read here from the store with
// plumb sql, not from the server); any other field of the record is a 400
// naming sort, before a row is read.
const TABLE = { warnings: 'risk_warnings', tasks: 'rule_tasks', profiles: 'rule_profiles', 'access-log': 'access_log' };
test('sorts: only the declared columns, each served by an index; others a 400 naming sort', async () => {
  const F = fixture();
  const USERS = { wide: { role: 'discipline_officer', scopes: ['R', 'Z'] }, adm: { role: 'admin' }, aud: { role: 'auditor' } };
  await withServer(F, USERS, async ({ st, C }) => {
    const doc = (await C.wide.get('/api/v1/openapi.json')).json;
    const leading = (table) => indexLeading(st.db, table);
    let lists = 0, extra = 0;
    for (const [p, item] of Object.entries(doc.paths)) {
      const sortp = (item.get?.parameters || []).find((x) => x.name === 'sort');
      if (!sortp) continue;
      lists++;
      const seg = p.split('/')[3];
      const table = TABLE[seg] || seg;
      const key = sortp.schema.default;
      const values = sortp.schema.enum;
      assert.ok(values.includes(key) && values.includes(`-${key}`), `${p}: the key sorts both ways`);
      const cols = [...new Set(values.map((v) => v.replace(/^-/, '')))];
      for (const c of cols) assert.ok(values.includes(c) && values.includes(`-${c}`), `${p} ${c}: both ways`);
      const idx = leading(table);
      for (const c of cols.filter((x) => x !== key)) {
        extra++;
        assert.ok(idx.has(c), `${p}: sortable ${c} has no index leading with it in ${table}`);
      }
      let c = null;
      for (const name of Object.keys(USERS)) if (!c && (await C[name].get(`${p}?limit=1`)).status === 200) c = C[name];
      assert.ok(c, `${p}: no user may list it`);
      for (const v of values) {
        const r = await c.get(`${p}?limit=2&sort=${encodeURIComponent(v)}`);
        assert.equal(r.status, 200, `${p} sort=${v}: ${r.text}`);
      }
      // Every other column of the table (from the store's schema).
      const all = tableColumns(st.db, table)
        .filter((x) => x && x !== 'ev_seq' && !cols.includes(x));
      for (const col of [...all, 'no_such_column']) {
        for (const v of [col, `-${col}`]) {
          const r = await c.get(`${p}?sort=${v}`);
          assert.equal(r.status, 400, `${p} sort=${v}: ${r.status}`);
          assert.equal(r.json.error.field, 'sort', `${p} sort=${v}`);
          assert.match(r.json.error.message, new RegExp(`one of ${key}, -${key}`), `${p} sort=${v}`);
        }
      }
    }
    assert.ok(lists >= 20, `list routes with a sort parameter: ${lists}`);
    assert.ok(extra >= 8, `sortable columns besides keys: ${extra}`);
  });
});

// A scope that is the whole unit tree reads the persons list from
// persons_placed (migration 0066), kept by triggers; the plan holds only
// while the closure is exactly the store's units, checked in the request's
// own snapshot. Units and placements added by an import while the server
// runs: a new root outside the user's roots (the plan must stop: that
// root's people are not the user's), the root granted (whole again), a new
// unit under a root and a person placed there (whole still, and listed).
test('whole-store scopes: the persons list follows units and placements added while serving', async () => {
  const F = fixture();
  const USERS = { all: { role: 'discipline_officer', scopes: ['R', 'Z'] }, adm: { role: 'admin' } };
  await withServer(F, USERS, async ({ st, srv, C }) => {
    const loners = F.persons.filter((p) => p[1].startsWith('丙')).map((p) => p[0]);
    const persons = async (roots, who = 'all') => {
      const want = oracle(F, roots).persons;
      for (const sort of ['id', '-name']) {
        const got = await pageAll(C[who], sort === 'id' ? '/api/v1/persons' : `/api/v1/persons?sort=${sort}`);
        assert.deepEqual(got, ordered(want, sort), `persons sort=${sort} for roots ${roots}`);
      }
      return new Set(want.map((p) => p.id));
    };
    const more = (name, units, posts, tenures) => {
      const dir = tempDir('plumb-plan-more-');
      const put = (f, text) => { fs.mkdirSync(path.join(dir, path.dirname(f)), { recursive: true }); fs.writeFileSync(path.join(dir, f), text); };
      put('org/units.csv', csv(['id', 'parent_id', 'name', 'division_code', 'level', 'kind', 'industry'], units));
      if (posts.length) put('org/posts.csv', csv(['id', 'unit_id', 'title', 'rank', 'is_top', 'category', 'portfolio', 'reports_to'], posts));
      if (tenures.length) put('org/tenures.csv', csv(['id', 'person_id', 'post_id', 'start_date', 'end_date', 'decision_id'], tenures));
      plumb(['import', '--db', st.db, '--all', dir, '--quiet']);
      F.units.push(...units); F.posts.push(...posts); F.tenures.push(...tenures);
    };
    let seen = await persons(['R', 'Z']);
    assert.ok(!seen.has(loners[0]) && !seen.has(loners[1]), 'the loners are nobody\'s');
    // A new root Y, a loner placed there: not in R or Z.
    more('Y', [['Y', '', '单位Y', '110101', 'county', 'department', '财政']],
      [['PO-Y-0', 'Y', '科员', 'staff', '0', 'general', '', '']], [['TE-Y-0', loners[0], 'PO-Y-0', '2020-01-01', '', '']]);
    seen = await persons(['R', 'Z']);
    assert.ok(!seen.has(loners[0]), 'a person placed under a root the user does not hold');
    // Y granted: the whole tree again, the loner listed.
    const id = (await C.adm.get('/api/v1/users')).json.items.find((u) => u.username === 'all').id;
    assert.equal((await C.adm.put(`/api/v1/users/${id}`, { scopes: ['R', 'Z', 'Y'] })).status, 200);
    const tick = T0 + 30;
    srv.setClock(tick);
    C.all = new Client(srv.base);
    assert.equal((await C.all.login('all', st.secrets.all, tick)).status, 200);
    seen = await persons(['R', 'Z', 'Y']);
    assert.ok(seen.has(loners[0]), 'placed under a granted root');
    // A unit new under R, the next loner placed there: listed at once.
    more('R9', [['R9', 'R', '单位R9', '110101', 'county', 'department', '财政']],
      [['PO-R9-0', 'R9', '科员', 'staff', '0', 'general', '', '']], [['TE-R9-0', loners[1], 'PO-R9-0', '2020-01-01', '', '']]);
    seen = await persons(['R', 'Z', 'Y']);
    assert.ok(seen.has(loners[1]), 'placed under a new unit of the tree');
    // A root whose unit is gone (a purge deletes a unit's row, the user's
    // scope row stays): the closure then counts as many ids as the store
    // has units without being them (Z is missing), and the plan must not
    // be taken: Z's people are not this user's.
    more('X', [['X', '', '单位X', '110101', 'county', 'department', '财政']], [], []);
    F.units.pop();
    const oddSecret = addUser(st.db, 'odd', { role: 'discipline_officer', scopes: ['R', 'Z1', 'Y', 'X'] });
    sql(st.db, "DELETE FROM units WHERE id='X'");
    srv.setClock(T0 + 60);
    C.odd = new Client(srv.base);
    assert.equal((await C.odd.login('odd', oddSecret, T0 + 60)).status, 200);
    const odd = await persons(['R', 'Z1', 'Y', 'X'], 'odd');
    assert.equal(closure(['R', 'Z1', 'Y', 'X'], F.units).size, F.units.length, 'as many scope ids as units');
    const zHolder = F.tenures.find((t) => t[2].startsWith('PO-Z-'))[1];
    assert.ok(!odd.has(zHolder), 'a holder at Z is not listed');
    // The list came from persons_placed (a row written there directly
    // shows; plumb verify reports such a row: tests/cli/ledger_tamper.sh).
    sql(st.db, "INSERT INTO persons_placed VALUES('000000000000000000','某','M','1970-01-01',NULL,1)");
    assert.equal((await C.all.get('/api/v1/persons?limit=1')).json.items[0].id, '000000000000000000');
  });
});
