// profiles_scope.test.mjs — issue #15, defect 2 (DESIGN.md §6 last paragraph):
// profile writes are scoped, explained and, above an impact, approved by a
// second person. The reproduction first: a leader scoped to U0 sets a
// profile with no selectors (r01 40 years, r12 3650 days, r15 120 months)
// that would resolve findings of UB too — refused with 403 naming `region`,
// nothing recorded. Then: a reason is required (400 `reason`); a dry run
// shows the impact and changes nothing; a change over the threshold
// (profile_approval_findings) is stored pending, refused to its proposer
// (four eyes) and to an approver outside its scope, applied when another
// leader approves; each finding it resolves names the profile event as its
// cause and the approver as actor (not `rules`). Expected findings come from
// the fixture by hand (lib.mjs, docs/RULES.md R01/R12/R15): with these
// parameters S's R01 (top post since 2005), CL1's R12 (talk inquiry decided
// 2025-04-10, not concluded) and S's R15 (reminder talk 2024-06-01) no
// longer hold; T's R01 (sensitive post, r01_sensitive_years unchanged) does.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { makeStore, startServer, Client, T0, P, citizenId, plumb, sqlJsonText } from './lib.mjs';

const USERS = {
  lead: { role: 'leader', scopes: ['U0'] },
  lead2: { role: 'leader', scopes: ['U0'] },
  other: { role: 'leader', scopes: ['UB'] },
  cadre: { role: 'cadre_officer', scopes: ['U0'] },
};
const WIDE = { r01_top_years: 40, r12_dispose_days: 3650, r12_conclude_days: 3650, r15_talk_months: 120 };
// The findings these parameters resolve in U0's subtree, by hand (above).
const RESOLVES = [['R01', 'TS'], ['R12', 'CL1'], ['R15', P.S]].map(([r, k]) => `${r}|${k}`).sort();
let st, srv;
const C = {};

function sql(q) {
  const out = sqlJsonText(st.db, q);
  return out.trim() ? JSON.parse(out) : [];
}
const findings = () => sql('SELECT id, rule, key, status FROM findings ORDER BY id');
const statusOf = (rule, key) => sql(`SELECT status FROM findings WHERE rule='${rule}' AND key='${key}'`)[0]?.status;

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

test('reproduction: a profile reaching outside the writer\'s scope is refused, nothing resolved', async () => {
  const before = findings();
  for (const [k, [r, key]] of Object.entries(RESOLVES.map((x) => x.split('|')))) assert.equal(statusOf(r, key), 'open', `fixture: ${k}`);
  assert.ok(before.some((f) => f.status === 'open' && f.rule === 'R15' && f.key === P.O), 'fixture: a UB finding (R15 of O) the profile would resolve');
  const seq0 = sql('SELECT max(seq) AS s FROM ledger_events')[0].s;
  for (const sel of [{}, { region: '11' }, { region: '110102' }, { level: 'county' }]) {
    const r = await C.lead.put('/api/v1/profiles/wide', { ...sel, params: WIDE, reason: '县里统一放宽' });
    assert.equal(r.status, 403, `${JSON.stringify(sel)}: ${r.text}`);
    assert.equal(r.json.error.field ?? r.json.field, 'region', r.text);
  }
  assert.deepEqual(findings(), before);
  assert.equal(sql(`SELECT count(*) AS n FROM ledger_events WHERE seq > ${seq0}`)[0].n, 0, 'nothing recorded');
  assert.equal((await C.lead.get('/api/v1/profiles/wide')).status, 404);
});

test('a reason is required (400 naming reason); a dry run shows the impact and changes nothing', async () => {
  const before = findings();
  let r = await C.lead.put('/api/v1/profiles/wide', { region: '110101', params: WIDE });
  assert.equal(r.status, 400, r.text);
  assert.equal(r.json.error.field ?? r.json.field, 'reason', r.text);
  r = await C.lead.put('/api/v1/profiles/wide', { region: '110101', params: WIDE, reason: '' });
  assert.equal(r.status, 400, r.text);
  r = await C.lead.put('/api/v1/profiles/wide', { region: '110101', params: WIDE, reason: '试算', dry_run: true });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.outcome, 'dry_run');
  assert.equal(r.json.impact.resolved, RESOLVES.length, r.text);
  assert.equal(r.json.threshold, 10); // the default of profile_approval_findings
  assert.equal(r.json.approval_required, false);
  assert.deepEqual(findings(), before);
  assert.equal((await C.lead.get('/api/v1/profiles/wide')).status, 404);
});

test('four eyes: the threshold itself, then a change over it, pending until another leader approves', async () => {
  // Changing the threshold always needs approval.
  let r = await C.lead.put('/api/v1/profiles/gate', { region: '110101', params: { profile_approval_findings: 1 }, reason: '本县从严' });
  assert.equal(r.status, 202, r.text);
  assert.equal(r.json.outcome, 'pending');
  const gate = r.json.proposal;
  assert.match(gate, /^PP-/);
  assert.equal((await C.lead.get('/api/v1/profiles/gate')).status, 404, 'not applied while pending');
  r = await C.lead.post(`/api/v1/profile-proposals/${gate}/approve`, {});
  assert.equal(r.status, 403, r.text);
  assert.equal(r.json.error.field ?? r.json.field, 'approver');
  assert.equal((await C.cadre.post(`/api/v1/profile-proposals/${gate}/approve`, {})).status, 403, 'no profile:write');
  r = await C.other.post(`/api/v1/profile-proposals/${gate}/approve`, {});
  assert.equal(r.status, 403, 'an approver whose scope does not hold the profile');
  assert.equal(r.json.error.field ?? r.json.field, 'region');
  r = await C.lead2.post(`/api/v1/profile-proposals/${gate}/approve`, { reason: '同意' });
  assert.equal(r.status, 200, r.text);
  assert.equal((await C.lead.get('/api/v1/profiles/gate')).json.params.profile_approval_findings, 1);

  // The wide change now resolves more than 1: stored pending, impact shown.
  const before = findings();
  r = await C.lead.put('/api/v1/profiles/wide', { region: '110101', params: WIDE, reason: '县里统一放宽' });
  assert.equal(r.status, 202, r.text);
  assert.equal(r.json.impact.resolved, RESOLVES.length);
  assert.equal(r.json.threshold, 1);
  const id = r.json.proposal;
  assert.deepEqual(findings(), before, 'nothing resolved while pending');
  const p = await C.lead2.get(`/api/v1/profile-proposals/${id}`);
  assert.equal(p.status, 200, p.text);
  assert.equal(p.json.status, 'pending');
  assert.equal(p.json.impact_resolved, RESOLVES.length);
  assert.equal(p.json.proposed_by, 'lead');
  assert.equal(p.json.reason, '县里统一放宽');

  r = await C.lead2.post(`/api/v1/profile-proposals/${id}/approve`, {});
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.impact.resolved, RESOLVES.length);
  const after = findings();
  const changed = after.filter((f, i) => f.status !== before[i].status);
  assert.deepEqual(changed.map((f) => `${f.rule}|${f.key}`).sort(), RESOLVES);
  assert.ok(changed.every((f) => f.status === 'resolved'));
  assert.equal(statusOf('R01', 'TT'), 'open', "T's R01 (sensitive post) still holds");
  assert.equal(statusOf('R15', P.O), 'open', "UB's findings are untouched");

  // Each resolution names the profile event as its cause; the actor is the approver.
  const ev = sql(`SELECT seq FROM ledger_events WHERE type='profile.set' AND payload LIKE '%"proposal":"${id}"%'`);
  assert.equal(ev.length, 1);
  const res = sql(`SELECT header, payload FROM ledger_events WHERE type='finding.resolved' AND seq > ${ev[0].seq}`);
  assert.equal(res.length, RESOLVES.length);
  for (const row of res) {
    const h = JSON.parse(row.header), pay = JSON.parse(row.payload);
    assert.equal(h.actor, 'lead2');
    assert.deepEqual(pay.cause, { seq: ev[0].seq, type: 'profile.set', profile: 'wide' });
    assert.ok(pay.evidence_rows && Object.keys(pay.evidence_rows).length > 0, 'evidence rows recorded');
  }
  assert.equal((await C.lead2.get(`/api/v1/profile-proposals/${id}`)).json.status, 'applied');
  assert.equal((await C.lead2.post(`/api/v1/profile-proposals/${id}/approve`, {})).status, 409);
});

test('a proposal can be rejected with a reason; then it cannot be approved', async () => {
  let r = await C.lead.put('/api/v1/profiles/gate', { region: '110101', params: { profile_approval_findings: 50 }, reason: '放宽' });
  assert.equal(r.status, 202, r.text);
  const id = r.json.proposal;
  r = await C.lead2.post(`/api/v1/profile-proposals/${id}/reject`, {});
  assert.equal(r.status, 400, r.text);
  assert.equal(r.json.error.field ?? r.json.field, 'reason');
  r = await C.lead2.post(`/api/v1/profile-proposals/${id}/reject`, { reason: '不同意放宽' });
  assert.equal(r.status, 200, r.text);
  assert.equal((await C.lead2.post(`/api/v1/profile-proposals/${id}/approve`, {})).status, 409);
  assert.equal((await C.lead.get('/api/v1/profiles/gate')).json.params.profile_approval_findings, 1);
  const list = await C.lead.get('/api/v1/profile-proposals?status=rejected');
  assert.equal(list.status, 200, list.text);
  assert.ok(list.json.items.some((x) => x.id === id && x.decided_by === 'lead2'));
});

test('a unit created later outside the writer\'s scope does not get the profile, whatever its selectors', async () => {
  // UC: a new root unit with U0's division code (so region 110101 matches
  // it), created after "wide" (bounded to lead's scope, U0), by the operator.
  const dir = path.join(st.dir, 'later');
  const pid = citizenId(9, '19660606');
  const files = {
    'org/units.csv': 'id,parent_id,name,division_code,level,kind,industry\nUC,,东城新区管委会,110101,county,government,政务\n',
    'org/persons.csv': `id,name,gender,birth_date,native_place\n${pid},周九,M,1966-06-06,\n`,
    'org/posts.csv': 'id,unit_id,title,rank,is_top,category,portfolio,reports_to\nPC,UC,主任,section,1,general,,\n',
    'org/tenures.csv': `id,person_id,post_id,start_date,end_date,decision_id\nTC,${pid},PC,2005-01-01,,\n`,
  };
  for (const [n, c] of Object.entries(files)) {
    fs.mkdirSync(path.join(dir, path.dirname(n)), { recursive: true });
    fs.writeFileSync(path.join(dir, n), c);
  }
  plumb(['import', '--db', st.db, '--all', dir, '--quiet']);
  const inUA = JSON.parse(plumb(['profile', 'show', '--db', st.db, '--unit', 'UA']));
  assert.match(inUA._profile, /wide/);
  assert.equal(inUA.r01_top_years, 40);
  const inUC = JSON.parse(plumb(['profile', 'show', '--db', st.db, '--unit', 'UC']));
  assert.doesNotMatch(inUC._profile, /wide/);
  assert.equal(inUC.r01_top_years, 10);
  // The engine agrees: TC (top post since 2005) is due for rotation.
  plumb(['sweep', '--db', st.db, '--as-of', '2026-03-02']);
  assert.equal(statusOf('R01', 'TC'), 'open');
  assert.equal(statusOf('R01', 'TS'), 'resolved', 'wide still applies in U0');
});
