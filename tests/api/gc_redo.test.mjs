// gc_redo.test.mjs — clue intakes in a group commit go without a savepoint
// (docs/LEDGER.md "Group commit", GC_REDO): when one of them fails, the
// group's transaction is rolled back whole and the intakes before it in the
// group, still waiting for their commit, are run again. Issue #22's rule
// stays: the failing request gets its own error, every other one its 201,
// each stored exactly once, none answered before its commit.
//
// The order is forced as in gc_first.test.mjs: the store's write lock is
// held from outside, a good intake takes the server's writer and waits in
// BEGIN IMMEDIATE (it is the group's first member), then five good intakes
// and one bad one (a real-name clue whose reporter's identity cannot be
// sealed: refused inside the library's transaction) queue behind it. The
// lock is let go: whatever order the queued ones take the writer in, the
// bad one is not the first member, so at least the first is rolled back
// with it and run again — the server's counter of such groups
// (PLUMB_GROUP_COMMIT_STATS, "redone") must move. SQLite only: on
// PostgreSQL the writer's lock is taken at the first append.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { makeStore, startServer, Client, T0, PLUMB, sql as sqlOn, holdWriteLock, PG } from './lib.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));


test('a failing member without a savepoint: the group is rolled back and the others run again, once each', { skip: PG && 'SQLite: the order is forced by BEGIN IMMEDIATE', timeout: 120000 }, async () => {
  const st = makeStore({ pet: { role: 'petition_officer', scopes: ['U0'] } });
  const sql = (q) => sqlOn(st.db, q);
  const srv = await startServer(st.db, ['--rate-ip', '0', '--rate-user', '0', '--quiet', '--busy-wait', '60'], { env: { PLUMB_GROUP_COMMIT_STATS: '1' } });
  try {
    const pet = new Client(srv.base);
    assert.equal((await pet.login('pet', st.secrets.pet, T0)).status, 200);
    const events0 = Number(sql('SELECT count(*) FROM ledger_events'));
    const good = (i) => pet.post('/api/v1/cases', { channel: 'letter', category: 'money', summary: `反映问题 重${i}`, facts: `第${i}号：未经招标直接发包，编号${i * 7919}。`, subject_unit_id: 'UA' });
    const lock = await holdWriteLock(st.db);
    const all = [good(0)];
    await sleep(500); // the first holds the server's writer, waiting for the lock
    for (let i = 1; i <= 3; i++) all.push(good(i));
    const bad = pet.post('/api/v1/cases', { channel: 'letter', category: 'money', summary: '反映问题 坏', subject_unit_id: 'UA', real_name: true, reporter_identity: '王五 13800000000' });
    for (let i = 4; i <= 5; i++) all.push(good(i));
    await sleep(500); // the others wait behind it
    await lock.release();
    const b = await bad;
    assert.ok(b.status >= 400 && b.status < 500, `the bad intake: ${b.status} ${b.text}`);
    assert.match(b.text, /reporter_identity/, 'its error names its field');
    const res = await Promise.all(all);
    res.forEach((x, i) => assert.equal(x.status, 201, `good intake ${i}: ${x.status} ${x.text}`));
    for (let i = 0; i < res.length; i++) {
      assert.equal(sql(`SELECT count(*) FROM clues WHERE id = '${res[i].json.id}'`), '1', `the answered clue ${i} is stored`);
      assert.equal(sql(`SELECT count(*) FROM clues WHERE summary = '反映问题 重${i}'`), '1', `clue ${i} is stored once, not once per run`);
    }
    assert.equal(sql("SELECT count(*) FROM ledger_payloads WHERE payload LIKE '%坏%'"), '0', 'nothing of the bad intake is in the ledger');
    assert.ok(Number(sql('SELECT count(*) FROM ledger_events')) >= events0 + 6 * 3, 'the six intakes\' events are there');
    const h = await pet.get('/api/v1/health');
    assert.ok(h.json.group_commit.redone >= 1, `a group was rolled back and its members run again: ${h.text}`);
    const after = await good(6);
    assert.equal(after.status, 201, after.text);
    const v = execFileSync(PLUMB, ['verify', '--db', st.db, '--lang', 'en'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    assert.match(v, /^ledger ok/m);
    assert.deepEqual(pet.fails5xx, [], 'no request got a 5xx');
  } finally {
    await srv.stop();
  }
});
