// io_fault.test.mjs — an I/O error or a full disk at every write point of
// an API write (issue #15, "At scale"; docs/RELIABILITY.md "I/O fault
// injection"). `plumb serve` runs under the LD_PRELOAD shim
// build/libiofault.so (tests/fault/iofault.c), armed after sign-in and
// disarmed after the POST, so that it counts only the writes of one POST
// /api/v1/units (with ENOSPC sticky: and of the shutdown), and fails the Nth: once with EIO, and from the Nth on
// with ENOSPC (a disk that stays full). For every N: the answer is 201, or
// a JSON error — 507 `disk_full` (saying nothing was stored) or 500 — and
// never a hang or a crash; after the server stops, `verify` is clean, the
// unit is in the store if the answer was 201 and absent if it was 507;
// after a transient EIO the next write is taken (201) and stored.
// IOFAULT_STEP=k tries every k-th point (1 in the suite).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { makeStore, startServer, Client, T0, PLUMB, sql as sqlOn } from './lib.mjs';

const SHIM = process.env.PLUMB_IOFAULT || path.join(path.dirname(PLUMB), 'libiofault.so');
const asan = (() => { try { return /libasan/.test(execFileSync('ldd', [PLUMB], { encoding: 'utf8' })); } catch { return false; } })();
const STEP = Number(process.env.IOFAULT_STEP || 1);

test('a fault at every write point of an API write', { skip: asan || !fs.existsSync(SHIM) ? 'needs the shim and a plain (not ASan) build' : false, timeout: 30 * 60 * 1000 }, async () => {
  const st = makeStore({ cadre: { role: 'cadre_officer', scopes: ['U0'] } });
  const base = st.db + '.base';
  // The store after its first start: the server's start writes (accounts,
  // keys) are then the same every time and happen before the arming.
  let srv = await startServer(st.db, ['--quiet']);
  await srv.stop();
  for (const ext of ['', '.key', '.totp.key']) if (fs.existsSync(st.db + ext)) fs.copyFileSync(st.db + ext, base + ext);
  const fresh = () => {
    for (const ext of ['-wal', '-shm', '.rules-snapshot']) fs.rmSync(st.db + ext, { force: true });
    for (const ext of ['', '.key', '.totp.key']) if (fs.existsSync(base + ext)) fs.copyFileSync(base + ext, st.db + ext);
  };
  const arm = path.join(st.dir, 'arm'), countFile = path.join(st.dir, 'count');
  let now = T0;
  // One round: start under the shim, sign in, arm, POST, stop.
  async function round(at, errno, sticky, id) {
    fresh();
    fs.rmSync(arm, { force: true });
    fs.rmSync(countFile, { force: true });
    srv = await startServer(st.db, ['--quiet', '--rate-login', '0'], {
      env: { LD_PRELOAD: SHIM, IOFAULT_PATH: st.db, IOFAULT_ARM: arm, IOFAULT_AT: String(at), IOFAULT_ERRNO: errno, IOFAULT_STICKY: sticky ? '1' : '0', IOFAULT_COUNT: countFile },
    });
    const c = new Client(srv.base);
    now += 60;
    srv.setClock(now);
    const li = await c.login('cadre', st.secrets.cadre, now);
    assert.equal(li.status, 200, li.text);
    fs.writeFileSync(arm, '');
    const r = await c.post('/api/v1/units', { id, parent_id: 'U0', name: `单位${id}`, division_code: '110101', level: 'county', kind: 'department', industry: '其他' });
    // After a transient error the server goes on writing (disarmed: the
    // fault is behind it).
    if (!sticky) fs.rmSync(arm, { force: true });
    const again = sticky ? null : await c.post('/api/v1/units', { id: id + 'b', parent_id: 'U0', name: `单位${id}b`, division_code: '110101', level: 'county', kind: 'department', industry: '其他' });
    const ex = await srv.stop();
    return { r, again, ex, log: srv.log() };
  }
  const ok = await round(0, 'EIO', false, 'UF0');
  assert.equal(ok.r.status, 201, ok.r.text);
  const K = Number(fs.readFileSync(countFile, 'utf8'));
  assert.ok(K > 3, `write points counted: ${K}`);
  const tally = {};
  for (const [errno, sticky] of [['EIO', false], ['ENOSPC', true]]) {
    for (let n = 1; n <= K; n += STEP) {
      const id = `UF${errno}${n}`;
      const what = `${errno} at write ${n} of ${K}`;
      const { r, again, ex, log } = await round(n, errno, sticky, id);
      if (again) assert.equal(again.status, 201, `${what}: the next write after a transient error: ${again.text}\n${log.split('\n').filter((l) => /error/.test(l)).join('\n')}`);
      tally[`${errno} ${r.status}`] = (tally[`${errno} ${r.status}`] || 0) + 1;
      assert.ok(ex.sig === null, `${what}: the server died of ${ex.sig}`);
      assert.ok([201, 500, 507].includes(r.status), `${what}: ${r.status} ${r.text}`);
      if (r.status !== 201) {
        assert.ok(r.json && r.json.error, `${what}: a JSON error body: ${r.text}`);
        assert.doesNotMatch(r.text, /sqlite|SQL|disk I\/O|\.db/i, `${what}: store internals in the answer`);
      }
      if (r.status === 500) {
        // The answer says nothing of the store; the server's log says what
        // failed (one JSON line: the route and the store's message).
        const lines = log.split('\n').filter((l) => l.startsWith('{')).map((l) => { try { return JSON.parse(l); } catch { return null; } });
        assert.ok(lines.some((o) => o && o.level === 'error' && o.where === '/api/v1/units' && typeof o.msg === 'string' && o.msg.length > 0),
          `${what}: a 500 without the store's message in the log:\n${log}`);
        tally.logged500 = (tally.logged500 || 0) + 1;
      }
      if (r.status === 507) {
        assert.equal(r.json.error.code, 'disk_full');
        assert.match(r.json.error.message, /disk is full; nothing of this request was stored/);
      }
      const v = execFileSync(PLUMB, ['verify', '--db', st.db, '--lang', 'en'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      assert.match(v, /^ledger ok/m, `${what}: verify`);
      const have = sqlOn(st.db, `SELECT count(*) FROM units WHERE id='${id}'`);
      if (r.status === 201) assert.equal(have, '1', `${what}: acknowledged but not stored`);
      if (again) {
        const b = sqlOn(st.db, `SELECT count(*) FROM units WHERE id='${id}b'`);
        assert.equal(b, '1', `${what}: the next write acknowledged but not stored`);
      }
      if (r.status === 507) assert.equal(have, '0', `${what}: 507 says nothing was stored, but the unit is there`);
    }
  }
  console.log(`# ${K} write points of one API write; answers ${JSON.stringify(tally)}`);
  assert.ok(tally['ENOSPC 507'] > 0, 'a full disk was answered 507');
});
