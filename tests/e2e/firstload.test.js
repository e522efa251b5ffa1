// The first load of the staff pages (issue #16 bench/web; docs/WEB.md
// "Bundle and first load"), against a real server with the county data:
// - the sign-in page loads at most 800,000 bytes of JS and CSS (the whole
//   Element Plus in the entry was 1.58 MB) and no ECharts;
// - the dashboard, a person's file and the clue queue, each opened by its
//   address in a new tab, ask for each of their data once (the router's
//   early request is the page's own, not a second one), and asked for again
//   when the page is opened a second time in the same tab (an early answer
//   is taken once, never served stale);
// - the clue queue, filled a batch at a time, ends with every clue of its
//   total in the table.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, watchForeign } from './lib/browser.js'
import { startPlumb, sql } from './lib/plumb.js'
import { totp, base32Decode } from './lib/totp.js'

const PASSWORD = 'Correct-Horse-42-battery'
const ROOT_UNIT = 'U433127-000001'
const SIGN_IN_BUDGET = 800000
let srv, br
const foreign = []
const q = (s) => JSON.parse(sql(srv.db, s) || '[]')

before(async () => {
  srv = await startPlumb({ users: [{ name: 'fl-lead', role: 'leader', scopes: [ROOT_UNIT], password: PASSWORD }] })
  br = await launch()
})
after(async () => {
  await br?.close()
  await srv?.stop()
})

// Bytes of JS and CSS the page loaded (as served, uncompressed), by file.
// The page shows its data: the selector's first element holds a digit.
const shown = (p, sel) => p.waitForFunction((s) => {
  const el = document.querySelector(s)
  return !!el && /\d/.test(el.textContent)
}, sel, { timeout: 60000 })

const codeOf = (p) => p.evaluate(() => performance.getEntriesByType('resource')
  .filter((r) => /\.(js|css)$/.test(new URL(r.name).pathname))
  .map((r) => ({ name: new URL(r.name).pathname, bytes: r.decodedBodySize })))

test('the sign-in page loads at most 800,000 bytes of code and no ECharts', async () => {
  const p = await br.context.newPage()
  watchForeign(p, srv.origin, foreign)
  await p.goto(srv.origin + '/#/login')
  await p.getByTestId('login-submit').waitFor()
  const files = await codeOf(p)
  const total = files.reduce((n, f) => n + f.bytes, 0)
  assert.ok(files.length > 0, 'resource timing lists the code')
  assert.ok(total <= SIGN_IN_BUDGET, `sign-in page loads ${total} bytes of JS+CSS: ${files.map((f) => f.name + ' ' + f.bytes).join(', ')}`)
  assert.deepEqual(files.filter((f) => /echarts/.test(f.name)), [], 'no ECharts on the sign-in page')
  // Sign in here: the context keeps the session for the next tests.
  await p.getByLabel(/用户名|User name/).fill('fl-lead')
  await p.getByLabel(/^(密码|Password)$/).fill(PASSWORD)
  await p.getByLabel(/动态验证码|One-time code/).fill(totp(base32Decode(srv.accounts['fl-lead'].secret)))
  await p.getByTestId('login-submit').click()
  await p.waitForURL((u) => !u.hash.startsWith('#/login'))
  await p.close()
})

test('each page opened by its address asks for its data once, and afresh when opened again', async () => {
  const person = q(`SELECT t.person_id AS id FROM tenures t JOIN posts p ON p.id = t.post_id
    WHERE p.unit_id LIKE 'U433127-%' ORDER BY t.person_id LIMIT 1`)[0].id
  const pages = [
    { path: '/#/dashboard', ready: '[data-testid=finding-total]', data: ['/api/v1/dashboard'] },
    { path: '/#/persons/' + person, ready: '[data-testid=sec-tenures] tbody tr', data: [`/api/v1/persons/${person}/file`, `/api/v1/persons/${person}/graph`] },
    { path: '/#/clues', ready: '[data-testid=clue-queue-total]', data: ['/api/v1/cases'] },
  ]
  for (const pg of pages) {
    const p = await br.context.newPage()
    watchForeign(p, srv.origin, foreign)
    const asked = []
    p.on('request', (r) => { if (r.url().startsWith(srv.origin + '/api/')) asked.push(new URL(r.url()).pathname) })
    const count = (u) => asked.filter((a) => a === u).length
    await p.goto(srv.origin + pg.path)
    await shown(p, pg.ready)
    await p.waitForTimeout(300)
    for (const u of pg.data) assert.equal(count(u), 1, `${pg.path}: ${u} asked once on the first load (${asked.join(', ')})`)
    // Away and back in the same tab: the page asks the server again.
    // (The search page shown, its answer in, before coming back: else the
    // router may still be on the first page and the way back is no navigation.)
    const searched = p.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/search', { timeout: 60000 })
    await p.evaluate(() => { location.hash = '#/search?q=x' })
    await searched
    await p.waitForTimeout(300)
    await p.evaluate((h) => { location.hash = h }, pg.path.slice(1))
    await shown(p, pg.ready)
    await p.waitForTimeout(300)
    for (const u of pg.data) assert.equal(count(u), 2, `${pg.path}: ${u} asked again when opened again (${asked.join(', ')})`)
    await p.close()
  }
})

test('the clue queue ends with every clue of its total in the table', async () => {
  const p = await br.context.newPage()
  watchForeign(p, srv.origin, foreign)
  await p.goto(srv.origin + '/#/clues')
  const total = p.getByTestId('clue-queue-total')
  await total.filter({ hasText: /\d/ }).waitFor({ timeout: 60000 })
  const n = Number(/\d+/.exec(await total.innerText())[0])
  assert.ok(n > 0, 'the county has clues')
  const want = Math.min(n, 500)
  await p.waitForFunction((w) => document.querySelectorAll('[data-testid=clue-queue] [data-testid=clue-link]').length === w,
    want, { timeout: 30000 }).catch(() => {})
  const got = await p.locator('[data-testid=clue-queue] [data-testid=clue-link]').count()
  assert.equal(got, want, `rows in the queue (total ${n})`)
  await p.close()
})

test('no request left the origin', () => {
  assert.deepEqual(foreign, [])
})
