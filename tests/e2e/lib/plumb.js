// A real Plumbline for the E2E run: a fresh store with generated county
// data (plumb init, gen, import --all, sweep), staff accounts made with
// `plumb user add`, and `plumb serve --web web/dist` on 127.0.0.1 at a free
// port. PLUMB (binary) and PLUMB_E2E_WORK (scratch dir) may be set.
// On PostgreSQL (PLUMB_TEST_BACKEND=pg, PLUMB_PG_STATE: the ctest fixture
// `pg`, scripts/pg-tmp; the e2e.pg.<file> entries): the cached store is a
// template database of the fixture's cluster with its state directory, each
// file gets CREATE DATABASE … TEMPLATE and a copy of that directory, and
// sql() reads through `plumb sql` (docs/RELIABILITY.md "Both engines").
import { spawn, execFileSync } from 'node:child_process'
import { mkdtempSync, mkdirSync, readFileSync, existsSync, rmSync, readdirSync, copyFileSync, cpSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { ROOT } from './browser.js'

export const PLUMB = process.env.PLUMB || join(ROOT, 'build', 'plumb')
// Password hashes at libsodium's minimum limits for the cache's `user add`s
// and the servers (docs/SECURITY.md "Test password-hash limits"; set by the
// ctest entries too): no file here is about the cost of a sign-in.
process.env.PLUMB_TEST_PWHASH_MIN ??= '1'
const PG = process.env.PLUMB_TEST_BACKEND === 'pg'
const PG_TEMPLATE = 'e2e_tpl'
let adminUrl = ''
if (PG) {
  if (!process.env.PLUMB_PG_STATE) throw new Error('PLUMB_TEST_BACKEND=pg needs PLUMB_PG_STATE (scripts/pg-tmp)')
  // The password through PGPASSWORD: the URLs (in the logs) carry none.
  const u = new URL(readFileSync(join(process.env.PLUMB_PG_STATE, 'url'), 'utf8').trim())
  process.env.PGPASSWORD = decodeURIComponent(u.password)
  u.password = ''
  adminUrl = u.toString()
}
const dbUrl = (name) => adminUrl.replace(/\/postgres$/, `/${name}`)
function pgAdmin(q) {
  execFileSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', adminUrl, '-c', q],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, PGOPTIONS: '-c client_min_messages=warning' } })
}
// A URL store's state directory (its keys, rules snapshot), given on every
// command that names it.
const stateDirs = new Map()
function withState(args) {
  const i = args.indexOf('--db')
  const dir = i >= 0 ? stateDirs.get(args[i + 1]) : undefined
  return dir ? ['--state-dir', dir, ...args] : args
}

export function plumb(args, input) {
  return execFileSync(PLUMB, withState(args), { input, encoding: 'utf8', env: { ...process.env, PLUMB_LANG: 'en' },
    maxBuffer: 64 << 20, stdio: ['pipe', 'pipe', 'pipe'] })
}

export function sql(db, query) {
  if (PG) return execFileSync(PLUMB, ['sql', '--json', '--db', db, query], { encoding: 'utf8', maxBuffer: 64 << 20 }).trim()
  return execFileSync('sqlite3', ['-readonly', '-json', db, query], { encoding: 'utf8' }).trim()
}

// The generated store every E2E file starts from.
function buildStore(work, db) {
  plumb(['init', '--db', db])
  plumb(['gen', '--scale', 'county', '--seed', '7', '--out', join(work, 'data'), '--quiet'])
  plumb(['import', '--db', db, '--all', join(work, 'data')])
  // A second county (湘西州 and 吉首市 433101, another seed) in the same store,
  // so that scope is tested across counties, not only across units.
  plumb(['gen', '--scale', 'prefecture', '--limit', '2', '--seed', '3', '--out', join(work, 'data2'), '--quiet'])
  plumb(['import', '--db', db, '--all', join(work, 'data2'), '--no-rules'])
  plumb(['sweep', '--db', db])
}

// run.sh --cache (ctest e2e.web.cache, the fixture of every e2e.web.* entry):
// the generated store built once into `cache`, which the files then copy.
export function buildCache(cache) {
  const work = mkdtempSync(join(tmpdir(), 'plumb-e2e-cache-'))
  if (PG) {
    // The template database and its state directory in cache/side.
    try {
      rmSync(cache, { recursive: true, force: true })
      mkdirSync(cache, { recursive: true })
      pgAdmin(`DROP DATABASE IF EXISTS ${PG_TEMPLATE} WITH (FORCE)`)
      pgAdmin(`CREATE DATABASE ${PG_TEMPLATE}`)
      stateDirs.set(dbUrl(PG_TEMPLATE), join(cache, 'side'))
      buildStore(work, dbUrl(PG_TEMPLATE))
      writeFileSync(join(cache, 'pg-template'), PG_TEMPLATE + '\n')
    } finally {
      rmSync(work, { recursive: true, force: true })
    }
    return
  }
  try {
    buildStore(work, join(work, 'county.db'))
    mkdirSync(cache, { recursive: true })
    for (const f of readdirSync(cache)) rmSync(join(cache, f), { force: true })
    for (const f of readdirSync(work)) if (f.startsWith('county.db')) copyFileSync(join(work, f), join(cache, f))
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

/** The store under test emptied, for a `prepare` that makes its own store
 * with `plumb init` instead of the generated one: on SQLite the file and its
 * side files removed; on PostgreSQL the database dropped and created again
 * (empty) and its state directory emptied (its keys are the template's). */
export function emptyStore(db, work) {
  if (PG) {
    const name = new URL(db).pathname.slice(1)
    pgAdmin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
    pgAdmin(`CREATE DATABASE ${name}`)
    const side = stateDirs.get(db)
    rmSync(side, { recursive: true, force: true })
    mkdirSync(side, { recursive: true })
    return
  }
  for (const f of readdirSync(work)) if (f.startsWith('county.db')) rmSync(join(work, f), { force: true })
}

/** `prepare(db, work)` (optional) runs on the store before the server starts;
 * `serveArgs(work)` (optional) gives more `plumb serve` options. */
export async function startPlumb({ users, prepare, serveArgs }) {
  const work = process.env.PLUMB_E2E_WORK || mkdtempSync(join(tmpdir(), 'plumb-e2e-'))
  let db = join(work, 'county.db')
  const t0 = Date.now()
  const cache = process.env.PLUMB_E2E_CACHE
  let dropDb = ''
  if (PG) {
    if (!cache || !existsSync(join(cache, 'pg-template'))) throw new Error('e2e on PostgreSQL: no template (run.sh --cache, ctest e2e.pg.cache)')
    dropDb = `e2e_${process.pid}_${Math.random().toString(36).slice(2, 8)}`
    pgAdmin(`CREATE DATABASE ${dropDb} TEMPLATE ${PG_TEMPLATE} STRATEGY FILE_COPY`)
    db = dbUrl(dropDb)
    cpSync(join(cache, 'side'), join(work, 'side'), { recursive: true })
    stateDirs.set(db, join(work, 'side'))
  } else if (cache && existsSync(join(cache, 'county.db'))) {
    // run.sh sets PLUMB_E2E_CACHE: the first file builds the store, the
    // others start from a copy of it (the store and its side files).
    for (const f of readdirSync(cache)) copyFileSync(join(cache, f), join(work, f))
  } else {
    buildStore(work, db)
    if (cache) for (const f of readdirSync(work)) if (f.startsWith('county.db')) copyFileSync(join(work, f), join(cache, f))
  }
  const setupMs = Date.now() - t0
  const accounts = {}
  for (const u of users) {
    const args = ['user', 'add', u.name, '--role', u.role, '--password-stdin', '--db', db]
    for (const s of u.scopes || []) args.push('--scope', s)
    if (u.person) args.push('--person', u.person)
    const out = plumb(args, u.password + '\n')
    const m = /totp_secret:\s*([A-Z2-7]+)/.exec(out)
    if (!m) throw new Error(`plumb user add printed no TOTP secret:\n${out}`)
    accounts[u.name] = { ...u, secret: m[1] }
  }
  if (prepare) await prepare(db, work)
  const portFile = join(work, 'port')
  rmSync(portFile, { force: true })
  const proc = spawn(PLUMB, [...(PG ? ['--state-dir', join(work, 'side')] : []), 'serve', '--db', db, '--bind', '127.0.0.1', '--port', '0', '--port-file', portFile,
    '--web', join(ROOT, 'web', 'dist'), '--quiet', ...(serveArgs ? serveArgs(work) : [])], { stdio: ['ignore', 'inherit', 'inherit'] })
  let port = 0
  for (let i = 0; i < 300 && !port; i++) {
    if (proc.exitCode !== null) throw new Error(`plumb serve exited with ${proc.exitCode}`)
    if (existsSync(portFile)) port = Number(readFileSync(portFile, 'utf8').trim()) || 0
    if (!port) await sleep(100)
  }
  if (!port) throw new Error('plumb serve did not write its port')
  const stop = async () => {
    if (proc.exitCode === null) {
      proc.kill('SIGTERM')
      await new Promise((r) => proc.once('exit', r))
    }
    if (!process.env.PLUMB_E2E_WORK && !process.env.PLUMB_E2E_KEEP) rmSync(work, { recursive: true, force: true })
    if (dropDb && !process.env.PLUMB_E2E_KEEP) pgAdmin(`DROP DATABASE IF EXISTS ${dropDb} WITH (FORCE)`)
  }
  return { origin: `http://127.0.0.1:${port}`, db, work, accounts, setupMs, stop }
}
