// reports.test.mjs — the printed reports over HTTP (issue #18 item 6;
// docs/API.md "Reports"): GET /api/v1/reports/findings.pdf|.xlsx and
// /api/v1/declaration_rounds/{id}/report.pdf|.xlsx on a generated county.
// The XLSX is read back by an independent reader (tests/tools/
// xlsx_sheets.py); the expected counts come from SQL over the store written
// from the definition in docs/API.md "Reports" (a finding counts in the
// period of the date of its facts — the dashboard's, the table of
// docs/RULES.md "Trend dates", written out below by hand; under its unit,
// in the reader's scope) — not from the code under test. The report's
// count per month equals GET /api/v1/dashboard's by_month for the same
// reader and months (one definition of the date). A reader scoped to
// one part of the county gets only that part's units; a unit outside the
// scope, a bad date, from > to answer 4xx naming the field; nothing is
// written. The round report's population and draw equal the round's tables.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { plumb, tempDir, addUser, startServer, Client, T0, sqlJsonText, genStore, sqlEndsInYear, sqlRight } from './lib.mjs';

const SRC = process.env.PLUMB_SRC || path.resolve('..');
let dir, db, srv, root, part, other, from, to, roundId;
const secrets = {};
const clients = {};

function sql(q) {
  const out = sqlJsonText(db, q);
  return out.trim() ? JSON.parse(out) : [];
}
const q = (s) => `'${String(s).replace(/'/g, "''")}'`;

// The definition: the fact date of each finding, docs/RULES.md "Trend
// dates", row by row: the LATEST date among the finding's evidence records
// of the kinds listed for its rule; R16/R19 also 1 January of the year in
// the key ("…|YYYY"); else first_seen. (The report used to date by the
// EARLIEST of another list of tables, yearly findings on 31 December and
// R01 etc. by first_seen; the period's year below is chosen from this
// table's dates, so which year it is may differ from before.)
// Read once; filtered in JS.
const TREND = [
  ['tenures', 'start_date', ['R01', 'R02', 'R03', 'R11', 'R18']],
  ['payments', 'paid_at', ['R04', 'R07']],
  ['contracts', 'signed_at', ['R04', 'R08']],
  ['decisions', 'decided_at', ['R05', 'R06', 'R10']],
  ['declarations', "year || '-01-01'", ['R09', 'R16', 'R20']],
  ['evaluations', "year || '-01-01'", ['R14']],
  ['clues', 'received_at', ['R11', 'R12', 'R13']],
  ['dispositions', 'concluded_at', ['R17']],
  ['inspect_tasks', 'deadline', ['R21']],
  ['inspect_tasks', 'opened_at', ['R22', 'R23']],
];
let FINDINGS = [];
let PARENT = {};
function readFindings() {
  const arms = TREND.map(([t, c, rules]) => `SELECT fe.finding_id AS fid, x.${c} AS d FROM finding_evidence fe
    JOIN ${t} x ON x.id = substr(fe.ref, ${t.length + 2}) JOIN findings g ON g.id = fe.finding_id
    WHERE fe.ref LIKE '${t}:%' AND g.rule IN (${rules.map(q).join(',')})`);
  arms.push(`SELECT g.id AS fid, ${sqlRight('g.key', 4)} || '-01-01' AS d FROM findings g
    WHERE g.rule IN ('R16', 'R19') AND ${sqlEndsInYear('g.key')}`);
  FINDINGS = sql(`WITH fd AS (${arms.join(' UNION ALL ')})
    SELECT f.id, f.rule, f.severity, f.unit_id,
      CASE WHEN f.subject_kind = 'person' THEN f.subject END AS person,
      substr(COALESCE((SELECT max(d) FROM fd WHERE fd.fid = f.id AND d IS NOT NULL AND d <> ''),
                      f.first_seen), 1, 10) AS day
    FROM findings f`);
  PARENT = Object.fromEntries(sql('SELECT id, parent_id FROM units').map((u) => [u.id, u.parent_id]));
  POSTS = sql('SELECT t.person_id AS person, p.unit_id AS unit FROM tenures t JOIN posts p ON p.id = t.post_id');
  KIN = sql('SELECT person_id AS holder, relative_id AS relative FROM kin');
}
// docs/SECURITY.md "Placing a record in the unit tree", by hand from the
// base tables (not person_units): a person is in the subtree of `top` if
// they hold or held a post (any tenure) in a unit of it, or are the
// relative in a kin row whose person holds or held one.
let POSTS = [], KIN = [];
function personsIn(top) {
  const held = new Set(POSTS.filter((t) => under(t.unit, top)).map((t) => t.person));
  const out = new Set(held);
  for (const k of KIN) if (held.has(k.holder)) out.add(k.relative);
  return out;
}
function under(u, top) {
  for (let x = u, n = 0; x && n < 100; x = PARENT[x], n++) if (x === top) return true;
  return false;
}
function expected(unit, a, b) {
  const m = new Map();
  for (const f of FINDINGS) {
    if (!f.unit_id || !under(f.unit_id, unit) || f.day < a || f.day > b) continue;
    const k = `${f.rule}|${f.severity}`;
    m.set(k, (m.get(k) || 0) + 1);
  }
  return [...m].map(([k, n]) => ({ rule: k.split('|')[0], severity: k.split('|')[1], n }));
}

async function download(client, p) {
  const res = await fetch(srv.base + p, { headers: { Cookie: client.cookie } });
  const buf = Buffer.from(await res.arrayBuffer());
  return { status: res.status, type: res.headers.get('content-type') || '', buf, text: buf.toString('utf8') };
}
function sheets(buf) {
  const f = path.join(dir, `r-${Math.random().toString(36).slice(2)}.xlsx`);
  fs.writeFileSync(f, buf);
  return JSON.parse(execFileSync('python3', [path.join(SRC, 'tests/tools/xlsx_sheets.py'), f], { encoding: 'utf8' }));
}
const events = () => sql('SELECT count(*) AS n FROM ledger_events')[0].n;

before(async () => {
  dir = tempDir('plumb-reports-');
  db = genStore(dir, { seed: 7, name: 'p' });
  root = sql(`SELECT id FROM units WHERE parent_id IS NULL OR parent_id = '' ORDER BY id`).map((r) => r.id);
  assert.equal(root.length, 1, 'one county root');
  root = root[0];
  // The year with the most findings by the date of their facts.
  readFindings();
  const per = {};
  for (const f of FINDINGS) per[f.day.slice(0, 4)] = (per[f.day.slice(0, 4)] || 0) + 1;
  const year = Object.keys(per).sort((a, b) => per[b] - per[a] || a.localeCompare(b))[0];
  from = `${year}-01-01`;
  to = `${year}-12-31`;
  // Two parts of the county: the child of the root whose subtree has the
  // most findings in the period, and another child.
  const kids = sql(`SELECT id FROM units WHERE parent_id = ${q(root)} ORDER BY id`).map((r) => r.id);
  let best = -1;
  for (const k of kids) {
    const n = expected(k, from, to).reduce((s, r) => s + r.n, 0);
    if (n > best) { best = n; part = k; }
  }
  assert.ok(best > 0, 'a part of the county has findings in the period');
  other = kids.find((k) => k !== part);
  // A drawn check round over the whole county.
  const dyear = sql('SELECT max(year) AS y FROM declarations')[0].y;
  roundId = plumb(['declare', 'round', '--db', db, '--year', String(dyear), '--unit', root]).trim();
  plumb(['declare', 'draw', roundId, '--db', db]);
  const users = {
    disc: { role: 'discipline_officer', scopes: [root] },
    cadre: { role: 'cadre_officer', scopes: [root] },
    part: { role: 'discipline_officer', scopes: [part] },
    other: { role: 'cadre_officer', scopes: [other] },
    insp: { role: 'inspection_officer', scopes: [root] },
  };
  for (const [n, u] of Object.entries(users)) secrets[n] = addUser(db, n, u);
  srv = await startServer(db);
  for (const n of Object.keys(users)) {
    clients[n] = new Client(srv.base);
    const r = await clients[n].login(n, secrets[n], T0);
    assert.equal(r.status, 200, `login ${n}`);
  }
});

after(async () => { if (srv) await srv.stop(); });

function countsOf(w) {
  const byRule = {};
  for (const r of w['按规则'].slice(1)) byRule[r[0]] = { n: r[2], high: r[5], medium: r[6], low: r[7] };
  const bySev = Object.fromEntries(w['按严重程度'].slice(1).map((r) => [r[0], r[1]]));
  return { byRule, bySev };
}
function want(rows) {
  const byRule = {};
  const bySev = { 高: 0, 中: 0, 低: 0 };
  const zh = { high: '高', medium: '中', low: '低' };
  for (const r of rows) {
    byRule[r.rule] ??= { n: 0, high: 0, medium: 0, low: 0 };
    byRule[r.rule].n += r.n;
    byRule[r.rule][r.severity] += r.n;
    bySev[zh[r.severity]] += r.n;
  }
  return { byRule, bySev };
}

test('the XLSX counts by rule and severity equal the definition, for the whole county', async () => {
  const n0 = events();
  const r = await download(clients.disc, `/api/v1/reports/findings.xlsx?from=${from}&to=${to}`);
  assert.equal(r.status, 200, r.text.slice(0, 300));
  assert.match(r.type, /spreadsheetml/);
  const w = sheets(r.buf);
  assert.deepEqual(countsOf(w), want(expected(root, from, to)));
  for (const s of ['概况', '按单位', '按规则', '按严重程度', '按月趋势', '重点单位', '重点干部', '预警与任务']) {
    assert.equal(w._frozen[s], 'A2', `${s} frozen`);
    assert.ok(w._bold_header[s], `${s} bold header`);
  }
  // Every month of the trend is in the period.
  for (const m of w['按月趋势'].slice(1)) assert.ok(m[0] >= from.slice(0, 7) && m[0] <= to.slice(0, 7), m[0]);
  assert.equal(events(), n0, 'a report writes nothing');
});

test('the report counts per month by the dashboard\'s fact date: as the trend for the county, its own units for a part', async () => {
  // One fact date (docs/RULES.md "Trend dates"): the XLSX's 按月趋势 for
  // the period (a calendar year) equals GET /api/v1/dashboard's by_month
  // as of its December (the 12 months of the year) for the whole county;
  // for a reader of one part each follows its own definition below (the
  // dashboard also counts findings readable through their person).
  for (const who of ['disc', 'part']) {
    const r = await download(clients[who], `/api/v1/reports/findings.xlsx?from=${from}&to=${to}`);
    assert.equal(r.status, 200, r.text.slice(0, 300));
    const rep = Object.fromEntries(sheets(r.buf)['按月趋势'].slice(1).map((m) => [m[0], m[1]]));
    const d = await clients[who].get(`/api/v1/dashboard?as_of=${to.slice(0, 8)}01`);
    assert.equal(d.status, 200, d.text);
    const dash = Object.fromEntries(d.json.findings.by_month.map((m) => [m.month, m.total]));
    assert.equal(Object.keys(dash).length, 12);
    assert.ok(Object.values(dash).some((n) => n > 0), `${who}: the dashboard has findings in ${from.slice(0, 4)}`);
    // And both are the definitions' (by hand): the report counts a
    // finding under its unit, so only findings whose unit is in the
    // reader's scope (docs/API.md "Reports"); the dashboard counts every
    // finding the reader may read — its unit in the scope, or its subject
    // a person in scope (docs/SECURITY.md) — so for a reader of one part
    // it also counts the findings readable through their person alone.
    const top = who === 'disc' ? root : part;
    const inScope = personsIn(top);
    const perRep = {}, perDash = {};
    let byPersonOnly = 0;
    for (const f of FINDINGS) {
      if (f.day < from || f.day > to) continue;
      const m = f.day.slice(0, 7);
      const byUnit = f.unit_id && under(f.unit_id, top);
      if (byUnit) perRep[m] = (perRep[m] || 0) + 1;
      if (byUnit || (f.person && inScope.has(f.person))) perDash[m] = (perDash[m] || 0) + 1;
      if (!byUnit && f.person && inScope.has(f.person)) byPersonOnly++;
    }
    for (const m of new Set([...Object.keys(rep), ...Object.keys(perRep)])) assert.equal(rep[m] ?? 0, perRep[m] ?? 0, `${who} ${m}: report by the definition`);
    for (const m of new Set([...Object.keys(dash), ...Object.keys(perDash)])) assert.equal(dash[m] ?? 0, perDash[m] ?? 0, `${who} ${m}: dashboard by the definition`);
    // The whole county: every finding's unit is in it, so the two agree
    // month for month.
    // The part's reader meets the difference at least once (GENERATOR.md:
    // findings readable through their person only), so the two
    // definitions above are told apart, not trivially equal.
    if (who !== 'disc') assert.ok(byPersonOnly > 0, `${who}: a finding readable through its person alone`);
    if (who === 'disc') {
      assert.equal(byPersonOnly, 0);
      for (const m of new Set([...Object.keys(rep), ...Object.keys(dash)])) {
        assert.equal(rep[m] ?? 0, dash[m] ?? 0, `${who} ${m}: report ${rep[m] ?? 0}, dashboard ${dash[m] ?? 0}`);
      }
    }
  }
});

test('a reader of one part of the county gets only that part', async () => {
  const r = await download(clients.part, `/api/v1/reports/findings.xlsx?from=${from}&to=${to}`);
  assert.equal(r.status, 200, r.text.slice(0, 300));
  const w = sheets(r.buf);
  assert.deepEqual(countsOf(w), want(expected(part, from, to)));
  // No row names a unit outside the part (names unique in the store only).
  const names = sql('SELECT id, name FROM units');
  const inside = new Set(names.filter((u) => under(u.id, part)).map((u) => u.name));
  const outside = names.filter((u) => !under(u.id, part) && !inside.has(u.name)).map((u) => u.name);
  for (const row of [...w['按单位'].slice(1), ...w['重点单位'].slice(1)]) {
    const name = w['按单位'].includes(row) ? row[0] : row[1];
    assert.ok(inside.has(name), `unit ${name} is in the reader's part`);
    assert.ok(!outside.includes(name), `no row of another part: ${name}`);
  }
  // The same with ?unit_id= the part, asked by the whole county's reader.
  const r2 = await download(clients.disc, `/api/v1/reports/findings.xlsx?from=${from}&to=${to}&unit_id=${part}`);
  assert.equal(r2.status, 200);
  assert.deepEqual(countsOf(sheets(r2.buf)), want(expected(part, from, to)));
});

test('the PDF: a CJK font, the rule names, the checkpoint root', async () => {
  const note = plumb(['checkpoint', '--db', db]);
  const root64 = note.split('\n')[2];
  // A wide period: the generator plants R04, R05 and R07 (truth.json).
  const [a, b] = ['2000-01-01', '2030-12-31'];
  const r = await download(clients.disc, `/api/v1/reports/findings.pdf?from=${a}&to=${b}`);
  assert.equal(r.status, 200);
  assert.match(r.type, /^application\/pdf/);
  const f = path.join(dir, 'f.pdf');
  fs.writeFileSync(f, r.buf);
  const flat = execFileSync('pdftotext', ['-enc', 'UTF-8', f, '-'], { encoding: 'utf8' }).replace(/\s+/g, '');
  assert.ok(flat.includes(root64), 'the checkpoint root');
  // The catalogue's names (DESIGN.md §6, in the words of src/rules' table).
  const names = { R04: '亲属经商', R05: '未集体决策', R07: '大额资金无集体决策' };
  for (const [id, name] of Object.entries(names)) {
    assert.ok(expected(root, a, b).some((x) => x.rule === id), `${id} has findings`);
    assert.ok(flat.includes(id) && flat.includes(name), `rule ${id} ${name} in the PDF`);
  }
  const fonts = execFileSync('pdffonts', [f], { encoding: 'utf8' });
  assert.match(fonts, /CJK.*yes\s+yes\s+yes/);
  const en = await download(clients.disc, `/api/v1/reports/findings.pdf?from=${from}&to=${to}&lang=en`);
  assert.equal(en.status, 200);
});

test('bad input: 4xx with a JSON body naming the field, nothing written', async () => {
  const n0 = events();
  const cases = [
    [`from=${to}&to=${from}`, 400, 'from'],
    ['from=2024-02-30&to=2024-12-31', 400, 'from'],
    ['from=2024-01-01&to=yesterday', 400, 'to'],
    ['from=2024-01-01', 400, 'to'],
    [`from=${from}&to=${to}&unit_id=NO-SUCH-UNIT`, 404, 'unit_id'],
    [`from=${from}&to=${to}&lang=fr`, 400, 'lang'],
    [`from=${from}&to=${to}&colour=red`, 400, 'colour'],
  ];
  for (const [qs, status, field] of cases) {
    for (const ext of ['pdf', 'xlsx']) {
      const r = await clients.disc.get(`/api/v1/reports/findings.${ext}?${qs}`);
      assert.equal(r.status, status, `${qs}: ${r.text}`);
      assert.equal(r.json.error.field, field, `${qs} names ${field}: ${r.text}`);
    }
  }
  // A unit outside the reader's scope is as unknown.
  const r = await clients.part.get(`/api/v1/reports/findings.xlsx?from=${from}&to=${to}&unit_id=${other}`);
  assert.equal(r.status, 404, r.text);
  assert.equal(r.json.error.field, 'unit_id');
  assert.equal(events(), n0, 'nothing written');
});

test('the round report: population and draw as the round recorded them, scoped to the round', async () => {
  const r = await download(clients.cadre, `/api/v1/declaration_rounds/${roundId}/report.xlsx`);
  assert.equal(r.status, 200, r.text.slice(0, 300));
  const w = sheets(r.buf);
  const s = Object.fromEntries(w['概况'].slice(1));
  const rd = sql(`SELECT eligible_count AS n FROM declaration_rounds WHERE id = ${q(roundId)}`)[0].n;
  const drawn = sql(`SELECT basis, count(*) AS n FROM declaration_round_sample WHERE round_id = ${q(roundId)} GROUP BY 1`);
  const nb = (b) => drawn.filter((x) => (b ? x.basis === b : x.basis !== 'random')).reduce((a, x) => a + x.n, 0);
  assert.equal(s['应报告总体（份）'], rd);
  assert.equal(s['其中随机抽查'], nb('random'));
  assert.equal(s['其中重点抽查'], nb(null));
  assert.equal(s['抽取（份）'], nb('random') + nb(null));
  assert.equal(s['待作结论'], nb('random') + nb(null), 'no conclusion yet');
  const pdf = await download(clients.cadre, `/api/v1/declaration_rounds/${roundId}/report.pdf`);
  assert.equal(pdf.status, 200);
  assert.match(pdf.type, /^application\/pdf/);
  // Outside the round's scope, unknown, or without the right: no report.
  const far = await clients.other.get(`/api/v1/declaration_rounds/${roundId}/report.pdf`);
  assert.equal(far.status, 404, far.text);
  assert.equal(far.json.error.field, 'id');
  const none = await clients.cadre.get('/api/v1/declaration_rounds/DR-999/report.xlsx');
  assert.equal(none.status, 404);
  assert.equal(none.json.error.field, 'id');
  const insp = await clients.insp.get(`/api/v1/declaration_rounds/${roundId}/report.xlsx`);
  assert.equal(insp.status, 403);
});
