// evidence.test.mjs — a finding's evidence as readable records (issue #16
// item 4; docs/API.md "Finding evidence"): GET /api/v1/findings/{id}
// ?expand=evidence resolves each reference `table:id` under the reader's
// rights and scope. On the small fixture (lib.mjs) plus one old tenure of
// the leader S in the other tree UB (so that a reader scoped to UB sees
// S's findings, placed by their person, but not UA's payments and
// contracts): the R04 finding's payment in fen with its label in 元 and the
// payee's name; the R12 finding's clue with its content for the discipline
// office and as "not visible" (its kind only) for the cadre office, which
// has no clue rights (docs/SECURITY.md roles); an out-of-scope reference
// not resolved; bad parameters a 400 naming the field. Every expected value
// is written here from the fixture's CSV rows and docs/RULES.md's defaults.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { plumb, tempDir, addUser, startServer, Client, T0, P, writeFixture, newDb } from './lib.mjs';

let dir, db, srv;
const C = {};

before(async () => {
  dir = tempDir('plumb-evidence-');
  db = newDb(dir);
  plumb(['init', '--db', db, '--origin', 'plumbline.test/evidence']);
  const data = path.join(dir, 'data');
  writeFixture(data);
  // S once held a staff post in UB (ended 2004): S is placed in UB too.
  fs.appendFileSync(path.join(data, 'org/posts.csv'), 'PB2,UB,科员,staff,0,general,,\n');
  fs.appendFileSync(path.join(data, 'org/tenures.csv'), `TS2,${P.S},PB2,2000-01-01,2004-12-31,\n`);
  plumb(['import', '--db', db, '--all', data, '--quiet']);
  plumb(['sweep', '--db', db, '--as-of', '2026-03-01']);
  const users = {
    disc: { role: 'discipline_officer', scopes: ['U0'] },
    cadre: { role: 'cadre_officer', scopes: ['U0'] },
    far: { role: 'discipline_officer', scopes: ['UB'] },
  };
  const secrets = {};
  for (const [n, u] of Object.entries(users)) secrets[n] = addUser(db, n, u);
  srv = await startServer(db);
  for (const n of Object.keys(users)) {
    C[n] = new Client(srv.base);
    assert.equal((await C[n].login(n, secrets[n], T0)).status, 200, `login ${n}`);
  }
});
after(async () => { if (srv) await srv.stop(); });

// The one finding of `rule` about S, by the list API.
async function findingOf(client, rule) {
  const r = await client.get(`/api/v1/findings?rule=${rule}&subject=${P.S}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.items.length, 1, `one ${rule} finding about S`);
  return r.json.items[0].id;
}
const rec = (f, ref) => f.evidence_records.find((x) => x.ref === ref);

test('a payment: amount in fen with its 元 label, the payee by name, its decision and contract', async () => {
  const id = await findingOf(C.disc, 'R04');
  const r = await C.disc.get(`/api/v1/findings/${id}?expand=evidence`);
  assert.equal(r.status, 200, r.text);
  const f = r.json;
  assert.deepEqual(f.evidence_records.map((x) => x.ref).sort(),
    ['company_roles:CR1', 'contracts:CT1', 'kin:KIN1', 'payments:PAY1']);
  assert.ok(f.evidence_records.every((x) => x.visible), 'all four in scope for the county office');
  const pay = rec(f, 'payments:PAY1').record;
  // fixture: PAY1,UA,C1,,80000000,2025-03-10,维修款,CT1,D1
  assert.equal(pay.amount_fen, 80000000);
  assert.equal(pay.amount_yuan, '800,000.00');
  assert.equal(pay.paid_at, '2025-03-10');
  assert.equal(pay.unit_name, '东城县财政局');
  assert.equal(pay.payee_company_name, '东城建材有限公司');
  assert.equal(pay.purpose, '维修款');
  assert.equal(pay.contract_id, 'CT1');
  assert.equal(pay.contract_subject, '办公楼维修');
  assert.equal(pay.decision_id, 'D1');
  assert.equal(pay.decision_subject, '维修资金');
  const role = rec(f, 'company_roles:CR1').record;
  assert.equal(role.person_name, '李四');
  assert.equal(role.company_name, '东城建材有限公司');
  assert.equal(role.role, 'shareholder');
  assert.equal(role.share_bp, 5000);
  const kin = rec(f, 'kin:KIN1').record;
  assert.equal(kin.person_name, '张三');
  assert.equal(kin.relative_name, '李四');
  assert.equal(kin.relation_label, '配偶');
  assert.equal(rec(f, 'contracts:CT1').record.supplier_name, '东城建材有限公司');
  // The comparison: one payment and one contract of 800,000 元 each.
  assert.equal(f.comparison.payments.count, 1);
  assert.equal(f.comparison.payments.total_fen, 80000000);
  assert.equal(f.comparison.payments.total_yuan, '800,000.00');
  assert.equal(f.comparison.contracts.total_yuan, '800,000.00');
  // The parameters, labelled; docs/RULES.md: r04_high_fen 100,000,000 分.
  const hi = f.params_labelled.find((p) => p.name === 'r04_high_fen');
  assert.equal(hi.value, 100000000);
  assert.equal(hi.value_yuan, '1,000,000.00');
  assert.match(hi.label, /高/);
  // English labels with lang=en.
  const en = await C.disc.get(`/api/v1/findings/${id}?expand=evidence&lang=en`);
  assert.equal(rec(en.json, 'kin:KIN1').record.relation_label, 'spouse');
});

test('a reader without clue rights gets the clue as not visible, none of its content', async () => {
  const id = await findingOf(C.disc, 'R12');
  const d = await C.disc.get(`/api/v1/findings/${id}?expand=evidence`);
  assert.equal(d.status, 200, d.text);
  const clue = rec(d.json, 'clues:CL1');
  assert.equal(clue.visible, true);
  assert.equal(clue.record.summary, '反映违规发包');
  assert.equal(clue.record.subject_person_name, '张三');
  const c = await C.cadre.get(`/api/v1/findings/${id}?expand=evidence`);
  assert.equal(c.status, 200, c.text);
  const hidden = rec(c.json, 'clues:CL1');
  assert.deepEqual(hidden, { ref: 'clues:CL1', table: 'clues', id: 'CL1', kind: 'clue', visible: false });
  assert.equal(rec(c.json, 'dispositions:DSP1').visible, false);
  assert.ok(!c.text.includes('反映违规发包'), 'no clue summary');
  assert.ok(!c.text.includes('talk_inquiry'), 'no disposition method');
  // The discipline office's read of the clue is in the access log; the
  // cadre office read none.
  const log = plumb(['sql', '--db', db, "SELECT username, entity, record_ids FROM access_log WHERE entity = 'clue'"]);
  assert.match(log, /disc\|clue\|.*CL1/);
  assert.doesNotMatch(log, /cadre\|clue/);
});

test('an out-of-scope reference is not resolved', async () => {
  // S is placed in UB by the old tenure: the UB office sees the finding,
  // and S's kin row, but not UA's payment and contract.
  const id = await findingOf(C.far, 'R04');
  const r = await C.far.get(`/api/v1/findings/${id}?expand=evidence`);
  assert.equal(r.status, 200, r.text);
  assert.equal(rec(r.json, 'kin:KIN1').visible, true);
  for (const ref of ['payments:PAY1', 'contracts:CT1']) {
    const x = rec(r.json, ref);
    assert.equal(x.visible, false, ref);
    assert.equal(x.record, undefined, ref);
  }
  assert.ok(!r.text.includes('维修款'), 'no payment purpose');
  assert.ok(!r.text.includes('办公楼维修'), 'no contract subject');
  assert.equal(r.json.comparison.payments, undefined, 'no sums over unseen payments');
  // A finding out of scope is a 404 with or without expand.
  const ua = await C.disc.get(`/api/v1/findings?rule=R15&subject=UA`);
  const out = await C.far.get(`/api/v1/findings/${ua.json.items[0].id}?expand=evidence`);
  assert.equal(out.status, 404);
});

test('bad parameters: a 400 naming the field', async () => {
  const id = await findingOf(C.disc, 'R04');
  const a = await C.disc.get(`/api/v1/findings/${id}?expand=everything`);
  assert.equal(a.status, 400);
  assert.equal(a.json.error.field, 'expand');
  const b = await C.disc.get(`/api/v1/findings/${id}?expand=evidence&lang=fr`);
  assert.equal(b.status, 400);
  assert.equal(b.json.error.field, 'lang');
  // Without expand the finding is as before: references only.
  const plain = await C.disc.get(`/api/v1/findings/${id}`);
  assert.equal(plain.status, 200);
  assert.equal(plain.json.evidence_records, undefined);
  assert.ok(plain.json.evidence.includes('payments:PAY1'));
});

// The integrity file's risk (issue #16 item 6; docs/API.md "Integrity
// file", docs/RULES.md "Risk index breakdown"): the parts add up to the
// index; once S's top-post tenure has ended (a registry write through the
// server), S is no longer a top leader and the file says so at once — the
// server's rules model follows the write, it is not a stale copy.
test('the file\'s risk: parts add up to the index, and follow a tenure that ends', async () => {
  const before = await C.disc.get(`/api/v1/persons/${P.S}/file`);
  assert.equal(before.status, 200, before.text);
  const r = before.json.risk;
  assert.ok(r.breakdown.length > 0, 'S, top of UA with open findings, has a risk');
  const sum = r.breakdown.reduce((a, p) => a + p.contribution_x100, 0);
  assert.equal(sum + r.rounding_x100, r.index_x100);
  assert.ok(Math.abs(r.rounding_x100) <= r.breakdown.length);
  // Each part is a finding about S or about UA (fixture: S leads UA).
  for (const p of r.breakdown) {
    const f = (await C.disc.get(`/api/v1/findings/${p.finding}`)).json;
    assert.ok(f.subject === P.S || f.subject === 'UA', `${p.finding} is about S or UA`);
    assert.ok(['person', 'unit', null].includes(p.about));
  }
  const put = await C.cadre.put('/api/v1/tenures/TS', { id: 'TS', person_id: P.S, post_id: 'PS', start_date: '2005-01-01',
    end_date: '2026-01-01' });
  assert.equal(put.status, 200, put.text);
  const after = await C.disc.get(`/api/v1/persons/${P.S}/file`);
  assert.deepEqual({ index: after.json.risk.index_x100, grade: after.json.risk.grade, parts: after.json.risk.breakdown.length },
    { index: 0, grade: 'none', parts: 0 });
});
