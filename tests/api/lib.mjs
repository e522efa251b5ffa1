// lib.mjs — helpers for the API tests: a fresh store with a small fixture,
// `plumb serve` on 127.0.0.1 with a random free port, a cookie/CSRF-aware
// client, RFC 6238 TOTP (HMAC-SHA1, node:crypto), and the injectable clock
// (--clock-file, enabled only with PLUMB_TEST_HOOKS=1; docs/SECURITY.md).
//
// Two engines (issue #20): PLUMB_TEST_BACKEND=pg with PLUMB_PG_STATE (the
// ctest fixture `pg`, scripts/pg-tmp) runs the same files on PostgreSQL:
// newDb() creates a fresh database per store instead of a file, PLUMB is
// then tests/api/plumb-pg (adds the store's --state-dir), and sql() /
// sqlJson() query either engine through `plumb sql` (never the sqlite3
// shell). docs/RELIABILITY.md "Both engines".
import { spawn, execFile, execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const HERE = path.dirname(fileURLToPath(import.meta.url));
// Password hashes at libsodium's minimum limits for every plumb these files
// start (docs/SECURITY.md "Test password-hash limits"): argon2id at the
// production limits was ~70 % of a server's CPU in api.acl_matrix. The
// ctest entries set it too; a file run by hand gets it here. A file that
// wants production's limits passes PLUMB_TEST_PWHASH_MIN '' in env (the
// limits themselves are checked by cli.pwhash_limits, without it).
process.env.PLUMB_TEST_PWHASH_MIN ??= '1';
export const BACKEND = process.env.PLUMB_TEST_BACKEND === 'pg' ? 'pg' : 'sqlite';
export const PG = BACKEND === 'pg';
export const PLUMB_BIN = process.env.PLUMB || path.resolve('plumb');
// The side directory is removed at exit only by the process that made it
// (a CLI script's node helper must not remove the script's own:
// tests/cli/helpers/store_lib.sh).
const OWN_SIDE = PG && !process.env.PLUMB_API_SIDE;
if (PG) {
  if (!process.env.PLUMB_PG_STATE) throw new Error('PLUMB_TEST_BACKEND=pg needs PLUMB_PG_STATE (scripts/pg-tmp)');
  // Children see these too: tests spawn PLUMB with {...process.env}.
  process.env.PLUMB_REAL = PLUMB_BIN;
  process.env.PLUMB_API_SIDE ||= fs.mkdtempSync(path.join(os.tmpdir(), 'plumb-api-side-'));
  // The cluster's password through libpq's PGPASSWORD, not in the URLs: a
  // failed command's line (in the test log) then names no secret.
  const admin = new URL(fs.readFileSync(path.join(process.env.PLUMB_PG_STATE, 'url'), 'utf8').trim());
  process.env.PGPASSWORD = decodeURIComponent(admin.password);
}
export const PLUMB = PG ? path.join(HERE, 'plumb-pg') : PLUMB_BIN;
export const PASSWORD = 'Correct-Horse-9battery';
export const T0 = Date.parse('2026-03-02T09:00:00Z') / 1000;

export function iso(t) {
  return new Date(t * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

// ---------------------------------------------------------------- TOTP
export function base32Decode(s) {
  const A = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0, acc = 0; const out = [];
  for (const c of s.replace(/=+$/, '').toUpperCase()) {
    acc = (acc << 5) | A.indexOf(c); bits += 5;
    if (bits >= 8) { out.push((acc >>> (bits - 8)) & 255); bits -= 8; }
  }
  return Buffer.from(out);
}
export function hotp(key, counter, digits = 6) {
  const msg = Buffer.alloc(8); msg.writeBigUInt64BE(BigInt(counter));
  const mac = crypto.createHmac('sha1', key).update(msg).digest();
  const off = mac[mac.length - 1] & 15;
  const bin = mac.readUInt32BE(off) & 0x7fffffff;
  return String(bin % 10 ** digits).padStart(digits, '0');
}
export const totp = (secret32, t) => hotp(base32Decode(secret32), Math.floor(t / 30));

// ------------------------------------------------------ fixture records
// GB 11643 check digit.
export function citizenId(seq, birth = '19700101', div = '110101') {
  const body = div + birth + String(seq).padStart(3, '0');
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  let s = 0; for (let i = 0; i < 17; i++) s += Number(body[i]) * w[i];
  return body + '10X98765432'[s % 11];
}
// GB 32100 check character.
export function uscc(seq) {
  const A = '0123456789ABCDEFGHJKLMNPQRTUWXY';
  const body = '91110101' + 'MA' + String(seq).padStart(7, '0') + '';
  const b = body.slice(0, 17);
  const w = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
  let s = 0; for (let i = 0; i < 17; i++) s += A.indexOf(b[i]) * w[i];
  const c = (31 - (s % 31)) % 31;
  return b + A[c];
}

export const P = {
  S: citizenId(1, '19700101'),   // subject: top leader of UA
  K: citizenId(2, '19720202'),   // spouse of S
  T: citizenId(3, '19800303'),   // deputy in UA (same leadership team)
  O: citizenId(4, '19750404'),   // top of UB
  R: citizenId(5, '19900505'),   // reporter
  X: citizenId(6, '19850606'),   // staff in U0 with no link to S
};
export const C1 = uscc(1);

function csv(rows) {
  const esc = (v) => (/[",\n]/.test(String(v)) ? '"' + String(v).replace(/"/g, '""') + '"' : String(v));
  return rows.map((r) => r.map(esc).join(',')).join('\n') + '\n';
}

// The fixture: every entity has a record about S in unit UA (under U0);
// UB is a separate tree for out-of-scope users. Ids listed in FIX.
export const FIX = {
  unit: 'UA', person: P.S, post: 'PS', tenure: 'TS', kin: 'KIN1', company: C1,
  company_role: 'CR1', contract: 'CT1', meeting: 'M1', decision: 'D1', speech: 'SP1',
  payment: 'PAY1', declaration: 'DEC1', declaration_item: 'DI1', registry_record: 'RR1',
  evaluation: 'EV1', supervision_activity: 'SV1', clue: 'CL1', clue_reporter: 'CRP1',
  disposition: 'DSP1', accountability: 'AC1', person_record: 'PR1',
};

export function writeFixture(dir) {
  const f = {
    'org/units.csv': [['id', 'parent_id', 'name', 'division_code', 'level', 'kind', 'industry'],
      ['U0', '', '东城县委', '110101', 'county', 'party', '党委'],
      ['UA', 'U0', '东城县财政局', '110101', 'county', 'department', '财政'],
      ['UB', '', '西城县委', '110102', 'county', 'party', '党委']],
    'org/persons.csv': [['id', 'name', 'gender', 'birth_date', 'native_place'],
      [P.S, '张三', 'M', '1970-01-01', '110101'], [P.K, '李四', 'F', '1972-02-02', ''],
      [P.T, '王五', 'M', '1980-03-03', ''], [P.O, '赵六', 'M', '1975-04-04', ''],
      [P.R, '钱七', 'F', '1990-05-05', ''], [P.X, '孙八', 'M', '1985-06-06', '']],
    'org/posts.csv': [['id', 'unit_id', 'title', 'rank', 'is_top', 'category', 'portfolio', 'reports_to'],
      ['PS', 'UA', '局长', 'section', '1', 'general', '', ''],
      ['PT', 'UA', '副局长', 'section', '0', 'finance', '', 'PS'],
      ['PO', 'UB', '书记', 'division', '1', 'general', '', ''],
      ['PX', 'U0', '科员', 'staff', '0', 'general', '', '']],
    'org/tenures.csv': [['id', 'person_id', 'post_id', 'start_date', 'end_date', 'decision_id'],
      ['TS', P.S, 'PS', '2005-01-01', '', ''], ['TT', P.T, 'PT', '2020-01-01', '', ''],
      ['TO', P.O, 'PO', '2020-01-01', '', ''], ['TX', P.X, 'PX', '2021-01-01', '', '']],
    'police/kin.csv': [['id', 'person_id', 'relative_id', 'relation'], ['KIN1', P.S, P.K, 'spouse']],
    'market/companies.csv': [['id', 'name', 'legal_rep_id', 'registered_at'], [C1, '东城建材有限公司', P.K, '2015-05-05']],
    'market/company_roles.csv': [['id', 'company_id', 'person_id', 'role', 'share_bp', 'start_date', 'end_date'],
      ['CR1', C1, P.K, 'shareholder', '5000', '2015-05-05', '']],
    // a market register's row of K without a reliable ID (docs/LINKAGE.md
    // "Records without a reliable ID"): K's ID with one digit wrong
    'market/person_records.csv': [['id', 'source', 'name', 'gender', 'birth_date', 'id_as_written', 'division_code', 'household', 'company_id', 'role', 'share_bp', 'start_date', 'end_date'],
      ['PR1', 'market', '李四', 'F', '1972-02-02', P.K.slice(0, 16) + String((Number(P.K[16]) + 1) % 10) + P.K[17], '', '', C1, 'shareholder', '5000', '2015-05-05', '']],
    'contracts/contracts.csv': [['id', 'unit_id', 'supplier_id', 'amount_fen', 'signed_at', 'procurement_method', 'subject'],
      ['CT1', 'UA', C1, '80000000', '2025-03-01', 'single_source', '办公楼维修']],
    'meetings/meetings.csv': [['id', 'unit_id', 'kind', 'held_at', 'members_total', 'attendees'],
      ['M1', 'UA', 'party_committee', '2025-02-20', '7', '6']],
    'meetings/decisions.csv': [['id', 'unit_id', 'meeting_id', 'category', 'subject', 'amount_fen', 'appointee_id', 'integrity_opinion', 'votes_for', 'result', 'decided_at'],
      ['D1', 'UA', 'M1', 'large_fund', '维修资金', '80000000', '', '', '6', 'approved', '2025-02-20']],
    'meetings/speeches.csv': [['id', 'decision_id', 'person_id', 'speech_order'], ['SP1', 'D1', P.S, '1']],
    'finance/payments.csv': [['id', 'unit_id', 'payee_company_id', 'payee_person_id', 'amount_fen', 'paid_at', 'purpose', 'contract_id', 'decision_id'],
      ['PAY1', 'UA', C1, '', '80000000', '2025-03-10', '维修款', 'CT1', 'D1']],
    'declarations/declarations.csv': [['id', 'person_id', 'year', 'filed_at'], ['DEC1', P.S, '2024', '2025-01-20']],
    'declarations/declaration_items.csv': [['id', 'declaration_id', 'kind', 'holder_id', 'ref', 'amount_fen', 'detail'],
      ['DI1', 'DEC1', 'real_estate', P.S, '京房权证001', '', '住房']],
    'realestate/registry_records.csv': [['id', 'source', 'kind', 'holder_id', 'ref', 'amount_fen', 'observed_at', 'detail'],
      ['RR1', 'real_estate', 'real_estate', P.K, '京房权证002', '', '2023-06-01', '']],
    'evaluations/evaluations.csv': [['id', 'person_id', 'year', 'kind', 'score', 'votes_excellent', 'votes_competent', 'votes_basic', 'votes_incompetent'],
      ['EV1', P.S, '2024', 'annual', '80', '20', '10', '2', '1']],
    'supervision/supervision_activities.csv': [['id', 'kind', 'person_id', 'unit_id', 'held_at', 'notes'],
      ['SV1', 'reminder_talk', P.S, 'UA', '2024-06-01', '提醒']],
    'clues/clues.csv': [['id', 'channel', 'received_at', 'subject_person_id', 'subject_unit_id', 'category', 'summary', 'real_name'],
      ['CL1', 'online', '2025-04-01', P.S, 'UA', 'money', '反映违规发包', '1']],
    'clues/clue_reporters.csv': [['id', 'clue_id', 'person_id'], ['CRP1', 'CL1', P.R]],
    'clues/dispositions.csv': [['id', 'clue_id', 'method', 'decided_at', 'verified_at', 'concluded_at', 'outcome'],
      ['DSP1', 'CL1', 'talk_inquiry', '2025-04-10', '', '', '']],
    'supervision/accountability.csv': [['id', 'person_id', 'measure', 'decided_at', 'basis', 'clue_id'],
      ['AC1', P.S, 'criticism', '2024-08-01', '通报', '']],
  };
  for (const [name, rows] of Object.entries(f)) {
    fs.mkdirSync(path.join(dir, path.dirname(name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), csv(rows));
  }
}

export function plumb(args, input) {
  return execFileSync(PLUMB, args, { input, encoding: 'utf8', env: { ...process.env, LANG: 'en_US.UTF-8', PLUMB_LANG: 'en' }, stdio: ['pipe', 'pipe', 'pipe'] });
}

// A fresh store with the fixture imported and rules swept. Users: {name:
// {role, scopes, person}} → created with PASSWORD; returns their secrets.
// A temporary directory that is removed when the test process exits (kept
// with PLUMB_KEEP_TMP=1, to look at a failed run's store and logs).
const tmpDirs = [];
process.on('exit', () => {
  if (process.env.PLUMB_KEEP_TMP) return;
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});
export function tempDir(prefix) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tmpDirs.push(dir);
  return dir;
}

// ------------------------------------------------------- the two engines
// A new, empty store target in dir: the file dir/NAME.db on SQLite; on
// PostgreSQL a fresh database (unique name, dropped when the process
// exits) whose side files go to $PLUMB_API_SIDE/<database> (plumb-pg).
// startServer puts its port and clock files in dir (storeDir).
const storeDirs = new Map();
const pgDbs = [];
let pgSeq = 0;
function pgAdmin(q) {
  const url = fs.readFileSync(path.join(process.env.PLUMB_PG_STATE, 'url'), 'utf8').trim().replace(/\/\/([^:@/]+):[^@/]*@/, '//$1@');
  execFileSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', url, '-c', q],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, PGOPTIONS: '-c client_min_messages=warning' } });
}
process.on('exit', () => {
  if (process.env.PLUMB_KEEP_TMP) return;
  for (const name of pgDbs) try { pgAdmin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`); } catch { /* the cluster is gone */ }
  if (OWN_SIDE) fs.rmSync(process.env.PLUMB_API_SIDE, { recursive: true, force: true });
});
export function newDb(dir, name = 'p') {
  if (!PG) {
    const db = path.join(dir, `${name}.db`);
    storeDirs.set(db, dir);
    return db;
  }
  const dbname = `api_${process.pid}_${++pgSeq}_${name.replace(/[^a-z0-9_]/gi, '').toLowerCase()}`;
  const url = execFileSync('bash', [path.join(HERE, '../../scripts/pg-tmp'), 'createdb', process.env.PLUMB_PG_STATE, dbname],
    { encoding: 'utf8', env: { ...process.env, PGOPTIONS: '-c client_min_messages=warning' } })
    .trim().replace(/\/\/([^:@/]+):[^@/]*@/, '//$1@');
  pgDbs.push(dbname);
  storeDirs.set(url, dir);
  return url;
}
// The directory of a store (its file's on SQLite, newDb's dir on PostgreSQL).
export function storeDir(db) { return storeDirs.get(db) || path.dirname(db); }
// The side files' directory of a PostgreSQL store (plumb-pg's --state-dir).
export function sideDir(db) { return path.join(process.env.PLUMB_API_SIDE, db.replace(/\?.*$/, '').replace(/^.*\//, '')); }

// A copy of the store db as a new store, while a server may still write
// it: sqlite3 .backup and the side files on SQLite; on PostgreSQL a new
// database filled by pg_dump (CREATE DATABASE … TEMPLATE would need the
// source without connections) and a copy of the state directory.
export function copyStore(db, dir, name = 'copy') {
  const to = newDb(dir, name);
  if (!PG) {
    execFileSync('sqlite3', [db, `.backup '${to}'`]);
    const base = path.basename(db);
    for (const f of fs.readdirSync(path.dirname(db)).filter((f) => f.startsWith(base + '.')))
      fs.copyFileSync(path.join(path.dirname(db), f), to + f.slice(base.length));
    return to;
  }
  execFileSync('bash', ['-c', 'set -o pipefail; pg_dump --no-owner "$1" | psql -X -q -v ON_ERROR_STOP=1 "$2"', '_', db, to], { stdio: ['ignore', 'ignore', 'pipe'] });
  if (fs.existsSync(sideDir(db))) fs.cpSync(sideDir(db), sideDir(to), { recursive: true });
  return to;
}

// ------------------------------------------------- generated stores, cached
// A generated store in dir: `plumb gen --scale S --seed N` into dir/<out>
// (default 'gen'), `plumb init --origin plumbline.test/gen-S-N`, `plumb
// import --all` (under the caller's PLUMB_NOW: the import dates and sweeps
// by it). Returns the new store (newDb(dir, name)). Several files import
// the same county; with a cache the import is done once per run and each
// caller gets a copy (docs/RELIABILITY.md "Both engines"):
//  - PostgreSQL: always, in the fixture's cluster (so per ctest run: the
//    cluster and its state directory go at the end): the first caller
//    builds a template database tpl_<key> and its state directory under
//    $PLUMB_PG_STATE/api-templates/<key>; every caller gets `CREATE
//    DATABASE … TEMPLATE tpl_<key>` (a file copy, no import) and a copy of
//    the state directory (keys, rules snapshot);
//  - SQLite: when PLUMB_API_CACHE names a directory (the file and its side
//    files copied; ctest's api.* entries get build/api-cache, emptied
//    before and removed after each run by the fixture api-cache); without
//    it each call imports, as before.
// The key is scale, seed, PLUMB_NOW and the binary (size, mtime), so a
// rebuilt plumb never meets a store of the old one. Built under a lock
// directory (the ctest entries run side by side): the others wait for it.
const sleepMs = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
function alive(pid) {
  try { process.kill(pid, 0); return true; } catch (e) { return e.code === 'EPERM'; }
}
function cachedBuild(root, build) {
  const done = path.join(root, 'done');
  const lock = root + '.lock';
  fs.mkdirSync(path.dirname(root), { recursive: true });
  for (;;) {
    if (fs.existsSync(done)) return;
    try {
      fs.mkdirSync(lock);
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      let pid = 0;
      try { pid = Number(fs.readFileSync(path.join(lock, 'pid'), 'utf8')); } catch { /* being written */ }
      if (pid && !alive(pid)) fs.rmSync(lock, { recursive: true, force: true }); // its builder died
      else sleepMs(250);
      continue;
    }
    try {
      fs.writeFileSync(path.join(lock, 'pid'), String(process.pid));
      fs.rmSync(root, { recursive: true, force: true });
      fs.mkdirSync(root, { recursive: true });
      build();
      fs.writeFileSync(done, '');
    } finally {
      fs.rmSync(lock, { recursive: true, force: true });
    }
  }
}
function genImport(gen, db, scale, seed, run = plumb) {
  plumb(['gen', '--scale', scale, '--seed', String(seed), '--out', gen, '--quiet']);
  run(['init', '--db', db, '--origin', `plumbline.test/gen-${scale}-${seed}`]);
  run(['import', '--all', gen, '--db', db, '--quiet']);
}
export function genStore(dir, { scale = 'county', seed, name = 'g', out = 'gen' } = {}) {
  const cacheDir = PG ? path.join(process.env.PLUMB_PG_STATE, 'api-templates') : process.env.PLUMB_API_CACHE;
  const gen = path.join(dir, out);
  if (!cacheDir) {
    const db = newDb(dir, name);
    genImport(gen, db, scale, seed);
    return db;
  }
  const bin = fs.statSync(PLUMB_BIN);
  const key = `${scale}_${seed}_` + crypto.createHash('sha256')
    .update(JSON.stringify([process.env.PLUMB_NOW || '', PLUMB_BIN, bin.size, bin.mtimeMs])).digest('hex').slice(0, 12);
  const root = path.join(cacheDir, key);
  const tpl = `tpl_${key}`;
  cachedBuild(root, () => {
    if (!PG) return genImport(path.join(root, 'gen'), path.join(root, 'store.db'), scale, seed);
    const url = execFileSync('bash', [path.join(HERE, '../../scripts/pg-tmp'), 'createdb', process.env.PLUMB_PG_STATE, tpl],
      { encoding: 'utf8', env: { ...process.env, PGOPTIONS: '-c client_min_messages=warning' } })
      .trim().replace(/\/\/([^:@/]+):[^@/]*@/, '//$1@');
    // The real binary with the template's own state directory (plumb-pg's
    // would be this process's, removed when it exits).
    const side = path.join(root, 'side');
    genImport(path.join(root, 'gen'), url, scale, seed, (args) => execFileSync(PLUMB_BIN, ['--state-dir', side, ...args],
      { encoding: 'utf8', env: { ...process.env, LANG: 'en_US.UTF-8', PLUMB_LANG: 'en' }, stdio: ['pipe', 'pipe', 'pipe'] }));
  });
  fs.symlinkSync(path.join(root, 'gen'), gen);
  return copyCached(dir, name, root, tpl);
}
// A new store in dir copied from a cached build at root: its store.db and
// side files on SQLite; on PostgreSQL CREATE DATABASE … TEMPLATE tpl and a
// copy of the template's state directory.
function copyCached(dir, name, root, tpl) {
  if (!PG) {
    const db = newDb(dir, name);
    for (const f of fs.readdirSync(root).filter((f) => f.startsWith('store.db')))
      fs.copyFileSync(path.join(root, f), db + f.slice('store.db'.length));
    return db;
  }
  const dbname = `api_${process.pid}_${++pgSeq}_${name.replace(/[^a-z0-9_]/gi, '').toLowerCase()}`;
  pgAdmin(`CREATE DATABASE ${dbname} TEMPLATE ${tpl} STRATEGY FILE_COPY`);
  pgDbs.push(dbname);
  const url = fs.readFileSync(path.join(process.env.PLUMB_PG_STATE, 'url'), 'utf8').trim()
    .replace(/\/\/([^:@/]+):[^@/]*@/, '//$1@').replace(/\/postgres$/, `/${dbname}`);
  storeDirs.set(url, dir);
  fs.cpSync(path.join(root, 'side'), sideDir(url), { recursive: true });
  return url;
}

// SQL on a store of either engine through `plumb sql`: the rows as the
// sqlite3 shell's list mode prints them (columns joined by '|'), trimmed.
export function sql(db, q) {
  return execFileSync(PLUMB, ['sql', '--db', db, q], { encoding: 'utf8', maxBuffer: 1 << 28 }).trim();
}
// What sqlite3 -json prints: "" for no rows, else a JSON array of objects.
export function sqlJsonText(db, q) {
  return execFileSync(PLUMB, ['sql', '--json', '--db', db, q], { encoding: 'utf8', maxBuffer: 1 << 28 });
}
// The rows as objects (sqlite3 -json's shape: integers as numbers).
export function sqlJson(db, q) {
  const out = execFileSync(PLUMB, ['sql', '--json', '--db', db, q], { encoding: 'utf8', maxBuffer: 1 << 28 });
  return out.trim() ? JSON.parse(out) : [];
}
export async function sqlJsonAsync(db, q) {
  const { stdout } = await promisify(execFile)(PLUMB, ['sql', '--json', '--db', db, q], { encoding: 'utf8', maxBuffer: 1 << 28 });
  return stdout.trim() ? JSON.parse(stdout) : [];
}

// Dialect helpers: what the sqlite3 shell's pragmas and dot-commands gave.
// The columns that lead an index of table.
export function indexLeading(db, table) {
  const q = PG
    ? `SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
       JOIN pg_class c ON c.oid = i.indrelid WHERE c.relname = '${table}' AND c.relnamespace = current_schema()::regnamespace`
    : `SELECT ii.name FROM pragma_index_list('${table}') il, pragma_index_info(il.name) ii WHERE ii.seqno=0`;
  return new Set(sql(db, q).split('\n').filter(Boolean));
}
// The columns of table, in order.
export function tableColumns(db, table) {
  const q = PG
    ? `SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = '${table}' ORDER BY ordinal_position`
    : `SELECT name FROM pragma_table_info('${table}')`;
  return sql(db, q).split('\n').filter(Boolean);
}
// How another process holds the store's write lock until it is told to
// let go: a shell (cmd, args) fed `take` (it prints "locked" once the lock
// is held) and later `free`. SQLite: BEGIN IMMEDIATE in the sqlite3 shell;
// PostgreSQL: the ledger writer's advisory lock (src/store/pg.c
// pg_writer_lock) in a psql transaction, which every write of the server
// waits for in the same way.
export function writeLocker(db) {
  return PG
    ? { cmd: 'psql', args: ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', db],
      take: "BEGIN;\nSELECT pg_advisory_xact_lock(1886221677, hashtext(current_schema()));\nSELECT 'locked';\n", free: 'COMMIT;\n' }
    : { cmd: 'sqlite3', args: ['-bail', db], take: ".timeout 20000\nBEGIN IMMEDIATE;\nSELECT 'locked';\n", free: 'COMMIT;\n' };
}
// Holds the store's write lock (writeLocker) until release() is called:
// the lock is taken when the shell has answered the SELECT after it.
// onSpawn(p), if given, sees the holder's process (a test that ends the
// holders still running when it failed).
export async function holdWriteLock(db, onSpawn) {
  const L = writeLocker(db);
  const p = spawn(L.cmd, L.args, { stdio: ['pipe', 'pipe', 'pipe'] });
  if (onSpawn) onSpawn(p);
  let out = '';
  p.stdout.on('data', (d) => { out += d; });
  const done = new Promise((res) => p.on('exit', res));
  p.stdin.write(L.take);
  for (let i = 0; i < 1000 && !out.includes('locked'); i++) await new Promise((r) => setTimeout(r, 10));
  if (!out.includes('locked')) throw new Error(`${L.cmd} did not take the write lock`);
  return { async release() { p.stdin.end(L.free); await done; } };
}
// The query plan of q as text: SQLite's EXPLAIN QUERY PLAN; PostgreSQL's
// EXPLAIN with sequential scans priced out: a test store's tables are a few
// rows, for which a scan and a sort is cheapest, so the plan shows what a
// large table gets when an index order is available (what the SQLite
// plans are asserted for).
export function queryPlan(db, q) {
  return sql(db, PG ? `SET enable_seqscan = off; EXPLAIN ${q}` : `EXPLAIN QUERY PLAN ${q}`);
}
// SQL functions that differ by name: the position of b in a (0: none), and
// a text field of a JSON column.
export const sqlInstr = (a, b) => (PG ? `strpos(${a}, ${b})` : `instr(${a}, ${b})`);
export const sqlJsonGet = (col, key) => (PG ? `(${col}::json ->> '${key}')` : `json_extract(${col}, '$.${key}')`);
// col ends in '|' and four digits (a key's year): SQLite's GLOB, PostgreSQL's ~.
export const sqlEndsInYear = (col) => (PG ? `${col} ~ '[|][0-9]{4}$'` : `${col} GLOB '*|[0-9][0-9][0-9][0-9]'`);
// The last n characters of col (SQLite's substr with a negative start).
export const sqlRight = (col, n) => (PG ? `right(${col}, ${n})` : `substr(${col}, -${n})`);
// A date n months after a date column, as 'YYYY-MM-DD' text.
export const sqlAddMonths = (col, n) => (PG ? `to_char(CAST(${col} AS date) + interval '${n} months', 'YYYY-MM-DD')` : `date(${col}, '+${n} months')`);
// The values of expr joined by sep, in the order of the rows.
export const sqlGroupConcat = (expr, sep) => (PG ? `string_agg(${expr}, '${sep}')` : `group_concat(${expr}, '${sep}')`);
// Rows read with SELECT * (sqlJson) less PostgreSQL's row key row_no.
export const withoutRowKey = (rows) => rows.map(({ row_no, ...rest }) => (void row_no, rest));
// A table's rows, every column of its data, ordered by the first two:
// SELECT * less PostgreSQL's row key row_no (pl_store_row_key: the
// store's, drawn anew by a rebuild, as SQLite's rowid, which SELECT * omits).
export function tableRows(db, table) {
  const cols = PG ? tableColumns(db, table).filter((c) => c !== 'row_no').join(', ') : '*';
  return sql(db, `SELECT ${cols} FROM ${table} ORDER BY 1, 2`);
}
// tableRows of each of `tables` (a Map name -> text) from one `plumb sql`
// (on PostgreSQL two: the columns first): a test that compares many tables
// before and after each step pays one process and one connection, not one
// or two per table (api.pg.loop spent 40 of its 110 s on them).
const DUMP_MARK = '==tablesRows== ';
export function tablesRows(db, tables) {
  const cols = new Map(tables.map((t) => [t, []]));
  if (PG) {
    const list = tables.map((t) => `'${t}'`).join(', ');
    const q = `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()
      AND table_name IN (${list}) ORDER BY table_name, ordinal_position`;
    for (const line of sql(db, q).split('\n').filter(Boolean)) {
      const [t, c] = line.split('|');
      if (c !== 'row_no') cols.get(t).push(c);
    }
  }
  const q = tables.map((t) => `SELECT '${DUMP_MARK}${t}'; SELECT ${PG ? cols.get(t).join(', ') : '*'} FROM ${t} ORDER BY 1, 2`);
  const out = execFileSync(PLUMB, ['sql', '--db', db, q.join(';\n')], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const rows = new Map();
  let cur = null;
  for (const line of out.split('\n')) {
    if (line.startsWith(DUMP_MARK) && cols.has(line.slice(DUMP_MARK.length))) rows.set((cur = line.slice(DUMP_MARK.length)), []);
    else if (cur !== null) rows.get(cur).push(line);
    else throw new Error(`tablesRows: a row before the first table: ${line}`);
  }
  for (const t of tables) {
    if (!rows.has(t)) throw new Error(`tablesRows: no rows section for ${t}`);
    rows.set(t, rows.get(t).join('\n').trim());
  }
  return rows;
}
// Everything in the store as text (schema and rows): sqlite3 .dump, pg_dump.
export function dumpStore(db) {
  if (PG) return execFileSync('pg_dump', ['--no-owner', db], { encoding: 'utf8', maxBuffer: 1 << 28 });
  return execFileSync('sqlite3', [db, '.dump'], { encoding: 'utf8', maxBuffer: 1 << 28 });
}

// pageSize: `plumb init --page-size` (SQLite only).
// On PostgreSQL the store before its users (init, the fixture's import,
// the sweep) is the same for every file with the same PLUMB_NOW and
// binary: a template database per ctest run, as genStore's county, so each
// file pays a copy (CREATE DATABASE … TEMPLATE) instead of an init (the
// ~50 PostgreSQL migrations), an import and a sweep: 4.3-7.0 s → 1.6-5.5 s
// a makeStore at load 15-20 (docs/RELIABILITY.md "The suite's time"). The
// users are added to the copy, as before. On SQLite, where an init is a
// tenth of a second, each file still makes its own.
function fixtureImport(db, data, pageSize, run = plumb) {
  run(['init', '--db', db, '--origin', 'plumbline.test/api', ...(pageSize ? ['--page-size', String(pageSize)] : [])]);
  writeFixture(data);
  run(['import', '--db', db, '--all', data, '--quiet']);
  try { run(['sweep', '--db', db, '--as-of', '2026-03-01']); } catch { /* rules optional */ }
}
function fixtureStore(dir, pageSize) {
  const data = path.join(dir, 'data');
  if (!PG) {
    const db = newDb(dir);
    fixtureImport(db, data, pageSize);
    return db;
  }
  const cacheDir = path.join(process.env.PLUMB_PG_STATE, 'api-templates');
  const bin = fs.statSync(PLUMB_BIN);
  const key = 'fixture_' + crypto.createHash('sha256')
    .update(JSON.stringify([process.env.PLUMB_NOW || '', PLUMB_BIN, bin.size, bin.mtimeMs, pageSize || 0,
      writeFixture.toString(), P])).digest('hex').slice(0, 12);
  const root = path.join(cacheDir, key);
  const tpl = `tpl_${key}`;
  cachedBuild(root, () => {
    const url = execFileSync('bash', [path.join(HERE, '../../scripts/pg-tmp'), 'createdb', process.env.PLUMB_PG_STATE, tpl],
      { encoding: 'utf8', env: { ...process.env, PGOPTIONS: '-c client_min_messages=warning' } })
      .trim().replace(/\/\/([^:@/]+):[^@/]*@/, '//$1@');
    const side = path.join(root, 'side');
    fixtureImport(url, path.join(root, 'data'), pageSize, (args) => execFileSync(PLUMB_BIN, ['--state-dir', side, ...args],
      { encoding: 'utf8', env: { ...process.env, LANG: 'en_US.UTF-8', PLUMB_LANG: 'en' }, stdio: ['pipe', 'pipe', 'pipe'] }));
  });
  writeFixture(data);
  return copyCached(dir, 'p', root, tpl);
}

export function makeStore(users, { pageSize } = {}) {
  const dir = tempDir('plumb-api-');
  const db = fixtureStore(dir, pageSize);
  const secrets = {};
  for (const [name, u] of Object.entries(users)) secrets[name] = addUser(db, name, u);
  return { dir, db, secrets };
}

export function addUser(db, name, u) {
  const args = ['user', 'add', name, '--role', u.role, '--password-stdin', '--db', db, '--actor', 'test'];
  for (const s of u.scopes || []) args.push('--scope', s);
  if (u.person) args.push('--person', u.person);
  const out = plumb(args, (u.password || PASSWORD) + '\n');
  return /totp_secret: (\S+)/.exec(out)[1];
}

// ------------------------------------------------------------ the server
// `dir`: where the port and clock files go (default: the store's directory;
// a PostgreSQL store, a URL, gives one).
export async function startServer(db, extra = [], { env = {}, dir = storeDir(db) } = {}) {
  const portFile = path.join(dir, `port-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const clockFile = path.join(dir, 'clock');
  if (!fs.existsSync(clockFile)) fs.writeFileSync(clockFile, iso(T0) + '\n');
  const args = ['serve', '--db', db, '--port', '0', '--port-file', portFile, '--clock-file', clockFile, ...extra];
  const proc = spawn(PLUMB, args, { env: { ...process.env, PLUMB_TEST_HOOKS: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  proc.stderr.on('data', (d) => { log += d; });
  proc.stdout.on('data', (d) => { log += d; });
  const exited = new Promise((res) => proc.on('exit', (code, sig) => res({ code, sig })));
  for (let i = 0; i < 300 && !fs.existsSync(portFile); i++) await new Promise((r) => setTimeout(r, 20));
  if (!fs.existsSync(portFile)) { proc.kill('SIGKILL'); throw new Error('server did not start: ' + log); }
  const port = Number(fs.readFileSync(portFile, 'utf8'));
  const tls = extra.includes('--tls-cert');
  return {
    proc, port, base: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`, clockFile, exited,
    log: () => log,
    // Written to a temporary file and renamed, so the server never reads a half-written clock.
    setClock: (t) => { fs.writeFileSync(clockFile + '.tmp', iso(t) + '\n'); fs.renameSync(clockFile + '.tmp', clockFile); },
    async stop() { if (proc.exitCode === null) proc.kill('SIGTERM'); return exited; },
  };
}

// When fetch last had an answer: its kept-alive sockets are one pool for
// every Client (undici's global dispatcher), so idleness is the process's.
let lastFetch = Date.now();

// A client with a cookie jar and the CSRF token of its session.
export class Client {
  constructor(base) { this.base = base; this.cookie = ''; this.csrf = ''; this.fails5xx = []; }
  async req(method, p, body, { headers = {}, raw = false } = {}) {
    const h = { ...headers };
    if (this.cookie) h.Cookie = this.cookie;
    if (this.csrf && method !== 'GET' && !('X-CSRF-Token' in h)) h['X-CSRF-Token'] = this.csrf;
    let payload;
    if (body !== undefined) {
      payload = raw ? body : JSON.stringify(body);
      if (!('Content-Type' in h)) h['Content-Type'] = 'application/json';
    }
    // One turn of the event loop first: after a blocking call (execFileSync
    // of the CLI) the server may have closed this client's kept-alive
    // socket (idle timeout, header deadline), and undici learns it only
    // when the socket's end event is processed; reused before, the request
    // fails with "other side closed" without reaching the server.
    await new Promise((resolve) => setImmediate(resolve));
    let res;
    try {
      res = await fetch(this.base + p, { method, headers: h, body: payload });
    } catch (e) {
      // The same race when the socket was closed by the server's idle
      // timeout (--conn-timeout, 15 s) during a long blocking call (a
      // verify, a dump) and the close was not yet seen: the request never
      // reached the server (it closes only idle connections), so it is
      // sent once more, on a new connection. Not after a short idle: a
      // server killed under a request still fails the request.
      if (!(Date.now() - lastFetch > 5000 && /UND_ERR_SOCKET|ECONNRESET|EPIPE/.test(String(e.cause?.code)))) throw e;
      res = await fetch(this.base + p, { method, headers: h, body: payload });
    }
    lastFetch = Date.now();
    const sc = res.headers.get('set-cookie');
    if (sc) {
      const m = /plumb_session=([^;]*)/.exec(sc);
      if (m) this.cookie = m[1] ? `plumb_session=${m[1]}` : '';
    }
    const text = await res.text();
    let json = null;
    try { json = JSON.parse(text); } catch { /* not JSON */ }
    if (res.status >= 500) this.fails5xx.push(`${method} ${p} → ${res.status}`);
    return { status: res.status, json, text, headers: res.headers };
  }
  get(p, o) { return this.req('GET', p, undefined, o); }
  post(p, b, o) { return this.req('POST', p, b, o); }
  put(p, b, o) { return this.req('PUT', p, b, o); }
  async login(username, secret, t, password = PASSWORD) {
    const r = await this.post('/api/v1/auth/login', { username, password, totp: totp(secret, t) });
    if (r.status === 200) this.csrf = r.json.csrf_token;
    return r;
  }
}
