// The built bundle alone in Chromium (no API behind it: every /api call is a
// 404): it loads under the server's strict CSP with no console errors, asks
// no host but its own, labels every form control, can be driven from the
// keyboard, switches language, and shows "not available" rather than data
// when an endpoint is missing. The flows against a real `plumb serve` are in
// flows.test.js.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { existsSync } from 'node:fs'
import { launch, watchForeign, unlabelled, shot, ROOT } from './lib/browser.js'
import { serveStatic } from './lib/static.js'

const DIST = join(ROOT, 'web', 'dist')
let srv, br, page
const foreign = []
const consoleErrors = []

before(async () => {
  assert.ok(existsSync(join(DIST, 'index.html')), 'web/dist is built (npm run build in web/)')
  srv = await serveStatic(DIST)
  br = await launch()
  page = await br.context.newPage()
  watchForeign(page, srv.origin, foreign)
  page.on('console', (m) => {
    // 404s of the absent API are expected here; anything else is a bug (CSP included).
    if (m.type() === 'error' && !/404|Not Found/i.test(m.text())) consoleErrors.push(m.text())
  })
  page.on('pageerror', (e) => consoleErrors.push(String(e)))
})
after(async () => {
  await br?.close()
  await srv?.close()
})

test('staff entry redirects to the login page, in Chinese by default', async () => {
  await page.goto(srv.origin + '/')
  await page.waitForURL(/#\/login/)
  await page.getByRole('heading', { name: /登录/ }).waitFor()
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN')
  await shot(page, 'frontend-login-zh')
})

test('every control of the login form has a label', async () => {
  assert.deepEqual(await unlabelled(page), [])
  for (const name of ['用户名', '密码', '动态验证码（6位）']) await page.getByLabel(name, { exact: true }).waitFor()
})

test('the login form is reachable and submittable from the keyboard', async () => {
  await page.getByLabel('用户名', { exact: true }).focus()
  await page.keyboard.type('alice')
  await page.keyboard.press('Tab')
  assert.equal(await page.evaluate(() => document.activeElement.id), 'login-password')
  await page.keyboard.type('secret-password')
  // Tab past the show-password toggle to the code field.
  for (let i = 0; i < 3 && (await page.evaluate(() => document.activeElement.id)) !== 'login-totp'; i++) await page.keyboard.press('Tab')
  assert.equal(await page.evaluate(() => document.activeElement.id), 'login-totp')
  await page.keyboard.type('123456')
  await page.keyboard.press('Enter')
  // The server answers 404 here: the form shows the error (role=alert), no navigation.
  await page.getByRole('alert').first().waitFor()
  assert.match(page.url(), /#\/login/)
})

test('language switch changes the page to English and is remembered', async () => {
  await page.getByTestId('lang-switch').click()
  await page.getByRole('option', { name: 'English' }).click()
  await page.getByRole('heading', { name: /Sign in/ }).waitFor()
  assert.equal(await page.evaluate(() => localStorage.getItem('plumb.lang')), 'en')
  await page.reload()
  await page.getByRole('heading', { name: /Sign in/ }).waitFor()
  await page.getByLabel('User name', { exact: true }).waitFor()
  await shot(page, 'frontend-login-en')
  await page.evaluate(() => localStorage.setItem('plumb.lang', 'zh-CN'))
  await page.reload()
  await page.getByRole('heading', { name: /登录/ }).waitFor()
})

test('portal report form: labels, keyboard, and an explicit "not available" without the API', async () => {
  await page.goto(srv.origin + '/#/portal')
  await page.getByTestId('portal-new').waitFor()
  await page.keyboard.press('Tab') // skip link first
  assert.equal(await page.evaluate(() => document.activeElement.className), 'skip-link')
  await page.getByTestId('portal-new').click()
  await page.getByLabel('被反映人姓名', { exact: true }).waitFor()
  // Switches and buttons work from the keyboard: Space toggles 实名举报.
  await page.getByLabel('实名举报').focus()
  await page.keyboard.press('Space')
  await page.getByLabel('您的姓名', { exact: true }).waitFor()
  assert.deepEqual(await unlabelled(page), [])
  await page.getByLabel('被反映人姓名', { exact: true }).fill('某某')
  await page.getByLabel('查询密码（至少8个字符）', { exact: true }).fill('correct horse')
  await page.getByLabel('再次输入查询密码', { exact: true }).fill('different one')
  await page.getByTestId('report-submit').click()
  // A client-side field error sits next to its field.
  const item = page.locator('.el-form-item', { has: page.getByLabel('再次输入查询密码', { exact: true }) })
  await item.locator('.el-form-item__error').getByText('两次输入的密码不一致').waitFor()
  await page.getByLabel('再次输入查询密码', { exact: true }).fill('correct horse')
  await page.getByTestId('report-submit').click()
  await page.getByRole('alert').getByText(/暂不可用|POST \/api\/v1\/portal\/reports/).waitFor()
  await shot(page, 'frontend-portal-report')
})

test('portal check form has labels', async () => {
  await page.goto(srv.origin + '/#/portal/check')
  await page.getByLabel('受理编号', { exact: true }).waitFor()
  assert.deepEqual(await unlabelled(page), [])
})

test('no request left the origin and no console errors (CSP included)', () => {
  assert.deepEqual(foreign, [])
  assert.deepEqual(consoleErrors, [])
})
