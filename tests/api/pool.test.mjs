// pool.test.mjs — requests that may wait for the writer (writes, audited
// reads, sign-in) run on the server's pool, not on libmicrohttpd's worker
// thread, so a wait for the store's write lock holds up no one else; and
// audited reads that queue together are committed together, each with an
// access.read event of its own.
//
// The server runs with one worker thread (--threads 1): before the pool, a
// write waiting there for the lock stalled every other connection until
// SQLite's busy timeout (10 s) failed it. Another process (the sqlite3
// shell, or psql on PostgreSQL) holds the write lock for as long as a test needs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { makeStore, startServer, Client, T0, writeLocker, sql as sqlOn } from './lib.mjs';

let st, srv;
const USERS = {};
for (const n of ['writer1', 'reader1', 'reader2', 'reader3']) USERS[n] = { role: 'discipline_officer', scopes: ['U0'] };
const C = {};

before(async () => {
  st = makeStore(USERS);
  srv = await startServer(st.db, ['--threads', '1']);
  for (const n of Object.keys(USERS)) {
    C[n] = new Client(srv.base);
    const r = await C[n].login(n, st.secrets[n], T0);
    assert.equal(r.status, 200, r.text);
  }
});
after(async () => {
  for (const sh of shells) sh.kill();
  const { code } = await srv.stop();
  assert.equal(code, 0, 'server exits 0 on SIGTERM');
});

// The write lock of the store, held by a shell until release() (lib.mjs
// writeLocker: sqlite3's BEGIN IMMEDIATE, psql's ledger writer lock)
// (which a failed test calls too: see `locked`).
const shells = new Set();
async function holdWriteLock() {
  const L = writeLocker(st.db);
  const sh = spawn(L.cmd, L.args, { stdio: ['pipe', 'pipe', 'inherit'] });
  shells.add(sh);
  const exited = new Promise((r) => sh.on('exit', r));
  let out = '';
  sh.stdout.on('data', (d) => { out += d; });
  sh.stdin.write(L.take);
  while (!out.includes('locked')) {
    if (sh.exitCode !== null) throw new Error(`${L.cmd} could not take the write lock`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return { release: async () => { if (sh.exitCode === null) sh.stdin.end(L.free); await exited; shells.delete(sh); } };
}
async function locked(fn) {
  const lock = await holdWriteLock();
  try { return await fn(lock); } finally { await lock.release(); }
}

const settle = (p) => { const s = { done: false }; s.p = p.then((r) => { s.done = true; return r; }); return s; };
const pause = (ms) => new Promise((r) => setTimeout(r, ms));

test('a write waiting for the write lock does not hold up reads', async () => {
  let w;
  await locked(async () => {
    w = settle(C.writer1.post('/api/v1/supervision_activities', { id: 'SV-POOL-1', kind: 'visit', unit_id: 'UA', held_at: '2026-01-05' }));
    await pause(300); // set-up only: let the server take the write and wait for the lock
    for (const p of ['/api/v1/units/UA', '/api/v1/units?limit=5', '/api/v1/payments?limit=5']) {
      const r = await C.reader1.get(p);
      assert.equal(r.status, 200, `${p}: ${r.text}`);
    }
    assert.equal(w.done, false, 'the write still waits for the lock while the reads were answered');
  });
  const r = await w.p;
  assert.equal(r.status, 201, r.text);
  const g = await C.reader1.get('/api/v1/supervision_activities/SV-POOL-1');
  assert.equal(g.status, 200, 'the write landed once the lock was free');
});

test('audited reads that queue together each get their own access.read event', async () => {
  const count = (user) => Number(sqlOn(st.db,
    `SELECT count(*) FROM access_log WHERE username='${user}' AND entity='declaration'`));
  const want = { reader1: 3, reader2: 2, reader3: 4 };
  const had = Object.fromEntries(Object.keys(want).map((u) => [u, count(u)]));
  const reads = [];
  await locked(async () => {
    for (const [u, n] of Object.entries(want))
      for (let i = 0; i < n; i++) reads.push(settle(C[u].get('/api/v1/declarations?limit=10')));
    await pause(300); // set-up only: the reads queue behind the lock
    const h = await C.writer1.get('/api/v1/units/UA');
    assert.equal(h.status, 200, 'plain reads are answered meanwhile');
    assert.equal(reads.filter((x) => x.done).length, 0, 'no audited read is answered before its event is written');
  });
  for (const x of reads) {
    const r = await x.p;
    assert.equal(r.status, 200, r.text);
    assert.ok(r.json.items.length > 0, 'the fixture has declarations in scope');
  }
  for (const u of Object.keys(want)) assert.equal(count(u) - had[u], want[u], `access.read events of ${u}`);
});
