// records_scope.test.mjs — who reads a person record (a register's row
// without a reliable ID, docs/LINKAGE.md) over HTTP: the rule of
// docs/SECURITY.md "Placing a record in the unit tree" ("person records"):
// a record is in a user's scope when a person it names is — a person it is
// linked to (person_links status linked, or judged same) or the person
// whose id is its id_as_written (unless that pair is judged not_same); a
// record naming nobody in scope is read only by a whole-store user (a scope
// covering every unit); a record naming a person the user is recused from
// is hidden. Issue #19 review: a cadre scoped to UB listed every police
// row of UA's persons.
//
// The fixture (tests/api/lib.mjs): U0 → UA, and UB a separate root. S tops
// UA (PS), K is S's spouse (in scope with S), T is S's deputy in UA (the
// same leadership team: T is recused from S and from T), X is staff in U0,
// O tops UB. The records:
//   PR1  market, K's ID one digit wrong: linked to K by `plumb link run`
//   RO   police, O's ID one digit wrong: linked to O by the run
//   RN   police, S's ID one digit wrong: linked to S by the run, then
//        judged not_same (names nobody)
//   RS   police, id_as_written = S's id, imported after the run (no link)
//   RI   police, id_as_written = X's id, imported after the run (no link)
//   RU   police, names nobody (an id of no person), after the run
// The users (all cadre officers, who hold person_record:read):
//   ca_ua UA; cu0 U0; cb_ub UB; call_whole U0 + UB (every unit: whole-store);
//   crec UA, person T (recused from S).
// Expected, by hand from the rule (✓ readable):
//          PR1  RO   RN   RS   RI   RU
//   ca_ua     ✓    .    .    ✓    .    .
//   cu0    ✓    .    .    ✓    ✓    .
//   cb_ub     .    ✓    .    .    .    .
//   call_whole   ✓    ✓    ✓    ✓    ✓    ✓
//   crec   ✓    .    .    .    .    .     (RS names S: recused)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { makeStore, startServer, Client, T0, P, plumb } from './lib.mjs';

const oneOff = (id) => id.slice(0, 16) + String((Number(id[16]) + 1) % 10) + id[17];
const NOBODY = '110101199909090000';
const HEAD = 'id,source,name,gender,birth_date,id_as_written,division_code,household,company_id,role,share_bp,start_date,end_date\n';

const TABLE = {
  ca_ua: ['PR1', 'RS'],
  cu0: ['PR1', 'RI', 'RS'],
  cb_ub: ['RO'],
  call_whole: ['PR1', 'RI', 'RN', 'RO', 'RS', 'RU'],
  crec: ['PR1'],
};
const ALL = ['PR1', 'RI', 'RN', 'RO', 'RS', 'RU'];
// the pairs with a record: listed only when both sides are readable
// (person: scope and recusal; record: the table above)
const PAIRS = {
  ca_ua: ['PR1'], cu0: ['PR1'], cb_ub: ['RO'], call_whole: ['PR1', 'RN', 'RO'], crec: ['PR1'],
};

let st, srv;
const C = {};

function importRecords(rows) {
  const d = path.join(st.dir, `extra-${Math.random().toString(36).slice(2)}`, 'police');
  fs.mkdirSync(d, { recursive: true });
  fs.writeFileSync(path.join(d, 'person_records.csv'), HEAD + rows.map((r) => r.join(',') + '\n').join(''));
  plumb(['import', '--db', st.db, '--all', path.dirname(d), '--quiet']);
}

before(async () => {
  st = makeStore({
    ca_ua: { role: 'cadre_officer', scopes: ['UA'] },
    cu0: { role: 'cadre_officer', scopes: ['U0'] },
    cb_ub: { role: 'cadre_officer', scopes: ['UB'] },
    call_whole: { role: 'cadre_officer', scopes: ['U0', 'UB'] },
    crec: { role: 'cadre_officer', scopes: ['UA'], person: P.T },
    pet: { role: 'petition_officer', scopes: ['U0'] },
  });
  importRecords([
    ['RO', 'police', '赵六', 'M', '1975-04-04', oneOff(P.O), '', 'H0001', '', '', '', '', ''],
    ['RN', 'police', '张三', 'M', '1970-01-01', oneOff(P.S), '', 'H0002', '', '', '', '', ''],
  ]);
  plumb(['link', 'run', '--db', st.db]);
  plumb(['link', 'review', P.S, 'person_records:RN', 'not_same', '--db', st.db, '--reason', '核实非本人', '--as', 'test']);
  importRecords([
    ['RS', 'police', '张三', 'M', '1970-01-01', P.S, '', 'H0099', '', '', '', '', ''],
    ['RI', 'police', '孙八', 'M', '1985-06-06', P.X, '', 'H0003', '', '', '', '', ''],
    ['RU', 'police', '周九', 'F', '1999-09-09', NOBODY, '', 'H0099', '', '', '', '', ''],
  ]);
  srv = await startServer(st.db, ['--rate-ip', '0', '--rate-user', '0', '--quiet']);
  for (const n of [...Object.keys(TABLE), 'pet']) {
    C[n] = new Client(srv.base);
    const r = await C[n].login(n, st.secrets[n], T0);
    assert.equal(r.status, 200, r.text);
  }
});

after(async () => { if (srv) await srv.stop(); });

test('the fixture: the links the table assumes (a precondition, not the rule)', () => {
  const rows = plumb(['sql', '--db', st.db,
    "SELECT a || ' ' || b || ' ' || status FROM person_links WHERE b LIKE 'person_records:%' OR a LIKE 'person_records:%' ORDER BY 1"])
    .trim().split('\n').filter(Boolean).sort();
  assert.deepEqual(rows, [
    `${P.K} person_records:PR1 linked`,
    `${P.O} person_records:RO linked`,
    `${P.S} person_records:RN not_same`,
  ].sort());
});

for (const [u, want] of Object.entries(TABLE)) {
  test(`${u}: the list and the single reads follow the table`, async () => {
    const r = await C[u].get('/api/v1/person_records?limit=100');
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.items.map((x) => x.id).sort(), want, r.text);
    for (const id of ALL) {
      const g = await C[u].get(`/api/v1/person_records/${id}`);
      assert.equal(g.status, want.includes(id) ? 200 : 404, `${u} ${id}: ${g.text}`);
      if (g.status === 404) assert.ok(!g.text.includes('H0099') && !g.text.includes(P.S), g.text);
    }
  });

  test(`${u}: the review queue lists a pair with a record only when both sides are readable`, async () => {
    const r = await C[u].get('/api/v1/links?status=all&limit=500');
    assert.equal(r.status, 200, r.text);
    const recs = r.json.items.map((x) => x.b.id).filter((b) => b.startsWith('person_records:'))
      .map((b) => b.slice('person_records:'.length)).sort();
    assert.deepEqual(recs, PAIRS[u], r.text);
  });
}

test('judging a pair whose record is out of sight is a 404 naming the record side, nothing written', async () => {
  const before = plumb(['sql', '--db', st.db, "SELECT status FROM person_links WHERE b='person_records:RO'"]).trim();
  const j = await C.ca_ua.post('/api/v1/links/judgement', { a: P.O, b: 'person_records:RO', judgement: 'not_same' });
  assert.equal(j.status, 404, j.text);
  assert.equal(j.json.error.field, 'a', j.text); // O is out of ca_ua's scope too: the first side named
  const after = plumb(['sql', '--db', st.db, "SELECT status FROM person_links WHERE b='person_records:RO'"]).trim();
  assert.equal(after, before);
});

test('a role without person_record:read is refused the list (403)', async () => {
  const r = await C.pet.get('/api/v1/person_records');
  assert.equal(r.status, 403, r.text);
});
