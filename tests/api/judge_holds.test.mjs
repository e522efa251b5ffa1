// judge_holds.test.mjs — a 研判 decision holds until the facts change
// (docs/RULES.md "Tasks and 研判", "A decision holds"): a warning lowered
// (or closed) by a 研判 meeting is not re-raised, re-coloured or re-opened
// by later sweeps while the leader's risk grade stays at or below the
// warning's grade — the same findings, or new ones that do not lift the
// grade; when new facts lift the grade above it, the sweep raises a new
// warning (with its task), and the lowered one keeps its colour and its
// history. The fixture's sweep (2026-03-01) raised a yellow warning on O,
// UB's top leader (docs/RULES.md: yellow ≥ 20, red ≥ 35; a high finding
// weighs 10). New facts: large payments of UB without a collective
// decision (R07, high: docs/RULES.md R07, county threshold 500,000 元).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { makeStore, startServer, Client, T0, P, plumb, iso, sql as sqlOn } from './lib.mjs';

// The CLI's clock (PLUMB_NOW) is the server's (T0, 2026-03-02) until a step sets it.
process.env.PLUMB_NOW = iso(T0);

const USERS = { disc: { role: 'discipline_officer', scopes: ['UB'] } };
let st, srv, WO;
const C = {};
const sql = (q) => sqlOn(st.db, q);
const warningsOfO = () => sql(`SELECT id || '|' || grade || '|' || COALESCE(colour, grade) || '|' || status FROM risk_warnings
    WHERE person_id='${P.O}' ORDER BY ev_seq`).split('\n');
const historyOf = (w) => sql(`SELECT type FROM warning_history WHERE warning_id='${w}' ORDER BY seq`);
const sweep = (d) => plumb(['sweep', '--db', st.db, '--as-of', d]);

before(async () => {
  st = makeStore(USERS);
  WO = sql(`SELECT id FROM risk_warnings WHERE person_id='${P.O}'`);
  assert.deepEqual(warningsOfO(), [`${WO}|yellow|yellow|open`]);
  srv = await startServer(st.db, ['--rate-ip', '0', '--rate-user', '0', '--rate-login', '0', '--quiet']);
  C.disc = new Client(srv.base);
  assert.equal((await C.disc.login('disc', st.secrets.disc, T0)).status, 200);
});

after(async () => {
  await srv.stop();
  assert.equal(C.disc.fails5xx.length, 0);
  assert.doesNotMatch(srv.log(), /Sanitizer|runtime error/);
});

test('a lowered warning stays lowered through sweeps until new facts lift the grade', async () => {
  let r = await C.disc.post('/api/v1/judgements', {
    held_on: '2026-03-02', attendees: [{ user: 'disc' }],
    decisions: [{ warning_id: WO, decision: 'lower', reason: '已主动说明情况，降为蓝色' }],
  });
  assert.equal(r.status, 201, r.text);
  assert.deepEqual(warningsOfO(), [`${WO}|yellow|blue|open`]);
  // The same facts, swept again (the same day, later days): nothing moves.
  const tasks = sql('SELECT count(*) FROM rule_tasks');
  for (const d of ['2026-03-01', '2026-03-02', '2026-03-20']) {
    sweep(d);
    assert.deepEqual(warningsOfO(), [`${WO}|yellow|blue|open`], `sweep ${d}`);
  }
  assert.equal(sql('SELECT count(*) FROM rule_tasks'), tasks, 'no new task');
  assert.equal(historyOf(WO), 'lower');
  r = await C.disc.get(`/api/v1/warnings?person_id=${P.O}`);
  assert.deepEqual(r.json.items.map((w) => [w.id, w.colour]), [[WO, 'blue']]);

  // New facts that lift O's grade to red: two large payments of UB with no
  // collective decision (two high R07 findings, +20 on a yellow index).
  const dir = path.join(st.dir, 'facts');
  fs.mkdirSync(path.join(dir, 'finance'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'finance/payments.csv'),
    'id,unit_id,payee_company_id,payee_person_id,amount_fen,paid_at,purpose,contract_id,decision_id\n'
    + 'PB1,UB,,' + P.R + ',60000000,2026-02-10,工程款,,\n'
    + 'PB2,UB,,' + P.R + ',70000000,2026-02-20,工程款,,\n');
  plumb(['import', '--db', st.db, '--all', dir, '--quiet']);
  sweep('2026-03-20');
  const after = warningsOfO();
  assert.equal(after.length, 2, after.join('\n'));
  assert.equal(after[0], `${WO}|yellow|blue|open`, 'the lowered warning keeps its colour');
  assert.match(after[1], /^W[^|]+\|red\|red\|open$/, 'a new red warning');
  const WN = after[1].split('|')[0];
  assert.equal(sql(`SELECT count(*) FROM rule_tasks WHERE warning_id='${WN}'`), '1', 'with its task');
  assert.equal(historyOf(WO), 'lower');
});

test('a warning closed by 研判 stays closed through sweeps of the same facts; a new finding raises a new one', async () => {
  // S's warning is red: no grade can rise above it, so only new facts
  // (a finding first seen after the closing day) bring a new warning.
  const WS = sql(`SELECT id FROM risk_warnings WHERE person_id='${P.S}' ORDER BY ev_seq DESC LIMIT 1`);
  assert.equal(sql(`SELECT grade FROM risk_warnings WHERE id='${WS}'`), 'red');
  // S is outside disc's scope (UA): recorded by the CLI operator, on 2026-03-02.
  const f = path.join(st.dir, 'close.json');
  fs.writeFileSync(f, JSON.stringify({ held_on: '2026-03-02', attendees: [{ person_id: P.X }],
    decisions: [{ warning_id: WS, decision: 'close', reason: '经研判已整改到位' }] }));
  plumb(['judge', 'record', '--db', st.db, '--json', f]);
  const ofS = () => sql(`SELECT id || '|' || grade || '|' || status FROM risk_warnings WHERE person_id='${P.S}' ORDER BY ev_seq`).split('\n');
  assert.deepEqual(ofS(), [`${WS}|red|closed`]);
  for (const d of ['2026-03-02', '2026-03-09']) {
    sweep(d);
    assert.deepEqual(ofS(), [`${WS}|red|closed`], `sweep ${d}: the same facts`);
  }
  // New facts on 2026-03-10: a large payment of UA without a collective decision.
  process.env.PLUMB_NOW = '2026-03-10T09:00:00Z';
  const dir = path.join(st.dir, 'facts2');
  fs.mkdirSync(path.join(dir, 'finance'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'finance/payments.csv'),
    'id,unit_id,payee_company_id,payee_person_id,amount_fen,paid_at,purpose,contract_id,decision_id\n'
    + 'PA9,UA,,' + P.R + ',90000000,2026-03-05,工程款,,\n');
  plumb(['import', '--db', st.db, '--all', dir, '--quiet']);
  sweep('2026-03-10');
  const now = ofS();
  assert.equal(now.length, 2, now.join('\n'));
  assert.equal(now[0], `${WS}|red|closed`);
  assert.match(now[1], /^W[^|]+\|red\|open$/, 'a new warning for the new facts');
});
