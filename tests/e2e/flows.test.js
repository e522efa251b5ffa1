// The staff flows against a real `plumb serve` with generated county data
// (永顺县, seed 7), driven in Debian's chromium: TOTP sign-in, the dashboard
// with the planted top-risk leader, a finding with its explanation and
// evidence, the integrity file, language switch, a user outside the scope
// seeing nothing, and session expiry. Screenshots go to build/e2e-artifacts/;
// bundle size and dashboard first render are written to
// build/e2e-artifacts/web-metrics.json (docs/BENCHMARKS.md "## Web").
//
// The dashboard's rotations (GET /api/v1/rotations) and findings by rule and
// month (GET /api/v1/findings/stats) are checked against the CLI and the store.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, statSync, readFileSync, writeFileSync, mkdirSync, copyFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { join } from 'node:path'
import { launch, watchForeign, unlabelled, shot, ROOT, ARTIFACTS } from './lib/browser.js'
import { startPlumb, plumb, sql } from './lib/plumb.js'
import { base32Decode, signInCode } from './lib/totp.js'

const PASSWORD = 'Correct-Horse-42-battery'
const ROOT_UNIT = 'U433127-000001'
let srv, br, page
let leader // the top of `plumb risk` (CLI), which the dashboard must show first
let otherUnit
const foreign = []
const metrics = {}

async function signIn(p, name) {
  const acct = srv.accounts[name]
  await p.goto(srv.origin + '/#/login')
  await p.getByLabel(/用户名|User name/).fill(name)
  await p.getByLabel(/^(密码|Password)$/).fill(PASSWORD)
  // A code is good once per step: lib/totp.js signInCode.
  const { code, step } = await signInCode(base32Decode(acct.secret), acct.lastStep)
  acct.lastStep = step
  await p.getByLabel(/动态验证码|One-time code/).fill(code)
  await p.getByTestId('login-submit').click()
  await p.waitForURL((u) => !u.hash.startsWith('#/login'))
}

before(async () => {
  srv = await startPlumb({ users: [
    { name: 'e2e-lead', role: 'leader', scopes: [ROOT_UNIT], password: PASSWORD },
    { name: 'e2e-discipline', role: 'discipline_officer', scopes: [ROOT_UNIT], password: PASSWORD },
  ] })
  // The store holds two counties: the top of the risk ranking within 永顺县
  // is what a user scoped to 永顺县 must see first.
  leader = JSON.parse(plumb(['risk', '--db', srv.db, '--top', '1000', '--json']))
    .find((r) => r.unit.startsWith('U433127-'))
  // Another county (吉首市): its leader must see nothing of 永顺县's leader.
  const rows = JSON.parse(sql(srv.db, `SELECT id FROM units WHERE level='county' AND kind='party'
    AND division_code='433101' ORDER BY id LIMIT 1`))
  otherUnit = rows[0].id
  srv.accounts['e2e-outside'] = { name: 'e2e-outside', ...(await addUser('e2e-outside', 'leader', otherUnit)) }
  br = await launch()
  page = await br.context.newPage()
  watchForeign(page, srv.origin, foreign)
})
after(async () => {
  try {
    mkdirSync(ARTIFACTS, { recursive: true })
    writeFileSync(join(ARTIFACTS, 'web-metrics.json'), JSON.stringify(metrics, null, 2) + '\n')
  } finally {
    await br?.close()
    await srv?.stop()
  }
})

async function addUser(name, role, scope) {
  const out = plumb(['user', 'add', name, '--role', role, '--scope', scope, '--password-stdin', '--db', srv.db], PASSWORD + '\n')
  return { role, secret: /totp_secret:\s*([A-Z2-7]+)/.exec(out)[1] }
}

test('the built bundle: size measured (gzip)', () => {
  const dir = join(ROOT, 'web', 'dist', 'assets')
  let raw = 0
  let gz = 0
  const entry = readFileSync(join(ROOT, 'web', 'dist', 'index.html'), 'utf8')
  let initialGz = 0
  for (const f of readdirSync(dir)) {
    const buf = readFileSync(join(dir, f))
    raw += statSync(join(dir, f)).size
    const g = gzipSync(buf, { level: 9 }).length
    gz += g
    if (entry.includes(f)) initialGz += g
  }
  Object.assign(metrics, { bundle_raw_bytes: raw, bundle_gzip_bytes: gz, initial_gzip_bytes: initialGz })
  assert.ok(gz > 0)
})

test('sign in with password and TOTP', async () => {
  await page.goto(srv.origin + '/')
  await page.waitForURL(/#\/login/)
  assert.deepEqual(await unlabelled(page), [])
  // A wrong code is refused with the message on the page.
  await page.getByLabel('用户名', { exact: true }).fill('e2e-lead')
  await page.getByLabel('密码', { exact: true }).fill(PASSWORD)
  await page.getByLabel('动态验证码（6位）').fill('000000')
  await page.getByTestId('login-submit').click()
  await page.getByTestId('login-error').waitFor()
  // In the page's language, not the server's English text.
  assert.match(await page.getByTestId('login-error').innerText(), /用户名、密码或动态验证码错误/)
  await shot(page, 'login')
  await signIn(page, 'e2e-lead')
  await page.getByTestId('whoami').getByText('e2e-lead').waitFor()
})

test('dashboard shows the top-risk leader first, and its first render is measured', async () => {
  const t0 = Date.now()
  await page.goto(srv.origin + '/#/dashboard')
  await page.reload()
  await page.waitForFunction(() => typeof window.__plumbDashboardMs === 'number', null, { timeout: 60000 })
  metrics.dashboard_first_render_ms = Math.round(await page.evaluate(() => window.__plumbDashboardMs))
  metrics.dashboard_load_wall_ms = Date.now() - t0
  const nav = await page.evaluate(() => {
    const n = performance.getEntriesByType('navigation')[0]
    const fcp = performance.getEntriesByName('first-contentful-paint')[0]
    return { dcl: n && n.domContentLoadedEventEnd, fcp: fcp && fcp.startTime }
  })
  metrics.dashboard_fcp_ms = nav.fcp ? Math.round(nav.fcp) : null
  const first = page.getByTestId('risk-table').locator('.el-table__body tr').first()
  await first.getByText(leader.name).waitFor()
  await page.waitForTimeout(800) // let the charts draw before the picture
  const p = await shot(page, 'dashboard')
  // The README's picture is refreshed on request only: a test run must not
  // change tracked files.
  if (process.env.PLUMB_UPDATE_SCREENSHOT === '1') copyFileSync(p, join(ROOT, 'docs', 'screenshot.png'))
})

test('dashboard: rotations due in the next 12 months, findings by rule and trend', async () => {
  // The rotations panel lists the county's due tenures (GET /api/v1/rotations),
  // earliest first: the first is overdue and is an R01 finding of the CLI.
  const rows = page.getByTestId('rotation-table').locator('.el-table__body tr')
  await rows.first().waitFor()
  assert.ok((await rows.count()) >= 1)
  const total = Number((await page.getByTestId('rotation-total').innerText()).trim())
  assert.ok(total >= 1, 'at least one rotation due')
  const r01 = JSON.parse(plumb(['findings', '--db', srv.db, '--rule', 'R01', '--limit', '10000', '--json']))
    .filter((f) => f.severity !== 'low')
  assert.ok(r01.length >= 1, 'the county data plants R01')
  const href = await rows.first().getByTestId('rotation-person').getAttribute('href')
  assert.ok(r01.some((f) => href.endsWith('/persons/' + encodeURIComponent(f.subject))), `first rotation ${href} is an R01 subject`)
  assert.ok(Number((await page.getByTestId('rotation-overdue').innerText()).trim()) >= 1)
  // Findings panel: the total is every finding of 永顺县 (the leader's scope is its root),
  // none of the other county's.
  const n = JSON.parse(sql(srv.db, "SELECT count(*) AS n FROM findings WHERE unit_id LIKE 'U433127-%'"))[0].n
  assert.equal(Number((await page.getByTestId('finding-total').innerText()).trim()), n)
  await page.getByTestId('finding-rule-chart').locator('canvas').first().waitFor()
  await page.getByTestId('finding-trend-chart').locator('canvas').first().waitFor()
  await page.waitForTimeout(500) // let the charts draw before the pictures
  await page.getByTestId('panel-rotations').screenshot({ path: join(ARTIFACTS, 'dashboard-rotations.png') })
  await page.getByTestId('panel-findings').screenshot({ path: join(ARTIFACTS, 'dashboard-findings.png') })
})

test('integrity file of the leader opens from the dashboard, with tenures and graph', async () => {
  await page.getByTestId('risk-table').locator('.el-table__body tr').first().getByTestId('risk-person').click()
  await page.waitForURL(/#\/persons\//)
  await page.getByTestId('person-title').getByText(leader.name).waitFor()
  // The gender in words of the page's language (the store holds M or F).
  const [{ gender }] = JSON.parse(sql(srv.db, `SELECT gender FROM persons WHERE id='${leader.person.replace(/'/g, "''")}'`))
  assert.equal(await page.locator('dl.kv dd').nth(1).innerText(), { M: '男', F: '女' }[gender])
  await page.getByTestId('sec-tenures').locator('.el-table__body tr').first().waitFor()
  await shot(page, 'integrity-file')
  await page.getByRole('tab', { name: /关系图谱/ }).click()
  await page.getByTestId('rel-graph').waitFor()
  await page.waitForTimeout(1000)
  await shot(page, 'relationship-graph')
})

test('a finding: explanation, evidence drill-down, acknowledge with reason (server field error shown)', async () => {
  const f = leader.breakdown[0]
  await page.goto(srv.origin + '/#/findings')
  await page.getByTestId('findings-table').locator('.el-table__body tr').first().waitFor()
  await shot(page, 'findings')
  await page.goto(srv.origin + '/#/findings/' + encodeURIComponent(f.finding))
  await page.getByTestId('finding-explanation').waitFor()
  assert.ok((await page.getByTestId('finding-explanation').innerText()).trim().length > 0)
  await page.getByTestId('evidence-ref').first().click()
  await page.getByTestId('record-fields').locator('dd').first().waitFor()
  await shot(page, 'finding-evidence')
  await page.keyboard.press('Escape')
  // No reason: the server's "required" error appears next to the reason field.
  // Radios are driven from the keyboard: focus the group's first radio, Space.
  await page.getByRole('radio', { name: '已确认' }).focus()
  await page.keyboard.press('Space')
  await page.getByTestId('finding-submit').click()
  const reasonItem = page.locator('.el-form-item', { has: page.getByLabel('理由', { exact: true }) })
  await reasonItem.locator('.el-form-item__error').waitFor()
  assert.deepEqual(await unlabelled(page), [])
  await page.getByLabel('理由', { exact: true }).fill('已安排谈话提醒')
  await page.getByTestId('finding-submit').click()
  await page.getByTestId('finding-status').getByText('已确认').waitFor()
  await shot(page, 'finding-acknowledged')
})

test('units: hierarchy and leadership team with the top leader marked', async () => {
  await page.goto(srv.origin + '/#/units/' + ROOT_UNIT)
  await page.getByTestId('unit-tree').waitFor()
  await page.getByTestId('team-table').getByTestId('top-leader').first().waitFor()
  await shot(page, 'units')
})

test('language switch to English and back', async () => {
  await page.goto(srv.origin + '/#/dashboard')
  await page.getByTestId('lang-switch').click()
  await page.getByRole('option', { name: 'English' }).click()
  await page.getByText('Top leaders by risk').waitFor()
  await shot(page, 'dashboard-en')
  await page.getByTestId('lang-switch').click()
  await page.getByRole('option', { name: '简体中文' }).click()
  await page.getByText('一把手风险排名').waitFor()
})

test('session expiry: a lost session returns to the login page with a notice', async () => {
  await br.context.clearCookies()
  await page.goto(srv.origin + '/#/findings')
  await page.reload()
  await page.waitForURL(/#\/login/)
  await signIn(page, 'e2e-lead')
  // Now a 401 mid-session (cookie dropped while on a page): the app notices.
  await page.goto(srv.origin + '/#/dashboard')
  await page.getByTestId('risk-table').waitFor()
  await br.context.clearCookies()
  await page.evaluate(() => { location.hash = '#/findings' })
  await page.getByTestId('expired').waitFor()
  await shot(page, 'session-expired')
})

test('a user of another county (吉首市) sees nothing of 永顺县\'s leader', async () => {
  await signIn(page, 'e2e-outside')
  await page.goto(srv.origin + '/#/dashboard')
  await page.waitForFunction(() => typeof window.__plumbDashboardMs === 'number')
  assert.equal(await page.getByText(leader.name).count(), 0)
  await page.goto(srv.origin + '/#/persons/' + encodeURIComponent(leader.person))
  await page.getByRole('alert').first().waitFor()
  assert.equal(await page.getByText(leader.name).count(), 0)
  await shot(page, 'outside-scope')
})

test('nothing was requested from any other host', () => {
  assert.deepEqual(foreign, [])
})
