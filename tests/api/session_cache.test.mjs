// The per-worker session cache (src/accounts/session.c) never outlives what
// it caches: a session read many times on one worker (one thread, so every
// request below meets the same cache) is refused on the very next request
// after a logout (on this server), a disable, a scope or role change (by
// another process: the CLI), and after idle or absolute expiry (time is
// checked per request, not cached). The reads are the plain record reads
// that run in one read transaction. The cache is kept across commits that
// change no account (accounts_generation, migration 0146) and serves a row
// only while its last_seen is under 15 s old: a second server on the same
// store stands for another process, whose logout is refused on the very
// next request here and whose touch keeps the session alive here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeStore, startServer, Client, T0, plumb, sql, sqlJsonAsync } from './lib.mjs';

test('a cached session is refused right after logout, disable, scope/role change, expiry', async () => {
  const st = makeStore({ off: { role: 'discipline_officer', scopes: ['U0'] },
    dis: { role: 'discipline_officer', scopes: ['U0'] } });
  const srv = await startServer(st.db, ['--threads', '1', '--idle', '600', '--session', '3600',
    '--rate-login', '1000']);
  let t = T0;
  const login = async (name) => {
    t += 30; srv.setClock(t);
    const c = new Client(srv.base);
    assert.equal((await c.login(name, st.secrets[name], t)).status, 200);
    return c;
  };
  const warm = async (c) => {
    for (let i = 0; i < 5; i++) {
      assert.equal((await c.get('/api/v1/payments/PAY1')).status, 200);
      assert.equal((await c.get('/api/v1/payments?unit_id=UA&limit=5')).status, 200);
    }
  };
  try {
    // logout on another HTTP connection, then the old cookie
    let c = await login('off');
    await warm(c);
    const replay = new Client(srv.base);
    replay.cookie = c.cookie;
    assert.equal((await replay.get('/api/v1/payments/PAY1')).status, 200);
    assert.equal((await c.post('/api/v1/auth/logout')).status, 200);
    assert.equal((await replay.get('/api/v1/payments/PAY1')).status, 401, 'logged out');
    assert.equal((await replay.get('/api/v1/payments?unit_id=UA')).status, 401);

    // disabled by another process
    c = await login('dis');
    await warm(c);
    plumb(['user', 'disable', 'dis', '--db', st.db]);
    assert.equal((await c.get('/api/v1/payments/PAY1')).status, 401, 'disabled');

    // scope narrowed by another process: the session ends, nothing leaks
    c = await login('off');
    await warm(c);
    plumb(['user', 'scope', 'off', 'UB', '--db', st.db, '--actor', 't']);
    const after = await c.get('/api/v1/payments/PAY1');
    assert.notEqual(after.status, 200, 'scope change');
    plumb(['user', 'scope', 'off', 'U0', '--db', st.db, '--actor', 't']);

    // role changed by another process: never served with the old role
    c = await login('off');
    await warm(c);
    plumb(['user', 'role', 'off', 'leader', '--db', st.db]);
    const r = await c.get('/api/v1/payments?unit_id=UA');
    assert.ok(r.status === 401 || r.status === 403, `role change: ${r.status}`);
    plumb(['user', 'role', 'off', 'discipline_officer', '--db', st.db]);

    // idle expiry with the row cached: no request in between
    c = await login('off');
    await warm(c);
    t += 601; srv.setClock(t);
    assert.equal((await c.get('/api/v1/payments/PAY1')).status, 401, 'idle');

    // absolute expiry: touched every 300 s (each touch rewrites the row).
    // A touch is written after its request, by the server's pool, as a
    // commit of its own: each step waits until its touch is in the store
    // before the clock moves on, so that two late touches under a loaded
    // machine never make the session idle (this is a test of absolute
    // expiry, not of how soon the pool writes; it failed about once in 8
    // to 20 loaded runs without the wait).
    const touched = async (at) => {
      for (let i = 0; i < 600; i++) {
        const r = await sqlJsonAsync(st.db, 'SELECT max(last_seen) AS m FROM sessions');
        if (r.length && Number(r[0].m) >= at) return;
        await new Promise((res) => setTimeout(res, 50));
      }
      assert.fail(`the touch at ${at} never reached the store`);
    };
    c = await login('off');
    const start = t;
    while (t + 300 < start + 3600) {
      t += 300; srv.setClock(t);
      await warm(c);
      await touched(t);
    }
    t = start + 3601; srv.setClock(t);
    assert.equal((await c.get('/api/v1/payments/PAY1')).status, 401, 'absolute');
  } catch (e) { console.log(srv.log().slice(-2000)); throw e; }
  finally { await srv.stop(); }
});

test('a session ended by another server is refused at once; one touched there is not expired here', async () => {
  const st = makeStore({ off: { role: 'discipline_officer', scopes: ['U0'] } });
  const opts = ['--threads', '1', '--idle', '600', '--session', '3600', '--rate-login', '1000'];
  const a = await startServer(st.db, opts);
  const b = await startServer(st.db, opts); // the same clock file: the store's directory
  let t = T0 + 30;
  const lastSeen = () => Number(sql(st.db, "SELECT s.last_seen FROM sessions s JOIN users u ON u.id=s.user_id WHERE u.username='off'"));
  try {
    a.setClock(t);
    const c = new Client(a.base);
    assert.equal((await c.login('off', st.secrets.off, t)).status, 200);
    for (let i = 0; i < 5; i++) assert.equal((await c.get('/api/v1/payments/PAY1')).status, 200);
    const other = new Client(b.base);
    other.cookie = c.cookie; other.csrf = c.csrf;

    // Touched on the other server 400 s later; its touch is written after
    // the request, on its pool: wait for it (bounded, many seconds).
    t += 400; a.setClock(t);
    assert.equal((await other.get('/api/v1/payments/PAY1')).status, 200);
    for (let i = 0; i < 300 && lastSeen() < t; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(lastSeen(), t, 'the touch on the second server never landed');
    // 800 s after the sign-in, 400 s after that touch (idle limit 600 s):
    // alive here, though this worker read the row at the sign-in.
    t += 400; a.setClock(t);
    assert.equal((await c.get('/api/v1/payments/PAY1')).status, 200, 'wrongly expired');
    // This server's own touch lands; the row it then reads is fresh (0 s
    // old) and stays cached while nothing of the accounts changes.
    for (let i = 0; i < 300 && lastSeen() < t; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(lastSeen(), t, 'the touch on the first server never landed');
    for (let i = 0; i < 3; i++) assert.equal((await c.get('/api/v1/payments/PAY1')).status, 200);

    // Signed out on the other server: refused here on the very next request.
    assert.equal((await other.post('/api/v1/auth/logout')).status, 200);
    assert.equal((await c.get('/api/v1/payments/PAY1')).status, 401, 'logged out elsewhere');
  } catch (e) { console.log(a.log().slice(-2000), b.log().slice(-2000)); throw e; }
  finally { await a.stop(); await b.stop(); }
});
