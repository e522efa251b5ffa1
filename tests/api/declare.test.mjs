// declare.test.mjs — declaration check rounds over HTTP (issue #18 items
// 1-2; docs/DECLARE.md "Check rounds", docs/API.md "Declaration check
// rounds") on a generated county (seed 7; the prefecture too with
// DECLARE_PREFECTURE=1, docs/DECLARE.md "Tests"):
//  - the eligible list equals the population computed here by SQL from its
//    definition (declarations of the year of persons with a tenure open on
//    31 Dec in a unit of the subtree);
//  - the draw: the sample equals the one recomputed HERE from the root of
//    the first signed checkpoint after the list's event (read from the
//    store) and the eligible list, by the documented function (node's
//    crypto SHA-256, not the code under test); GET …/proof says match;
//  - the comparison equals the planted truth: for every drawn declaration
//    (the R09 plants drawn as promotion candidates), the registry records
//    classed omission or concealment are exactly the undeclared records of
//    truth.json's R09 entry (none for the others), each with the class the
//    table of docs/DECLARE.md gives it (computed here from the record and
//    the item), and the score is the documented weighted sum; the sample is
//    ranked by score;
//  - bad input: a conclusion on an undrawn declaration, a round over an
//    empty population, a round for a unit outside the caller's scope, a
//    conclusion inside the 补报 window — 4xx naming the field, nothing
//    written; a reader recused from a drawn person sees no comparison.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { plumb, tempDir, addUser, startServer, Client, T0, sqlJsonText, sqlJsonAsync, genStore } from './lib.mjs';

// docs/DECLARE.md "Parameters" (defaults) and "Classes", written by hand.
const RATE = 10, TOL = 10, CONCEAL_PCT = 50, CONCEAL_FEN = 300000 * 100;
const W = { match: 0, tolerance: 1, omission: 5, concealment: 20, unexplained: 2, not_compared: 0 };

const scales = ['county'];
if (process.env.DECLARE_PREFECTURE) scales.push('prefecture');

for (const scale of scales) {
  let dir, db, srv, truth, root, outUnit;
  const cl = {};
  const secrets = {};
  const sql = (q) => {
    const out = sqlJsonText(db, q);
    return out.trim() ? JSON.parse(out) : [];
  };
  // The long queries run without blocking the event loop: a client blocked
  // for many seconds finds its idle keep-alive sockets closed by the server.
  const sqlAsync = async (q) => {
    return sqlJsonAsync(db, q);
  };
  const q = (s) => `'${String(s).replace(/'/g, "''")}'`;
  const size = () => sql('SELECT count(*) AS n FROM ledger_events')[0].n;

  before(async () => {
    dir = tempDir(`plumb-declare-${scale}-`);
    db = genStore(dir, { scale, seed: 7, name: 'p' });
    truth = JSON.parse(fs.readFileSync(path.join(dir, 'gen', 'truth.json'), 'utf8'));
    root = sql(`SELECT id FROM units WHERE parent_id IS NULL OR parent_id = '' ORDER BY id LIMIT 1`)[0].id;
    outUnit = sql(`SELECT u.id FROM units u WHERE u.parent_id = ${q(root)} ORDER BY u.id LIMIT 1`)[0].id;
    const r09 = truth.findings.filter((f) => f.rule === 'R09');
    const kinOf = sql(`SELECT relative_id AS p FROM kin WHERE person_id = ${q(r09[0].subject)} ORDER BY id LIMIT 1`)[0].p;
    const users = {
      cadre: { role: 'cadre_officer', scopes: [root] },
      narrow: { role: 'cadre_officer', scopes: [outUnit] },
      kin: { role: 'cadre_officer', scopes: [root], person: kinOf },
      lead: { role: 'leader', scopes: [root] },
    };
    for (const [n, u] of Object.entries(users)) secrets[n] = addUser(db, n, u);
    srv = await startServer(db);
    for (const n of Object.keys(users)) {
      cl[n] = new Client(srv.base);
      assert.equal((await cl[n].login(n, secrets[n], T0)).status, 200, `login ${n}`);
    }
  });
  let stopping = false;
  after(async () => { stopping = true; if (srv) await srv.stop(); });
  // A request that does not reach the server (the server gone) fails with
  // the server's exit status and the end of its log.
  const dead = () => srv.proc.exitCode !== null || srv.proc.signalCode !== null;
  process.on('exit', () => { if (srv && !stopping && dead()) console.error(`${scale} server exited ${srv.proc.exitCode} ${srv.proc.signalCode}: ${srv.log().slice(-2000)}`); });

  // The population by its definition (docs/DECLARE.md "The round").
  // (CROSS JOIN: the subtree first, else sqlite3 scans every declaration)
  const population = async (year, unit) => (await sqlAsync(`
    WITH RECURSIVE sub(id) AS (SELECT ${q(unit)} UNION SELECT u.id FROM units u JOIN sub ON u.parent_id = sub.id)
    SELECT DISTINCT x.id FROM sub CROSS JOIN posts p CROSS JOIN tenures t CROSS JOIN declarations x
    WHERE p.unit_id = sub.id AND t.post_id = p.id AND x.person_id = t.person_id
      AND x.year = ${year} AND t.start_date <= '${year}-12-31'
      AND (t.end_date IS NULL OR t.end_date = '' OR t.end_date > '${year}-12-31') ORDER BY x.id`)).map((r) => r.id);

  // The documented draw, recomputed here.
  function derive(seed, eligible) {
    const h = (id) => crypto.createHash('sha256').update(Buffer.concat([seed, Buffer.from(id, 'utf8')])).digest();
    const ranked = eligible.map((x) => ({ ...x, h: h(x.declaration_id) }))
      .sort((a, b) => Buffer.compare(a.h, b.h) || (a.declaration_id < b.declaration_id ? -1 : 1));
    const k = Math.ceil((RATE * eligible.length) / 100);
    const out = new Map();
    ranked.forEach((x, i) => {
      const basis = i < k ? 'random' : x.candidate ? 'candidate' : x.open_clue ? 'open_clue' : null;
      if (basis) out.set(x.declaration_id, `${basis}#${i + 1}`);
    });
    return out;
  }

  // The class of an undeclared / under-declared record (docs/DECLARE.md "Classes").
  function expectedClass(rec, item) {
    if (!item) return rec.kind === 'real_estate' || rec.kind === 'company_role' || (rec.amount_fen ?? -1) >= CONCEAL_FEN ? 'concealment' : 'omission';
    const d = item.amount_fen ?? 0, g = rec.amount_fen;
    const diff = Math.abs(d - g);
    if (diff * 100 <= TOL * g) return diff === 0 ? 'match' : 'tolerance';
    if (d > g) return 'unexplained';
    return diff * 100 <= CONCEAL_PCT * g ? 'omission' : 'concealment';
  }

  const rounds = {};
  for (const year of [2024, 2025]) {
    test(`${scale} ${year}: the round's eligible list, the draw recomputed from the checkpoint root`, async () => {
      const r09keys = truth.findings.filter((f) => f.rule === 'R09').map((f) => q(f.key)).join(',');
      const ofYear = new Set((await sqlAsync(`SELECT id FROM declarations WHERE year = ${year} AND id IN (${r09keys})`)).map((x) => x.id));
      const cands = [...new Set(truth.findings.filter((f) => f.rule === 'R09' && ofYear.has(f.key)).map((f) => f.subject))];
      let r = await cl.cadre.post('/api/v1/declaration_rounds', { year, unit_id: root, candidates: cands, reason: '年度抽查' });
      assert.equal(r.status, 201, r.text);
      const round = r.json;
      assert.deepEqual(round.eligible.map((x) => x.declaration_id), await population(year, root));
      for (const x of round.eligible) assert.equal(x.candidate, cands.includes(x.person_id) ? 1 : 0);
      r = await cl.cadre.post(`/api/v1/declaration_rounds/${round.id}/draw`, {});
      assert.equal(r.status, 201, r.text);
      const cp = await sqlAsync(`SELECT note FROM ledger_checkpoints WHERE size > ${round.eligible_seq} ORDER BY size LIMIT 1`);
      assert.equal(cp.length, 1, 'a checkpoint was signed after the eligible list');
      const seed = Buffer.from(cp[0].note.split('\n')[2], 'base64');
      assert.equal(r.json.seed, seed.toString('hex'));
      const want = derive(seed, round.eligible);
      r = await cl.cadre.get(`/api/v1/declaration_rounds/${round.id}/sample`);
      assert.equal(r.status, 200, r.text);
      const got = new Map(r.json.items.map((x) => [x.declaration_id, `${x.basis}#${x.draw_rank}`]));
      assert.deepEqual(got, want);
      // ranked by score, then id
      const sc = r.json.items.map((x) => [x.score, x.declaration_id]);
      for (let i = 1; i < sc.length; i++) assert.ok(sc[i - 1][0] > sc[i][0] || (sc[i - 1][0] === sc[i][0] && sc[i - 1][1] < sc[i][1]), `rank at ${i}`);
      r = await cl.lead.get(`/api/v1/declaration_rounds/${round.id}/proof`);
      assert.equal(r.status, 403, 'a leader has no declaration_check:read');
      r = await cl.cadre.get(`/api/v1/declaration_rounds/${round.id}/proof`);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.result, 'match', JSON.stringify(r.json.problems));
      rounds[year] = { round, sample: [...want.keys()] };
    });

    test(`${scale} ${year}: comparison classes equal the planted truth`, async () => {
      const { sample } = rounds[year];
      const r09 = new Map(truth.findings.filter((f) => f.rule === 'R09').map((f) => [f.key, f.evidence.filter((e) => e.table === 'registry_records').map((e) => e.id).sort()]));
      let planted = 0;
      for (const id of sample) {
        const r = await cl.cadre.get(`/api/v1/declarations/${id}/comparison`);
        assert.equal(r.status, 200, `${id}: ${r.text}`);
        const c = r.json;
        const bad = c.lines.filter((l) => (l.class === 'omission' || l.class === 'concealment') && l.record_id);
        assert.deepEqual(bad.map((l) => l.record_id).sort(), r09.get(id) || [], `${id}: undeclared records`);
        if (r09.has(id)) planted++;
        for (const l of bad) {
          const rec = sql(`SELECT kind, amount_fen FROM registry_records WHERE id = ${q(l.record_id)}`)[0];
          const item = l.item_id ? sql(`SELECT amount_fen FROM declaration_items WHERE id = ${q(l.item_id)}`)[0] : null;
          assert.equal(l.class, expectedClass(rec, item), `${id} ${l.record_id}`);
        }
        const counts = {};
        for (const l of c.lines) counts[l.class] = (counts[l.class] || 0) + 1;
        assert.equal(c.score, Object.entries(counts).reduce((s, [k, n]) => s + W[k] * n, 0), `${id}: score`);
      }
      const ofYear = new Set((await sqlAsync(`SELECT id FROM declarations WHERE year = ${year} AND id IN (${[...r09.keys()].map(q).join(',')})`)).map((x) => x.id));
      const want = [...r09.keys()].filter((k) => ofYear.has(k));
      assert.ok(want.length > 0 && want.every((k) => sample.includes(k)), 'every R09 plant of the year is drawn (as a candidate)');
      assert.equal(planted, want.length);
      // the planted classes: the home and the spouse's company are
      // concealment, the car, the trip and the 80 % securities omission
      const all = [];
      for (const k of want) all.push(...(await cl.cadre.get(`/api/v1/declarations/${k}/comparison`)).json.lines.map((l) => `${l.kind}:${l.class}`));
      if (year === 2025) assert.ok(all.includes('real_estate:concealment') && all.includes('securities:omission'), all.join(' '));
      if (year === 2024) assert.ok(all.includes('vehicle:omission') && all.includes('exit_abroad:omission') && all.includes('company_role:concealment'), all.join(' '));
    });
  }

  test(`${scale}: recusal, scope and bad input — 4xx naming the field, nothing written`, async () => {
    const r09 = truth.findings.filter((f) => f.rule === 'R09');
    const year0 = sql(`SELECT year FROM declarations WHERE id = ${q(r09[0].key)}`)[0].year;
    const { sample } = rounds[year0];
    // the kin account is recused from r09[0].subject: no comparison
    // (one query: a loop of plumb sql calls would block the event loop long
    // enough at prefecture scale for the server to close the idle
    // keep-alive sockets under the client)
    const own = new Set(sql(`SELECT id FROM declarations WHERE person_id = ${q(r09[0].subject)}`).map((x) => x.id));
    const mine = sample.filter((id) => own.has(id));
    assert.ok(mine.length > 0, 'the plant is drawn');
    for (const id of mine) assert.equal((await cl.kin.get(`/api/v1/declarations/${id}/comparison`)).status, 404, `recused ${id}`);
    const s = (await cl.kin.get(`/api/v1/declaration_rounds/${rounds[year0].round.id}/sample`)).json.items.map((x) => x.declaration_id);
    for (const id of mine) assert.ok(!s.includes(id), 'the recused reader does not see the row in the sample');
    const n0 = size();
    let r = await cl.cadre.post('/api/v1/declaration_rounds', { year: 2031, unit_id: root });
    assert.equal(r.status, 400); assert.equal(r.json.error.field, 'unit_id', r.text);
    r = await cl.narrow.post('/api/v1/declaration_rounds', { year: 2025, unit_id: root });
    assert.equal(r.status, 404); assert.equal(r.json.error.field, 'unit_id', r.text);
    r = await cl.cadre.post('/api/v1/declaration_rounds', { year: '2025', unit_id: root });
    assert.equal(r.status, 400); assert.equal(r.json.error.field, 'year', r.text);
    const undrawn = rounds[2025].round.eligible.map((x) => x.declaration_id).find((id) => !sample.includes(id) && !rounds[2024].sample.includes(id));
    r = await cl.cadre.post(`/api/v1/declarations/${undrawn}/conclusion`, { conclusion: 'truthful', reason: '核查无误' });
    assert.equal(r.status, 400); assert.equal(r.json.error.field, 'declaration_id', r.text);
    r = await cl.cadre.get(`/api/v1/declarations/${undrawn}/comparison`);
    assert.equal(r.status, 404, r.text);
    // inside the 补报 window (30 days from the draw, the server's clock T0)
    const drawn = r09[0].key;
    r = await cl.cadre.post(`/api/v1/declarations/${drawn}/conclusion`, { conclusion: 'concealment', reason: '隐瞒房产' });
    assert.equal(r.status, 422); assert.equal(r.json.error.field, 'correction_window', r.text);
    r = await cl.cadre.post(`/api/v1/declarations/${drawn}/conclusion`, { conclusion: 'concealment' });
    assert.equal(r.status, 400); assert.equal(r.json.error.field, 'reason', r.text);
    r = await cl.cadre.post(`/api/v1/declaration_rounds/${rounds[2025].round.id}/draw`, {});
    assert.equal(r.status, 422); assert.equal(r.json.error.field, 'id', r.text);
    assert.equal(size(), n0, 'a refused call wrote to the ledger');
    // after the window: recorded, once
    srv.setClock(T0 + 31 * 86400);
    assert.equal((await cl.cadre.login('cadre', secrets.cadre, T0 + 31 * 86400)).status, 200, 'login after a month');
    r = await cl.cadre.post(`/api/v1/declarations/${drawn}/conclusion`, { conclusion: 'concealment', reason: '隐瞒房产' });
    assert.equal(r.status, 201, r.text);
    r = await cl.cadre.post(`/api/v1/declarations/${drawn}/conclusion`, { conclusion: 'truthful', reason: '再议' });
    assert.equal(r.status, 422); assert.equal(r.json.error.field, 'declaration_id', r.text);
    assert.equal(sql(`SELECT conclusion FROM declaration_conclusions WHERE declaration_id = ${q(drawn)}`)[0].conclusion, 'concealment');
    srv.setClock(T0);
  });
}
