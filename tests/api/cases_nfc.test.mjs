// cases_nfc.test.mjs — text typed in NFD ("e" + U+0301) through the staff
// cases API and the reporter portal: the ledger keeps strings in NFC
// (docs/LEDGER.md), so what the API reads back is NFC and `plumb verify`
// (replay equals the live tables) is clean after the server stops.
// Expected values are Unicode's NFC of the input, written out by hand.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { makeStore, startServer, Client, T0, P, plumb, sql as sqlOn } from './lib.mjs';

const NFD = 'Cafe\u0301';
const NFC = 'Caf\u00e9';
const USERS = { cadre: { role: 'cadre_officer', scopes: ['U0'] }, disc: { role: 'discipline_officer', scopes: ['U0'] } };
const PDF = Buffer.from('%PDF-1.4\n%%EOF\n');
let st, srv, staff;

before(async () => {
  assert.notEqual(NFD, NFC);
  st = makeStore(USERS);
  srv = await startServer(st.db, ['--rate-ip', '0', '--rate-user', '0', '--rate-login', '0']);
  staff = new Client(srv.base);
  const cadre = new Client(srv.base);
  assert.equal((await staff.login('disc', st.secrets.disc, T0)).status, 200);
  assert.equal((await cadre.login('cadre', st.secrets.cadre, T0)).status, 200);
  const r = await cadre.post('/api/v1/units', { id: 'UD', parent_id: 'U0', name: '东城县纪委监委', division_code: '110101', level: 'county', kind: 'discipline', industry: '纪检' });
  assert.equal(r.status, 201, r.text);
});

after(async () => {
  if (srv) await srv.stop();
});

test('NFD through the staff API and the portal is stored in NFC and verifies', async () => {
  let r = await staff.post('/api/v1/cases', {
    channel: 'letter', category: 'money', subject_person_id: P.S, subject_unit_id: 'UA',
    summary: `summary ${NFD}`, facts: `facts ${NFD}`, subject_name: `name ${NFD}`,
  });
  assert.equal(r.status, 201, r.text);
  const id = r.json.id;
  r = await staff.post(`/api/v1/cases/${id}/notes`, { text: `note ${NFD}`, sub_status: `sub ${NFD}` });
  assert.equal(r.status, 200, r.text);
  r = await staff.post(`/api/v1/cases/${id}/replies`, { text: `reply ${NFD}` });
  assert.equal(r.status, 200, r.text);
  r = await staff.post(`/api/v1/cases/${id}/dispose`, { method: 'preliminary_verification', reason: `dispose ${NFD}` });
  assert.equal(r.status, 200, r.text);
  r = await staff.get(`/api/v1/cases/${id}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.summary, `summary ${NFC}`);
  assert.equal(r.json.facts, `facts ${NFC}`);
  assert.ok(!r.text.includes('\u0301'), `NFD left in ${r.text}`);

  const portal = new Client(srv.base);
  const PASS = '我的查询密码2026';
  r = await portal.post('/portal/api/reports', {
    subject_name: `portal ${NFD}`, subject_unit_id: 'UA', category: 'money', summary: `portal ${NFD}`,
    facts: `portal facts ${NFD}`, passphrase: PASS,
    attachments: [{ name: `${NFD}.pdf`, content_base64: PDF.toString('base64') }],
  });
  assert.equal(r.status, 201, r.text);
  const receipt = r.json.receipt;
  r = await portal.post('/portal/api/material', { receipt, passphrase: PASS, text: `added ${NFD}` });
  assert.equal(r.status, 201, r.text);
  r = await portal.post('/portal/api/check', { receipt, passphrase: PASS });
  assert.equal(r.status, 200, r.text);
  assert.ok(r.text.includes(`added ${NFC}`), r.text);
  assert.ok(!r.text.includes('\u0301'), `NFD left in ${r.text}`);

  const { code } = await srv.stop();
  srv = null;
  assert.equal(code, 0);
  const q = (sql) => sqlOn(st.db, sql);
  assert.equal(q(`SELECT count(*) FROM case_attachments WHERE name = '${NFC}.pdf'`), '1');
  assert.equal(q(`SELECT count(*) FROM case_materials WHERE text = 'added ${NFC}'`), '1');
  assert.equal(q(`SELECT count(*) FROM case_notes WHERE text = 'note ${NFC}' AND sub_status = 'sub ${NFC}'`), '1');
  assert.equal(q(`SELECT count(*) FROM case_clues WHERE summary = 'portal ${NFC}'`), '1');
  const out = plumb(['verify', '--db', st.db]);
  assert.match(out, /ledger ok/);
});
