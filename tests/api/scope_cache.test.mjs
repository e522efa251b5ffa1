// The cached scope closure follows scope and unit
// changes made through the API (writer connection) and by another process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeStore, startServer, Client, T0, plumb } from './lib.mjs';

test('scope cache invalidation', async () => {
  const st = makeStore({ off: { role: 'discipline_officer', scopes: ['UB'] }, adm: { role: 'admin' },
    cad: { role: 'cadre_officer', scopes: ['U0'] } });
  const srv = await startServer(st.db);
  try {
    const off = new Client(srv.base), adm = new Client(srv.base), cad = new Client(srv.base);
    assert.equal((await off.login('off', st.secrets.off, T0)).status, 200);
    assert.equal((await adm.login('adm', st.secrets.adm, T0)).status, 200);
    assert.equal((await cad.login('cad', st.secrets.cad, T0)).status, 200);
    let tick = T0;
    const relog = async () => { tick += 30; srv.setClock(tick); const o = new Client(srv.base);
      assert.equal((await o.login('off', st.secrets.off, tick)).status, 200); return o; };
    let o2;
    const users = (await adm.get('/api/v1/users')).json.items;
    const id = users.find((u) => u.username === 'off').id;
    for (let i = 0; i < 4; i++) assert.equal((await off.get('/api/v1/payments/PAY1')).status, 404);
    assert.equal((await adm.put(`/api/v1/users/${id}`, { scopes: ['U0'] })).status, 200);
    o2 = await relog();
    for (let i = 0; i < 4; i++) assert.equal((await o2.get('/api/v1/payments/PAY1')).status, 200, 'widened via API');
    assert.equal((await o2.get('/api/v1/payments?unit_id=UA')).json.items.length > 0, true);
    assert.equal((await adm.put(`/api/v1/users/${id}`, { scopes: ['UB'] })).status, 200);
    o2 = await relog();
    for (let i = 0; i < 4; i++) assert.equal((await o2.get('/api/v1/payments/PAY1')).status, 404, 'narrowed via API');
    assert.equal((await o2.get('/api/v1/payments?unit_id=UA')).json.items.length, 0);
    // another process
    plumb(['user', 'scope', 'off', 'U0', '--db', st.db, '--actor', 't']);
    o2 = await relog();
    for (let i = 0; i < 4; i++) assert.equal((await o2.get('/api/v1/payments/PAY1')).status, 200, 'widened by CLI');
    plumb(['user', 'scope', 'off', 'UB', '--db', st.db, '--actor', 't']);
    if ((await o2.get('/api/v1/payments/PAY1')).status === 401) o2 = await relog();
    for (let i = 0; i < 4; i++) assert.equal((await o2.get('/api/v1/payments/PAY1')).status, 404, 'narrowed by CLI');
    // the admin's cache on the same worker must not leak to another user
    assert.equal((await cad.get('/api/v1/payments/PAY1')).status, 200);
    assert.equal((await o2.get('/api/v1/payments/PAY1')).status, 404);
  } catch (e) { console.log(srv.log().slice(-2000)); throw e; }
  finally { await srv.stop(); }
});
