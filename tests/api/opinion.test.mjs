// opinion.test.mjs — integrity opinions (廉政意见回复) over HTTP (issue #18
// item 4; docs/DECLARE.md "Integrity opinion", docs/API.md "Integrity
// opinions"). On lib.mjs's hand-built fixture (S, top of UA, the subject of
// clue CL1 received 2025-04-01 whose disposition is not concluded; T, a
// deputy of UA with no clue, sanction, declaration conclusion or warning;
// O, top of UB): the slate's proposals and reasons equal the ones computed
// here by SQL from the reason rules of DECLARE.md (S: defer for the open
// clue; T: no objection, no reason); an amendment that differs from the
// proposal without a reason is a 422 naming `reason`; a slate naming a
// person outside the caller's scope is a 404 naming `candidates` and writes
// nothing; a role without opinion rights gets 403; issue appends one
// opinion.issued event, `plumb verify` is clean and `plumb rebuild`
// reproduces the tables; the PDFs embed a CJK font (pdffonts) and
// pdftotext shows the names and the checkpoint root.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { makeStore, startServer, Client, T0, P, plumb, sqlJsonText, sqlAddMonths, withoutRowKey } from './lib.mjs';

let st, srv;
const clients = {};
const sql = (q) => {
  const out = sqlJsonText(st.db, q);
  return out.trim() ? JSON.parse(out) : [];
};
const count = (q) => Object.values(sql(q)[0])[0];
const q = (s) => `'${String(s).replace(/'/g, "''")}'`;
const TODAY = '2026-03-02'; // the server's clock (T0)

// The reasons of DECLARE.md "Integrity opinion" for person p on TODAY, by
// SQL over the store (default parameters: sanction 12 months, organisational
// measure 6, declaration conclusions 12), as [kind, ref, effect].
function expectedReasons(p) {
  const rows = [];
  for (const r of sql(`SELECT id FROM clues c WHERE subject_person_id = ${q(p)} AND received_at <= ${q(TODAY)}
      AND NOT EXISTS (SELECT 1 FROM dispositions d WHERE d.clue_id = c.id AND d.concluded_at IS NOT NULL
                      AND d.concluded_at <> '' AND d.concluded_at <= ${q(TODAY)})`)) rows.push(['clue', r.id, 'defer']);
  for (const r of sql(`SELECT id, measure FROM accountability WHERE person_id = ${q(p)}
      AND ((measure = 'sanction' AND ${sqlAddMonths('decided_at', 12)} > ${q(TODAY)})
        OR (measure = 'org_measure' AND ${sqlAddMonths('decided_at', 6)} > ${q(TODAY)}))
      AND decided_at <= ${q(TODAY)}`)) rows.push([r.measure, r.id, r.measure === 'sanction' ? 'not_promoted' : 'defer']);
  for (const r of sql(`SELECT c.declaration_id AS id, c.conclusion FROM declaration_conclusions c
      JOIN declarations d ON d.id = c.declaration_id WHERE d.person_id = ${q(p)}
      AND c.conclusion IN ('omission', 'concealment') AND ${sqlAddMonths('c.concluded_at', 12)} > ${q(TODAY)}`))
    rows.push([r.conclusion, r.id, r.conclusion === 'concealment' ? 'not_promoted' : 'defer']);
  for (const r of sql(`SELECT x.declaration_id AS id FROM declaration_round_sample x JOIN declarations d ON d.id = x.declaration_id
      WHERE d.person_id = ${q(p)} AND NOT EXISTS (SELECT 1 FROM declaration_conclusions c
        WHERE c.round_id = x.round_id AND c.declaration_id = x.declaration_id)`)) rows.push(['unconcluded', r.id, 'defer']);
  for (const r of sql(`SELECT id FROM risk_warnings WHERE person_id = ${q(p)} AND grade = 'red' AND status = 'open'`))
    rows.push(['red_warning', r.id, 'defer']);
  return rows.map((r) => r.join('|')).sort();
}
const strongest = (rs) => (rs.some((r) => r.endsWith('|not_promoted')) ? 'not_promoted' : rs.length ? 'defer' : 'no_objection');

before(async () => {
  st = makeStore({
    disc: { role: 'discipline_officer', scopes: ['U0'] },
    cadre: { role: 'cadre_officer', scopes: ['U0'] },
    // recused from S: the account of S's spouse
    kin: { role: 'discipline_officer', scopes: ['U0'], person: P.K },
  });
  srv = await startServer(st.db);
  for (const n of ['disc', 'cadre', 'kin']) {
    clients[n] = new Client(srv.base);
    const r = await clients[n].login(n, st.secrets[n], T0);
    assert.equal(r.status, 200, `login ${n}`);
  }
});

after(async () => { if (srv) await srv.stop(); });

let slate;
const byPerson = (items, p) => items.find((o) => o.person_id === p);

test('the proposals and their reasons follow the documented rules', async () => {
  const sWant = expectedReasons(P.S), tWant = expectedReasons(P.T);
  assert.ok(sWant.includes('clue|CL1|defer'), 'the fixture: S is under the open clue CL1');
  assert.deepEqual(tWant, [], 'the fixture: T is clean');
  const r = await clients.disc.post('/api/v1/opinion_slates', { name: '2026年第1批拟提拔人选', unit_id: 'UA', candidates: [P.S, P.T] });
  assert.equal(r.status, 201, r.text);
  slate = r.json;
  assert.equal(slate.total, 2);
  const s = byPerson(slate.items, P.S), t = byPerson(slate.items, P.T);
  assert.deepEqual(s.reasons.map((x) => `${x.kind}|${x.ref}|${x.effect}`).sort(), sWant);
  assert.equal(s.proposal, strongest(sWant));
  assert.equal(s.proposal, 'defer');
  assert.equal(s.opinion, 'defer');
  assert.deepEqual(t.reasons, []);
  assert.equal(t.proposal, 'no_objection');
  assert.equal(t.person_name, '王五');
  assert.equal(t.unit_name, '东城县财政局');
  assert.equal(t.post_title, '副局长');
  assert.equal(s.status, 'draft');
  const en = await clients.disc.get(`/api/v1/opinion_slates/${slate.id}?lang=en`);
  assert.equal(byPerson(en.json.items, P.S).proposal_label, 'defer');
  assert.equal(byPerson(en.json.items, P.S).reasons[0].label, 'an open clue');
  const list = await clients.disc.get('/api/v1/opinion_slates');
  assert.ok(list.json.items.some((x) => x.id === slate.id));
});

test('amend without a reason when it differs from the proposal: 422 naming reason, nothing written', async () => {
  const s = byPerson(slate.items, P.S);
  const n0 = count('SELECT count(*) FROM ledger_events');
  const r = await clients.disc.post(`/api/v1/opinions/${s.id}/amend`, { opinion: 'no_objection' });
  assert.equal(r.status, 422, r.text);
  assert.equal(r.json.error.field, 'reason');
  const b = await clients.disc.post(`/api/v1/opinions/${s.id}/amend`, { opinion: 'perhaps', reason: 'x' });
  assert.equal(b.status, 400, b.text);
  assert.equal(b.json.error.field, 'opinion');
  assert.equal(count('SELECT count(*) FROM ledger_events'), n0);
  assert.equal(count(`SELECT count(*) FROM opinions WHERE id = ${q(s.id)} AND amend_reason IS NULL AND opinion = 'defer'`), 1);
  const ok = await clients.disc.post(`/api/v1/opinions/${s.id}/amend`, { opinion: 'not_promoted', reason: '初核发现问题属实' });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.json.opinion, 'not_promoted');
  assert.equal(ok.json.amend_reason, '初核发现问题属实');
});

test('a person outside the scope, a recused reader, a role without rights: refused, nothing written', async () => {
  const n0 = count('SELECT count(*) FROM ledger_events'), s0 = count('SELECT count(*) FROM opinion_slates');
  const r = await clients.disc.post('/api/v1/opinion_slates', { name: '越权名单', unit_id: 'UA', candidates: [P.T, P.O] });
  assert.equal(r.status, 404, r.text);
  assert.equal(r.json.error.field, 'candidates');
  const u = await clients.disc.post('/api/v1/opinion_slates', { name: '越权名单', unit_id: 'UB', candidates: [P.T] });
  assert.equal(u.status, 404, u.text);
  assert.equal(u.json.error.field, 'unit_id');
  const k = await clients.kin.post('/api/v1/opinion_slates', { name: '回避名单', unit_id: 'UA', candidates: [P.S] });
  assert.equal(k.status, 404, k.text);
  const c = await clients.cadre.post('/api/v1/opinion_slates', { name: '名单', unit_id: 'UA', candidates: [P.T] });
  assert.equal(c.status, 403, c.text);
  assert.equal(count('SELECT count(*) FROM ledger_events'), n0);
  assert.equal(count('SELECT count(*) FROM opinion_slates'), s0);
  // the recused reader sees the slate without S's opinion, and not S's opinion itself
  const kv = await clients.kin.get(`/api/v1/opinion_slates/${slate.id}`);
  assert.equal(kv.status, 200);
  assert.ok(!kv.json.items.some((o) => o.person_id === P.S), 'recused: no opinion about S');
  const ko = await clients.kin.get(`/api/v1/opinions/${byPerson(slate.items, P.S).id}`);
  assert.equal(ko.status, 404);
  const ki = await clients.kin.post(`/api/v1/opinions/${byPerson(slate.items, P.S).id}/issue`, {});
  assert.equal(ki.status, 404);
  assert.equal(count('SELECT count(*) FROM ledger_events'), n0);
});

test('issue is a ledger event; re-issue supersedes; verify is clean', async () => {
  const s = byPerson(slate.items, P.S), t = byPerson(slate.items, P.T);
  const n0 = count("SELECT count(*) FROM ledger_events WHERE type = 'opinion.issued'");
  const r = await clients.disc.post(`/api/v1/opinions/${t.id}/issue`, {});
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'issued');
  assert.equal(r.json.version, 1);
  assert.equal(r.json.issued_at, TODAY);
  const again = await clients.disc.post(`/api/v1/opinions/${t.id}/issue`, {});
  assert.equal(again.status, 422);
  assert.equal(again.json.error.field, 'status');
  assert.equal((await clients.disc.post(`/api/v1/opinions/${s.id}/issue`, {})).status, 200);
  assert.equal((await clients.disc.post(`/api/v1/opinions/${s.id}/amend`, { opinion: 'defer', reason: '待线索办结' })).status, 200);
  assert.equal((await clients.disc.post(`/api/v1/opinions/${s.id}/issue`, {})).status, 200);
  assert.equal(count("SELECT count(*) FROM ledger_events WHERE type = 'opinion.issued'"), n0 + 3);
  const one = await clients.disc.get(`/api/v1/opinions/${s.id}`);
  assert.deepEqual(one.json.issues.map((h) => [h.version, h.opinion, h.superseded_by]),
    [[1, 'not_promoted', `${s.id}.2`], [2, 'defer', null]]);
  const ev = sql("SELECT payload FROM ledger_events WHERE type = 'opinion.issued' ORDER BY seq DESC LIMIT 1");
  if (ev.length && ev[0].payload) assert.equal(JSON.parse(ev[0].payload).opinion, 'defer');
  plumb(['verify', '--db', st.db]);
});

async function pdfText(client, p) {
  const res = await fetch(srv.base + p, { headers: { Cookie: client.cookie } });
  assert.equal(res.status, 200, `GET ${p}`);
  assert.match(res.headers.get('content-type'), /^application\/pdf/);
  const f = path.join(st.dir, `o-${Math.random().toString(36).slice(2)}.pdf`);
  fs.writeFileSync(f, Buffer.from(await res.arrayBuffer()));
  return { file: f, text: execFileSync('pdftotext', ['-enc', 'UTF-8', f, '-'], { encoding: 'utf8' }) };
}

test('the PDFs: a CJK font embedded, the names and the checkpoint root', async () => {
  const note = plumb(['checkpoint', '--db', st.db]).split('\n');
  const root = note[2];
  assert.ok(root && root.length > 20, `checkpoint note: ${note.join('|')}`);
  const sl = await pdfText(clients.disc, `/api/v1/opinion_slates/${slate.id}/opinions.pdf`);
  const flat = sl.text.replace(/\s+/g, '');
  for (const w of ['张三', '王五', '东城县财政局', '暂缓', '无异议', root]) assert.ok(flat.includes(w), `slate PDF lacks ${w}`);
  const fonts = execFileSync('pdffonts', [sl.file], { encoding: 'utf8' });
  assert.match(fonts, /CJK.*\byes\b/, fonts);
  const one = await pdfText(clients.disc, `/api/v1/opinions/${byPerson(slate.items, P.S).id}.pdf?lang=en`);
  const f1 = one.text.replace(/\s+/g, '');
  assert.ok(f1.includes('张三') && f1.includes(root), 'opinion PDF: the name and the root');
  // the recused reader's slate PDF has no opinion about S
  const kin = await pdfText(clients.kin, `/api/v1/opinion_slates/${slate.id}/opinions.pdf`);
  assert.ok(!kin.text.replace(/\s+/g, '').includes('张三'), 'recused: S not in the PDF');
});

test('rebuild reproduces the opinion tables', async () => {
  await srv.stop();
  srv = null;
  const dump = () => JSON.stringify([sql('SELECT * FROM opinion_slates ORDER BY id'), sql('SELECT * FROM opinions ORDER BY id'),
    sql('SELECT * FROM opinion_issues ORDER BY id')].map(withoutRowKey));
  const before = dump();
  plumb(['rebuild', '--db', st.db]);
  assert.equal(dump(), before);
  assert.ok(sql('SELECT * FROM opinion_issues').length >= 3);
  plumb(['verify', '--db', st.db]);
});
