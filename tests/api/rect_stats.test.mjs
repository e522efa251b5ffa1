// rect_stats.test.mjs — GET /api/v1/rectification_tasks/stats (docs/INSPECT.md
// §7a, docs/API.md): each count equals the total of the list with the same
// filter (?status=…, ?overdue=1; pending approval = the list's rows with a
// pending_signoff), and the SQL written here from INSPECT.md (§4 scope and
// recusal, §7 overdue: deadline before today and not signed off), for a
// whole-store reader, a town-scoped reader and a recused reader, with and
// without ?round_id= / ?unit_id= (a round none of whose units is in the
// reader's scope: 404 naming round_id). Expected values never come from the
// stats code.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { addUser, startServer, Client, plumb, tempDir, iso, PLUMB, genStore } from './lib.mjs';

const NOW = Date.parse('2026-06-30T09:00:00Z') / 1000;
const TODAY = '2026-06-30';
process.env.PLUMB_NOW = iso(NOW);
const STATUSES = ['open', 'in_progress', 'sent_back', 'reopened', 'signed_off'];
let db, srv, root, town, recusedPerson, round, unit;
const C = {};
const sql = (q) => execFileSync(PLUMB, ['sql', '--db', db, q], { encoding: 'utf8', maxBuffer: 1 << 28 }).trimEnd();
const lines = (q) => { const out = sql(q); return out ? out.split('\n') : []; };
const subtree = (us) => `WITH RECURSIVE d(id) AS (SELECT id FROM units WHERE id IN (${us.map((u) => `'${u}'`).join(',')}) UNION SELECT x.id FROM units x JOIN d ON x.parent_id=d.id) SELECT id FROM d`;
// Recusal, from INSPECT.md §4: the reader's person is the problem's person
// or the task's responsible person, kin of either (both directions), or
// holds today an open tenure in a top post of the task's unit or in a post
// reporting to one.
const recusedSql = (me) => `(
  COALESCE((SELECT person_id FROM inspect_problems WHERE id=t.problem_id), (SELECT person_id FROM inspect_criticisms WHERE id=t.problem_id)) = '${me}'
  OR t.responsible_person_id = '${me}'
  OR EXISTS (SELECT 1 FROM kin k WHERE (k.person_id='${me}' AND (k.relative_id=t.responsible_person_id OR k.relative_id=COALESCE((SELECT person_id FROM inspect_problems WHERE id=t.problem_id), (SELECT person_id FROM inspect_criticisms WHERE id=t.problem_id))))
     OR (k.relative_id='${me}' AND (k.person_id=t.responsible_person_id OR k.person_id=COALESCE((SELECT person_id FROM inspect_problems WHERE id=t.problem_id), (SELECT person_id FROM inspect_criticisms WHERE id=t.problem_id)))))
  OR EXISTS (SELECT 1 FROM tenures te JOIN posts po ON po.id=te.post_id WHERE te.person_id='${me}' AND po.unit_id=t.owner_unit_id
     AND (po.is_top=1 OR po.reports_to IN (SELECT id FROM posts WHERE unit_id=po.unit_id AND is_top=1))
     AND te.start_date<='${TODAY}' AND (te.end_date IS NULL OR te.end_date='' OR te.end_date>'${TODAY}')))`;

before(async () => {
  const dir = tempDir('plumb-rstats-');
  db = genStore(dir, { seed: 17, name: 'p' });
  root = sql("SELECT id FROM units WHERE parent_id IS NULL OR parent_id='' ORDER BY id LIMIT 1");
  // A town (township) whose subtree holds tasks, fewer than the store's.
  town = sql(`SELECT u.id FROM units u WHERE u.level='township' AND EXISTS (SELECT 1 FROM inspect_tasks t WHERE t.owner_unit_id IN (${subtree(['X']).replace("'X'", 'u.id')})) ORDER BY u.id LIMIT 1`);
  assert.ok(town, 'a town with tasks');
  // The reader recused from the most tasks: a responsible leader of several.
  recusedPerson = sql('SELECT responsible_person_id FROM inspect_tasks GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1');
  round = sql('SELECT round_id FROM inspect_problems p JOIN inspect_tasks t ON t.problem_id=p.id GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1');
  unit = sql('SELECT owner_unit_id FROM inspect_tasks GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1');
  // One sign-off waiting for approval (INSPECT.md §3a): a top leader's
  // unit's task with evidence, its office's approver configured.
  const top = lines("SELECT t.id || '|' || t.owner_unit_id FROM inspect_tasks t JOIN inspect_problems p ON p.id=t.problem_id WHERE p.category='top_leader' AND t.status<>'signed_off' AND t.evidence_open>0 ORDER BY t.id LIMIT 1");
  assert.equal(top.length, 1, 'a top leader task to propose');
  const [tid, tunit] = top[0].split('|');
  plumb(['inspect', 'approver', tunit, '--role', 'leader', '--reason', 'test', '--db', db]);
  plumb(['inspect', 'signoff', tid, '--reason', 'proposed', '--db', db]);
  assert.equal(sql("SELECT count(*) FROM inspect_tasks WHERE pending_signoff IS NOT NULL"), '1');
  const secrets = {
    whole: addUser(db, 'whole', { role: 'inspection_officer', scopes: [root] }),
    town: addUser(db, 'town', { role: 'leader', scopes: [town] }),
    recused: addUser(db, 'recused', { role: 'inspection_officer', scopes: [root], person: recusedPerson }),
  };
  srv = await startServer(db, ['--rate-ip', '0', '--rate-user', '0', '--rate-login', '0', '--quiet']);
  srv.setClock(NOW);
  for (const name of Object.keys(secrets)) {
    C[name] = new Client(srv.base);
    const r = await C[name].login(name, secrets[name], NOW);
    assert.equal(r.status, 200, `login ${name}: ${r.text}`);
  }
});

after(async () => {
  const fails = Object.values(C).flatMap((c) => c.fails5xx);
  await srv.stop();
  assert.deepEqual(fails, [], 'no 5xx');
  assert.doesNotMatch(srv.log(), /Sanitizer|runtime error/);
});

// Every row of the list (pages of 500) for a query string.
async function listAll(c, qs) {
  const rows = [];
  for (let offset = 0; ;) {
    const r = await c.get(`/api/v1/rectification_tasks?${qs}${qs ? '&' : ''}limit=500&offset=${offset}`);
    assert.equal(r.status, 200, r.text);
    rows.push(...r.json.items);
    if (r.json.next_offset === null) return { rows, total: r.json.total };
    offset = r.json.next_offset;
  }
}

const readers = {
  whole: () => ({ tops: [root], me: null }),
  town: () => ({ tops: [town], me: null }),
  recused: () => ({ tops: [root], me: recusedPerson }),
};

for (const who of Object.keys(readers)) {
  test(`${who}: each count is the list's total with the same filter and the spec's SQL`, { timeout: 60000 }, async () => {
    const { tops, me } = readers[who]();
    for (const filt of [{}, { round_id: round }, { unit_id: unit }]) {
      const qs = new URLSearchParams(filt).toString();
      const r = await C[who].get(`/api/v1/rectification_tasks/stats${qs ? '?' + qs : ''}`);
      // A round the reader does not see (none of its units in scope,
      // INSPECT.md §4) is a 404 naming round_id, as any unknown id (§7a).
      if (filt.round_id && sql(`SELECT count(*) FROM inspect_round_units WHERE round_id='${filt.round_id}' AND unit_id IN (${subtree(tops)})`) === '0') {
        assert.equal(r.status, 404, r.text);
        assert.equal(r.json.error.field, 'round_id', r.text);
        continue;
      }
      assert.equal(r.status, 200, r.text);
      const s = r.json;
      // From the lists.
      const all = await listAll(C[who], qs);
      assert.equal(s.total, all.total, `total ${qs}`);
      for (const st of STATUSES) {
        const l = await listAll(C[who], `${qs}${qs ? '&' : ''}status=${st}`);
        assert.equal(s[st], l.total, `${st} ${qs}`);
      }
      const od = await listAll(C[who], `${qs}${qs ? '&' : ''}overdue=1`);
      assert.equal(s.overdue, od.total, `overdue ${qs}`);
      assert.deepEqual(s.overdue_items.map((x) => x.id), od.rows.slice(0, 10).map((x) => x.id), 'overdue rows');
      assert.equal(s.pending_approval, all.rows.filter((x) => x.pending_signoff).length, `pending ${qs}`);
      // From SQL written from INSPECT.md.
      let where = `t.owner_unit_id IN (${subtree(tops)})`;
      // CASE: a comparison with a problem without a person is NULL, not false.
      if (me) where += ` AND (CASE WHEN ${recusedSql(me)} THEN 0 ELSE 1 END)=1`;
      if (filt.round_id) where += ` AND t.problem_id IN (SELECT id FROM inspect_problems WHERE round_id='${filt.round_id}')`;
      if (filt.unit_id) where += ` AND t.owner_unit_id='${filt.unit_id}'`;
      const count = (extra) => Number(sql(`SELECT count(*) FROM inspect_tasks t WHERE ${where}${extra}`));
      const want = { total: count('') };
      for (const st of STATUSES) want[st] = count(` AND t.status='${st}'`);
      want.overdue = count(` AND t.status<>'signed_off' AND t.deadline<'${TODAY}'`);
      want.pending_approval = count(' AND t.pending_signoff IS NOT NULL');
      const got = Object.fromEntries(Object.keys(want).map((k) => [k, s[k]]));
      assert.deepEqual(got, want, `${who} ${qs}`);
      if (!qs) {
        assert.ok(want.total > 0, 'some tasks');
        if (who === 'town') assert.ok(want.total < Number(sql('SELECT count(*) FROM inspect_tasks')), 'the town sees fewer');
        if (who === 'recused') assert.ok(want.total < Number(sql('SELECT count(*) FROM inspect_tasks')), 'the recused reader sees fewer');
        if (who === 'whole') assert.ok(want.overdue > 0 && want.pending_approval === 1, 'overdue and pending present');
      }
    }
  });
}

test('an unknown filter is a 400 naming it; the CLI prints the same numbers', async () => {
  const r = await C.whole.get('/api/v1/rectification_tasks/stats?status=open');
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'status');
  const api = (await C.whole.get('/api/v1/rectification_tasks/stats')).json;
  const cli = JSON.parse(plumb(['inspect', 'stats', '--db', db]));
  delete api.overdue_items;
  assert.deepEqual(cli, api);
});
