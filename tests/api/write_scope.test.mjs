// write_scope.test.mjs — a write must not widen the writer's scope (issue
// #15, defect 1). The fixture places O at UB (top of 西城县委) and S at UA.
// Users scoped to UA must not come to read O's declarations, items,
// evaluations and clues by linking O to someone in UA: a kin row (S → O), a
// one-day past tenure of O at a UA post, the same through an import upload,
// or in two steps through a person placed nowhere. The rule
// (docs/SECURITY.md "Placing a record in the unit tree"): a kin or tenure
// row that would place a person needs the person's existing placement in
// the writer's scope (or none yet); otherwise 403 naming the field, and the
// store is left exactly as it was.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { makeStore, startServer, Client, T0, P, plumb, citizenId, sql as sqlOn } from './lib.mjs';

const USERS = {
  cad: { role: 'cadre_officer', scopes: ['UA'] },
  prov: { role: 'data_provider', scopes: ['UA'] },
  disc: { role: 'discipline_officer', scopes: ['UA'] },
  cadb: { role: 'cadre_officer', scopes: ['UB'] },
  cad0: { role: 'cadre_officer', scopes: ['U0'] },
};
const NEW1 = citizenId(11, '19910101');   // placed nowhere
const NEW2 = citizenId(12, '19920202');   // placed nowhere
const NEW3 = citizenId(13, '19930303');   // placed nowhere
let st, srv;
const C = {};

// O's person-bound records, at UB (written by the system, as an import).
function seedO(dir) {
  const f = {
    'declarations/declarations.csv': `id,person_id,year,filed_at\nDECO,${P.O},2024,2025-01-20\n`,
    'declarations/declaration_items.csv': `id,declaration_id,kind,holder_id,ref,amount_fen,detail\nDIO,DECO,real_estate,${P.O},京房权证009,,住房\n`,
    'evaluations/evaluations.csv': `id,person_id,year,kind,score,votes_excellent,votes_competent,votes_basic,votes_incompetent\nEVO,${P.O},2024,annual,70,10,10,2,1\n`,
    'clues/clues.csv': `id,channel,received_at,subject_person_id,subject_unit_id,category,summary,real_name\nCLO,letter,2025-05-01,${P.O},,money,反映问题,0\n`,
  };
  for (const [name, text] of Object.entries(f)) {
    fs.mkdirSync(path.join(dir, path.dirname(name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  plumb(['import', '--db', st.db, '--all', dir, '--quiet']);
}

// Every table of the store, row by row: a refused write changes nothing.
function storeState() {
  const q = (sql) => sqlOn(st.db, sql);
  return ['tenures', 'kin', 'person_units', 'persons_placed', 'ledger_events']
    .map((t) => q(`SELECT * FROM ${t} ORDER BY 1, 2`)).join('\n--\n');
}

// What users scoped to UA read of O: rows or statuses, never more than before.
async function seenOfO() {
  return {
    declarations: (await C.cad.get(`/api/v1/declarations?person_id=${P.O}`)).json.items.length,
    items: (await C.cad.get(`/api/v1/declaration_items?holder_id=${P.O}`)).json.items.length,
    evaluations: (await C.cad.get(`/api/v1/evaluations?person_id=${P.O}`)).json.items.length,
    person: (await C.cad.get(`/api/v1/persons/${P.O}`)).status,
    clue: (await C.disc.get('/api/v1/clues/CLO')).status,
    caseRead: (await C.disc.get('/api/v1/cases/CLO')).status,
  };
}
const NOTHING = { declarations: 0, items: 0, evaluations: 0, person: 404, clue: 404, caseRead: 404 };

before(async () => {
  st = makeStore(USERS);
  seedO(path.join(st.dir, 'seed'));
  srv = await startServer(st.db, ['--rate-ip', '0', '--rate-user', '0', '--rate-login', '0', '--quiet']);
  for (const name of Object.keys(USERS)) {
    C[name] = new Client(srv.base);
    const r = await C[name].login(name, st.secrets[name], T0);
    assert.equal(r.status, 200, `login ${name}: ${r.text}`);
  }
});

after(async () => {
  const fails = Object.values(C).flatMap((c) => c.fails5xx);
  const { code } = await srv.stop();
  assert.equal(code, 0, 'the server exits cleanly (sanitizer builds: no report)');
  assert.deepEqual(fails, [], 'no request got a 5xx');
});

test('the fixture: users of UA see nothing of O', async () => {
  assert.deepEqual(await seenOfO(), NOTHING);
  // ...while a user of UB does (so the reads above can show rows)
  assert.equal((await C.cadb.get(`/api/v1/declarations?person_id=${P.O}`)).json.items.length, 1);
  assert.equal((await C.cadb.get(`/api/v1/evaluations?person_id=${P.O}`)).json.items.length, 1);
});

test('a kin row linking O to S is refused, naming relative_id', async () => {
  const before = storeState();
  for (const who of ['cad', 'prov']) {
    const r = await C[who].post('/api/v1/kin', { id: `KW-${who}`, person_id: P.S, relative_id: P.O, relation: 'sibling' });
    assert.equal(r.status, 403, `${who}: ${r.text}`);
    assert.equal(r.json.error.code, 'out_of_scope');
    assert.equal(r.json.error.field, 'relative_id');
  }
  assert.equal(storeState(), before);
  assert.deepEqual(await seenOfO(), NOTHING);
});

test('a one-day past tenure of O at a UA post is refused, naming person_id', async () => {
  const before = storeState();
  const r = await C.cad.post('/api/v1/tenures', { id: 'TW1', person_id: P.O, post_id: 'PT', start_date: '2000-01-01', end_date: '2000-01-02' });
  assert.equal(r.status, 403, r.text);
  assert.equal(r.json.error.field, 'person_id');
  assert.equal(storeState(), before);
  assert.deepEqual(await seenOfO(), NOTHING);
});

test('a tenure of an in-scope person at a post outside the scope is refused, naming post_id', async () => {
  // S in UA at UB's post: would show S to UB's users, and the writer cannot see the post.
  const before = storeState();
  const r = await C.cad.post('/api/v1/tenures', { id: 'TW2', person_id: P.S, post_id: 'PO', start_date: '2000-01-01', end_date: '2000-01-02' });
  assert.equal(r.status, 403, r.text);
  assert.equal(r.json.error.field, 'post_id');
  assert.equal(storeState(), before);
});

test('an import upload of the same rows is refused row by row, nothing written', async () => {
  const before = storeState();
  // one good row (a new person) and one refused: the batch is refused whole
  let r = await C.cad.post('/api/v1/import', { source: 'org', files: [
    { name: 'persons.csv', content: `id,name,gender,birth_date,native_place\n${citizenId(14, '19940404')},冯二,M,1994-04-04,\n` },
    { name: 'tenures.csv', content: `id,person_id,post_id,start_date,end_date,decision_id\nTW3,${P.O},PT,2000-01-01,2000-01-02,\n` }] });
  assert.equal(r.status, 403, r.text);
  assert.equal(r.json.committed, false);
  assert.equal(r.json.error.code, 'out_of_scope');
  assert.deepEqual(r.json.errors.map((e) => `${e.file}:${e.line}:${e.field}`), ['tenures.csv:2:person_id']);
  for (const who of ['cad', 'prov']) {
    r = await C[who].post('/api/v1/import', { source: 'police', files: [
      { name: 'kin.csv', content: `id,person_id,relative_id,relation\nKW4,${P.S},${P.O},sibling\n` }] });
    assert.equal(r.status, 403, `${who}: ${r.text}`);
    assert.deepEqual(r.json.errors.map((e) => `${e.file}:${e.line}:${e.field}`), ['kin.csv:2:relative_id']);
  }
  // partial mode: the row is a reject, the rest goes in
  r = await C.cad.post('/api/v1/import', { source: 'org', partial: true, files: [
    { name: 'tenures.csv', content: `id,person_id,post_id,start_date,end_date,decision_id\nTW5,${P.O},PT,2000-01-01,2000-01-02,\n` }] });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.counts.tenures.rejected, 1);
  assert.equal(r.json.counts.tenures.added, 0);
  assert.equal(storeState(), before);
  assert.deepEqual(await seenOfO(), NOTHING);
});

test('two steps through a person placed nowhere do not place O either', async () => {
  // UB's officer, who sees O, links O to a new person placed nowhere: fine.
  let r = await C.cadb.post('/api/v1/persons', { id: NEW1, name: '周九', gender: 'M', birth_date: '1991-01-01', native_place: '' });
  assert.equal(r.status, 201, r.text);
  r = await C.cadb.post('/api/v1/kin', { id: 'KW6', person_id: NEW1, relative_id: P.O, relation: 'sibling' });
  assert.equal(r.status, 201, r.text);
  // UA's officer gives the new person a UA post: that would place O in UA.
  const before = storeState();
  r = await C.cad.post('/api/v1/tenures', { id: 'TW6', person_id: NEW1, post_id: 'PT', start_date: '2000-01-01', end_date: '2000-01-02' });
  assert.equal(r.status, 403, r.text);
  assert.equal(r.json.error.field, 'person_id');
  assert.match(r.json.error.message, /relative/);
  r = await C.cad.post('/api/v1/import', { source: 'org', files: [
    { name: 'tenures.csv', content: `id,person_id,post_id,start_date,end_date,decision_id\nTW7,${NEW1},PT,2000-01-01,2000-01-02,\n` }] });
  assert.equal(r.status, 403, r.text);
  // UA's officer cannot make the first step either (O is placed at UB).
  r = await C.cad.post('/api/v1/kin', { id: 'KW7', person_id: NEW1, relative_id: P.O, relation: 'sibling' });
  assert.equal(r.status, 403, r.text);
  assert.equal(r.json.error.field, 'relative_id');
  assert.equal(storeState(), before);
  assert.deepEqual(await seenOfO(), NOTHING);
});

test('links the writer may make still work', async () => {
  // A person placed nowhere is placed by the first writer with the unit in scope.
  let r = await C.cad.post('/api/v1/persons', { id: NEW2, name: '吴十', gender: 'F', birth_date: '1992-02-02', native_place: '' });
  assert.equal(r.status, 201, r.text);
  r = await C.cad.post('/api/v1/tenures', { id: 'TW8', person_id: NEW2, post_id: 'PT', start_date: '2000-01-01', end_date: '2000-01-02' });
  assert.equal(r.status, 201, r.text);
  assert.equal((await C.cad.get(`/api/v1/persons/${NEW2}`)).status, 200);
  r = await C.prov.post('/api/v1/persons', { id: NEW3, name: '郑一', gender: 'M', birth_date: '1993-03-03', native_place: '' });
  assert.equal(r.status, 201, r.text);
  r = await C.prov.post('/api/v1/kin', { id: 'KW9', person_id: P.S, relative_id: NEW3, relation: 'child' });
  assert.equal(r.status, 201, r.text);
  // Both ends in scope: X (placed at U0) as S's kin, by U0's officer.
  r = await C.cad0.post('/api/v1/kin', { id: 'KW10', person_id: P.S, relative_id: P.X, relation: 'sibling' });
  assert.equal(r.status, 201, r.text);
  // An update of an in-scope tenure (its end date) is not a new placement.
  const ts = (await C.cad.get('/api/v1/tenures/TT')).json;
  r = await C.cad.put('/api/v1/tenures/TT', { ...ts, end_date: '2026-12-31' });
  assert.equal(r.status, 200, r.text);
  // A tenure of a post that does not exist is the registry's 422 (a
  // reference), not a scope refusal, and records nothing.
  r = await C.cad.post('/api/v1/tenures', { id: 'TW12', person_id: NEW2, post_id: 'NOPOST', start_date: '2000-01-01', end_date: '' });
  assert.equal(r.status, 422, r.text);
  // The system (plumb import, the CLI operator) is not scoped.
  const dir = path.join(st.dir, 'sys');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'kin.csv'), `id,person_id,relative_id,relation\nKW11,${P.T},${P.O},sibling\n`);
  plumb(['import', '--db', st.db, '--source', 'police', path.join(dir, 'kin.csv'), '--quiet']);
  assert.equal((await C.cad.get(`/api/v1/persons/${P.O}`)).status, 200, 'an operator link places');
});
