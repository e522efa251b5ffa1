// levels_scope.test.mjs — the view from above and the clues sent up answer
// each user only within their scope (issue #21; docs/SECURITY.md "The view
// from above"): access = role permission ∧ scope contains the record's
// unit ∧ not recused (DESIGN.md §8). The expectations are the hand-written
// table below, from SECURITY.md:
//   - GET /api/v1/levels/view (and the dashboard's `below`), `risk:read`:
//     an origin is shown to a user whose scope subtree holds the unit it is
//     placed at (`plumb levels place`); an origin placed nowhere to nobody;
//     a top leader below the caller is recused from (self, kin, same
//     leadership team in this store's registry) is left out; an origin or
//     person out of reach answers exactly as an unknown one (404, the same
//     code, field and message);
//   - GET /api/v1/levels/escalations, `case:list`: a clue sent up is listed
//     to a user who may see the clue in the workflow (its handling office,
//     else its subject unit, in scope; not recused).
// The prefecture is the API fixture (lib.mjs: U0 ⊃ UA, UB); two counties
// from examples/ (U001 ⊃ U002, U003) send bundles, witnessed by a real
// `plumb witness serve`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { makeStore, startServer, Client, T0, plumb, tempDir, addUser, PLUMB } from './lib.mjs';

const SRC = process.env.PLUMB_SRC || path.resolve('..');
const EX = path.join(SRC, 'examples');
const C1 = 'county.example/c1';
const C2 = 'county.example/c2';
const WANG = '43312719700315011X'; // examples/org: 王建国, 县委书记 (P001, is_top 1) of U001
const LI = '43312719750620022X'; // 李秀英, 局长 (P002, is_top 1) of U002

// Prefecture users: role, scope roots, linked person.
const USERS = {
  dis0: { role: 'discipline_officer', scopes: ['U0'] },
  disa: { role: 'discipline_officer', scopes: ['UA'] },
  disb: { role: 'discipline_officer', scopes: ['UB'] },
  disall: { role: 'discipline_officer', scopes: ['U0', 'UB'] },
  disnone: { role: 'discipline_officer' },
  lead0: { role: 'leader', scopes: ['U0'] },
  pet0: { role: 'petition_officer', scopes: ['U0'] },
  aud: { role: 'auditor' },
};
// The written table: which origins each user sees, before and after C2 is
// placed (C1 is placed at UA, under U0; C2 at UB).
const SEES = {
  before: { dis0: [C1], disa: [C1], disb: [], disall: [C1], disnone: [], lead0: [C1], self0: [C1] },
  after: { dis0: [C1], disa: [C1], disb: [C2], disall: [C1, C2], disnone: [], lead0: [C1], self0: [C1] },
};
const DENIED = { pet0: 403, aud: 403 }; // no risk:read (SECURITY.md "Permissions")

let st, srv, wproc, csrv;
const C = {};
const work = tempDir('plumb-levels-scope-');

function county(name, origin) {
  const db = path.join(work, `${name}.db`);
  const out = plumb(['init', '--db', db, '--origin', origin]);
  plumb(['import', '--all', EX, '--db', db, '--quiet']);
  plumb(['sweep', '--db', db, '--as-of', '2026-03-01']);
  return { db, vkey: out.trim().split('\n').at(-1) };
}

async function witness(logs) {
  const key = path.join(work, 'w.key');
  plumb(['keygen', '--name', 'pref.example/witness', '--out', key]);
  const vkey = plumb(['witness', 'vkey', '--key', key]).trim();
  const conf = path.join(work, 'wlogs.conf');
  fs.writeFileSync(conf, logs.map(([o, k]) => `${o} ${k}\n`).join(''));
  const portFile = path.join(work, 'wport');
  wproc = spawn(PLUMB, ['witness', 'serve', '--state', path.join(work, 'wst'), '--key', key, '--logs', conf,
    '--listen', '127.0.0.1:0', '--port-file', portFile], { stdio: 'ignore' });
  for (let i = 0; i < 300 && !fs.existsSync(portFile); i++) await new Promise((r) => setTimeout(r, 20));
  return { vkey, url: `http://127.0.0.1:${fs.readFileSync(portFile, 'utf8').trim()}`, conf };
}

async function login(base, name, secret) {
  const c = new Client(base);
  const r = await c.login(name, secret, T0);
  assert.equal(r.status, 200, `login ${name}: ${r.text}`);
  return c;
}

before(async () => {
  st = makeStore(USERS);
  // 王建国 is in the prefecture's registry too, linked to a user: recused
  // from himself (SECURITY.md "Recusal" 1).
  const more = path.join(work, 'more');
  fs.mkdirSync(path.join(more, 'org'), { recursive: true });
  fs.writeFileSync(path.join(more, 'org', '03_persons.csv'),
    '公民身份号码,姓名,性别,出生日期,籍贯区划\n' + `${WANG},王建国,M,1970-03-15,433127\n`);
  plumb(['import', '--all', more, '--db', st.db, '--quiet']);
  st.secrets.self0 = addUser(st.db, 'self0', { role: 'discipline_officer', scopes: ['U0'], person: WANG });

  const c1 = county('c1', C1);
  const c2 = county('c2', C2);
  const w = await witness([[C1, c1.vkey], [C2, c2.vkey]]);
  for (const c of [c1, c2]) {
    plumb(['checkpoint', 'push', '--db', c.db, '--witness', w.vkey, '--url', w.url]);
    const b = `${c.db}.bundle`;
    plumb(['bundle', 'export', '--db', c.db, '--witness-vkey', w.vkey, '--since', '0', '--out', b]);
    plumb(['bundle', 'import', b, '--db', st.db, '--origins', w.conf, '--witness-vkey', w.vkey]);
  }
  plumb(['levels', 'place', C1, '--unit', 'UA', '--db', st.db]);

  // County 1 sends a clue about its party secretary up (nobody above it in
  // its own store: docs/LEVELS.md §9).
  const esc = path.join(work, 'esc.key');
  const pk = plumb(['escalation', 'keygen', '--out', esc]).trim().split('\n').at(-1);
  const above = path.join(work, 'above.conf');
  fs.writeFileSync(above, `pref.example/4331 ${pk} 湘西州纪委\n`);
  const out = plumb(['clue', 'add', '--db', c1.db, '--channel', 'letter', '--category', 'money',
    '--subject-person', WANG, '--summary', '反映县委书记违规收受礼金', '--facts', '收受礼金']);
  const cl = /registered clue (\S+)/.exec(out)[1];
  plumb(['escalate', cl, '--above', above, '--db', c1.db]);
  st.clue = cl;
  // County 1's users: the county's root (U001 holds the secretary's unit),
  // a department (U002) beside it, the secretary himself, no scope.
  st.csecrets = {
    cdis: addUser(c1.db, 'cdis', { role: 'discipline_officer', scopes: ['U001'] }),
    cdep: addUser(c1.db, 'cdep', { role: 'discipline_officer', scopes: ['U002'] }),
    cself: addUser(c1.db, 'cself', { role: 'discipline_officer', scopes: ['U001'], person: WANG }),
    cnone: addUser(c1.db, 'cnone', { role: 'discipline_officer' }),
    cins: addUser(c1.db, 'cins', { role: 'inspection_officer', scopes: ['U001'] }),
    clead: addUser(c1.db, 'clead', { role: 'leader', scopes: ['U001'] }),
  };
  st.c2db = c2.db;
  srv = await startServer(st.db, ['--rate-ip', '0', '--rate-user', '0', '--quiet']);
  for (const name of [...Object.keys(USERS), 'self0']) C[name] = await login(srv.base, name, st.secrets[name]);
  csrv = await startServer(c1.db, ['--rate-ip', '0', '--rate-user', '0', '--quiet']);
  for (const [name, s] of Object.entries(st.csecrets)) C[name] = await login(csrv.base, name, s);
});

after(async () => {
  if (wproc) wproc.kill();
  for (const s of [srv, csrv]) if (s) assert.equal((await s.stop()).code, 0);
});

const origins = (r) => r.json.origins.map((o) => o.origin);

async function checkTable(phase) {
  for (const [name, want] of Object.entries(SEES[phase])) {
    const r = await C[name].get('/api/v1/levels/view');
    assert.equal(r.status, 200, `${phase} ${name}: ${r.text}`);
    assert.deepEqual(origins(r), want, `${phase} ${name}: view`);
    const d = await C[name].get('/api/v1/dashboard');
    assert.equal(d.status, 200, d.text);
    assert.deepEqual((d.json.below || []).map((o) => o.origin), want, `${phase} ${name}: dashboard below`);
    // Every origin out of reach answers as one never received, byte for byte.
    for (const o of [C1, C2]) {
      if (want.includes(o)) continue;
      const x = await C[name].get(`/api/v1/levels/view?origin=${encodeURIComponent(o)}`);
      const u = await C[name].get(`/api/v1/levels/view?origin=${encodeURIComponent('county.example/c9')}`);
      assert.equal(x.status, 404, `${phase} ${name} ?origin=${o}: ${x.text}`);
      assert.equal(x.text.replace(o, 'ORIGIN'), u.text.replace('county.example/c9', 'ORIGIN'),
        `${phase} ${name} ?origin=${o} differs from an unknown origin`);
    }
  }
  for (const [name, code] of Object.entries(DENIED)) {
    const r = await C[name].get('/api/v1/levels/view');
    assert.equal(r.status, code, `${name}: ${r.text}`);
  }
}

test('the view from above: an origin only to the users whose scope holds its unit', async () => {
  await checkTable('before');
  plumb(['levels', 'place', C2, '--unit', 'UB', '--db', st.db]);
  await checkTable('after');
});

test('a top leader the caller is recused from is left out; asked for, the same 404 as an unknown person', async () => {
  const all = await C.dis0.get('/api/v1/levels/view');
  const leaders = all.json.origins[0].leaders.map((l) => l.person_id).sort();
  assert.ok(leaders.includes(WANG) && leaders.includes(LI), leaders.join(' '));
  const mine = await C.self0.get('/api/v1/levels/view');
  assert.deepEqual(mine.json.origins[0].leaders.map((l) => l.person_id).sort(), leaders.filter((p) => p !== WANG));
  const x = await C.self0.get(`/api/v1/levels/view?person=${WANG}`);
  const u = await C.self0.get('/api/v1/levels/view?person=110101199001010011');
  assert.equal(x.status, 404, x.text);
  assert.equal(x.text.replace(WANG, 'P'), u.text.replace('110101199001010011', 'P'));
  // The same person for a user who is not recused.
  const y = await C.dis0.get(`/api/v1/levels/view?person=${WANG}`);
  assert.equal(y.status, 200, y.text);
  assert.deepEqual(origins(y), [C1]);
  // Both counties name him (both are built from examples/): each user gets
  // the origins of their own scope only; without a scope, the same 404 as
  // for a person nobody sent.
  const b = await C.disb.get(`/api/v1/levels/view?person=${WANG}`);
  assert.equal(b.status, 200, b.text);
  assert.deepEqual(origins(b), [C2]);
  const z = await C.disnone.get(`/api/v1/levels/view?person=${WANG}`);
  const zu = await C.disnone.get('/api/v1/levels/view?person=110101199001010011');
  assert.equal(z.status, 404, z.text);
  assert.equal(z.text.replace(WANG, 'P'), zu.text.replace('110101199001010011', 'P'));
});

test('a placement names a unit of this store, or nothing is written', async () => {
  const count = () => plumb(['sql', '--db', st.db, 'SELECT count(*) FROM ledger_events']).trim();
  const n = count();
  assert.throws(() => plumb(['levels', 'place', C2, '--unit', 'NOPE', '--db', st.db]),
    (e) => /unit_id: unit 'NOPE' not found/.test(e.stderr));
  assert.throws(() => plumb(['levels', 'place', 'bad origin', '--unit', 'UB', '--db', st.db]),
    (e) => /origin: 'bad origin' is not a log origin/.test(e.stderr));
  assert.equal(count(), n);
});

// Written table for GET /api/v1/levels/escalations on county 1: the clue is
// about 王建国, whose unit U001 (his top post P001) places it.
const ESC = { cdis: 1, cdep: 0, cself: 0, cnone: 0, cins: 1, clead: 1 };

test('the clues sent up: listed only to users who may see the clue', async () => {
  for (const [name, n] of Object.entries(ESC)) {
    const r = await C[name].get('/api/v1/levels/escalations');
    assert.equal(r.status, 200, `${name}: ${r.text}`);
    assert.deepEqual(r.json.items.map((i) => i.clue_id), n ? [st.clue] : [], `${name}: escalations`);
  }
});
