// The view from above in the web dashboard (issue #21 item 5,
// docs/LEVELS.md §10): the store under test (the prefecture here) imports a
// signed bundle from a county built from examples/ — witnessed by a real
// `plumb witness serve`, exported with `plumb bundle export` — and a
// leader's dashboard shows the section "下级一把手（来自事件包）": the county's
// log and checkpoint, its party secretary 王建国 with the risk index the
// county's own store computed (risk_warnings, read with sqlite3, not the
// view's code) and, on each line, the origin, the county's event seq and
// the checkpoint; the same in English. Screenshots below-zh, below-en.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { launch, watchForeign, shot, ROOT } from './lib/browser.js'
import { startPlumb, plumb, sql, PLUMB } from './lib/plumb.js'
import { totp, base32Decode } from './lib/totp.js'

const PASSWORD = 'Correct-Horse-42-battery'
const ROOT_UNIT = 'U433127-000001'
const ORIGIN = 'county.example/c1'
let srv, br, page, county
const foreign = []

// The county: examples, swept, statistics published, witnessed, exported;
// the bundle imported into the store under test.
async function importCountyBundle(db, work) {
  county = join(work, 'c1.db')
  const init = plumb(['init', '--db', county, '--origin', ORIGIN])
  const lv = init.trim().split('\n').pop()
  plumb(['import', '--all', join(ROOT, 'examples'), '--db', county, '--quiet'])
  plumb(['sweep', '--db', county, '--as-of', '2026-03-01'])
  plumb(['escalation', 'publish-stats', '--db', county])
  const wkey = join(work, 'w.key')
  plumb(['keygen', '--name', 'pref.example/witness', '--out', wkey])
  const wv = plumb(['witness', 'vkey', '--key', wkey]).trim()
  writeFileSync(join(work, 'logs.conf'), `${ORIGIN} ${lv}\n`)
  const portFile = join(work, 'wport')
  const w = spawn(PLUMB, ['witness', 'serve', '--state', join(work, 'wst'), '--key', wkey, '--logs',
    join(work, 'logs.conf'), '--listen', '127.0.0.1:0', '--port-file', portFile], { stdio: 'ignore' })
  try {
    for (let i = 0; i < 300 && !existsSync(portFile); i++) await sleep(20)
    const port = readFileSync(portFile, 'utf8').trim()
    plumb(['checkpoint', 'push', '--db', county, '--witness', wv, '--url', `http://127.0.0.1:${port}`])
  } finally {
    w.kill('SIGTERM')
  }
  const bundle = join(work, 'c1.bundle')
  plumb(['bundle', 'export', '--db', county, '--witness-vkey', wv, '--out', bundle])
  plumb(['bundle', 'import', bundle, '--db', db, '--origins', join(work, 'logs.conf'), '--witness-vkey', wv])
  // The county sits under the store's root unit: the leader's scope holds it
  // (docs/SECURITY.md "The view from above").
  plumb(['levels', 'place', ORIGIN, '--unit', ROOT_UNIT, '--db', db])
}

async function signIn(p, name) {
  const acct = srv.accounts[name]
  await p.goto(srv.origin + '/#/login')
  await p.getByLabel(/用户名|User name/).fill(name)
  await p.getByLabel(/^(密码|Password)$/).fill(PASSWORD)
  await p.getByLabel(/动态验证码|One-time code/).fill(totp(base32Decode(acct.secret)))
  await p.getByTestId('login-submit').click()
  await p.waitForURL((u) => !u.hash.startsWith('#/login'))
}

before(async () => {
  srv = await startPlumb({
    users: [{ name: 'below-lead', role: 'leader', scopes: [ROOT_UNIT], password: PASSWORD }],
    prepare: importCountyBundle,
  })
  br = await launch()
  page = await br.context.newPage()
  await page.setViewportSize({ width: 1440, height: 900 })
  watchForeign(page, srv.origin, foreign)
  await signIn(page, 'below-lead')
})
after(async () => {
  await br?.close()
  await srv?.stop()
})

// The county's own numbers: the secretary's standing warning, the event that
// raised it, the checkpoint the bundle was proven against.
function countyTruth() {
  const w = JSON.parse(sql(county, `SELECT w.index_x100 AS x, w.grade AS g FROM risk_warnings w
    WHERE w.person_id = '43312719700315011X'`))[0]
  const seq = JSON.parse(sql(county, `SELECT max(seq) AS s FROM ledger_events WHERE type = 'warning.raised'
    AND payload LIKE '%43312719700315011X%'`))[0].s
  const size = JSON.parse(sql(county, 'SELECT max(size) AS n FROM ledger_checkpoints'))[0].n
  return { index: (w.x / 100).toFixed(2), grade: w.g, seq, size }
}

test('the dashboard shows the county below, from its bundle, with provenance (zh)', async () => {
  const want = countyTruth()
  await page.goto(srv.origin + '/#/dashboard')
  const panel = page.getByTestId('panel-below')
  await panel.waitFor({ timeout: 20000 })
  assert.match(await panel.innerText(), /下级一把手（来自事件包）/)
  const head = await panel.getByTestId('below-origin').innerText()
  assert.match(head, new RegExp(`日志 ${ORIGIN} · 检查点 ${want.size}`))
  const row = panel.locator('tr', { hasText: '王建国' })
  await row.waitFor()
  const text = await row.innerText()
  assert.match(text, /县委书记/)
  assert.match(text, new RegExp(want.index.replace('.', '\\.')))
  assert.match(text, /红/)
  assert.match(text, new RegExp(`来源 ${ORIGIN}，事件 ${want.seq}，检查点 ${want.size}`))
  assert.match(await panel.getByTestId('below-stats').innerText(), /线索统计：共 \d+ 件/)
  await panel.scrollIntoViewIfNeeded()
  await shot(page, 'below-zh')
})

test('the same section in English', async () => {
  const want = countyTruth()
  await page.getByTestId('lang-switch').click()
  await page.getByRole('option', { name: 'English' }).click()
  const panel = page.getByTestId('panel-below')
  await panel.getByText('Top leaders below (from bundles)').waitFor()
  const row = panel.locator('tr', { hasText: '王建国' })
  const text = await row.innerText()
  assert.match(text, /Red/)
  assert.match(text, new RegExp(`from ${ORIGIN}, event ${want.seq}, checkpoint ${want.size}`))
  assert.doesNotMatch(await panel.innerText(), /[来源检查点]{2}/, 'no Chinese labels left in English')
  await panel.scrollIntoViewIfNeeded()
  await shot(page, 'below-en')
  assert.deepEqual(foreign, [])
})
