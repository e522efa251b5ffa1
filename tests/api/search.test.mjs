// search.test.mjs — the global search and the profile aggregates (issue
// #16 items 3 and 7; docs/API.md "Search", "Profiles") against the county
// data (gen --scale county --seed 7). Every expectation is computed from
// the tables with `plumb sql` and the documented rules — ranking exact (0)
// > prefix (1) > contains (2), then name, then id; a person is in a scope
// when they hold or held a post in a unit of it or are kin (relative_id) of
// such a holder (docs/SECURITY.md "Placing a record"); a clue is the clue
// list's (docs/CASES.md §3: case:list, the handling office else the subject
// unit in scope, recusal) — never from the search code. Pinyin initials
// come from a hand-written table.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startServer, Client, T0, plumb, tempDir, addUser, genStore } from './lib.mjs';

let dir, db, srv;
const C = {};
const q = (s) => encodeURIComponent(s);

function rows(sql) {
  const out = plumb(['sql', '--db', db, sql]).trim();
  return out ? out.split('\n').map((l) => l.split('|')) : [];
}

// The subtree of a unit, from units.parent_id.
function subtree(root) {
  const kids = new Map();
  for (const [id, parent] of rows('SELECT id, parent_id FROM units')) {
    if (!kids.has(parent)) kids.set(parent, []);
    kids.get(parent).push(id);
  }
  const out = new Set([root]);
  const stack = [root];
  while (stack.length) for (const k of kids.get(stack.pop()) || []) if (!out.has(k)) { out.add(k); stack.push(k); }
  return out;
}

// Persons placed in a set of units (SECURITY.md "Placing a record").
function placedIn(units) {
  const holders = new Set(rows('SELECT t.person_id, p.unit_id FROM tenures t JOIN posts p ON p.id = t.post_id')
    .filter(([, u]) => units.has(u)).map(([pid]) => pid));
  const out = new Set(holders);
  for (const [pid, rel] of rows('SELECT person_id, relative_id FROM kin')) if (holders.has(pid)) out.add(rel);
  return out;
}

// The documented person ranking over `persons` rows [id, name].
function rankPersons(persons, term) {
  const hits = [];
  for (const [id, name] of persons) {
    const r = name === term || id === term.toUpperCase() ? 0 : name.startsWith(term) ? 1 : name.includes(term) ? 2 : -1;
    if (r >= 0) hits.push({ id, name, rank: r });
  }
  return hits.sort((a, b) => a.rank - b.rank || (a.name < b.name ? -1 : a.name > b.name ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

let ROOT, TOWN, OTHER_TOWN, ALL_UNITS, TOWN_UNITS, CLUE;

before(async () => {
  dir = tempDir('plumb-search-');
  db = genStore(dir, { seed: 7, name: 'c', out: 'data' });
  plumb(['sweep', '--db', db, '--as-of', '2026-03-01']);
  ROOT = rows("SELECT id FROM units WHERE parent_id IS NULL OR parent_id = '' ORDER BY id")[0][0];
  // Two towns: township units with persons placed.
  const towns = rows("SELECT id FROM units WHERE level = 'township' ORDER BY id").map((r) => r[0]);
  TOWN = towns[0];
  OTHER_TOWN = towns[2];
  ALL_UNITS = subtree(ROOT);
  TOWN_UNITS = subtree(TOWN);
  // A clue about a person, handled in the county, for the recusal case.
  CLUE = rows("SELECT c.id, c.subject_person_id FROM clues c WHERE c.subject_person_id IS NOT NULL AND c.subject_person_id <> '' ORDER BY c.id LIMIT 1")[0];
  const users = {
    all: { role: 'discipline_officer', scopes: [ROOT] },
    town: { role: 'discipline_officer', scopes: [TOWN] },
    cadre: { role: 'cadre_officer', scopes: [ROOT] },
    recused: { role: 'discipline_officer', scopes: [ROOT], person: CLUE[1] },
  };
  const secrets = {};
  for (const [n, u] of Object.entries(users)) secrets[n] = addUser(db, n, u);
  srv = await startServer(db, ['--rate-ip', '0', '--rate-user', '0', '--quiet']);
  for (const n of Object.keys(users)) {
    C[n] = new Client(srv.base);
    const r = await C[n].login(n, secrets[n], T0);
    assert.equal(r.status, 200, r.text);
  }
});

after(async () => { if (srv) await srv.stop(); });

test('persons rank exact before prefix before contains, then name and id', async () => {
  const placed = placedIn(ALL_UNITS);
  const persons = rows('SELECT id, name FROM persons').filter(([id]) => placed.has(id));
  // A name that is a whole name, the start of others and inside others.
  const names = new Set(persons.map((p) => p[1]));
  let term = null;
  for (const n of [...names].sort()) {
    if ([...n].length !== 2) continue;
    const h = rankPersons(persons, n);
    const ranks = new Set(h.map((x) => x.rank));
    if (ranks.has(0) && ranks.has(1) && ranks.has(2) && h.length <= 50) { term = n; break; }
  }
  assert.ok(term, 'the county data has a name found exactly, as a prefix and inside');
  const want = rankPersons(persons, term);
  const r = await C.all.get(`/api/v1/search?q=${q(term)}&kind=person&limit=50`);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.items.map((x) => [x.id, x.rank]), want.map((x) => [x.id, x.rank]), `q=${term}`);
  assert.ok(r.json.items.every((x) => x.kind === 'person' && x.name));
});

test('pinyin initials and the 18-digit ID find the person', async () => {
  // Hand-written: 吴 wu, 国 guo, 刚 gang (a cadre of seed 7's data; 吴俊峰 before
  // the generator's realism change, issue #19).
  const [id] = rows("SELECT id FROM persons WHERE name = '吴国刚' ORDER BY id")[0] || [];
  assert.ok(id, 'the county data has 吴国刚');
  let r = await C.all.get('/api/v1/search?q=wgg&kind=person&limit=50');
  assert.equal(r.status, 200, r.text);
  const hit = r.json.items.find((x) => x.id === id);
  assert.ok(hit, 'wgg finds 吴国刚');
  assert.equal(hit.rank, 0);
  r = await C.all.get('/api/v1/search?q=WJ&kind=person&limit=50');
  // Initials equal to "wj" (two-character names) rank 0, longer ones 1.
  assert.ok(r.json.items.length > 0);
  for (const x of r.json.items) assert.equal(x.rank, [...x.name].length === 2 ? 0 : 1, x.name);
  r = await C.all.get(`/api/v1/search?q=${id}`);
  assert.deepEqual(r.json.items.map((x) => [x.kind, x.id, x.name, x.rank]), [['person', id, '吴国刚', 0]]);
  // The context: a post and its unit, by name.
  assert.match(r.json.items[0].context, / · /);
  // A person without a post: the official they are kin of (kin.relative_id
  // = them, the official holding a tenure; the first by the official's id).
  const [[kid, oid, oname, rel]] = rows(`SELECT k.relative_id, k.person_id, o.name, k.relation FROM kin k JOIN persons o ON o.id = k.person_id
    WHERE k.relative_id NOT IN (SELECT person_id FROM tenures) AND k.person_id IN (SELECT person_id FROM tenures)
    ORDER BY k.relative_id, k.person_id, k.id LIMIT 1`);
  r = await C.all.get(`/api/v1/search?q=${kid}&kind=person`);
  assert.deepEqual(r.json.items.map((x) => x.kin_of), [{ id: oid, name: oname, relation: rel }]);
});

test('companies by credit code (exact, prefix) and name', async () => {
  const [[cid, cname]] = rows('SELECT id, name FROM companies ORDER BY id LIMIT 1');
  let r = await C.all.get(`/api/v1/search?q=${cid.toLowerCase()}&kind=company`);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.items.map((x) => [x.id, x.name, x.rank, x.context]), [[cid, cname, 0, cid]]);
  const pre = cid.slice(0, 10);
  const want = rows(`SELECT id FROM companies WHERE substr(id, 1, 10) = '${pre}'`).length;
  r = await C.all.get(`/api/v1/search?q=${pre}&kind=company&limit=50`);
  assert.equal(r.json.items.length, Math.min(want, 50));
  assert.ok(r.json.items.every((x) => x.id.startsWith(pre) && x.rank === 1));
  r = await C.all.get(`/api/v1/search?q=${q(cname)}&kind=company`);
  assert.equal(r.json.items[0].id, cid);
});

test('a town user never sees a hit of another town', async () => {
  const placed = placedIn(TOWN_UNITS);
  // A name placed only outside the town.
  const outside = rows('SELECT id, name FROM persons').filter(([id]) => !placed.has(id));
  const onlyOut = outside.find(([, name]) => rows(`SELECT count(*) FROM persons WHERE name = '${name}'`)[0][0] === '1');
  let r = await C.town.get(`/api/v1/search?q=${q(onlyOut[1])}&kind=person`);
  assert.equal(r.status, 200);
  assert.ok(!r.json.items.some((x) => x.id === onlyOut[0]), 'a person outside the town is not found');
  r = await C.all.get(`/api/v1/search?q=${q(onlyOut[1])}&kind=person`);
  const allPlaced = placedIn(ALL_UNITS);
  if (allPlaced.has(onlyOut[0])) assert.ok(r.json.items.some((x) => x.id === onlyOut[0]), 'the county user finds them');
  // Every person and unit hit of a common query lies in the town.
  for (const term of ['李', '王', '乡', '镇', '县']) {
    r = await C.town.get(`/api/v1/search?q=${q(term)}&limit=50`);
    assert.equal(r.status, 200);
    for (const x of r.json.items) {
      if (x.kind === 'person') assert.ok(placed.has(x.id), `person ${x.id} outside the town`);
      if (x.kind === 'unit') assert.ok(TOWN_UNITS.has(x.id), `unit ${x.id} outside the town`);
      if (x.kind === 'clue') {
        const [[hu, su]] = rows(`SELECT COALESCE(cc.handling_unit_id, c.subject_unit_id), c.subject_unit_id FROM clues c LEFT JOIN case_clues cc ON cc.id = c.id WHERE c.id = '${x.id}'`);
        assert.ok(TOWN_UNITS.has(hu), `clue ${x.id} handled outside the town (${hu}, ${su})`);
      }
    }
  }
  const [otherName] = rows(`SELECT name FROM units WHERE id = '${OTHER_TOWN}'`)[0];
  r = await C.town.get(`/api/v1/search?q=${q(otherName)}&kind=unit`);
  assert.deepEqual(r.json.items, [], 'another town is not found by its exact name');
  r = await C.all.get(`/api/v1/search?q=${q(otherName)}&kind=unit`);
  assert.equal(r.json.items[0].id, OTHER_TOWN);
  assert.equal(r.json.items[0].rank, 0);
});

test('clues: only with clue rights, never to a recused reader', async () => {
  const [cid] = CLUE;
  let r = await C.all.get(`/api/v1/search?q=${cid}&kind=clue`);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.items.map((x) => [x.kind, x.id, x.rank]), [['clue', cid, 0]]);
  r = await C.cadre.get(`/api/v1/search?q=${cid}&kind=clue`);
  assert.equal(r.status, 200);
  assert.deepEqual(r.json.items, [], 'a cadre officer has no clue rights');
  r = await C.cadre.get(`/api/v1/search?q=${cid}`);
  assert.ok(!r.json.items.some((x) => x.kind === 'clue'));
  r = await C.recused.get(`/api/v1/search?q=${cid}`);
  assert.equal(r.status, 200);
  assert.ok(!r.json.items.some((x) => x.kind === 'clue'), 'the subject does not find the clue about them');
  // By the subject's name: the clue list's answer for that reader.
  const [[name]] = rows(`SELECT name FROM persons WHERE id = '${CLUE[1]}'`);
  r = await C.recused.get(`/api/v1/search?q=${q(name)}&kind=clue&limit=50`);
  const listed = (await C.recused.get(`/api/v1/cases?subject_person_id=${CLUE[1]}&limit=500`)).json.items.map((x) => x.id);
  assert.ok(!r.json.items.some((x) => x.id === cid));
  for (const x of r.json.items) if (x.name === name) assert.ok(listed.includes(x.id));
});

test('bad input is a 400 naming the field', async () => {
  for (const [p, field] of [
    ['/api/v1/search', 'q'],
    ['/api/v1/search?q=', 'q'],
    ['/api/v1/search?q=%20%20', 'q'],
    [`/api/v1/search?q=${q('字'.repeat(101))}`, 'q'],
    ['/api/v1/search?q=a&kind=people', 'kind'],
    ['/api/v1/search?q=a&limit=0', 'limit'],
    ['/api/v1/search?q=a&limit=51', 'limit'],
    ['/api/v1/search?q=a&sort=name', 'sort'],
  ]) {
    const r = await C.all.get(p);
    assert.equal(r.status, 400, `${p}: ${r.text}`);
    assert.equal(r.json.error.field, field, p);
  }
  const r = await C.all.get(`/api/v1/search?q=${q('字'.repeat(100))}`);
  assert.equal(r.status, 200, 'exactly 100 characters is accepted');
});

test('unit profile: one request, exact totals, scoped', async () => {
  const unit = rows("SELECT unit_id, count(*) AS n FROM findings WHERE unit_id IS NOT NULL GROUP BY unit_id ORDER BY n DESC, unit_id LIMIT 1")[0][0];
  const r = await C.all.get(`/api/v1/units/${unit}/profile?limit=5`);
  assert.equal(r.status, 200, r.text);
  const p = r.json;
  const [[name, parent]] = rows(`SELECT name, parent_id FROM units WHERE id = '${unit}'`);
  assert.equal(p.unit.name, name);
  assert.equal(p.parent ? p.parent.id : '', parent || '');
  assert.equal(p.posts.total, Number(rows(`SELECT count(*) FROM posts WHERE unit_id = '${unit}'`)[0][0]));
  assert.equal(p.findings.total, Number(rows(`SELECT count(*) FROM findings WHERE unit_id = '${unit}'`)[0][0]));
  assert.equal(p.children.total, Number(rows(`SELECT count(*) FROM units WHERE parent_id = '${unit}'`)[0][0]));
  assert.ok(p.posts.items.length <= 5 && (p.posts.total <= 5 || p.posts.next_offset === 5));
  // Paging: the second page continues the first.
  const r2 = await C.all.get(`/api/v1/units/${unit}/profile?limit=5&posts_offset=5`);
  assert.equal(r2.json.posts.offset, 5);
  if (p.posts.total > 5) assert.notEqual(r2.json.posts.items[0].id, p.posts.items[0].id);
  // The top leader: the open tenure on the unit's top post (as of the server's day).
  const today = new Date(T0 * 1000).toISOString().slice(0, 10);
  const tops = rows(`SELECT t.person_id FROM tenures t JOIN posts p ON p.id = t.post_id WHERE p.unit_id = '${unit}' AND p.is_top = 1 AND t.start_date <= '${today}' AND (t.end_date IS NULL OR t.end_date = '' OR t.end_date > '${today}')`).map((x) => x[0]).sort();
  assert.deepEqual(p.top_leaders.map((x) => x.person_id).sort(), tops);
  // Out of scope: a 404, as if missing.
  if (!TOWN_UNITS.has(unit)) assert.equal((await C.town.get(`/api/v1/units/${unit}/profile`)).status, 404);
  assert.equal((await C.all.get('/api/v1/units/NO-SUCH/profile')).status, 404);
  assert.equal((await C.all.get(`/api/v1/units/${unit}/profile?posts_offset=-1`)).json.error.field, 'posts_offset');
});

test('company profile: payments, contracts and findings with exact totals', async () => {
  const [[cid, n, sum]] = rows('SELECT payee_company_id, count(*), sum(amount_fen) FROM payments WHERE payee_company_id IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1');
  let r = await C.all.get(`/api/v1/companies/${cid}/profile?limit=3`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.payments.total, Number(n));
  assert.equal(r.json.payments.sum_fen, Number(sum));
  assert.equal(r.json.payments.items.length, 3);
  assert.equal(r.json.contracts.total, Number(rows(`SELECT count(*) FROM contracts WHERE supplier_id = '${cid}'`)[0][0]));
  assert.equal(r.json.company.division_code, cid.slice(2, 8));
  // A company cited by an R04 finding through its records.
  const [f] = rows("SELECT f.id, fe.ref FROM findings f JOIN finding_evidence fe ON fe.finding_id = f.id WHERE f.rule = 'R04' AND fe.ref LIKE 'company_roles:%' ORDER BY f.id LIMIT 1");
  const [[co]] = rows(`SELECT company_id FROM company_roles WHERE id = '${f[1].slice('company_roles:'.length)}'`);
  r = await C.all.get(`/api/v1/companies/${co}/profile?limit=500`);
  assert.ok(r.json.findings.items.some((x) => x.id === f[0]), 'the R04 finding citing its role is listed');
  // A town user sees only the payments of the town's units.
  r = await C.town.get(`/api/v1/companies/${cid}/profile?limit=500`);
  const inTown = rows(`SELECT unit_id FROM payments WHERE payee_company_id = '${cid}'`).filter(([u]) => TOWN_UNITS.has(u)).length;
  assert.equal(r.json.payments.total, inTown);
  assert.ok(r.json.payments.items.every((x) => TOWN_UNITS.has(x.unit_id)));
});
