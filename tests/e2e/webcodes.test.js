// The web app speaks the server's four-eyes answers (issue #15 follow-ups),
// against a real `plumb serve` with the county data, in Debian's chromium:
// - an administrator's change of their own role is a pending grant (202);
//   the dashboard shows the red-flag tile; approving it themself shows the
//   four-eyes message in Chinese; a second administrator approves it;
// - a profile change above the approval threshold is a pending proposal;
//   a profile without a region is refused with the Chinese "outside scope"
//   text under 地区; in English, the proposer's own approval shows the
//   four-eyes message, a rejection without reason "required" under the
//   reason, and a second leader approves it, the impact shown as the store
//   recorded it;
// - a 503 store_busy shows the time to retry in local time, not a generic line.
// Expected texts are the ones written in web/src/i18n (the translation table
// of docs/WEB.md), counts come from the store (sqlite3), never from the page.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, watchForeign, shot } from './lib/browser.js'
import { startPlumb, sql } from './lib/plumb.js'
import { base32Decode, signInCode } from './lib/totp.js'

const PASSWORD = 'Correct-Horse-42-battery'
const ROOT_UNIT = 'U433127-000001'
const FOUR_EYES_ZH = '须由另一人审批：不能批准自己提出的变更，也不能变更自己的账号'
const FOUR_EYES_EN = 'A second person must approve: you cannot approve your own change or change your own account'
const OUTSIDE_SCOPE_ZH = '该方案适用的单位超出您的管辖范围，请限定“地区”'
let srv, br, page
const foreign = []

async function signIn(p, name) {
  const acct = srv.accounts[name]
  // A test that failed half-way may have left someone signed in.
  await p.context().clearCookies()
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

async function signOut(p) {
  await p.getByTestId('logout').click()
  await p.waitForURL((u) => u.hash.startsWith('#/login'))
}

async function setLang(p, lang) {
  if (!p.url().startsWith(srv.origin)) await p.goto(srv.origin + '/#/login')
  await p.evaluate((l) => localStorage.setItem('plumb.lang', l), lang)
  await p.reload()
}

/** A JSON request from the signed-in page (its cookie and CSRF token). */
function api(p, method, path, body) {
  return p.evaluate(async ([m, u, b]) => {
    const r = await fetch(u, { method: m, headers: { 'Content-Type': 'application/json',
      'X-CSRF-Token': sessionStorage.getItem('plumb.csrf') || '' }, body: b ? JSON.stringify(b) : undefined })
    return { status: r.status, body: await r.json().catch(() => null) }
  }, [method, path, body])
}

before(async () => {
  srv = await startPlumb({ users: [
    { name: 'admin-a', role: 'admin', password: PASSWORD },
    { name: 'admin-b', role: 'admin', password: PASSWORD },
    { name: 'lead-a', role: 'leader', scopes: [ROOT_UNIT], password: PASSWORD },
    { name: 'lead-b', role: 'leader', scopes: [ROOT_UNIT], password: PASSWORD },
  ] })
  br = await launch()
  page = await br.context.newPage()
  watchForeign(page, srv.origin, foreign)
})
after(async () => {
  await br?.close()
  await srv?.stop()
})

test('grant: red flag on the dashboard, four eyes in Chinese, a second admin approves', async () => {
  await signIn(page, 'admin-a')
  const myId = JSON.parse(sql(srv.db, "SELECT id FROM users WHERE username='admin-a'"))[0].id
  const req = await api(page, 'PUT', '/api/v1/users/' + myId, { role: 'auditor' })
  assert.equal(req.status, 202, JSON.stringify(req.body))
  const grantId = req.body.grant.id

  // The dashboard's red-flag tile: the store's count of grants of the last 90
  // days (the cutoff computed here, ISO text as the column holds it: the
  // same query on either engine, no SQLite strftime).
  const since = new Date(Date.now() - 90 * 86400e3).toISOString().slice(0, 19) + 'Z'
  const flags = JSON.parse(sql(srv.db, `SELECT COUNT(*) AS n FROM user_grants WHERE requested_at >= '${since}'`))[0].n
  assert.equal(flags, 1)
  await page.goto(srv.origin + '/#/dashboard')
  await page.reload() // signed in on the dashboard already: load it again after the request
  await page.getByTestId('panel-grants').waitFor()
  await page.getByTestId('red-flag-count').filter({ hasText: /^\s*1\s*$/ }).waitFor()
  assert.equal((await page.getByTestId('red-flag-count').innerText()).trim(), String(flags))
  assert.equal((await page.getByTestId('grants-pending-count').innerText()).trim(), '1')
  assert.match(await page.getByTestId('panel-grants').innerText(), /授权红旗/)

  await page.goto(srv.origin + '/#/users')
  const row = page.getByTestId('grants-table').locator('tr', { hasText: 'admin-a' })
  await row.getByTestId('grant-red-flag').waitFor()
  assert.match(await row.innerText(), /角色: 审计员/)
  assert.match(await row.innerText(), /待审批/)
  await page.getByTestId('grant-approve-' + grantId).click()
  const err = page.getByTestId('grant-error')
  await err.waitFor()
  assert.equal((await err.innerText()).trim(), FOUR_EYES_ZH)
  await shot(page, 'grant-four-eyes')
  assert.equal(JSON.parse(sql(srv.db, `SELECT status FROM user_grants WHERE id=${grantId}`))[0].status, 'pending')
  await signOut(page)

  await signIn(page, 'admin-b')
  await page.goto(srv.origin + '/#/users')
  await page.getByTestId('grant-approve-' + grantId).click()
  await page.getByTestId('grant-status-' + grantId).filter({ hasText: '已批准' }).waitFor()
  await shot(page, 'grant-approved')
  assert.deepEqual(JSON.parse(sql(srv.db, `SELECT g.status, g.decided_by, u.role FROM user_grants g
    JOIN users u ON u.username = g.username WHERE g.id=${grantId}`))[0],
  { status: 'approved', decided_by: 'admin-b', role: 'auditor' })
  await signOut(page)
})

test('profile proposal: outside scope in Chinese, four eyes in English, a second leader approves', async () => {
  await setLang(page, 'zh-CN')
  await signIn(page, 'lead-a')
  await page.goto(srv.origin + '/#/profiles')
  await page.getByTestId('profile-form').waitFor()
  await page.locator('#pf-name').fill('e2e-long-rotation')
  await page.locator('#pf-reason').fill('试行延长轮岗年限')
  // No region: the profile would reach every unit of the store, beyond 永顺县.
  await page.getByTestId('profile-form').getByRole('button', { name: '保存' }).click()
  const regionItem = page.locator('.el-form-item', { has: page.locator('#pf-region') })
  await regionItem.locator('.el-form-item__error').filter({ hasText: OUTSIDE_SCOPE_ZH }).waitFor()
  await shot(page, 'profile-outside-scope')
  assert.equal(JSON.parse(sql(srv.db, 'SELECT COUNT(*) AS n FROM rule_profile_proposals'))[0].n, 0)

  // The parameter inputs need GET /api/v1/profiles/params (pending, docs/WEB.md):
  // the change itself is sent as the form would send it.
  const put = await api(page, 'PUT', '/api/v1/profiles/e2e-long-rotation', { region: '433127', level: '', kind: '',
    industry: '', reason: '试行延长轮岗年限', params: { r01_top_years: 40, r01_sensitive_years: 40 } })
  assert.equal(put.status, 202, JSON.stringify(put.body))
  await page.reload()
  const rows = page.getByTestId('proposals-table').locator('tr', { hasText: 'e2e-long-rotation' })
  await rows.first().waitFor()
  const prop = JSON.parse(sql(srv.db, `SELECT id, impact_resolved, impact_raised, threshold, status
    FROM rule_profile_proposals WHERE name='e2e-long-rotation'`))[0]
  assert.equal(prop.status, 'pending')
  assert.ok(prop.impact_resolved > prop.threshold, `resolved ${prop.impact_resolved} > threshold ${prop.threshold}`)
  assert.match(await rows.first().innerText(), new RegExp(`消除 ${prop.impact_resolved} 条、新增 ${prop.impact_raised} 条`))

  await setLang(page, 'en')
  await page.getByTestId('proposals-table').locator('tr', { hasText: 'e2e-long-rotation' }).first().click()
  await page.getByTestId('proposal-approve').click()
  const perr = page.getByTestId('proposal-error')
  await perr.waitFor()
  assert.equal((await perr.innerText()).trim(), FOUR_EYES_EN)
  await shot(page, 'proposal-four-eyes')
  await signOut(page)

  await signIn(page, 'lead-b')
  await page.goto(srv.origin + '/#/profiles')
  const row = page.getByTestId('proposals-table').locator('tr', { hasText: 'e2e-long-rotation' }).first()
  await row.waitFor()
  assert.match(await row.innerText(), new RegExp(`resolves ${prop.impact_resolved}, raises ${prop.impact_raised}`))
  assert.match(await row.innerText(), /lead-a/)
  await row.click()
  // Rejecting needs a reason: the server's "required" under the reason field.
  await page.getByTestId('proposal-reject').click()
  const reasonItem = page.locator('.el-form-item', { has: page.locator('#pp-decide-reason') })
  await reasonItem.locator('.el-form-item__error').filter({ hasText: 'required' }).waitFor()
  await page.getByTestId('proposal-approve').click()
  await page.getByTestId('proposal-status-' + prop.id).waitFor({ state: 'detached' })
  const done = JSON.parse(sql(srv.db, `SELECT status, decided_by FROM rule_profile_proposals WHERE id='${prop.id}'`))[0]
  assert.deepEqual(done, { status: 'applied', decided_by: 'lead-b' })
  await page.getByText('Show decided proposals').click()
  await page.getByTestId('proposal-status-' + prop.id).filter({ hasText: 'Applied' }).waitFor()
  await shot(page, 'proposal-approved')
  await signOut(page)
})

test('503 store_busy: the time to retry in local time, in both languages', async () => {
  await setLang(page, 'zh-CN')
  await signIn(page, 'admin-b')
  await page.goto(srv.origin + '/#/users')
  await page.getByTestId('users-table').waitFor()
  // The store being busy cannot be staged from a browser: the answer of
  // docs/API.md (503, code store_busy, Retry-After: 7200) is played instead.
  await page.route('**/api/v1/users', (route) => route.request().method() === 'POST'
    ? route.fulfill({ status: 503, headers: { 'Retry-After': '7200', 'Content-Type': 'application/json' },
      body: JSON.stringify({ error: { code: 'store_busy', message: 'the store is busy' } }) })
    : route.continue())
  const local = (lang) => page.evaluate((l) => {
    // The expected clock time: two hours after now in this browser's zone.
    const at = new Date(Date.now() + 7200 * 1000)
    return [at.getHours(), at.getMinutes()].map((x) => String(x).padStart(2, '0')).join(':')
  }, lang)
  for (const [lang, re] of [['zh-CN', /^系统正忙，本次操作未保存任何内容，请于 .*?(\d{2}:\d{2})(?::\d{2})? 后重试$/],
    ['en', /^The system is busy; nothing of this was saved\. Try again after .*?(\d{2}:\d{2})(?::\d{2})?$/]]) {
    await setLang(page, lang)
    await page.locator('#us-name').fill('e2e-busy')
    await page.locator('#us-pw').fill(PASSWORD)
    const before = await local(lang)
    await page.getByTestId('user-form').locator('button[type=submit]').click()
    const alert = page.getByTestId('user-form').getByRole('alert')
    await alert.waitFor()
    const text = (await alert.innerText()).trim()
    const m = re.exec(text)
    assert.ok(m, `${lang}: ${text}`)
    const after = await local(lang)
    assert.ok([before, after].includes(m[1]), `${lang}: ${m[1]} is not ${before} (local time + 2 h)`)
    await shot(page, 'store-busy-' + lang)
  }
  await page.unroute('**/api/v1/users')
  assert.deepEqual(foreign, [])
})
