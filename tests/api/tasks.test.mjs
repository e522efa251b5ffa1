// tasks.test.mjs — the warnings' tasks that end and the 研判 meeting over
// HTTP (issue #17 item 2; docs/RULES.md "Tasks and 研判"): a task assigned
// to a person (a user account), accepted, carried out, closed with a reason
// and evidence; closing without a reason is 422 naming it; out of scope is
// 403; an overdue task raises its warning one colour by an event of the
// clock; a 研判 meeting's lower / raise / open_clue / close take effect;
// `plumb verify` clean and `plumb rebuild` reproduces the new tables.
// Expected values come from the written tables below (the state table of
// tasks.h / RULES.md and the colour ladder blue → yellow → red), not from
// the code. The fixture's sweep (2026-03-01) raised a red warning on S (UA,
// under U0; task owner: discipline office) and a yellow one on O (UB; task
// owner: cadre office), each with a task due 2026-03-31.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { makeStore, startServer, Client, T0, P, plumb, sql as sqlOn, sqlGroupConcat, tablesRows } from './lib.mjs';

// The written state table: status → step → status after (absent: 409).
const NEXT = {
  open: { assign: 'assigned', close: 'closed' },
  assigned: { accept: 'accepted', close: 'closed', reassign: 'assigned' },
  accepted: { progress: 'in_progress', close: 'closed', reassign: 'assigned' },
  in_progress: { progress: 'in_progress', close: 'closed', reassign: 'assigned' },
  closed: {},
};
const LADDER = ['blue', 'yellow', 'red'];
const up = (c) => LADDER[Math.min(LADDER.indexOf(c) + 1, 2)];
const down = (c) => LADDER[Math.max(LADDER.indexOf(c) - 1, 0)];

const USERS = {
  dzero: { role: 'discipline_officer', scopes: ['U0'] },
  dwork: { role: 'discipline_officer', scopes: ['U0'], person: P.X }, // the assignee
  dkin: { role: 'discipline_officer', scopes: ['U0'], person: P.K }, // S's spouse: recused
  lead0: { role: 'leader', scopes: ['U0'] }, // may assign, may not work on tasks
  dbee: { role: 'discipline_officer', scopes: ['UB'] }, // out of S's scope
  cbee: { role: 'cadre_officer', scopes: ['UB'] },
  cb2: { role: 'cadre_officer', scopes: ['UB'] },
};
const SHA = 'cd'.repeat(32);
const DAY = 86400;
let st, srv, TS, TO, WS, WO;
const C = {};

const sql = (q) => sqlOn(st.db, q);
const events = () => Number(sql('SELECT count(*) FROM ledger_events'));
const TABLES = ['rule_tasks', 'risk_warnings', 'task_history', 'warning_history', 'judgements', 'judgement_attendees', 'judgement_decisions'];
const dump = () => {
  const rows = tablesRows(st.db, TABLES);
  return TABLES.map((t) => `== ${t}\n` + rows.get(t)).join('\n');
};

async function refused(c, method, p, body, status, field) {
  const n = events();
  const r = await c.req(method, p, body);
  assert.equal(r.status, status, `${method} ${p}: ${r.text}`);
  if (field !== undefined) assert.equal(r.json.error.field, field, r.text);
  assert.equal(events(), n, `${method} ${p} was refused but wrote an event`);
  return r;
}

async function loginAll(t) {
  for (const name of Object.keys(USERS)) {
    C[name] = C[name] || new Client(srv.base);
    const r = await C[name].login(name, st.secrets[name], t);
    assert.equal(r.status, 200, `login ${name}: ${r.text}`);
  }
}

before(async () => {
  st = makeStore(USERS);
  TS = sql(`SELECT id FROM rule_tasks WHERE person_id='${P.S}'`);
  TO = sql(`SELECT id FROM rule_tasks WHERE person_id='${P.O}'`);
  WS = sql(`SELECT id FROM risk_warnings WHERE person_id='${P.S}'`);
  WO = sql(`SELECT id FROM risk_warnings WHERE person_id='${P.O}'`);
  assert.ok(TS && TO && WS && WO, 'the fixture raises a warning and a task on S and on O');
  srv = await startServer(st.db, ['--rate-ip', '0', '--rate-user', '0', '--rate-login', '0', '--quiet']);
  await loginAll(T0);
});

after(async () => {
  const fails = Object.values(C).flatMap((c) => c.fails5xx);
  await srv.stop();
  assert.deepEqual(fails, [], 'no 5xx');
  assert.doesNotMatch(srv.log(), /Sanitizer|runtime error/);
});

test('a task assigned to a person, accepted, carried out and closed with a reason and evidence', async () => {
  let r = await C.dzero.get(`/api/v1/tasks/${TS}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'open');
  assert.equal(r.json.warning_colour, 'red');
  let status = 'open';

  // Who can be the assignee: a user with the task's work, in scope, not recused.
  await refused(C.dzero, 'POST', `/api/v1/tasks/${TS}/assign`, { user: 'lead0' }, 422, 'user');
  await refused(C.dzero, 'POST', `/api/v1/tasks/${TS}/assign`, { user: 'dkin' }, 422, 'user');
  await refused(C.dzero, 'POST', `/api/v1/tasks/${TS}/assign`, { user: 'dbee' }, 422, 'user');
  await refused(C.dzero, 'POST', `/api/v1/tasks/${TS}/assign`, { user: 'nobody' }, 422, 'user');
  // Steps the table refuses in state open.
  for (const step of ['accept', 'progress', 'reassign']) {
    assert.equal(NEXT[status][step], undefined);
    const body = step === 'progress' ? { text: 'x' } : step === 'reassign' ? { user: 'dwork', reason: 'r' } : {};
    await refused(C.dzero, 'POST', `/api/v1/tasks/${TS}/${step}`, body, step === 'accept' || step === 'progress' ? 409 : 409, 'status');
  }

  r = await C.dzero.post(`/api/v1/tasks/${TS}/assign`, { user: 'dwork', reason: '由第一纪检监察室承办' });
  assert.equal(r.status, 200, r.text);
  status = NEXT[status].assign;
  assert.equal(r.json.status, status);
  assert.equal(r.json.assignee, 'dwork');
  assert.equal(r.json.assignee_person_id, P.X);
  // assign again: the table says reassign.
  await refused(C.dzero, 'POST', `/api/v1/tasks/${TS}/assign`, { user: 'dwork' }, 409, 'status');
  // Only the assignee accepts and reports; progress needs accept first.
  await refused(C.dwork, 'POST', `/api/v1/tasks/${TS}/progress`, { text: '早了' }, 409, 'status');
  await refused(C.dzero, 'POST', `/api/v1/tasks/${TS}/accept`, {}, 403, 'assignee');
  r = await C.dwork.post(`/api/v1/tasks/${TS}/accept`, { text: '已接收' });
  assert.equal(r.status, 200, r.text);
  status = NEXT[status].accept;
  assert.equal(r.json.status, status);

  r = await C.dwork.post(`/api/v1/tasks/${TS}/progress`, {
    text: '已约谈函询，形成谈话记录',
    evidence: [{ entity: 'supervision_activity', id: 'SV1' }, { name: '谈话记录.pdf', sha256: SHA }],
  });
  assert.equal(r.status, 200, r.text);
  status = NEXT[status].progress;
  assert.equal(r.json.status, status);
  assert.equal(r.json.progress_count, 1);
  await refused(C.dwork, 'POST', `/api/v1/tasks/${TS}/progress`, { text: 'x', evidence: [{ entity: 'payment', id: 'NOPE' }] }, 422, 'evidence');

  // Closing without a reason: 422 naming reason, nothing written.
  await refused(C.dwork, 'POST', `/api/v1/tasks/${TS}/close`, { evidence: [{ entity: 'supervision_activity', id: 'SV1' }] }, 422, 'reason');
  await refused(C.dwork, 'POST', `/api/v1/tasks/${TS}/close`, { reason: '   ', evidence: [{ entity: 'supervision_activity', id: 'SV1' }] }, 422, 'reason');
  await refused(C.dwork, 'POST', `/api/v1/tasks/${TS}/close`, { reason: '已谈话' }, 422, 'evidence');
  r = await C.dwork.post(`/api/v1/tasks/${TS}/close`, {
    reason: '已完成约谈函询，本人作出说明',
    evidence: [{ entity: 'supervision_activity', id: 'SV1' }],
  });
  assert.equal(r.status, 200, r.text);
  status = NEXT[status].close;
  assert.equal(r.json.status, status);
  assert.equal(r.json.close_reason, '已完成约谈函询，本人作出说明');
  assert.deepEqual(r.json.close_evidence, [{ entity: 'supervision_activity', id: 'SV1' }]);
  assert.deepEqual(r.json.history.map((h) => h.type), ['assigned', 'accepted', 'progress', 'closed']);
  assert.deepEqual(r.json.history.map((h) => h.actor), ['dzero', 'dwork', 'dwork', 'dwork']);
  for (const step of ['close', 'reassign', 'progress']) {
    assert.equal(NEXT[status][step], undefined);
    const body = step === 'close' ? { reason: 'r', evidence: [{ entity: 'supervision_activity', id: 'SV1' }] } : step === 'reassign' ? { user: 'dzero', reason: 'r' } : { text: 'x' };
    await refused(C.dwork, 'POST', `/api/v1/tasks/${TS}/${step}`, body, 409, 'status');
  }
  // Every step is a ledger event with its actor.
  assert.equal(sql(`SELECT ${sqlGroupConcat('type', ',')} FROM (SELECT type FROM ledger_events WHERE type LIKE 'task.%' AND type<>'task.opened' ORDER BY seq) AS x`),
    'task.assigned,task.accepted,task.progress,task.closed');
});

test('out of scope: 403 on every step (the same answer as a missing task), 404 on a read', async () => {
  const a = await refused(C.dbee, 'POST', `/api/v1/tasks/${TO === TS ? 'x' : TS}/assign`, { user: 'dbee' }, 403, 'id');
  const b = await refused(C.dbee, 'POST', '/api/v1/tasks/T00-000000000000/assign', { user: 'dbee' }, 403, 'id');
  assert.equal(a.text, b.text, 'no existence oracle');
  for (const step of ['accept', 'progress', 'close', 'reassign'])
    await refused(C.dbee, 'POST', `/api/v1/tasks/${TS}/${step}`, { text: 'x', reason: 'r', user: 'dbee' }, step === 'accept' || step === 'close' || step === 'reassign' || step === 'progress' ? 403 : 403);
  // Recused (kin of S) is out of reach too.
  await refused(C.dkin, 'POST', `/api/v1/tasks/${TS}/accept`, {}, 403, 'id');
  assert.equal((await C.dbee.get(`/api/v1/tasks/${TS}`)).status, 404);
  assert.equal((await C.dkin.get(`/api/v1/tasks/${TS}`)).status, 404);
  // A role without the task permissions: 403 by the route table.
  assert.equal((await C.lead0.post(`/api/v1/tasks/${TS}/accept`, {})).status, 403);
});

test('研判: lower, raise and open a clue take effect as events; bad decisions refused', async () => {
  const meeting = (decisions) => ({ held_on: '2026-03-02', attendees: [{ user: 'dzero' }, { person_id: P.X }], notes: '三月研判', decisions });
  await refused(C.dzero, 'POST', '/api/v1/judgements', meeting([{ warning_id: WS, decision: 'raise' }]), 422, 'decisions[0].reason');
  await refused(C.dzero, 'POST', '/api/v1/judgements', meeting([{ warning_id: WS, decision: 'escalate', reason: 'r' }]), 422, 'decisions[0].decision');
  await refused(C.dzero, 'POST', '/api/v1/judgements', { ...meeting([{ warning_id: WS, decision: 'keep' }]), attendees: [] }, 422, 'attendees');
  await refused(C.dzero, 'POST', '/api/v1/judgements', { ...meeting([{ warning_id: WS, decision: 'keep' }]), held_on: '2026-03-03' }, 422, 'held_on');
  await refused(C.dbee, 'POST', '/api/v1/judgements', meeting([{ warning_id: WS, decision: 'keep' }]), 403, 'decisions[0].warning_id');
  // S's warning is red: raise is refused by the ladder.
  let colour = 'red';
  assert.equal(up(colour), colour);
  await refused(C.dzero, 'POST', '/api/v1/judgements', meeting([{ warning_id: WS, decision: 'raise', reason: '情节严重' }]), 409, 'decisions[0].decision');

  let r = await C.dzero.post('/api/v1/judgements', meeting([{ warning_id: WS, decision: 'lower', reason: '已主动说明情况' }]));
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.id, 'JM-1');
  assert.deepEqual(r.json.attendees, [{ kind: 'person', ref: P.X }, { kind: 'user', ref: 'dzero' }]);
  colour = down(colour);
  assert.equal(r.json.decisions[0].colour_after, colour);
  assert.equal(sql(`SELECT colour FROM risk_warnings WHERE id='${WS}'`), colour);

  r = await C.dzero.post('/api/v1/judgements', meeting([{ warning_id: WS, decision: 'raise', reason: '又有新的反映' }]));
  assert.equal(r.status, 201, r.text);
  colour = up(colour);
  assert.equal(r.json.decisions[0].colour_after, colour);
  assert.equal(sql(`SELECT colour FROM risk_warnings WHERE id='${WS}'`), colour);

  r = await C.dzero.post('/api/v1/judgements', meeting([{ warning_id: WS, decision: 'open_clue', reason: '需初步核实' }]));
  assert.equal(r.status, 201, r.text);
  const clue = r.json.decisions[0].clue_id;
  assert.ok(clue, r.text);
  // The clue is a workflow clue about S, linked to the warning.
  assert.equal(sql(`SELECT subject_person_id || '|' || channel || '|' || source_ref FROM case_clues WHERE id='${clue}'`), `${P.S}|rule_warning|${WS}`);
  const c = await C.dzero.get(`/api/v1/cases/${clue}`);
  assert.equal(c.status, 200, c.text);
  // Each decision is an event on the warning, in order.
  assert.equal(sql(`SELECT ${sqlGroupConcat('type', ',')} FROM (SELECT type FROM warning_history WHERE warning_id='${WS}' ORDER BY seq) AS x`), 'lower,raise,open_clue');
  assert.equal(Number(sql(`SELECT count(*) FROM ledger_events WHERE type='warning.decided'`)), 3);
  r = await C.dzero.get('/api/v1/judgements');
  assert.deepEqual(r.json.items.map((j) => j.id), ['JM-3', 'JM-2', 'JM-1']);
  assert.deepEqual((await C.dbee.get('/api/v1/judgements')).json.items, [], 'meetings on warnings out of scope are not listed');
  assert.equal((await C.dbee.get('/api/v1/judgements/JM-1')).status, 404);
});

test('an overdue task raises its warning one colour, once, by an event of the clock', async () => {
  let r = await C.cbee.post(`/api/v1/tasks/${TO}/assign`, { user: 'cb2', reason: '干部科承办' });
  assert.equal(r.status, 200, r.text);
  const before = r.json.warning_colour;
  assert.equal(before, 'yellow');
  // Not yet due: nothing happens.
  r = await C.cbee.post('/api/v1/tasks/overdue');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.raised, 0);
  // 2026-04-01: O's task (due 2026-03-31, not closed) is late; S's is closed.
  srv.setClock(Date.parse('2026-04-01T09:00:00Z') / 1000);
  await loginAll(Date.parse('2026-04-01T09:00:00Z') / 1000);
  r = await C.cbee.post('/api/v1/tasks/overdue');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json, { as_of: '2026-04-01', raised: 1 });
  r = await C.cbee.get(`/api/v1/tasks/${TO}`);
  assert.equal(r.json.warning_colour, up(before));
  assert.equal(r.json.warning_grade, 'yellow', 'the engine grade is kept');
  assert.equal(r.json.overdue_at, '2026-04-01');
  assert.deepEqual(r.json.warning_history.map((h) => [h.type, h.actor, h.colour_before, h.colour_after, h.cause]),
    [['overdue', 'clock', before, up(before), TO]]);
  assert.equal(sql(`SELECT colour FROM risk_warnings WHERE id='${WS}'`), 'red', 'a closed task raises nothing');
  // Once per due date.
  r = await C.cbee.post('/api/v1/tasks/overdue');
  assert.equal(r.json.raised, 0);
  // A re-assignment with a new due date clears the mark.
  r = await C.cbee.post(`/api/v1/tasks/${TO}/reassign`, { user: 'cbee', reason: '调整承办人', due_date: '2026-04-30' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.due_date, '2026-04-30');
  assert.equal(r.json.overdue_at, undefined);
  await refused(C.cbee, 'POST', `/api/v1/tasks/${TO}/reassign`, { user: 'cb2' }, 422, 'reason');
  await refused(C.cbee, 'POST', `/api/v1/tasks/${TO}/reassign`, { user: 'cb2', reason: 'r', due_date: '2026-03-01' }, 422, 'due_date');
});

test('研判 close: the warning and its open tasks close, as events', async () => {
  const r = await C.dbee.post('/api/v1/judgements', { held_on: '2026-04-01', attendees: [{ user: 'dbee' }], decisions: [{ warning_id: WO, decision: 'close', reason: '经研判已整改到位' }] });
  assert.equal(r.status, 201, r.text);
  assert.equal(sql(`SELECT status FROM risk_warnings WHERE id='${WO}'`), 'closed');
  const t = await C.cbee.get(`/api/v1/tasks/${TO}`);
  assert.equal(t.json.status, 'closed');
  assert.equal(t.json.close_reason, '经研判已整改到位');
  assert.deepEqual(t.json.close_evidence, [{ entity: 'judgement', id: r.json.id }]);
  await refused(C.dbee, 'POST', '/api/v1/judgements', { held_on: '2026-04-01', attendees: [{ user: 'dbee' }], decisions: [{ warning_id: WO, decision: 'keep' }] }, 409, 'decisions[0].decision');
});

test('verify is clean and rebuild reproduces every new table', async () => {
  plumb(['verify', '--db', st.db]);
  await srv.stop();
  const before = dump();
  plumb(['rebuild', '--db', st.db]);
  assert.equal(dump(), before);
  plumb(['verify', '--db', st.db]);
});
