// tasks_clock.test.mjs — `POST /api/v1/tasks/overdue` acts within the
// caller's reach (docs/RULES.md "Tasks and 研判", docs/API.md): the clock
// run by an office marks and counts only the late tasks whose warning's
// person is placed in its scope and from whom it is not recused; the others
// are left as they were (no event, no overdue mark, the colour unchanged)
// for their own office or the sweep. The fixture's sweep (2026-03-01)
// raised a red warning on S (UA, under U0) and a yellow one on O (UB), each
// with a task due 2026-03-31; the clock runs at 2026-04-01.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { makeStore, startServer, Client, P, sql as sqlOn } from './lib.mjs';

const USERS = {
  dkin: { role: 'discipline_officer', scopes: ['U0'], person: P.K }, // S's spouse: recused from S
  cbee: { role: 'cadre_officer', scopes: ['UB'] }, // O's county only
  dzero: { role: 'discipline_officer', scopes: ['U0'] }, // S's county
  lead: { role: 'leader', scopes: ['U0', 'UB'] },
};
const APRIL = Date.parse('2026-04-01T09:00:00Z') / 1000;
let st, srv, TS, TO;
const C = {};
const sql = (q) => sqlOn(st.db, q);
const marks = () => sql("SELECT id || ':' || COALESCE(overdue_at, '-') FROM rule_tasks ORDER BY id").split('\n');
const events = () => Number(sql("SELECT count(*) FROM ledger_events WHERE type='task.overdue'"));

before(async () => {
  st = makeStore(USERS);
  TS = sql(`SELECT id FROM rule_tasks WHERE person_id='${P.S}'`);
  TO = sql(`SELECT id FROM rule_tasks WHERE person_id='${P.O}'`);
  assert.ok(TS && TO, 'the fixture raises a task on S and on O');
  srv = await startServer(st.db, ['--rate-ip', '0', '--rate-user', '0', '--rate-login', '0', '--quiet']);
  srv.setClock(APRIL);
  for (const name of Object.keys(USERS)) {
    C[name] = new Client(srv.base);
    const r = await C[name].login(name, st.secrets[name], APRIL);
    assert.equal(r.status, 200, `login ${name}: ${r.text}`);
  }
});

after(async () => {
  const fails = Object.values(C).flatMap((c) => c.fails5xx);
  await srv.stop();
  assert.deepEqual(fails, [], 'no 5xx');
  assert.doesNotMatch(srv.log(), /Sanitizer|runtime error/);
});

test('the clock marks and counts only the late tasks in the caller\'s reach', async () => {
  const colourO = sql(`SELECT COALESCE(colour, grade) FROM risk_warnings WHERE person_id='${P.O}'`);
  assert.equal(colourO, 'yellow');
  // Recused from S, and O is outside U0: nothing in reach, nothing written.
  let r = await C.dkin.post('/api/v1/tasks/overdue');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json, { as_of: '2026-04-01', raised: 0 });
  assert.equal(events(), 0);
  assert.deepEqual(marks(), [`${TS}:-`, `${TO}:-`].sort());
  // O's office: O's task only.
  r = await C.cbee.post('/api/v1/tasks/overdue');
  assert.deepEqual(r.json, { as_of: '2026-04-01', raised: 1 });
  assert.deepEqual(marks(), [`${TS}:-`, `${TO}:2026-04-01`].sort());
  assert.equal(sql(`SELECT COALESCE(colour, grade) FROM risk_warnings WHERE person_id='${P.O}'`), 'red', 'yellow → red');
  assert.equal(events(), 1);
  // Run again by the same office: nothing more.
  r = await C.cbee.post('/api/v1/tasks/overdue');
  assert.deepEqual(r.json, { as_of: '2026-04-01', raised: 0 });
  // S's office: S's task (its warning is red already: the lateness is recorded all the same).
  r = await C.dzero.post('/api/v1/tasks/overdue');
  assert.deepEqual(r.json, { as_of: '2026-04-01', raised: 1 });
  assert.deepEqual(marks(), [`${TS}:2026-04-01`, `${TO}:2026-04-01`].sort());
  assert.equal(events(), 2);
  // A leader over both counties: nothing left.
  r = await C.lead.post('/api/v1/tasks/overdue');
  assert.deepEqual(r.json, { as_of: '2026-04-01', raised: 0 });
});
