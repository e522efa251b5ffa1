// file.test.mjs — the integrity file (廉政档案) as one resource and as a
// PDF (issue #18 item 3; docs/DECLARE.md "Integrity file"). On a generated
// county, for a leader with findings about the unit they lead, a clue,
// declarations and a warning: every finding (the person's, and the unit's
// with a fact dated within the leader's top-post tenure), clue, declaration
// and warning appears in the JSON and in the PDF's text (pdftotext); a
// reader without clue rights sees no clue in either; the PDF embeds a CJK
// font (pdffonts) and carries the current checkpoint (the root that `plumb
// checkpoint` printed) in its footer, or says there is none; an
// out-of-scope person and an unknown id answer 404 with a JSON body.
// The expected sets come from SQL over the store (plumb sql), written from
// the definition in docs/DECLARE.md, not from the code under test.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { plumb, tempDir, addUser, startServer, Client, T0, sqlJsonText, genStore, sqlInstr } from './lib.mjs';

let dir, db, srv, leader, outUnit;
const secrets = {};
const clients = {};

function sql(q) {
  const out = sqlJsonText(db, q);
  return out.trim() ? JSON.parse(out) : [];
}
const ids = (rows) => rows.map((r) => r.id).sort();
const q = (s) => `'${String(s).replace(/'/g, "''")}'`;

// The definition (docs/DECLARE.md "Integrity file"): findings about the
// person, and findings about a unit the person led (a top post), kept when
// one of its fact dates — the dates of the records its evidence cites, or
// its first_seen when none is dated — falls within that tenure
// (start_date <= d, and no end_date or d < end_date).
function expectedFindings(p) {
  return ids(sql(`
    WITH fd(fid, d) AS (
      SELECT fe.finding_id, COALESCE(
        (SELECT decided_at FROM decisions WHERE fe.ref = 'decisions:' || id),
        (SELECT paid_at FROM payments WHERE fe.ref = 'payments:' || id),
        (SELECT signed_at FROM contracts WHERE fe.ref = 'contracts:' || id),
        (SELECT held_at FROM meetings WHERE fe.ref = 'meetings:' || id),
        (SELECT received_at FROM clues WHERE fe.ref = 'clues:' || id),
        (SELECT decided_at FROM dispositions WHERE fe.ref = 'dispositions:' || id),
        (SELECT held_at FROM supervision_activities WHERE fe.ref = 'supervision_activities:' || id))
      FROM finding_evidence fe JOIN findings f ON f.id = fe.finding_id AND f.subject_kind = 'unit'),
    dates(fid, d) AS (
      SELECT fid, d FROM fd WHERE d IS NOT NULL
      UNION SELECT f.id, f.first_seen FROM findings f
        WHERE f.subject_kind = 'unit' AND NOT EXISTS (SELECT 1 FROM fd WHERE fd.fid = f.id AND fd.d IS NOT NULL))
    SELECT f.id FROM findings f WHERE f.subject_kind = 'person' AND f.subject = ${q(p)}
    UNION
    SELECT f.id FROM findings f JOIN dates ON dates.fid = f.id
      JOIN posts po ON po.unit_id = f.subject AND po.is_top = 1
      JOIN tenures te ON te.post_id = po.id AND te.person_id = ${q(p)}
      WHERE f.subject_kind = 'unit' AND te.start_date <= substr(dates.d, 1, 10)
        AND (te.end_date IS NULL OR te.end_date = '' OR substr(dates.d, 1, 10) < te.end_date)`));
}

before(async () => {
  dir = tempDir('plumb-file-');
  db = genStore(dir, { seed: 7, name: 'p' });
  // A leader with a warning, a clue, a declaration and a finding about the
  // unit they lead (the case of issue #18: risk from R05 findings, 0 shown).
  const rows = sql(`SELECT w.person_id AS p FROM risk_warnings w
    WHERE EXISTS (SELECT 1 FROM clues c WHERE c.subject_person_id = w.person_id)
      AND EXISTS (SELECT 1 FROM declarations d WHERE d.person_id = w.person_id)
      AND EXISTS (SELECT 1 FROM findings f JOIN posts po ON po.unit_id = f.subject AND po.is_top = 1
                  JOIN tenures te ON te.post_id = po.id AND te.person_id = w.person_id
                  WHERE f.subject_kind = 'unit')
    ORDER BY w.person_id LIMIT 1`);
  assert.equal(rows.length, 1, 'the generated county has such a leader');
  leader = rows[0].p;
  const root = sql(`SELECT id FROM units WHERE parent_id IS NULL OR parent_id = '' ORDER BY id LIMIT 1`)[0].id;
  // A leaf unit where neither the leader nor any kin of theirs is placed.
  outUnit = sql(`SELECT u.id FROM units u WHERE NOT EXISTS (SELECT 1 FROM units c WHERE c.parent_id = u.id)
    AND u.id NOT IN (SELECT unit_id FROM person_units WHERE person_id = ${q(leader)}) ORDER BY u.id LIMIT 1`)[0].id;
  const users = {
    disc: { role: 'discipline_officer', scopes: [root] },
    cadre: { role: 'cadre_officer', scopes: [root] },
    far: { role: 'discipline_officer', scopes: [outUnit] },
    // Recused from the leader: the account of one of their relatives.
    kin: { role: 'discipline_officer', scopes: [root],
      person: sql(`SELECT relative_id AS p FROM kin WHERE person_id = ${q(leader)} ORDER BY id LIMIT 1`)[0].p },
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

async function pdfText(client, p) {
  // As lib.mjs's Client: after a blocking call (plumb checkpoint, seconds at
  // load) the server may have closed the kept-alive socket for idleness and
  // undici not yet seen it; such a request never reached the server (it
  // closes idle connections only), so it is sent once more.
  await new Promise((resolve) => setImmediate(resolve));
  const get = () => fetch(srv.base + p, { headers: { Cookie: client.cookie } });
  let res;
  try {
    res = await get();
  } catch (e) {
    if (!/UND_ERR_SOCKET|ECONNRESET|EPIPE/.test(String(e.cause?.code))) throw e;
    res = await get();
  }
  assert.equal(res.status, 200, `GET ${p}`);
  assert.match(res.headers.get('content-type'), /^application\/pdf/);
  const buf = Buffer.from(await res.arrayBuffer());
  const f = path.join(dir, `f-${Math.random().toString(36).slice(2)}.pdf`);
  fs.writeFileSync(f, buf);
  return { file: f, text: execFileSync('pdftotext', ['-enc', 'UTF-8', f, '-'], { encoding: 'utf8' }) };
}

test('before any checkpoint the footer says there is none', async () => {
  const { text } = await pdfText(clients.disc, `/api/v1/persons/${leader}/file.pdf`);
  assert.match(text, /尚未签署检查点/);
  const j = await clients.disc.get(`/api/v1/persons/${leader}/file`);
  assert.equal(j.json.checkpoint, null);
});

test('every finding (unit findings within the tenure too), clue, declaration and warning is in the file', async () => {
  const r = await clients.disc.get(`/api/v1/persons/${leader}/file`);
  assert.equal(r.status, 200, r.text);
  const f = r.json;
  const want = {
    findings: expectedFindings(leader),
    clues: ids(sql(`SELECT id FROM clues WHERE subject_person_id = ${q(leader)}`)),
    declarations: ids(sql(`SELECT id FROM declarations WHERE person_id = ${q(leader)}`)),
    warnings: ids(sql(`SELECT id FROM risk_warnings WHERE person_id = ${q(leader)}`)),
    tasks: ids(sql(`SELECT id FROM rule_tasks WHERE person_id = ${q(leader)}`)),
  };
  assert.ok(want.findings.some((id) => sql(`SELECT subject_kind FROM findings WHERE id = ${q(id)}`)[0].subject_kind === 'unit'),
    'the expected set holds a unit finding');
  for (const [k, v] of Object.entries(want)) {
    assert.deepEqual((f[k] || []).map((x) => x.id).sort(), v, `section ${k}`);
  }
  // The findings the leader's warning was computed from are all there.
  for (const w of sql(`SELECT breakdown FROM risk_warnings WHERE person_id = ${q(leader)}`)) {
    for (const b of JSON.parse(w.breakdown)) assert.ok(want.findings.includes(b.finding), `warning cites ${b.finding}`);
  }
  assert.equal(f.person.id, leader);
  assert.equal(f.person.name, sql(`SELECT name FROM persons WHERE id = ${q(leader)}`)[0].name);
  // Names and labels, not bare codes; the timeline sorted by date.
  for (const t of f.tenures) assert.ok(t.unit_name && !/^U\d/.test(t.unit_name), 'unit names');
  const dates = f.timeline.map((x) => x.date);
  assert.deepEqual([...dates].sort(), dates, 'timeline sorted');
  assert.ok(f.timeline.some((x) => x.section === 'clues'));
  // The reads of the declarations and the clue are in the access log.
  const logged = sql(`SELECT entity, record_ids AS ids FROM access_log WHERE username = 'disc'`);
  assert.ok(logged.some((l) => l.entity === 'clue' && l.ids.includes(want.clues[0])), 'clue read logged');
  assert.ok(logged.some((l) => l.entity === 'declaration' && l.ids.includes(want.declarations[0])), 'declaration read logged');
});

test('the PDF: same items, a CJK font embedded, the current checkpoint in the footer', async () => {
  const note = plumb(['checkpoint', '--db', db]);
  const [, size, root] = note.split('\n');
  assert.match(root, /^[A-Za-z0-9+/]{43}=$/);
  const { file, text } = await pdfText(clients.disc, `/api/v1/persons/${leader}/file.pdf`);
  const flat = text.replace(/\s+/g, '');
  for (const id of [...expectedFindings(leader),
    ...ids(sql(`SELECT id FROM clues WHERE subject_person_id = ${q(leader)}`)),
    ...ids(sql(`SELECT id FROM declarations WHERE person_id = ${q(leader)}`)),
    ...ids(sql(`SELECT id FROM risk_warnings WHERE person_id = ${q(leader)}`))]) {
    assert.ok(flat.includes(id), `PDF shows ${id}`);
  }
  const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [file], { encoding: 'utf8' }))[1]);
  assert.ok(flat.includes(root), 'footer carries the checkpoint root');
  // Every page's footer carries it, and the heading of page 1 once more.
  assert.equal(flat.split(root).length - 1, pages + 1, 'the root on every page');
  assert.ok(flat.includes(`树大小${size}`), 'and its size');
  assert.ok(flat.includes(`第${pages}/${pages}页`), 'page numbers');
  const fonts = execFileSync('pdffonts', [file], { encoding: 'utf8' }).split('\n').slice(2).filter(Boolean);
  assert.ok(fonts.some((l) => /CJK/.test(l) && /\byes\s+yes\s+yes\b/.test(l)), 'a CJK font embedded:\n' + fonts.join('\n'));
  // Accept: application/pdf on the JSON route gives the PDF too.
  const r = await fetch(srv.base + `/api/v1/persons/${leader}/file?lang=en`, { headers: { Cookie: clients.disc.cookie, Accept: 'application/pdf' } });
  assert.match(r.headers.get('content-type'), /^application\/pdf/);
  // The JSON names the same checkpoint.
  const j = await clients.disc.get(`/api/v1/persons/${leader}/file`);
  assert.equal(j.json.checkpoint.root_hash, root);
  assert.equal(j.json.checkpoint.size, Number(size));
});

test('a reader without clue rights sees no clue, not even a count', async () => {
  const clues = sql(`SELECT id, summary FROM clues WHERE subject_person_id = ${q(leader)}`);
  const r = await clients.cadre.get(`/api/v1/persons/${leader}/file`);
  assert.equal(r.status, 200);
  assert.equal(r.json.clues, undefined);
  assert.ok(r.json.withheld.includes('clues'));
  for (const c of clues) {
    assert.ok(!r.text.includes(c.id), `no ${c.id} in the JSON`);
    assert.ok(!r.text.includes(c.summary), 'no clue summary in the JSON');
  }
  assert.ok(!r.json.timeline.some((x) => x.section === 'clues'));
  // The rest is there for this reader.
  assert.deepEqual(r.json.findings.map((x) => x.id).sort(), expectedFindings(leader));
  const { text } = await pdfText(clients.cadre, `/api/v1/persons/${leader}/file.pdf`);
  const flat = text.replace(/\s+/g, '');
  for (const c of clues) {
    assert.ok(!flat.includes(c.id), `no ${c.id} in the PDF`);
    assert.ok(!flat.includes(c.summary.replace(/\s+/g, '')), 'no clue summary in the PDF');
  }
  assert.ok(!flat.includes('问题线索'), 'no clue section in the PDF');
});

test('a reader recused from the leader sees none of the recusal-bound parts', async () => {
  const r = await clients.kin.get(`/api/v1/persons/${leader}/file`);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.withheld, []);
  for (const k of ['declarations', 'evaluations', 'supervision', 'findings', 'clues', 'accountability', 'warnings', 'tasks']) {
    assert.deepEqual(r.json[k], [], `recused: ${k} empty`);
  }
  assert.ok(r.json.tenures.length > 0, 'the tenures are not recusal-bound');
  const { text } = await pdfText(clients.kin, `/api/v1/persons/${leader}/file.pdf`);
  const flat = text.replace(/\s+/g, '');
  for (const id of [...expectedFindings(leader), ...ids(sql(`SELECT id FROM clues WHERE subject_person_id = ${q(leader)}`))]) {
    assert.ok(!flat.includes(id), `recused: no ${id} in the PDF`);
  }
});

test('out of scope and unknown persons: 404 with a JSON body; bad id and lang: 400', async () => {
  for (const p of [`/api/v1/persons/${leader}/file`, `/api/v1/persons/${leader}/file.pdf`]) {
    const r = await clients.far.get(p);
    assert.equal(r.status, 404, p);
    assert.equal(r.json.error.code, 'not_found');
  }
  const u = await clients.disc.get('/api/v1/persons/110101190001010000/file');
  assert.equal(u.status, 404);
  assert.equal(u.json.error.code, 'not_found');
  assert.equal(u.json.error.field, 'id');
  const b = await clients.disc.get('/api/v1/persons/bad%20id/file');
  assert.equal(b.status, 400);
  assert.equal(b.json.error.field, 'id');
  const l = await clients.disc.get(`/api/v1/persons/${leader}/file?lang=fr`);
  assert.equal(l.status, 400);
  assert.equal(l.json.error.field, 'lang');
});

// An accountability's basis is the source agency's free text; the generated
// ones cite the clue they concluded ("线索Q…处置结论"). A reader without clue
// rights gets the text with every clue number withheld (docs/DECLARE.md
// "Who sees what"); a reader with them gets it as written.
test('a clue number inside an accountability basis is withheld from a reader without clue rights', async () => {
  const rows = sql(`SELECT a.person_id AS p, a.basis AS basis, c.id AS clue FROM accountability a
    JOIN clues c ON ${sqlInstr('a.basis', 'c.id')} > 0 ORDER BY a.id LIMIT 1`);
  assert.equal(rows.length, 1, 'the generated county has a basis citing a clue');
  const { p, basis, clue } = rows[0];
  const cadre = await clients.cadre.get(`/api/v1/persons/${p}/file`);
  assert.equal(cadre.status, 200);
  assert.ok(!cadre.text.includes(clue), `no ${clue} in the cadre officer's file`);
  const shown = (cadre.json.accountability || []).concat(cadre.json.name_clearing || []).map((x) => x.basis);
  assert.ok(shown.includes(basis.replace(clue, '〔线索编号不予显示〕')), `the basis with the number withheld: ${JSON.stringify(shown)}`);
  const { text } = await pdfText(clients.cadre, `/api/v1/persons/${p}/file.pdf`);
  assert.ok(!text.replace(/\s+/g, '').includes(clue), `no ${clue} in the cadre officer's PDF`);
  const disc = await clients.disc.get(`/api/v1/persons/${p}/file`);
  const full = (disc.json.accountability || []).concat(disc.json.name_clearing || []).map((x) => x.basis);
  assert.ok(full.includes(basis), 'the discipline officer reads the basis as written');
});
