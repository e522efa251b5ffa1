// import_xlsx.test.mjs — an .xlsx upload through POST /api/v1/import
// (content_base64) takes the CLI's path (docs/IMPORT.md "Excel"): a bad
// cell refuses the batch (422, nothing written) with the same problems as
// `plumb import` prints, each naming its cell ("units!D3"); a good workbook
// is written. The workbook is made by tests/tools/xlsx_make (libxlsxwriter).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { makeStore, startServer, Client, T0, PLUMB, PLUMB_BIN, plumb } from './lib.mjs';

const MK = process.env.PLUMB_XLSX_MAKE || path.join(path.dirname(PLUMB_BIN), 'xlsx_make');
const USERS = { cadre: { role: 'cadre_officer', scopes: ['U0', 'UB'] } };
const HEAD = 'id,parent_id,name,division_code,level,kind,industry\n';
let st, srv, C;

function workbook(name, csv) {
  const c = path.join(st.dir, name + '.csv'), x = path.join(st.dir, name + '.xlsx');
  fs.writeFileSync(c, csv);
  execFileSync(MK, [x, `units=${c}`]);
  return x;
}

before(async () => {
  st = makeStore(USERS);
  srv = await startServer(st.db, ['--rate-ip', '0', '--rate-user', '0', '--rate-login', '0']);
  C = new Client(srv.base);
  assert.equal((await C.login('cadre', st.secrets.cadre, T0)).status, 200);
});

after(async () => {
  if (srv) await srv.stop();
});

test('an .xlsx upload: bad cells named as the CLI names them, nothing written; a good one written', async () => {
  // Row 3: division code 999999 (column D) is no division; row 4: level
  // "nowhere" (column E) is outside the enumeration.
  const bad = workbook('bad', HEAD + 'UX1,U0,新单位甲,110101,county,party,党委\n' +
    'UX2,U0,坏单位,999999,county,party,党委\nUX3,U0,好单位,110101,nowhere,party,党委\n');
  let r = await C.post('/api/v1/import', { source: 'org', files: [{ name: 'org.xlsx', content_base64: fs.readFileSync(bad).toString('base64') }] });
  assert.equal(r.status, 422, r.text);
  assert.equal(r.json.committed, false);
  assert.deepEqual(r.json.errors.map((e) => e.cell), ['units!D3', 'units!E4']);
  assert.deepEqual(r.json.errors.map((e) => [e.line, e.field]), [[3, 'division_code'], [4, 'level']]);
  const api = r.json.errors.map((e) => `:${e.cell}: ${e.reason}`);
  let cli = '';
  try { plumb(['import', '--db', st.db, '--source', 'org', bad, '--quiet', '--lang', 'en']); } catch (e) { cli = e.stderr; }
  const cliLines = cli.split('\n').filter((l) => l.startsWith(bad)).map((l) => l.slice(bad.length));
  assert.deepEqual(api, cliLines);
  r = await C.get('/api/v1/units/UX1');
  assert.equal(r.status, 404, r.text);

  const good = workbook('good', HEAD + 'UX1,U0,新单位甲,110101,county,party,党委\n');
  r = await C.post('/api/v1/import', { source: 'org', files: [{ name: 'org.xlsx', content_base64: fs.readFileSync(good).toString('base64') }] });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.counts.units.added, 1);
  r = await C.get('/api/v1/units/UX1');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.name, '新单位甲');
});
