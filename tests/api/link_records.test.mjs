// link_records.test.mjs — a person record (a register's row without a
// reliable ID, docs/LINKAGE.md "Records without a reliable ID") in the
// linkage's review queue over HTTP (docs/API.md "Linkage"). The API
// fixture's market/person_records.csv has PR1: 李四, 1972-02-02, K's ID with
// one digit wrong, shareholder of C1 (东城建材有限公司) from 2015-05-05.
// Expected score by hand from docs/LINKAGE.md "Weights" (K's native place
// is empty: no division feature):
//   name exact log2(0.9/0.0005) 10.81378 + birth exact log2(0.9/0.0002)
//   12.13571 + ID one_digit log2(0.05/0.0001) 8.96578 + company exact
//   log2(0.5/0.01) 5.64386 = 37.55913 → 3756 centibits: linked.
// The record's side shows the ID as written and the company role; a role
// without person_record:read (petition officer) does not see the pair.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { makeStore, startServer, Client, T0, P, plumb } from './lib.mjs';

let st, srv;
const C = {};
const written = P.K.slice(0, 16) + String((Number(P.K[16]) + 1) % 10) + P.K[17];

before(async () => {
  st = makeStore({
    cadre: { role: 'cadre_officer', scopes: ['U0'] },
    pet: { role: 'petition_officer', scopes: ['U0'] },
  });
  plumb(['link', 'run', '--db', st.db]);
  srv = await startServer(st.db, ['--rate-ip', '0', '--rate-user', '0', '--quiet']);
  for (const n of ['cadre', 'pet']) {
    C[n] = new Client(srv.base);
    const r = await C[n].login(n, st.secrets[n], T0);
    assert.equal(r.status, 200, r.text);
  }
});

after(async () => { if (srv) await srv.stop(); });

test('a record is linked to its person and shown side by side with the ID as written and the role', async () => {
  const r = await C.cadre.get('/api/v1/links?status=linked');
  assert.equal(r.status, 200, r.text);
  const it = r.json.items.find((x) => x.b.id === 'person_records:PR1');
  assert.ok(it, `no pair with the record: ${r.text}`);
  assert.equal(it.a.id, P.K);
  assert.equal(it.a.kind, 'person');
  assert.equal(it.score_centibits, 3756);
  assert.deepEqual(
    [it.b.kind, it.b.record_id, it.b.name, it.b.birth_date, it.b.id_as_written, it.b.source, it.b.company_name, it.b.role],
    ['record', 'PR1', '李四', '1972-02-02', written, 'market', '东城建材有限公司', 'shareholder']);
  const id = it.features.find((f) => f.feature === 'id_number');
  assert.deepEqual([id.level, id.weight_centibits], ['one_digit', 897]);
  // R04 of S (K's company C1, paid by UA) now also cites the record and the
  // link (docs/RULES.md R04); the evidence reads the record as a record
  const fid = plumb(['sql', '--db', st.db, `SELECT id FROM findings WHERE rule='R04' AND subject='${P.S}'`]).trim();
  const f = await C.cadre.get(`/api/v1/findings/${fid}?expand=evidence`);
  assert.equal(f.status, 200, f.text);
  assert.ok(f.json.evidence.includes('person_records:PR1'), f.text);
  assert.ok(f.json.evidence.includes(`person_links:${P.K}|person_records:PR1`), f.text);
  const ev = f.json.evidence_records.find((x) => x.ref === 'person_records:PR1');
  assert.deepEqual([ev.kind, ev.visible, ev.record.id_as_written, ev.record.role], ['person_record', true, written, 'shareholder']);
});

test('without person_record:read the pair is withheld; a cadre officer judges it', async () => {
  const r = await C.pet.get('/api/v1/links?status=linked');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.items.filter((x) => x.b.id === 'person_records:PR1').length, 0, r.text);
  assert.ok(r.json.withheld >= 1, r.text);
  const refused = await C.pet.post('/api/v1/links/judgement', { a: P.K, b: 'person_records:PR1', judgement: 'same' });
  assert.equal(refused.status, 403, refused.text);
  const j = await C.cadre.post('/api/v1/links/judgement', { a: P.K, b: 'person_records:PR1', judgement: 'not_same', reason: '核实为同名不同人' });
  assert.equal(j.status, 200, j.text);
  // judged not_same, PR1 names nobody (K's ID one digit wrong is no id
  // match) and U0 is not the whole store (UB is another root): the record,
  // and so the pair, is out of the cadre's sight (docs/SECURITY.md
  // "Placing a record", person records)
  const after = await C.cadre.get('/api/v1/links?status=not_same');
  assert.deepEqual(after.json.items, [], after.text);
  assert.equal(after.json.withheld, 1, after.text);
  assert.equal(plumb(['sql', '--db', st.db, "SELECT status || ' ' || judged_by FROM person_links WHERE b='person_records:PR1'"]).trim(), 'not_same cadre');
});
