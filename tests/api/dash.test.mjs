// dash.test.mjs — the dashboard's aggregates (issue 8):
// GET /api/v1/rotations — tenures due for rotation within N months (and
// overdue), by R01's parameters per unit profile (docs/RULES.md R01), checked
// against a direct computation from the store (plumb sql) and against the R01
// findings that `plumb findings --json` lists at the sweep date;
// GET /api/v1/findings/stats — counts by rule, status, severity and month of the facts,
// checked against plumb sql and against the caller's own scope-filtered list.
// Both are scope-filtered (a user of another tree sees none of U0) and the
// findings counts honour recusal (kin of S does not count S's findings).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { makeStore, startServer, Client, T0, P, plumb, sqlJsonText } from './lib.mjs';

const USERS = {
  disc: { role: 'discipline_officer', scopes: ['U0'] },
  all: { role: 'discipline_officer', scopes: ['U0', 'UB'] },
  other: { role: 'discipline_officer', scopes: ['UB'] },
  kin: { role: 'discipline_officer', scopes: ['U0'], person: P.K },
  lead: { role: 'leader', scopes: ['U0'] },
  pet: { role: 'petition_officer', scopes: ['U0'] },
  aud: { role: 'auditor' },
};
let st, srv;
const C = {};

function sqlOn(db, q) {
  const out = sqlJsonText(db, q);
  return out.trim() ? JSON.parse(out) : [];
}

// date + n months, day clamped (R01's calendar arithmetic).
function addMonths(date, n) {
  const [y, m, d] = date.split('-').map(Number);
  const k = y * 12 + (m - 1) + n;
  const ny = Math.floor(k / 12), nm = (k % 12) + 1;
  const last = new Date(Date.UTC(ny, nm, 0)).getUTCDate();
  return `${String(ny).padStart(4, '0')}-${String(nm).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
}

// The expected rotations from the tables alone: open tenures at D in top or
// sensitive posts; years from the parameters given per unit.
function expectedRotations(db, asOf, months, yearsOf) {
  const rows = sqlOn(db, `SELECT t.id, t.start_date, p.is_top, p.unit_id FROM tenures t JOIN posts p ON p.id=t.post_id
    WHERE t.start_date<='${asOf}' AND (t.end_date IS NULL OR t.end_date='' OR t.end_date>'${asOf}')
    AND (p.is_top=1 OR p.category IN ('finance','personnel','approval','enforcement','audit','procurement','engineering'))`);
  const until = addMonths(asOf, months);
  return rows
    .map((r) => ({ id: r.id, unit: r.unit_id, due: addMonths(r.start_date, 12 * yearsOf(r.unit_id, r.is_top === 1)) }))
    .filter((r) => r.due <= until)
    .map((r) => ({ ...r, overdue: r.due <= asOf }))
    .sort((a, b) => (a.due < b.due ? -1 : a.due > b.due ? 1 : a.id < b.id ? -1 : 1));
}

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

test('rotations: equal a direct computation from the store (default parameters)', async () => {
  const all = await C.all.get('/api/v1/rotations?months=120&limit=500');
  assert.equal(all.status, 200, all.text);
  const exp = expectedRotations(st.db, '2026-03-02', 120, (_u, top) => (top ? 10 : 5));
  assert.ok(exp.length >= 3, 'the fixture has rotations to compare');
  assert.equal(all.json.as_of, '2026-03-02'); // the server's clock (T0)
  assert.equal(all.json.until, '2036-03-02');
  assert.deepEqual(all.json.items.map((x) => [x.tenure_id, x.due_date, x.overdue]), exp.map((x) => [x.id, x.due, x.overdue]));
  assert.equal(all.json.total, exp.length);
  assert.equal(all.json.overdue, exp.filter((x) => x.overdue).length);
  const ts = all.json.items.find((x) => x.tenure_id === 'TS');
  assert.equal(ts.person_id, P.S);
  assert.equal(ts.person_name, '张三');
  assert.equal(ts.post_id, 'PS');
  assert.equal(ts.unit_id, 'UA');
  assert.equal(ts.start_date, '2005-01-01');
  assert.equal(ts.due_date, '2015-01-01');
  assert.equal(ts.years, 10);
  assert.equal(ts.is_top, true);
  assert.equal(ts.overdue, true);
  // A staff post of no sensitive category is never rotated by R01.
  assert.ok(!all.json.items.some((x) => x.tenure_id === 'TX'));

  // 12 months: the 2030 rotation of UB's top post is not due yet.
  const r12 = await C.all.get('/api/v1/rotations?months=12');
  const exp12 = expectedRotations(st.db, '2026-03-02', 12, (_u, top) => (top ? 10 : 5));
  assert.deepEqual(r12.json.items.map((x) => x.tenure_id), exp12.map((x) => x.id));
  assert.ok(!r12.json.items.some((x) => x.tenure_id === 'TO'));
  // Default is 12 months.
  const rd = await C.all.get('/api/v1/rotations');
  assert.deepEqual(rd.json.items, r12.json.items);
  // limit cuts the list, not the counts.
  const r1 = await C.all.get('/api/v1/rotations?months=120&limit=1');
  assert.equal(r1.json.items.length, 1);
  assert.equal(r1.json.total, exp.length);
});

test('rotations: overdue at the sweep date = R01 findings of severity high/medium (plumb findings --json)', async () => {
  const r = await C.all.get('/api/v1/rotations?months=0&as_of=2026-03-01&limit=500');
  assert.equal(r.status, 200, r.text);
  const f = JSON.parse(plumb(['findings', '--db', st.db, '--rule', 'R01', '--json', '--limit', '1000']));
  const items = Array.isArray(f) ? f : f.items;
  const dueKeys = items.filter((x) => x.severity !== 'low' && x.status !== 'resolved').map((x) => x.key).sort();
  assert.ok(dueKeys.length >= 1, 'the fixture raises R01');
  assert.deepEqual(r.json.items.map((x) => x.tenure_id).sort(), dueKeys);
  assert.ok(r.json.items.every((x) => x.overdue));
});

test('rotations: the unit profile decides the years', async () => {
  // Sensitive posts of county units rotate after 7 years: TT (finance,
  // 2020-01-01) becomes due 2027-01-01, inside the next 12 months.
  const p = await C.disc.put('/api/v1/profiles/dash-county', { region: '110101', level: 'county', reason: 'dash test', params: { r01_sensitive_years: 7 } });
  assert.equal(p.status, 200, p.text);
  const r = await C.all.get('/api/v1/rotations?months=12');
  const exp = expectedRotations(st.db, '2026-03-02', 12, (_u, top) => (top ? 10 : 7));
  assert.deepEqual(r.json.items.map((x) => [x.tenure_id, x.due_date, x.overdue]), exp.map((x) => [x.id, x.due, x.overdue]));
  const tt = r.json.items.find((x) => x.tenure_id === 'TT');
  assert.ok(tt, 'TT is due within 12 months under the profile');
  assert.equal(tt.due_date, '2027-01-01');
  assert.equal(tt.overdue, false);
  assert.equal(tt.years, 7);
  assert.match(tt.profile, /dash-county/);
  // Back to 5 years: TT is overdue again.
  assert.equal((await C.disc.put('/api/v1/profiles/dash-county', { region: '110101', level: 'county', reason: 'dash test', params: { r01_sensitive_years: 5 } })).status, 200);
  const back = await C.all.get('/api/v1/rotations?months=12');
  assert.equal(back.json.items.find((x) => x.tenure_id === 'TT').overdue, true);
});

test('rotations: scope-filtered like the tenures list', async () => {
  const d = await C.disc.get('/api/v1/rotations?months=120&limit=500');
  const o = await C.other.get('/api/v1/rotations?months=120&limit=500');
  const ids = (x) => x.json.items.map((i) => i.tenure_id).sort();
  // Each sees exactly the tenures their own tenures list shows, filtered to R01's.
  const tenures = async (c) => (await c.get('/api/v1/tenures?limit=500')).json.items.map((t) => t.id);
  const all = ids(await C.all.get('/api/v1/rotations?months=120&limit=500'));
  const dt = new Set(await tenures(C.disc)), ot = new Set(await tenures(C.other));
  assert.deepEqual(ids(d), all.filter((i) => dt.has(i)));
  assert.deepEqual(ids(o), all.filter((i) => ot.has(i)));
  assert.ok(ids(d).includes('TS') && !ids(d).includes('TO'));
  assert.deepEqual(ids(o), ['TO']);
  // unit_id narrows.
  const ua = await C.disc.get('/api/v1/rotations?months=120&unit_id=UA');
  assert.ok(ua.json.items.length && ua.json.items.every((x) => x.unit_id === 'UA'));
  assert.equal((await C.other.get('/api/v1/rotations?months=120&unit_id=UA')).json.items.length, 0);
});

test('rotations and stats: permission and bad parameters', async () => {
  for (const p of ['/api/v1/rotations', '/api/v1/findings/stats']) {
    assert.equal((await C.pet.get(p)).status, 403, `${p} petition`);
    assert.equal((await C.aud.get(p)).status, 403, `${p} auditor`);
    assert.equal((await C.lead.get(p)).status, 200, `${p} leader`);
    assert.equal((await new Client(srv.base).get(p)).status, 401);
    const bad = await C.disc.get(p + '?as_of=2026-02-30');
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error.field, 'as_of');
    const unk = await C.disc.get(p + '?bogus=1');
    assert.equal(unk.status, 400);
    assert.equal(unk.json.error.field, 'bogus');
  }
  for (const m of ['-1', '121', 'x', '']) {
    const r = await C.disc.get(`/api/v1/rotations?months=${m}`);
    assert.equal(r.status, 400, `months=${m}`);
    assert.equal(r.json.error.field, 'months');
  }
});

function countsOf(items) {
  const byRule = {}, byStatus = {};
  for (const f of items) {
    byRule[f.rule] = (byRule[f.rule] || 0) + 1;
    byStatus[f.status] = (byStatus[f.status] || 0) + 1;
  }
  return { byRule, byStatus };
}
function statsCounts(s) {
  const byRule = {};
  for (const r of s.by_rule) if (r.total) byRule[r.rule] = r.total;
  return { byRule, byStatus: s.by_status };
}

test('findings/stats: equal SQL over the whole store (user with every tree)', async () => {
  // One finding acknowledged, so that statuses differ.
  const list = await C.disc.get('/api/v1/findings?limit=1');
  const fid = list.json.items[0].id;
  assert.equal((await C.disc.post(`/api/v1/findings/${fid}/status`, { status: 'acknowledged', reason: '已提醒' })).status, 200);

  const s = await C.all.get('/api/v1/findings/stats');
  assert.equal(s.status, 200, s.text);
  const rows = sqlOn(st.db, 'SELECT rule, status, severity, substr(first_seen,1,7) AS month, count(*) AS n FROM findings GROUP BY 1,2,3,4');
  assert.ok(rows.length, 'the fixture has findings');
  const total = rows.reduce((a, r) => a + r.n, 0);
  assert.equal(s.json.total, total);
  assert.equal(s.json.by_rule.length, 23); // the catalogue R01–R23 (docs/RULES.md)
  for (const r of s.json.by_rule) {
    const mine = rows.filter((x) => x.rule === r.rule);
    assert.equal(r.total, mine.reduce((a, x) => a + x.n, 0), r.rule);
    for (const st2 of new Set(mine.map((x) => x.status)))
      assert.equal(r.by_status[st2], mine.filter((x) => x.status === st2).reduce((a, x) => a + x.n, 0), `${r.rule} ${st2}`);
    assert.ok(r.name_zh && r.name_en);
  }
  assert.equal(s.json.by_status.acknowledged, rows.filter((x) => x.status === 'acknowledged').reduce((a, x) => a + x.n, 0));
  assert.ok(s.json.by_status.acknowledged >= 1);
  for (const sev of ['low', 'medium', 'high'])
    assert.equal(s.json.by_severity[sev] || 0, rows.filter((x) => x.severity === sev).reduce((a, x) => a + x.n, 0), sev);
  // Trend: the 12 months up to the server's month (2026-03), oldest first.
  assert.deepEqual(s.json.by_month.map((m) => m.month), Array.from({ length: 12 }, (_, i) => addMonths('2025-04-01', i).slice(0, 7)));
  // The months are those of the findings' facts (docs/RULES.md "Trend
  // dates"; tests/api/dash_agg.test.mjs checks them finding by finding):
  // the months before and after the window are counted apart, none lost.
  assert.equal(s.json.earlier + s.json.later + s.json.by_month.reduce((a, m) => a + m.total, 0), total);
  // as_of moves the window; the counts by rule do not depend on it.
  const later = await C.all.get('/api/v1/findings/stats?as_of=2099-12-31');
  assert.equal(later.json.by_month[0].month, '2099-01');
  assert.equal(later.json.by_month.reduce((a, m) => a + m.total, 0), 0);
  assert.equal(later.json.earlier, total);
  assert.equal(later.json.total, total);
});

test('findings/stats: scope-filtered and recused exactly like the findings list', async () => {
  const all = await C.all.get('/api/v1/findings?limit=500');
  for (const name of ['disc', 'other', 'kin', 'lead', 'all']) {
    const s = await C[name].get('/api/v1/findings/stats');
    const l = await C[name].get('/api/v1/findings?limit=500');
    assert.equal(l.json.next_offset, null);
    assert.deepEqual(statsCounts(s.json), countsOf(l.json.items), name);
    assert.equal(s.json.total, l.json.items.length, name);
  }
  const kin = (await C.kin.get('/api/v1/findings/stats')).json;
  const disc = (await C.disc.get('/api/v1/findings/stats')).json;
  const aboutS = all.json.items.filter((f) => f.subject === P.S).length;
  assert.ok(aboutS >= 1, 'the fixture has findings about S');
  assert.ok(kin.total <= disc.total - aboutS, 'kin of S does not count the findings about S');
  const other = (await C.other.get('/api/v1/findings/stats')).json;
  const inUB = all.json.items.filter((f) => f.unit_id === 'UB' || f.subject === P.O).length;
  assert.equal(other.total, inUB);
});
