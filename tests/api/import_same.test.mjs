// import_same.test.mjs — the two entry points of an import, `plumb import`
// and `POST /api/v1/import`, run one service (src/import, docs/IMPORT.md
// "One import service"): the same files, imported as the same batches by
// the same actors on the same clock (PLUMB_NOW and the server's clock
// file), give the same ledger — event for event, so the same root — and
// `plumb verify` finds every projection equal to the replay on both.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PLUMB, T0, iso, writeFixture, addUser, tempDir, startServer, Client, newDb, copyStore } from './lib.mjs';

// One clock for every process of this test: the CLI's events and the
// server's (PLUMB_NOW), the server's "today" for the rules (clock file).
process.env.PLUMB_NOW = iso(T0);

function run(args) {
  return execFileSync(PLUMB, args, {
    encoding: 'utf8',
    env: { ...process.env, LANG: 'en_US.UTF-8', PLUMB_LANG: 'en' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

// The fixture (lib.mjs) as the batches a data office would send: one per
// source, each by a user whose role may write every entity in it
// (src/accounts/roles.c) — the API refuses a row of another kind.
const BATCHES = [
  ['org', 'cadre', ['persons.csv', 'posts.csv', 'tenures.csv']],
  ['police', 'cadre', ['kin.csv']],
  ['market', 'prov', ['companies.csv', 'company_roles.csv']],
  ['contracts', 'prov', ['contracts.csv']],
  ['meetings', 'prov', ['meetings.csv', 'decisions.csv', 'speeches.csv']],
  ['finance', 'prov', ['payments.csv']],
  ['declarations', 'cadre', ['declarations.csv', 'declaration_items.csv']],
  ['realestate', 'prov', ['registry_records.csv']],
  ['evaluations', 'cadre', ['evaluations.csv']],
  ['supervision', 'disc', ['supervision_activities.csv', 'accountability.csv']],
  ['clues', 'disc', ['clues.csv', 'clue_reporters.csv', 'dispositions.csv']],
];
const USERS = {
  cadre: { role: 'cadre_officer', scopes: ['U0', 'UB'] },
  prov: { role: 'data_provider', scopes: ['U0', 'UB'] },
  disc: { role: 'discipline_officer', scopes: ['U0', 'UB'] },
};

// `plumb verify`: the ledger's size and root, and that every projection
// equals the replay.
function verified(db) {
  const out = run(['verify', '--db', db]);
  const m = /ledger ok: (\d+) events .* match the replay; root ([0-9a-f]{64})/.exec(out);
  assert.ok(m, `plumb verify on ${db}: ${out}`);
  return { events: Number(m[1]), root: m[2] };
}

let server;
after(async () => { if (server) await server.stop(); });

test('plumb import and POST /api/v1/import give the same ledger from the same files', async () => {
  const dir = tempDir('plumb-same-');
  const data = path.join(dir, 'data');
  writeFixture(data);

  // The common start: a store with the units the users' scopes name (a
  // scope must name a stored unit) and the three users; then two copies.
  const base = newDb(dir, 'base');
  run(['init', '--db', base, '--origin', 'plumbline.test/same']);
  run(['import', '--db', base, '--source', 'org', path.join(data, 'org', 'units.csv'), '--quiet']);
  const secrets = {};
  for (const [name, u] of Object.entries(USERS)) secrets[name] = addUser(base, name, u);
  const copy = (to) => {
    fs.mkdirSync(path.join(dir, to));
    return copyStore(base, path.join(dir, to), 'p');
  };
  const cliDb = copy('cli'), apiDb = copy('api');
  const start = verified(cliDb);
  assert.deepEqual(verified(apiDb), start);

  // The CLI, batch by batch, with the actor the API records (the user).
  for (const [source, user, files] of BATCHES)
    run(['import', '--db', cliDb, '--source', source, '--actor', user, '--quiet',
      ...files.map((f) => path.join(data, source, f))]);

  // The API, the same batches uploaded by those users.
  server = await startServer(apiDb);
  const clients = {};
  for (const name of Object.keys(USERS)) {
    clients[name] = new Client(server.base);
    const r = await clients[name].login(name, secrets[name], T0);
    assert.equal(r.status, 200, r.text);
  }
  for (const [source, user, files] of BATCHES) {
    const r = await clients[user].post('/api/v1/import', {
      source,
      files: files.map((f) => ({ name: f, content: fs.readFileSync(path.join(data, source, f), 'utf8') })),
    });
    assert.equal(r.status, 200, `${source}: ${r.text}`);
    assert.equal(r.json.committed, true);
  }
  await server.stop();
  server = null;

  const viaCli = verified(cliDb), viaApi = verified(apiDb);
  // Not vacuous: the batches appended rows and their rule checks raised findings.
  const findings = (db) => run(['findings', '--db', db]);
  assert.ok(viaCli.events > start.events + 40, `${viaCli.events} events`);
  assert.match(findings(cliDb), /R04/);
  assert.equal(findings(apiDb), findings(cliDb));
  assert.deepEqual(viaApi, viaCli);
});
