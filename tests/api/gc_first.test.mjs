// gc_first.test.mjs — the first member of a group commit runs without a
// savepoint (docs/LEDGER.md "Group commit": nothing of others is in the
// transaction yet, so a failure of the first member rolls the whole
// transaction back). Issue #22's rule stays: a request whose part of the
// group fails is answered with its own error while the others commit.
//
// The order is forced: the store's write lock is held from outside (lib.mjs
// writeLocker), so the first request — a real-name clue whose reporter's
// identity cannot be sealed (the fixture has no discipline office to seal
// it to: refused inside the library's transaction, after its first
// reads, as tests/api/cases_batch.test.mjs's refused item) — takes the
// server's writer and waits in BEGIN IMMEDIATE; six good intakes then queue
// behind it; the lock is let go. The bad request is the group's first
// member and fails; the six must each get their 201 and be stored, and the
// bad one its 4xx naming reporter_identity, with nothing of it in the
// ledger. If the requests arrive in another order (a very slow machine),
// the test still checks the same answers. SQLite only: on PostgreSQL the
// writer's lock is taken at the first append, after the refusal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { makeStore, startServer, Client, T0, PLUMB, sql as sqlOn, holdWriteLock, PG } from './lib.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));


test('a failing first member of a group does not fail the members after it', { skip: PG && 'SQLite: the order is forced by BEGIN IMMEDIATE', timeout: 120000 }, async () => {
  const st = makeStore({ pet: { role: 'petition_officer', scopes: ['U0'] } });
  const sql = (q) => sqlOn(st.db, q);
  const srv = await startServer(st.db, ['--rate-ip', '0', '--rate-user', '0', '--quiet', '--busy-wait', '60'], { env: { PLUMB_GROUP_COMMIT_STATS: '1' } });
  try {
    const pet = new Client(srv.base);
    assert.equal((await pet.login('pet', st.secrets.pet, T0)).status, 200);
    const events0 = sql('SELECT count(*) FROM ledger_events');
    const lock = await holdWriteLock(st.db);
    const bad = pet.post('/api/v1/cases', { channel: 'letter', category: 'money', summary: '反映问题 坏', subject_unit_id: 'UA', real_name: true, reporter_identity: '王五 13800000000' });
    await sleep(500); // the bad request holds the server's writer, waiting for the lock
    const good = [];
    for (let i = 0; i < 6; i++) {
      good.push(pet.post('/api/v1/cases', { channel: 'letter', category: 'money', summary: `反映问题 好${i}`, facts: `第${i}号：未经招标直接发包，编号${i * 7919}。`, subject_unit_id: 'UA' }));
    }
    await sleep(500); // the good ones wait behind it
    await lock.release();
    const b = await bad;
    assert.ok(b.status >= 400 && b.status < 500, `the bad intake: ${b.status} ${b.text}`);
    assert.match(b.text, /reporter_identity/, 'its error names its field');
    const res = await Promise.all(good);
    res.forEach((x, i) => assert.equal(x.status, 201, `good intake ${i}: ${x.status} ${x.text}`));
    for (const x of res) assert.equal(sql(`SELECT count(*) FROM clues WHERE id = '${x.json.id}'`), '1', `clue ${x.json.id} stored`);
    assert.equal(sql("SELECT count(*) FROM ledger_payloads WHERE payload LIKE '%坏%'"), '0', 'nothing of the bad intake is in the ledger');
    assert.ok(Number(sql('SELECT count(*) FROM ledger_events')) >= Number(events0) + 6 * 3, 'the six intakes\' events are there');
    // And the writer is not left in the bad member's transaction.
    const after = await pet.post('/api/v1/cases', { channel: 'letter', category: 'money', summary: '反映问题 后', facts: '其后一件。', subject_unit_id: 'UA' });
    assert.equal(after.status, 201, after.text);
    const v = execFileSync(PLUMB, ['verify', '--db', st.db, '--lang', 'en'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    assert.match(v, /^ledger ok/m);
    assert.deepEqual(pet.fails5xx, [], 'no request got a 5xx');
  } finally {
    await srv.stop();
  }
});
