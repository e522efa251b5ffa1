// loop.test.mjs — the whole supervision loop over HTTP in one test (issue
// #17 "What it must show"), on a generated county served by the real
// `plumb serve`: a finding → its warning → the warning's task assigned to a
// person, accepted and carried out → a 研判 meeting raises the warning → a
// second one opens a clue from it → an inspection round and a problem
// citing the finding → a rectification task → progress with evidence from
// the unit's own staff → sign-off, which waits for the inspection office
// head's approval because the problem is about the unit's top leader →
// approval → 回头看 re-opens the task (recurrence counted). Each step is
// read back as ledger events through the auditor's `GET
// /api/v1/ledger/events/{seq}` (type and actor). On the way, the bad input
// and access lines of the issue on the same task, each refused with the
// field named and nothing written (the ledger's size and the inspect_*
// tables compared before/after). At the end the server is stopped, `plumb
// verify` is clean and `plumb rebuild` reproduces every projection table
// (every table a migration marks `-- projection:`), compared as dumps by
// `plumb sql` before and after.
//
// Expected values come from the written specs: the task states of
// docs/RULES.md "Tasks and 研判", the colour ladder blue → yellow → red,
// the rectification states of docs/INSPECT.md §3 and the approvals of §3a,
// the event names of INSPECT.md §2, RULES.md and CASES.md §2, the status
// codes of docs/API.md — not from the code under test.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { addUser, startServer, Client, plumb, tempDir, iso, PLUMB, genStore, tablesRows } from './lib.mjs';

// The clock of the whole test: the server's (--clock-file) and the CLI's
// (PLUMB_NOW, for the import's rules and dates). The generated data's rules
// are written for 2026-06-30 (tests/cli/rules_inspect_truth.sh).
const NOW = Date.parse('2026-06-30T09:00:00Z') / 1000;
const TODAY = '2026-06-30';
process.env.PLUMB_NOW = iso(NOW);

const SHA = 'e3'.repeat(32);
const NOTES = '巡察组内部意见：一把手主导，建议重点督办';
const LADDER = ['blue', 'yellow', 'red'];
const up = (c) => LADDER[Math.min(LADDER.indexOf(c) + 1, 2)];
// Reads the ledger records (CASES.md "every read of a clue … is logged"):
// not steps of the loop.
const READS = new Set(['access.read', 'clue.read']);

let dir, db, srv, root, U, P, F, W, T, X, STAFF, KIN, OUT;
const C = {};
const secrets = {};
let seq = -1; // the last ledger seq read back

const sql = (q) => execFileSync(PLUMB, ['sql', '--db', db, q], { encoding: 'utf8', maxBuffer: 1 << 30 }).trimEnd();
const size = () => Number(sql('SELECT count(*) FROM ledger_events'));
const INSPECT_TABLES = ['inspect_rounds', 'inspect_round_units', 'inspect_problems', 'inspect_tasks',
  'inspect_task_history', 'inspect_approvers', 'rule_tasks', 'risk_warnings', 'task_history',
  'warning_history', 'judgement_decisions'];
const dumpOf = (tables) => {
  const rows = tablesRows(db, tables);
  return tables.map((t) => `== ${t}\n` + rows.get(t).split('\n').sort().join('\n')).join('\n');
};

// Every table a migration declares a projection (the ones `plumb rebuild`
// replays and `plumb verify` compares).
function projections() {
  const src = process.env.PLUMB_SRC || path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
  const mdir = path.join(src, 'src/store/migrations');
  const names = new Set();
  for (const f of fs.readdirSync(mdir))
    for (const m of fs.readFileSync(path.join(mdir, f), 'utf8').matchAll(/^-- projection: (\w+)/gm)) names.add(m[1]);
  return [...names].sort();
}

// The ledger events appended since the last call, as `type actor` (reads
// left out), read through the API by the auditor.
async function newEvents() {
  const out = [];
  for (;;) {
    const r = await C.audit.get(`/api/v1/ledger/events/${seq + 1}`);
    if (r.status === 404) break;
    assert.equal(r.status, 200, r.text);
    seq = r.json.seq;
    if (!READS.has(r.json.type)) out.push(`${r.json.type} ${r.json.header.actor}`);
  }
  return out;
}

// A refused request: its status, the field its error names, and nothing
// written: the ledger's size and the tables of the loop as they were.
async function refused(c, method, p, body, status, field) {
  const n = size();
  const d = dumpOf(INSPECT_TABLES);
  const r = await c.req(method, p, body);
  assert.equal(r.status, status, `${method} ${p}: ${r.text}`);
  assert.ok(r.json?.error?.message, `${method} ${p}: an error with a message: ${r.text}`);
  if (field !== undefined) assert.equal(r.json.error.field, field, r.text);
  assert.equal(size(), n, `${method} ${p} was refused but wrote an event`);
  assert.equal(dumpOf(INSPECT_TABLES), d, `${method} ${p} was refused but changed a table`);
  return r;
}

const USERS = () => ({
  cadre: { role: 'cadre_officer', scopes: [root] }, // assigns the warning's task (task:assign)
  worker: { role: 'cadre_officer', scopes: [root], person: X }, // the person it is assigned to
  disc: { role: 'discipline_officer', scopes: [root] }, // records the 研判 meetings
  insp: { role: 'inspection_officer', scopes: [root] },
  head: { role: 'leader', scopes: [root] }, // the inspection office's head: role leader
  staff: { role: 'subject', scopes: [U], person: STAFF }, // the unit's own staff
  insp_out: { role: 'inspection_officer', scopes: [OUT] }, // a unit outside U's branch
  insp_kin: { role: 'inspection_officer', scopes: [root], person: KIN }, // kin of P: recused
  audit: { role: 'auditor', scopes: [root] },
});

before(async () => {
  dir = tempDir('plumb-loop-');
  db = genStore(dir, { seed: 17, name: 'p' });
  root = sql("SELECT id FROM units WHERE parent_id IS NULL OR parent_id='' ORDER BY id LIMIT 1");
  // The people of the loop, chosen from the generated county by what they
  // are (not by the code under test): P, a top leader with an open blue
  // warning (so that 研判 can raise it) and kin, whose unit U has not been
  // inspected within the term (an open R15 finding on U, RULES.md R15(b):
  // the round below covers it); X, a person placed
  // in another unit, neither P nor P's kin; STAFF, a person of U in a post
  // that is not top (the unit's staff);
  // KIN, a relative of P; OUT, a child of the root that is not U's branch.
  [W, P] = sql(`SELECT w.id, w.person_id FROM risk_warnings w WHERE w.grade='blue' AND w.status='open'
      AND EXISTS (SELECT 1 FROM tenures te JOIN posts p ON p.id=te.post_id WHERE te.person_id=w.person_id
        AND p.is_top=1 AND (te.end_date IS NULL OR te.end_date=''))
      AND EXISTS (SELECT 1 FROM kin k WHERE k.person_id=w.person_id OR k.relative_id=w.person_id)
      AND EXISTS (SELECT 1 FROM tenures te JOIN posts p ON p.id=te.post_id JOIN findings f ON f.subject=p.unit_id
        WHERE te.person_id=w.person_id AND p.is_top=1 AND (te.end_date IS NULL OR te.end_date='')
        AND f.rule='R15' AND f.subject_kind='unit' AND f.status='open')
      ORDER BY w.index_x100 DESC, w.id LIMIT 1`).split('|');
  assert.ok(W && P, 'the generated county has an open blue warning on a top leader with kin');
  U = sql(`SELECT p.unit_id FROM tenures te JOIN posts p ON p.id=te.post_id WHERE te.person_id='${P}'
      AND p.is_top=1 AND (te.end_date IS NULL OR te.end_date='') AND EXISTS (SELECT 1 FROM findings f
      WHERE f.subject=p.unit_id AND f.rule='R15' AND f.subject_kind='unit' AND f.status='open')
      ORDER BY p.unit_id LIMIT 1`);
  KIN = sql(`SELECT CASE WHEN person_id='${P}' THEN relative_id ELSE person_id END FROM kin
      WHERE person_id='${P}' OR relative_id='${P}' ORDER BY 1 LIMIT 1`);
  STAFF = sql(`SELECT te.person_id FROM tenures te JOIN posts p ON p.id=te.post_id WHERE p.unit_id='${U}'
      AND p.is_top=0 AND (te.end_date IS NULL OR te.end_date='') AND te.person_id<>'${P}'
      AND te.person_id NOT IN (SELECT relative_id FROM kin WHERE person_id='${P}')
      AND te.person_id NOT IN (SELECT person_id FROM kin WHERE relative_id='${P}') ORDER BY 1 LIMIT 1`);
  X = sql(`SELECT te.person_id FROM tenures te JOIN posts p ON p.id=te.post_id WHERE p.unit_id<>'${U}'
      AND p.is_top=0 AND (te.end_date IS NULL OR te.end_date='') AND te.person_id<>'${P}'
      AND te.person_id NOT IN (SELECT relative_id FROM kin WHERE person_id='${P}')
      AND te.person_id NOT IN (SELECT person_id FROM kin WHERE relative_id='${P}')
      AND te.person_id NOT IN (SELECT te2.person_id FROM tenures te2 JOIN posts p2 ON p2.id=te2.post_id WHERE p2.unit_id='${U}')
      ORDER BY 1 LIMIT 1`);
  OUT = sql(`WITH RECURSIVE up(id) AS (SELECT '${U}' UNION SELECT u.parent_id FROM units u JOIN up ON u.id=up.id
      WHERE u.parent_id IS NOT NULL AND u.parent_id<>'')
      SELECT id FROM units WHERE parent_id='${root}' AND id NOT IN (SELECT id FROM up) ORDER BY id LIMIT 1`);
  for (const v of [U, KIN, STAFF, X, OUT]) assert.ok(v, 'the generated county has the people of the loop');
  for (const [name, u] of Object.entries(USERS())) secrets[name] = addUser(db, name, u);
  fs.writeFileSync(path.join(dir, 'clock'), iso(NOW) + '\n');
  srv = await startServer(db, ['--rate-ip', '0', '--rate-user', '0', '--rate-login', '0', '--quiet']);
  for (const name of Object.keys(secrets)) {
    C[name] = new Client(srv.base);
    const r = await C[name].login(name, secrets[name], NOW);
    assert.equal(r.status, 200, `login ${name}: ${r.text}`);
  }
  seq = size() - 1;
  assert.deepEqual(await newEvents(), []);
});

after(async () => {
  const fails = Object.values(C).flatMap((c) => c.fails5xx);
  await srv.stop();
  assert.deepEqual(fails, [], 'no 5xx');
  assert.doesNotMatch(srv.log(), /Sanitizer|runtime error/);
});

test('the whole loop over HTTP, every step a ledger event', { timeout: 120000 }, async () => {
  // ---- a finding → its warning → its task
  let r = await C.disc.get(`/api/v1/warnings?id=${W}`);
  assert.equal(r.status, 200, r.text);
  const warning = r.json.items[0];
  assert.equal(warning.person_id, P);
  const breakdown = typeof warning.breakdown === 'string' ? JSON.parse(warning.breakdown) : warning.breakdown;
  F = breakdown[0].finding;
  r = await C.disc.get(`/api/v1/findings/${F}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'open');
  r = await C.cadre.get(`/api/v1/tasks?warning_id=${W}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.items.length, 1, r.text);
  T = r.json.items[0].id;
  r = await C.cadre.get(`/api/v1/tasks/${T}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'open');
  let colour = 'blue';
  assert.equal(r.json.warning_colour, colour);

  // ---- assigned to a person, accepted, carried out (RULES.md: open →
  // assigned → accepted → in_progress)
  r = await C.cadre.post(`/api/v1/tasks/${T}/assign`, { user: 'worker', reason: '由干部监督科承办', due_date: '2026-07-31' });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual([r.json.status, r.json.assignee, r.json.assignee_person_id], ['assigned', 'worker', X]);
  assert.deepEqual(await newEvents(), ['task.assigned cadre']);
  r = await C.worker.post(`/api/v1/tasks/${T}/accept`, { text: '已接收' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'accepted');
  assert.deepEqual(await newEvents(), ['task.accepted worker']);
  r = await C.worker.post(`/api/v1/tasks/${T}/progress`, { text: '已安排谈话提醒', evidence: [{ entity: 'finding', id: F }] });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'in_progress');
  assert.deepEqual(await newEvents(), ['task.progress worker']);

  // ---- 研判 raises the warning one colour, then opens a clue from it
  const meeting = (d) => ({ held_on: TODAY, attendees: [{ user: 'disc' }, { person_id: X }], notes: '六月研判', decisions: [d] });
  r = await C.disc.post('/api/v1/judgements', meeting({ warning_id: W, decision: 'raise', reason: '问题集中，提级关注' }));
  assert.equal(r.status, 201, r.text);
  colour = up(colour);
  assert.equal(r.json.decisions[0].colour_after, colour);
  assert.deepEqual((await newEvents()).sort(), ['judgement.recorded disc', 'warning.decided disc']);
  r = await C.cadre.get(`/api/v1/tasks/${T}`);
  assert.equal(r.json.warning_colour, colour);
  r = await C.disc.post('/api/v1/judgements', meeting({ warning_id: W, decision: 'open_clue', reason: '需初步核实' }));
  assert.equal(r.status, 201, r.text);
  const clue = r.json.decisions[0].clue_id;
  assert.ok(clue, r.text);
  // CASES.md: an intake is clue.received + clue.recorded + clue.routed.
  assert.deepEqual((await newEvents()).sort(),
    ['clue.received disc', 'clue.recorded disc', 'clue.routed disc', 'judgement.recorded disc', 'warning.decided disc']);
  r = await C.disc.get(`/api/v1/cases/${clue}`);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual([r.json.channel, r.json.source_ref, r.json.subject_person_id], ['rule_warning', W, P]);
  r = await C.disc.get(`/api/v1/judgements`);
  assert.deepEqual(r.json.items.slice(0, 2).map((j) => j.decisions[0].decision), ['open_clue', 'raise']);

  // ---- an inspection round over U and a problem about P citing the finding and the clue
  r = await C.insp.get(`/api/v1/findings?rule=R15&subject=${U}&status=open`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.items.length, 1, r.text);
  const gap = r.json.items[0];
  assert.equal(gap.subject_kind, 'unit');
  r = await C.insp.post('/api/v1/inspection_rounds', {
    round_no: '2026-巡察-3', level: 'county', team: '县委第三巡察组', leader_person_id: X,
    start_date: '2026-06-01', end_date: '2026-08-31', units: [U], reason: '年度巡察计划',
  });
  assert.equal(r.status, 201, r.text);
  const round = r.json.id;
  assert.match(round, /^IR-\d+$/);
  // 巡察全覆盖: a round covering U is U's inspection in the term, so U's
  // R15(b) finding is resolved by the engine at once (RULES.md R15).
  assert.deepEqual(await newEvents(), ['inspect.round_created insp', 'finding.resolved rules']);
  r = await C.insp.get(`/api/v1/findings/${gap.id}`);
  assert.equal(r.json.status, 'resolved', r.text);
  r = await C.insp.post('/api/v1/inspection_problems', {
    round_id: round, unit_id: U, person_id: P, category: 'power', description: '一把手违规干预工程项目',
    found_at: '2026-06-20', evidence: [{ entity: 'finding', id: F }, { entity: 'clue', id: clue }], team_notes: NOTES,
  });
  assert.equal(r.status, 201, r.text);
  const problem = r.json.id;
  assert.match(problem, /^IP-\d+$/);
  assert.deepEqual(await newEvents(), ['inspect.problem_found insp']);

  // The office head approves the sign-off of a top leader's unit's task (§3a).
  r = await C.insp.post(`/api/v1/inspection_offices/${root}/approver`, { role: 'leader', reason: '巡察办主任审批一把手单位销号' });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(await newEvents(), ['inspect.approver_set insp']);

  // ---- a rectification task; bad input on the way
  const task = { problem_id: problem, responsible_person_id: P, measures: '停止干预，完善项目决策程序', deadline: '2026-06-19' };
  r = await refused(C.insp, 'POST', '/api/v1/rectification_tasks', task, 400, 'deadline');
  assert.match(r.json.error.message, /2026-06-19.*2026-06-20/);
  r = await C.insp.post('/api/v1/rectification_tasks', { ...task, deadline: '2026-09-30' });
  assert.equal(r.status, 201, r.text);
  const RT = r.json.id;
  assert.deepEqual([r.json.status, r.json.owner_unit_id, r.json.recurrence_count], ['open', U, 0]);
  assert.deepEqual(await newEvents(), ['inspect.task_opened insp']);
  // Sign-off without evidence: 422 naming evidence (§3).
  await refused(C.insp, 'POST', `/api/v1/rectification_tasks/${RT}/signoff`, { reason: '已整改' }, 422, 'evidence');

  // ---- access: the unit's own staff see their task, never the team's
  // notes, and report progress (§4); kin of P does not find it.
  r = await C.staff.get('/api/v1/rectification_tasks');
  assert.equal(r.status, 200, r.text);
  assert.ok(r.json.items.some((t) => t.id === RT), 'the staff list their unit\'s task');
  assert.ok(!r.text.includes(NOTES));
  r = await C.staff.get(`/api/v1/rectification_tasks/${RT}`);
  assert.equal(r.status, 200, r.text);
  assert.ok(!r.text.includes(NOTES) && !('team_notes' in r.json.problem), 'the staff never read the team notes');
  await refused(C.staff, 'GET', `/api/v1/inspection_problems/${problem}`, undefined, 403);
  r = await C.insp.get(`/api/v1/inspection_problems/${problem}`);
  assert.equal(r.json.team_notes, NOTES, 'the inspection office reads its notes');
  assert.equal((await C.head.get(`/api/v1/inspection_problems/${problem}`)).text.includes(NOTES), false, 'a leader does not');
  assert.equal((await C.insp_kin.get(`/api/v1/rectification_tasks/${RT}`)).status, 404, 'recused: kin of the problem\'s person');
  assert.ok(!(await C.insp_kin.get('/api/v1/rectification_tasks')).json.items.some((t) => t.id === RT));
  await refused(C.insp_kin, 'POST', `/api/v1/rectification_tasks/${RT}/sendback`, { reason: 'x' }, 404, 'id');
  // The inspection office does not report for the unit.
  await refused(C.insp, 'POST', `/api/v1/rectification_tasks/${RT}/progress`, { text: 'x' }, 403);

  // ---- progress with evidence from the unit
  r = await C.staff.post(`/api/v1/rectification_tasks/${RT}/progress`, {
    text: '已停止干预并修订议事规则', evidence: [{ name: '议事规则（修订）.pdf', sha256: SHA }, { entity: 'finding', id: F }],
  });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual([r.json.status, r.json.evidence_count], ['in_progress', 2]);
  assert.deepEqual(await newEvents(), ['inspect.progress_reported staff']);

  // ---- sign-off: roles without rectification:write are 403, nothing written
  await refused(C.staff, 'POST', `/api/v1/rectification_tasks/${RT}/signoff`, { reason: '自行销号' }, 403);
  await refused(C.head, 'POST', `/api/v1/rectification_tasks/${RT}/signoff`, { reason: '销号' }, 403);
  await refused(C.disc, 'POST', `/api/v1/rectification_tasks/${RT}/signoff`, { reason: '销号' }, 403);
  // The office proposes; a top leader's unit waits for the head (202, the task does not move).
  r = await C.insp.post(`/api/v1/rectification_tasks/${RT}/signoff`, { reason: '核查属实，提请销号' });
  assert.equal(r.status, 202, r.text);
  assert.deepEqual([r.json.outcome, r.json.status, r.json.pending_signoff], ['pending_approval', 'in_progress', '核查属实，提请销号']);
  assert.deepEqual(await newEvents(), ['inspect.signoff_proposed insp']);
  // Its proposer cannot approve it (422 naming approver).
  await refused(C.insp, 'POST', `/api/v1/rectification_tasks/${RT}/approve`, { reason: '同意' }, 422, 'approver');
  r = await C.head.post(`/api/v1/rectification_tasks/${RT}/approve`, { reason: '同意销号' });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual([r.json.status, r.json.signed_off_at], ['signed_off', TODAY]);
  assert.deepEqual(await newEvents(), ['inspect.signoff_approved head', 'inspect.task_signed_off head']);

  // ---- 回头看: out of the caller's scope 404 naming id, nothing written;
  // then the office re-opens it and the recurrence is counted.
  await refused(C.insp_out, 'POST', `/api/v1/rectification_tasks/${RT}/reopen`, { reason: '问题反弹' }, 404, 'id');
  await refused(C.staff, 'POST', `/api/v1/rectification_tasks/${RT}/reopen`, { reason: '问题反弹' }, 403);
  r = await C.insp.post(`/api/v1/rectification_tasks/${RT}/reopen`, { reason: '回头看发现问题反弹' });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual([r.json.status, r.json.recurrence_count, r.json.signed_off_at], ['reopened', 1, undefined]);
  const ev = await newEvents();
  // R23 (RULES.md): a re-opened task is a recurrence, raised at once by the
  // engine's incremental check of the task's key, subject the owner unit.
  assert.deepEqual(ev, ['inspect.task_reopened insp', 'finding.raised rules']);
  r = await C.insp.get(`/api/v1/findings?rule=R23&key=${RT}`);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.items.map((f) => [f.rule, f.key, f.subject, f.severity, f.status]), [['R23', RT, U, 'medium', 'open']]);

  // The task's history: every step with its actor (INSPECT.md §3, §3a).
  r = await C.insp.get(`/api/v1/rectification_tasks/${RT}`);
  assert.deepEqual(r.json.history.map((h) => [h.type, h.actor]), [
    ['opened', 'insp'], ['progress', 'staff'], ['signoff_proposed', 'insp'], ['signoff_approved', 'head'],
    ['signed_off', 'head'], ['reopened', 'insp'],
  ]);
  // The warning's history: the two 研判 decisions.
  r = await C.cadre.get(`/api/v1/tasks/${T}`);
  assert.deepEqual(r.json.warning_history.map((h) => [h.type, h.actor]), [['raise', 'disc'], ['open_clue', 'disc']]);
});

test('verify is clean and rebuild reproduces every projection table', { timeout: 180000 }, async () => {
  await srv.stop();
  plumb(['verify', '--db', db]);
  const tables = projections();
  assert.ok(tables.includes('inspect_tasks') && tables.includes('judgement_decisions') && tables.length > 40, tables.join(' '));
  const before = dumpOf(tables);
  assert.match(before, /== inspect_task_history\n.*reopened/s);
  plumb(['rebuild', '--db', db]);
  assert.equal(dumpOf(tables), before);
  plumb(['verify', '--db', db]);
});
