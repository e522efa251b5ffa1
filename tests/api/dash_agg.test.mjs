// dash_agg.test.mjs — GET /api/v1/dashboard (issue #16 item 7, "numbers
// that agree"): one request with every panel the role may read, each
// number equal to a count made here independently — from the hand-made
// fixture of lib.mjs (dates copied by hand below) and from the lists each
// panel opens — and a reader of one county (U0) never counting the other
// (UB, 西城县). Also GET /api/v1/persons/{id}/graph: the exact payment
// count and sum, and `plumb dashboard --json` giving the route's numbers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { makeStore, startServer, Client, T0, P, C1, plumb } from './lib.mjs';

const USERS = {
  all: { role: 'discipline_officer', scopes: ['U0', 'UB'] },
  disc: { role: 'discipline_officer', scopes: ['U0'] },
  other: { role: 'discipline_officer', scopes: ['UB'] },
  lead: { role: 'leader', scopes: ['U0'] },
  pet: { role: 'petition_officer', scopes: ['U0'] },
  aud: { role: 'auditor' },
};
let st, srv;
const C = {};

// The fixture's dates (lib.mjs writeFixture), by evidence record, copied by
// hand — what docs/RULES.md "Trend dates" takes for each rule.
const DATES = {
  'tenures:TS': '2005-01-01', 'tenures:TT': '2020-01-01', 'tenures:TO': '2020-01-01', 'tenures:TX': '2021-01-01',
  'payments:PAY1': '2025-03-10', 'contracts:CT1': '2025-03-01', 'decisions:D1': '2025-02-20',
  'declarations:DEC1': '2024-01-01', 'evaluations:EV1': '2024-01-01', 'clues:CL1': '2025-04-01',
};
// docs/RULES.md "Trend dates": the record kinds each rule's date is read from.
const KINDS = {
  R01: ['tenures'], R02: ['tenures'], R03: ['tenures'], R15: [], R18: ['tenures'], R19: [],
  R04: ['payments', 'contracts'], R07: ['payments'], R08: ['contracts'], R05: ['decisions'], R06: ['decisions'],
  R10: ['decisions'], R09: ['declarations'], R16: ['declarations'], R20: ['declarations'], R14: ['evaluations'],
  R11: ['tenures', 'clues'], R12: ['clues'], R13: ['clues'], R17: ['dispositions'], R21: ['inspect_tasks'],
  R22: ['inspect_tasks'], R23: ['inspect_tasks'],
};
// R16 and R19 are about a year (their key ends in "|YYYY"): its first day.
const YEAR_RULES = ['R16', 'R19'];
function factDate(f) {
  const ds = f.evidence.filter((ref) => KINDS[f.rule].includes(ref.split(':')[0]) && DATES[ref]).map((ref) => DATES[ref]);
  const y = /\|(\d{4})$/.exec(f.key);
  if (YEAR_RULES.includes(f.rule) && y) ds.push(`${y[1]}-01-01`);
  return ds.length ? ds.sort().at(-1) : f.first_seen;
}

async function listAll(c, path) {
  const out = [];
  for (let off = 0; ; ) {
    const r = await c.get(`${path}${path.includes('?') ? '&' : '?'}limit=500&offset=${off}`);
    assert.equal(r.status, 200, r.text);
    out.push(...r.json.items);
    if (r.json.next_offset == null) return out;
    off = r.json.next_offset;
  }
}
const parse = (f) => ({ ...f, evidence: typeof f.evidence === 'string' ? JSON.parse(f.evidence) : f.evidence });

before(async () => {
  st = makeStore(USERS);
  srv = await startServer(st.db, ['--rate-ip', '0', '--rate-user', '0', '--quiet']);
  for (const name of Object.keys(USERS)) {
    C[name] = new Client(srv.base);
    const r = await C[name].login(name, st.secrets[name], T0);
    assert.equal(r.status, 200, `login ${name}: ${r.text}`);
  }
});
after(async () => {
  const { code } = await srv.stop();
  assert.equal(code, 0);
});

test('findings: by rule = the list filtered by rule; the trend by the date of the facts', async () => {
  const d = await C.all.get('/api/v1/dashboard?as_of=2025-12-31');
  assert.equal(d.status, 200, d.text);
  const f = d.json.findings;
  const list = (await listAll(C.all, '/api/v1/findings')).map(parse);
  assert.equal(f.total, list.length);
  assert.ok(list.length >= 10, 'the fixture raises findings');
  for (const r of f.by_rule) {
    const byRule = await C.all.get(`/api/v1/findings?rule=${r.rule}&limit=500`);
    assert.equal(r.total, byRule.json.items.length, `${r.rule}: the panel = the list under rule=${r.rule}`);
  }
  // The window: 2025-01 … 2025-12 (12 months up to as_of's).
  assert.deepEqual(f.by_month.map((m) => m.month), Array.from({ length: 12 }, (_, i) => `2025-${String(i + 1).padStart(2, '0')}`));
  const want = {}; let earlier = 0, later = 0;
  for (const x of list) {
    const m = factDate(x).slice(0, 7);
    if (m < '2025-01') earlier++;
    else if (m > '2025-12') later++;
    else want[m] = (want[m] || 0) + 1;
  }
  const got = Object.fromEntries(f.by_month.filter((m) => m.total).map((m) => [m.month, m.total]));
  assert.deepEqual(got, want);
  assert.equal(f.earlier, earlier);
  assert.equal(f.later, later);
  // By hand: R04 (payment 2025-03-10) in March, R12 (clue 2025-04-01) in April;
  // nothing falls in the month of the sweep.
  assert.equal(f.by_month[2].by_rule.R04, 1);
  assert.equal(f.by_month[3].by_rule.R12, 1);
  assert.ok(earlier >= 5, 'R01 (tenures), R19 (2024, 2025) and R09 (2024) are earlier');
  assert.equal(f.total, earlier + later + f.by_month.reduce((a, m) => a + m.total, 0), 'no finding is lost by the window');
});

async function checkGrades() {
  for (const name of ['all', 'disc', 'other', 'lead']) {
    const d = (await C[name].get('/api/v1/dashboard')).json.leaders;
    const ws = await listAll(C[name], '/api/v1/warnings');
    const latest = new Map();
    for (const w of ws) if (!latest.has(w.person_id) || Number(w.ev_seq) > Number(latest.get(w.person_id).ev_seq)) latest.set(w.person_id, w);
    const want = { red: 0, yellow: 0, blue: 0 };
    for (const w of latest.values()) if (w.status !== 'closed') want[w.colour || w.grade]++;
    assert.deepEqual(d.by_grade, want, `${name}: by_grade`);
    for (const g of ['red', 'yellow', 'blue'])
      assert.equal(d.items.filter((x) => x.grade === g).length, want[g], `${name}: the ${g} rows listed`);
  }
}

test('leaders: warnings by colour = each warned person once, at the colour of the latest warning', async () => {
  await checkGrades();
  // By hand (the fixture's sweep): 张三 (UA, U0) red, 赵六 (UB) yellow.
  const all = (await C.all.get('/api/v1/dashboard')).json.leaders;
  assert.deepEqual(all.by_grade, { red: 1, yellow: 1, blue: 0 });
  const s = all.items.find((x) => x.person === P.S);
  assert.equal(s.name, '张三');
  assert.equal(s.unit_name, '东城县财政局');
  assert.equal(s.parent_name, '东城县委');
  assert.equal(s.index_grade, 'red');
  // A 研判 meeting lowers 张三's warning one colour: the panel counts the
  // colour the warning now has (not the engine's grade it was raised at),
  // and the index's own grade of the day is shown apart.
  const r = await C.disc.post('/api/v1/judgements', { held_on: '2026-03-02', attendees: [{ user: 'disc' }],
    decisions: [{ warning_id: s.warning_id, decision: 'lower', reason: '已主动说明情况' }] });
  assert.equal(r.status, 201, r.text);
  await checkGrades();
  const after = (await C.all.get('/api/v1/dashboard')).json.leaders;
  assert.deepEqual(after.by_grade, { red: 0, yellow: 2, blue: 0 });
  const s2 = after.items.find((x) => x.person === P.S);
  assert.equal(s2.grade, 'yellow');
  assert.equal(s2.index_grade, 'red');
});

test('a reader of one county counts nothing of the other', async () => {
  const other = (await C.other.get('/api/v1/dashboard')).json;
  const disc = (await C.disc.get('/api/v1/dashboard')).json;
  const all = (await C.all.get('/api/v1/dashboard')).json;
  const list = await listAll(C.all, '/api/v1/findings');
  const inUB = list.filter((f) => f.unit_id === 'UB').length;
  assert.ok(inUB >= 1 && inUB < list.length);
  assert.equal(other.findings.total, inUB);
  assert.equal(disc.findings.total, list.length - inUB);
  assert.deepEqual(other.leaders.by_grade, { red: 0, yellow: 1, blue: 0 });
  assert.deepEqual(disc.leaders.by_grade, { red: 0, yellow: 1, blue: 0 }); // lowered by 研判 above
  assert.ok(!other.leaders.items.some((x) => x.person === P.S), 'U0\'s leader is not listed for UB');
  assert.ok(!disc.leaders.items.some((x) => x.person === P.O), 'UB\'s leader is not listed for U0');
  assert.equal(other.clues.total, 0, 'the only clue is about UA');
  assert.equal(disc.clues.total, 1);
  assert.equal(all.findings.total, other.findings.total + disc.findings.total);
  // Rotations: TS (2005, due 2015) and TT are U0's; TO (UB) not due before 2030.
  assert.ok(disc.rotations.items.some((x) => x.tenure_id === 'TS'));
  assert.ok(!other.rotations.items.some((x) => x.tenure_id === 'TS'));
});

test('the other panels are their single routes\' answers; one request', async () => {
  const d = (await C.lead.get('/api/v1/dashboard')).json;
  assert.deepEqual(d.withheld, []);
  // The clue panel is GET /api/v1/cases/stats's answer without the units'
  // counts and names, which the dashboard does not show (docs/API.md); with
  // ?detail=units it is the whole answer.
  const stats = (await C.lead.get('/api/v1/cases/stats')).json;
  const { by_unit, unit_names, ...shown } = stats;
  assert.ok(by_unit && unit_names, 'the stats route still counts by unit');
  assert.deepEqual(d.clues, shown);
  assert.deepEqual((await C.lead.get('/api/v1/dashboard?detail=units')).json.clues, stats);
  assert.deepEqual(d.rectification, (await C.lead.get('/api/v1/rectification_tasks/stats')).json);
  assert.deepEqual(d.rotations, (await C.lead.get('/api/v1/rotations')).json);
  assert.deepEqual(d.findings, (await C.lead.get('/api/v1/findings/stats')).json);
  // The risk route's leaders are the dashboard's, in the same order.
  const risk = (await C.lead.get('/api/v1/risk?top=50')).json.items;
  assert.deepEqual(d.leaders.items.filter((x) => x.index_x100 > 0).map((x) => [x.person, x.index_x100]),
    risk.map((x) => [x.person, x.index_x100]));
});

test('permissions: each panel only with its permission; bad parameters name the field', async () => {
  const pet = await C.pet.get('/api/v1/dashboard');
  assert.equal(pet.status, 200, pet.text);
  assert.deepEqual(pet.json.withheld.sort(), ['findings', 'leaders', 'rectification', 'rotations']);
  assert.equal(pet.json.findings, undefined);
  assert.equal(pet.json.clues.total, 1);
  const aud = await C.aud.get('/api/v1/dashboard');
  assert.equal(aud.status, 200);
  assert.deepEqual(aud.json.withheld.sort(), ['clues', 'findings', 'leaders', 'rectification', 'rotations']);
  assert.equal((await new Client(srv.base).get('/api/v1/dashboard')).status, 401);
  for (const [q, field] of [['as_of=2026-02-30', 'as_of'], ['top=0', 'top'], ['top=1001', 'top'], ['bogus=1', 'bogus'], ['detail=unit', 'detail']]) {
    const r = await C.disc.get('/api/v1/dashboard?' + q);
    assert.equal(r.status, 400, q);
    assert.equal(r.json.error.field, field, q);
  }
});

test('graph: the person, kin, company and the exact payments; out of scope is 404', async () => {
  const g = await C.all.get(`/api/v1/persons/${P.S}/graph`);
  assert.equal(g.status, 200, g.text);
  const ids = g.json.nodes.map((n) => n.id).sort();
  assert.deepEqual(ids, [P.S, P.K, C1, 'UA'].sort());
  assert.equal(g.json.nodes.find((n) => n.id === P.K).name, '李四');
  assert.equal(g.json.nodes.find((n) => n.id === C1).name, '东城建材有限公司');
  const pay = g.json.links.find((l) => l.relation === 'payment');
  assert.deepEqual([pay.source, pay.target, pay.count, pay.amount_fen], ['UA', C1, 1, 80000000]);
  assert.ok(g.json.links.some((l) => l.source === P.S && l.target === P.K && l.relation === 'spouse'));
  assert.ok(g.json.links.some((l) => l.source === P.K && l.target === C1 && l.relation === 'shareholder'));
  assert.equal((await C.other.get(`/api/v1/persons/${P.S}/graph`)).status, 404);
  assert.equal((await C.pet.get(`/api/v1/persons/${P.S}/graph`)).json.withheld.includes('payments'), true);
  assert.equal((await C.all.get('/api/v1/persons/bad%20id/graph')).status, 400);
});

test('plumb dashboard --json: the route\'s numbers for a reader of the whole store', async () => {
  const cli = JSON.parse(plumb(['dashboard', '--db', st.db, '--json', '--as-of', '2025-12-31']));
  const api = (await C.all.get('/api/v1/dashboard?as_of=2025-12-31')).json;
  assert.deepEqual(cli.findings, api.findings);
  assert.deepEqual(cli.leaders.by_grade, api.leaders.by_grade);
  assert.equal(cli.clues.total, api.clues.total);
  assert.equal(cli.clues.overdue, api.clues.overdue);
  assert.equal(api.rectification, undefined, 'a discipline officer reads no rectification tasks');
  assert.equal(cli.rectification.total, 0, 'the fixture has none');
});
