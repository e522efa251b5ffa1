// The dashboard's numbers before its charts (issue #16 bench/web; docs/WEB.md
// "Bundle and first load"), against a real server with the county data:
// - ECharts (the `echarts` chunks, 630 kB) is loaded only when a chart is
//   drawn: with its chunks held back by the test (page.route), the
//   dashboard opened by its address still shows every number of its panels
//   (findings, clues, warnings, rectification, rotations) and its tables;
//   the charts are drawn once the chunks are let through. Before, ECharts
//   was a static import of the dashboard's code: nothing rendered until it
//   had loaded;
// - a person's file builds its other sections' tables after the open one
//   (all there without opening their tabs, for printing) and loads no
//   ECharts until its 关系图谱 tab is opened, nor
//   the clue queue until its 统计 tab is (both tabs' charts were mounted,
//   hidden, with the page);
// - the sign-in page asks for the dashboard's code once the user starts
//   typing, not only after the sign-in answer, and not before the first
//   keystroke (the sign-in page's own budget, firstload.test.js).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, watchForeign, shot } from './lib/browser.js'
import { startPlumb, sql } from './lib/plumb.js'
import { totp, base32Decode } from './lib/totp.js'

const PASSWORD = 'Correct-Horse-42-battery'
const ROOT_UNIT = 'U433127-000001'
let srv, br
const foreign = []
const q = (s) => JSON.parse(sql(srv.db, s) || '[]')
const isECharts = (url) => /\/assets\/echarts-[^/]*\.js$/.test(new URL(url).pathname)
const isDashboardCode = (url) => /\/assets\/Dashboard-[^/]*\.js$/.test(new URL(url).pathname)

before(async () => {
  srv = await startPlumb({ users: [{ name: 'wp-lead', role: 'leader', scopes: [ROOT_UNIT], password: PASSWORD }] })
  br = await launch()
  // Signed in once for the context (each test stands alone).
  const p = await br.context.newPage()
  await p.goto(srv.origin + '/#/login')
  await p.getByLabel(/用户名|User name/).fill('wp-lead')
  await p.getByLabel(/^(密码|Password)$/).fill(PASSWORD)
  await p.getByLabel(/动态验证码|One-time code/).fill(totp(base32Decode(srv.accounts['wp-lead'].secret)))
  await p.getByTestId('login-submit').click()
  await p.waitForURL((u) => !u.hash.startsWith('#/login'))
  await p.close()
})
after(async () => {
  await br?.close()
  await srv?.stop()
  assert.deepEqual(foreign, [], 'no request left the server')
})

test('sign-in: the dashboard code is asked for while the user types, not before', async () => {
  const p = await br.context.newPage()
  watchForeign(p, srv.origin, foreign)
  const code = []
  p.on('request', (r) => { if (isDashboardCode(r.url())) code.push(r.url()) })
  await p.goto(srv.origin + '/#/login')
  await p.getByTestId('login-submit').waitFor()
  await p.waitForTimeout(500)
  assert.deepEqual(code, [], 'no dashboard code before the first keystroke')
  // (Waited for from before the keystroke: the request can reach node
  // before fill() returns, and a wait set up after it then never saw it —
  // e2e.web.webperf failed so once, at load 8.)
  const asked = p.waitForRequest((r) => isDashboardCode(r.url()), { timeout: 15000 })
  await p.getByLabel(/用户名|User name/).fill('wp-lead')
  // Asked for now: nothing has been sent (the password is still empty).
  await asked
  assert.match(p.url(), /#\/login/, 'still on the sign-in page')
  await p.close()
})

test('dashboard: every number and table shown while ECharts is held back; the charts once it arrives', async () => {
  const p = await br.context.newPage()
  await p.setViewportSize({ width: 1440, height: 900 })
  watchForeign(p, srv.origin, foreign)
  const held = []
  let release
  const gate = new Promise((r) => { release = r })
  await p.route(isECharts, async (route) => {
    held.push(route.request().url())
    await gate
    await route.continue()
  })
  await p.goto(srv.origin + '/#/dashboard')
  // The numbers, from the store (the leader's scope is 永顺县's tree).
  const findings = q(`SELECT COUNT(*) AS n FROM findings WHERE unit_id LIKE 'U433127-%'`)[0].n
  const total = p.getByTestId('finding-total')
  await total.filter({ hasText: /^\s*\d+\s*$/ }).waitFor({ timeout: 30000 })
  assert.equal(Number((await total.innerText()).trim()), findings, 'the findings total, ECharts not loaded')
  for (const id of ['clue-total', 'clue-overdue', 'warn-red', 'rect-total-link', 'rotation-total']) {
    assert.match(await p.getByTestId(id).innerText(), /\d/, `${id} shows its number`)
  }
  // The tables come in the task after the numbers, still without ECharts.
  await p.getByTestId('risk-table').locator('tbody tr').first().waitFor({ timeout: 30000 })
  await p.getByTestId('rotation-table').waitFor()
  assert.ok(held.length >= 1, 'the page asked for ECharts (it has charts)')
  assert.equal(await p.locator('[data-testid=finding-rule-chart] canvas').count(), 0, 'no chart drawn yet')
  release()
  await p.getByTestId('finding-rule-chart').locator('canvas').first().waitFor({ timeout: 30000 })
  await p.getByTestId('risk-treemap').locator('canvas').first().waitFor()
  await p.waitForFunction(() => typeof window.__plumbDashboardMs === 'number')
  const marks = await p.evaluate(() => ({
    numbers: window.__plumbDashboardNumbersMs,
    all: window.__plumbDashboardMs,
  }))
  assert.ok(marks.numbers <= marks.all, `numbers (${marks.numbers}) before the rest (${marks.all})`)
  await shot(p, 'webperf-dash-zh-desktop')
  await p.close()
})

test("a person's file: the other sections follow the open one; no ECharts until the graph tab is opened", async () => {
  const person = q(`SELECT t.person_id AS id FROM tenures t JOIN posts p ON p.id = t.post_id
    WHERE p.unit_id LIKE 'U433127-%' ORDER BY t.person_id LIMIT 1`)[0].id
  const p = await br.context.newPage()
  watchForeign(p, srv.origin, foreign)
  const charts = []
  p.on('request', (r) => { if (isECharts(r.url())) charts.push(r.url()) })
  await p.goto(srv.origin + '/#/persons/' + encodeURIComponent(person))
  await p.getByTestId('sec-tenures').locator('tbody tr').first().waitFor({ timeout: 30000 })
  await p.waitForTimeout(1000)
  assert.deepEqual(charts, [], 'no ECharts on the file before the graph is asked for')
  // The other sections' tables follow the open one (built after its paint),
  // without their tabs being opened: all there for printing.
  await p.getByTestId('sec-findings').waitFor({ state: 'attached', timeout: 10000 })
  await p.getByTestId('timeline').waitFor({ state: 'attached', timeout: 10000 })
  await p.getByRole('tab', { name: /关系图谱|Relationship graph/ }).click()
  await p.getByTestId('rel-graph').locator('canvas').first().waitFor({ timeout: 30000 })
  assert.ok(charts.length >= 1, 'ECharts loaded for the graph')
  await p.close()
})

test('the clue queue: no ECharts until the statistics tab is opened', async () => {
  const p = await br.context.newPage()
  watchForeign(p, srv.origin, foreign)
  const charts = []
  p.on('request', (r) => { if (isECharts(r.url())) charts.push(r.url()) })
  await p.goto(srv.origin + '/#/clues')
  await p.getByTestId('clue-queue-total').filter({ hasText: /\d/ }).waitFor({ timeout: 30000 })
  await p.waitForTimeout(1000)
  assert.deepEqual(charts, [], 'no ECharts under the queue')
  await p.getByRole('tab', { name: /^(统计|Statistics)/ }).click()
  await p.locator('.el-tab-pane canvas').first().waitFor({ timeout: 30000 })
  assert.ok(charts.length >= 1, 'ECharts loaded for the statistics')
  await p.close()
})
