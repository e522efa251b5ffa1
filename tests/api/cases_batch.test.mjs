// cases_batch.test.mjs — POST /api/v1/cases/batch, the batched intake for
// bulk sources (issue #22 item 1: "a hotline's day of calls"). Expected
// values come from docs/API.md "Batched intake": one transaction, all or
// nothing; every failed item named by index and field (error.errors
// [{index, field, message}], the first also as error.field
// "clues[i].field" and error.index); 403 out_of_scope when an item is
// outside the caller's jurisdiction; a clue the library refuses while the
// batch is written rolls the whole batch back; the store is exactly as
// before any refused batch. Both with group commit (the default) and with
// PLUMB_GROUP_COMMIT=off (the batch's own transaction).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { makeStore, startServer, Client, T0, P, sql as sqlOn } from './lib.mjs';

const USERS = {
  pet: { role: 'petition_officer', scopes: ['U0'] },
  aud: { role: 'auditor' },
};
let st, srv, pet;

const sql = (q) => sqlOn(st.db, q);
// The whole store's state a refused batch must leave as it was.
const state = () => sql('SELECT (SELECT count(*) FROM ledger_events) || \'/\' || (SELECT count(*) FROM case_clues) || \'/\' || (SELECT count(*) FROM findings)');

let serial = 0;
const clue = (over = {}) => ({
  channel: 'phone', category: 'money', received_at: '2026-03-01', subject_person_id: P.S, subject_unit_id: 'UA',
  summary: '反映违规发放津贴问题', facts: `热线来电第${++serial}号：反映其违规发放津贴，涉及金额约${serial}万元，编号${serial * 7919}。`, ...over,
});

async function signIn(base, t = T0) {
  pet = new Client(base);
  const r = await pet.login('pet', st.secrets.pet, t);
  assert.equal(r.status, 200, r.text);
}

before(async () => {
  st = makeStore(USERS);
  srv = await startServer(st.db, ['--rate-ip', '0', '--rate-user', '0', '--quiet']);
  await signIn(srv.base);
});

after(async () => {
  const { code } = await srv.stop();
  assert.equal(code, 0, 'the server exits cleanly (sanitizer builds: no report)');
  assert.deepEqual(pet.fails5xx, [], 'no request got a 5xx');
});

test('a valid batch: 201, every clue answered in order and stored', async () => {
  const before = Number(sql('SELECT count(*) FROM case_clues'));
  const items = [clue(), clue({ channel: 'letter', category: 'conduct' }), clue({ subject_person_id: P.O, subject_unit_id: 'UB' })];
  // UB is outside U0: the third item is not this user's; file only the first two here.
  const r = await pet.post('/api/v1/cases/batch', { clues: items.slice(0, 2) });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.created, 2);
  assert.deepEqual(r.json.results.map((x) => x.index), [0, 1]);
  for (const x of r.json.results) {
    assert.match(x.id, /^CL-2026-\d{7}$/);
    assert.equal(sql(`SELECT channel FROM case_clues WHERE id='${x.id}'`), items[x.index].channel);
  }
  assert.notEqual(r.json.results[0].id, r.json.results[1].id);
  assert.equal(Number(sql('SELECT count(*) FROM case_clues')), before + 2);
});

test('dedupe within a batch: the second of two reports of the same facts joins the first', async () => {
  // A subject no earlier test reported, facts no earlier clue shares.
  const a = clue({ subject_person_id: P.T, facts: '来信反映副局长在公务接待中多次超标准宴请并报销烟酒费用，地点在城东某酒店。' });
  const r = await pet.post('/api/v1/cases/batch', { clues: [a, { ...a }] });
  assert.equal(r.status, 201, r.text);
  const [x, y] = r.json.results;
  assert.equal(x.linked, false);
  assert.equal(y.linked, true, 'docs/CASES.md §2: same subject, overlapping facts are merged');
  assert.equal(y.group_id, x.id);
});

test('bad members: 400 naming each by index and field, nothing written', async () => {
  const s0 = state();
  const items = [
    clue(),                                   // 0: valid
    clue({ channel: undefined }),             // 1: channel missing
    { ...clue(), colour: 'red' },             // 2: unknown field
    'not an object',                          // 3
    clue({ received_at: '2026-13-45' }),      // 4: bad date
    clue({ subject_person_id: 'NOBODY' }),    // 5: no such person
    clue({ real_name: 'yes' }),               // 6: wrong type
  ];
  const r = await pet.post('/api/v1/cases/batch?lang=en', { clues: items });
  assert.equal(r.status, 400, r.text);
  const e = r.json.error;
  assert.equal(e.code, 'invalid');
  assert.equal(e.field, 'clues[1].channel');
  assert.equal(e.index, 1);
  const named = e.errors.map((x) => `${x.index}:${x.field}`);
  assert.deepEqual(named, ['1:channel', '2:colour', '3:body', '4:received_at', '5:subject_person_id', '6:real_name']);
  for (const x of e.errors) assert.ok(x.message.length > 0);
  assert.equal(state(), s0, 'the store is exactly as before');
});

test('an item outside the jurisdiction: 403 out_of_scope naming it, nothing written', async () => {
  const s0 = state();
  const r = await pet.post('/api/v1/cases/batch', { clues: [clue(), clue({ subject_person_id: P.O, subject_unit_id: 'UB' })] });
  assert.equal(r.status, 403, r.text);
  assert.equal(r.json.error.code, 'out_of_scope');
  assert.equal(r.json.error.field, 'clues[1].subject_unit_id');
  assert.equal(state(), s0);
});

test('the envelope: clues required, an array, 1..1000 items, no other field', async () => {
  const s0 = state();
  const cases = [
    [{}, 'clues'], [{ clues: 'x' }, 'clues'], [{ clues: [] }, 'clues'],
    [{ clues: Array.from({ length: 1001 }, () => clue()) }, 'clues'], [{ clues: [clue()], extra: 1 }, 'extra'],
  ];
  for (const [body, field] of cases) {
    const r = await pet.post('/api/v1/cases/batch', body);
    assert.equal(r.status, 400, r.text);
    assert.equal(r.json.error.field, field);
  }
  const auditor = new Client(srv.base);
  assert.equal((await auditor.login('aud', st.secrets.aud, T0)).status, 200);
  const r = await auditor.post('/api/v1/cases/batch', { clues: [clue()] });
  assert.equal(r.status, 403, 'case:intake is required (docs/SECURITY.md)');
  assert.equal(state(), s0);
});

// The reporter's identity is sealed to the handling office's key; the
// fixture has no discipline office, so the library refuses item 1 after
// item 0 was written in the same transaction: the batch rolls back whole.
async function refusedMidway() {
  const s0 = state();
  const r = await pet.post('/api/v1/cases/batch', { clues: [clue(), clue({ real_name: true, reporter_identity: '王五 13800000000' }), clue()] });
  assert.equal(r.status, 400, r.text);
  assert.equal(r.json.error.index, 1);
  assert.equal(r.json.error.field, 'clues[1].reporter_identity');
  assert.equal(state(), s0, 'item 0, written before item 1 was refused, is rolled back');
  // And the next batch is not poisoned by it.
  const ok = await pet.post('/api/v1/cases/batch', { clues: [clue()] });
  assert.equal(ok.status, 201, ok.text);
}

test('a clue refused while the batch is written rolls it all back (group commit on)', refusedMidway);

test('the same with PLUMB_GROUP_COMMIT=off (the batch\'s own transaction)', async () => {
  await srv.stop();
  srv = await startServer(st.db, ['--rate-ip', '0', '--rate-user', '0', '--quiet'], { env: { PLUMB_GROUP_COMMIT: 'off' } });
  const old = pet.fails5xx;
  srv.setClock(T0 + 60); // a one-time code is good once: the next one
  await signIn(srv.base, T0 + 60);
  pet.fails5xx.push(...old);
  await refusedMidway();
  const r = await pet.post('/api/v1/cases/batch', { clues: [clue(), clue()] });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.created, 2);
});
