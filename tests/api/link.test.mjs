// link.test.mjs — the person linkage's review queue over HTTP (issue #19
// item 3; docs/API.md "Linkage", docs/LINKAGE.md "Review queue"). The API
// fixture plus two persons recorded twice: 張三 (traditional) beside the
// fixture's 张三 (S, top leader of UA under U0) and 趙六 beside 赵六 (O, top
// of UB), each with another valid ID and placed as a sibling of the first.
// Expected scores are computed by hand from docs/LINKAGE.md "Weights":
//   张三/張三: trad_simp 8.2288 + birth exact 12.1357 + two valid IDs
//     −15.0245 + same division 2.1699 = 7.5099 → 751 centibits: review;
//   赵六/趙六: the same without a division (O has none) → 534: review.
// A pair is listed, and judged, only when the caller may read both persons.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { makeStore, startServer, Client, T0, P, plumb, citizenId } from './lib.mjs';

let st, srv;
const C = {};
const S2 = citizenId(11, '19700101');
const O2 = citizenId(12, '19750404');
const pair = (x, y) => (x < y ? [x, y] : [y, x]);
const rows = (sql) => {
  const out = plumb(['sql', '--db', st.db, sql]).trim();
  return out ? out.split('\n').map((l) => l.split('|')) : [];
};
const events = (type) => Number(rows(`SELECT COUNT(*) FROM ledger_events WHERE type='${type}'`)[0][0]);

before(async () => {
  st = makeStore({
    cadre: { role: 'cadre_officer', scopes: ['U0'] },
    cadre_b: { role: 'cadre_officer', scopes: ['UB'] },
    disc: { role: 'discipline_officer', scopes: ['U0'] },
  });
  const d = path.join(st.dir, 'more');
  fs.mkdirSync(d);
  fs.writeFileSync(path.join(d, 'persons.csv'),
    `id,name,gender,birth_date,native_place\n${S2},張三,M,1970-01-01,110101\n${O2},趙六,M,1975-04-04,\n`);
  fs.writeFileSync(path.join(d, 'kin.csv'),
    `id,person_id,relative_id,relation\nKL1,${P.S},${S2},sibling\nKL2,${P.O},${O2},sibling\n`);
  plumb(['import', '--db', st.db, '--source', 'police', path.join(d, 'persons.csv'), path.join(d, 'kin.csv'), '--quiet', '--no-rules']);
  plumb(['link', 'run', '--db', st.db]);
  srv = await startServer(st.db, ['--rate-ip', '0', '--rate-user', '0', '--quiet']);
  for (const n of ['cadre', 'cadre_b', 'disc']) {
    C[n] = new Client(srv.base);
    const r = await C[n].login(n, st.secrets[n], T0);
    assert.equal(r.status, 200, r.text);
  }
});

after(async () => { if (srv) await srv.stop(); });

test('the queue shows the pairs the caller may read, both records side by side', async () => {
  const [a, b] = pair(P.S, S2);
  let r = await C.cadre.get('/api/v1/links');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.items.map((x) => [x.a.id, x.b.id, x.status, x.score_centibits]), [[a, b, 'review', 751]]);
  assert.equal(r.json.withheld, 1, 'the UB pair is withheld');
  const it = r.json.items[0];
  assert.deepEqual([it.a.birth_date, it.b.birth_date], ['1970-01-01', '1970-01-01']);
  assert.deepEqual(new Set([it.a.name, it.b.name]), new Set(['张三', '張三']));
  assert.deepEqual(it.features.map((f) => [f.feature, f.level]),
    [['name', 'trad_simp'], ['birth_date', 'exact'], ['id_number', 'both_valid'], ['division', 'exact']]);
  const [oa, ob] = pair(P.O, O2);
  r = await C.cadre_b.get('/api/v1/links');
  assert.deepEqual(r.json.items.map((x) => [x.a.id, x.b.id, x.score_centibits]), [[oa, ob, 534]]);
});

test('bad input is a 400 naming the field, and writes nothing', async () => {
  const n0 = Number(rows('SELECT COUNT(*) FROM ledger_events')[0][0]);
  const cases = [
    ['GET', '/api/v1/links?status=bogus', undefined, 'status'],
    ['GET', '/api/v1/links?limit=0', undefined, 'limit'],
    ['GET', '/api/v1/links?offset=-1', undefined, 'offset'],
    ['GET', '/api/v1/links?colour=red', undefined, 'colour'],
    ['POST', '/api/v1/links/judgement', { a: P.S, b: S2, judgement: 'maybe' }, 'judgement'],
    ['POST', '/api/v1/links/judgement', { b: S2, judgement: 'same' }, 'a'],
    ['POST', '/api/v1/links/judgement', { a: P.S, judgement: 'same' }, 'b'],
    ['POST', '/api/v1/links/judgement', { a: P.S, b: S2, judgement: 'same', extra: 'x' }, 'extra'],
    ['POST', '/api/v1/links/judgement', { a: P.S, b: S2, judgement: 'same', reason: 7 }, 'reason'],
    ['POST', '/api/v1/links/judgement', { a: 'bad id!', b: S2, judgement: 'same' }, 'a'],
    ['POST', '/api/v1/links/judgement', { a: P.S, b: S2, judgement: 'same', reason: 'x'.repeat(2001) }, 'reason'],
  ];
  for (const [m, p, body, field] of cases) {
    const r = m === 'GET' ? await C.cadre.get(p) : await C.cadre.post(p, body);
    assert.equal(r.status, 400, `${m} ${p} ${JSON.stringify(body)}: ${r.text}`);
    assert.equal(r.json.error.field, field, `${m} ${p} ${JSON.stringify(body)}`);
  }
  // a pair that was never proposed, and one out of scope: not found
  let r = await C.cadre.post('/api/v1/links/judgement', { a: P.S, b: P.T, judgement: 'same' });
  assert.equal(r.status, 404, r.text);
  r = await C.cadre.post('/api/v1/links/judgement', { a: P.O, b: O2, judgement: 'same' });
  assert.equal(r.status, 404, r.text);
  // a role without person:write
  r = await C.disc.post('/api/v1/links/judgement', { a: P.S, b: S2, judgement: 'same' });
  assert.equal(r.status, 403, r.text);
  assert.equal(Number(rows('SELECT COUNT(*) FROM ledger_events')[0][0]), n0, 'a refused request wrote to the ledger');
});

test('a judgement is a ledger event, and the next run respects it', async () => {
  const [a, b] = pair(P.S, S2);
  const judged0 = events('link.judged');
  // the ids in either order
  let r = await C.cadre.post('/api/v1/links/judgement', { a: S2, b: P.S, judgement: 'not_same', reason: '两人: 户籍核实' });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json, { a, b, judgement: 'not_same' });
  assert.equal(events('link.judged'), judged0 + 1);
  assert.deepEqual(rows(`SELECT status, judged_by, reason FROM person_links WHERE a='${a}' AND b='${b}'`),
    [['not_same', 'cadre', '两人: 户籍核实']]);
  // the queue no longer shows it; the judged list does
  r = await C.cadre.get('/api/v1/links');
  assert.deepEqual(r.json.items, []);
  r = await C.cadre.get('/api/v1/links?status=not_same');
  assert.deepEqual(r.json.items.map((x) => [x.a.id, x.judged_by]), [[a, 'cadre']]);
  // a later run does not propose it again
  const proposed0 = events('link.proposed');
  plumb(['link', 'run', '--db', st.db]);
  assert.equal(events('link.proposed'), proposed0);
  assert.deepEqual(rows(`SELECT status FROM person_links WHERE a='${a}' AND b='${b}'`), [['not_same']]);
  // same and unsure are recorded the same way
  r = await C.cadre_b.post('/api/v1/links/judgement', { a: P.O, b: O2, judgement: 'unsure' });
  assert.equal(r.status, 200, r.text);
  r = await C.cadre_b.get('/api/v1/links?status=unsure');
  assert.equal(r.json.items.length, 1);
  r = await C.cadre_b.post('/api/v1/links/judgement', { a: P.O, b: O2, judgement: 'same' });
  assert.equal(r.status, 200, r.text);
  plumb(['link', 'run', '--db', st.db]);
  const [oa, ob] = pair(P.O, O2);
  assert.deepEqual(rows(`SELECT status FROM person_links WHERE a='${oa}' AND b='${ob}'`), [['same']]);
});
