// The cached scope closure follows scope and unit
// changes made through the API (writer connection) and by another process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
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

// One worker, so that every read below meets the same cached closure; the
// reader's closure must follow a unit moved under another parent, and must
// survive commits that touch neither units nor scopes (sign-ins here).
test('scope cache follows the unit tree, not every commit', async () => {
  const st = makeStore({ off: { role: 'discipline_officer', scopes: ['UB'] },
    org: { role: 'cadre_officer', scopes: ['U0', 'UB'] } });
  const srv = await startServer(st.db, ['--threads', '1']);
  try {
    const off = new Client(srv.base), org = new Client(srv.base);
    assert.equal((await off.login('off', st.secrets.off, T0)).status, 200);
    assert.equal((await org.login('org', st.secrets.org, T0)).status, 200);
    const ua = (await org.get('/api/v1/units/UA')).json;
    const see = async () => (await off.get('/api/v1/payments/PAY1')).status;
    for (let i = 0; i < 3; i++) assert.equal(await see(), 404, 'UA is under U0, outside UB');
    srv.setClock(T0 + 30); // a commit elsewhere: a sign-in (a new TOTP step)
    assert.equal((await new Client(srv.base).login('org', st.secrets.org, T0 + 30)).status, 200);
    assert.equal(await see(), 404);
    const move = async (parent) => {
      const r = await org.put('/api/v1/units/UA', { ...ua, parent_id: parent });
      assert.equal(r.status, 200, r.text);
    };
    await move('UB');
    for (let i = 0; i < 3; i++) assert.equal(await see(), 200, 'UA moved under UB');
    assert.equal((await off.get('/api/v1/payments?unit_id=UA')).json.items.length > 0, true);
    await move('U0');
    for (let i = 0; i < 3; i++) assert.equal(await see(), 404, 'UA moved back under U0');
    // by another process: the same move through an import
    const dir = path.join(st.dir, 'move');
    fs.mkdirSync(path.join(dir, 'org'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'org', 'units.csv'), 'id,parent_id,name,division_code,level,kind,industry\n' +
      `UA,UB,${ua.name},${ua.division_code},${ua.level},${ua.kind},${ua.industry}\n`);
    plumb(['import', '--db', st.db, '--source', 'org', path.join(dir, 'org', 'units.csv'), '--quiet']);
    for (let i = 0; i < 3; i++) assert.equal(await see(), 200, 'UA moved under UB by plumb import');
  } catch (e) { console.log(srv.log().slice(-2000)); throw e; }
  finally { await srv.stop(); }
});
