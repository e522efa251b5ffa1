// The global search and the company and unit pages (issue #16 item 3),
// against a real server with the county data: a name typed in the staff
// header's box ("/" focuses it) gives the person as a hit, a click lands on
// their integrity file; a company's and a unit's page show what the store
// holds (names, totals counted here with SQL over the tables, amounts in
// 元), each at 1440×900 and 390×844 with screenshots (search-*-zh-desktop,
// search-*-zh-phone) and without horizontal overflow.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, watchForeign, shot, settled } from './lib/browser.js'
import { startPlumb, sql } from './lib/plumb.js'
import { totp, base32Decode } from './lib/totp.js'

const PASSWORD = 'Correct-Horse-42-battery'
const ROOT_UNIT = 'U433127-000001'
let srv, br, page
const foreign = []
const q = (s) => JSON.parse(sql(srv.db, s) || '[]')

async function signIn(p, name) {
  const acct = srv.accounts[name]
  await p.goto(srv.origin + '/#/login')
  await p.getByLabel(/用户名|User name/).fill(name)
  await p.getByLabel(/^(密码|Password)$/).fill(PASSWORD)
  await p.getByLabel(/动态验证码|One-time code/).fill(totp(base32Decode(acct.secret)))
  await p.getByTestId('login-submit').click()
  await p.waitForURL((u) => !u.hash.startsWith('#/login'))
}

// settled(p) (lib/browser.js): no panel loading, no request in flight, the page still.

/** Screenshots at both viewports; the page must not scroll sideways. */
async function shots(p, name) {
  for (const [w, h, tag] of [[1440, 900, 'desktop'], [390, 844, 'phone']]) {
    await p.setViewportSize({ width: w, height: h })
    await settled(p)
    await shot(p, `${name}-zh-${tag}`)
    const over = await p.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
    assert.ok(over <= 1, `${name} at ${w}px: ${over}px of horizontal overflow`)
  }
  await p.setViewportSize({ width: 1440, height: 900 })
}

before(async () => {
  srv = await startPlumb({ users: [{ name: 's-disc', role: 'discipline_officer', scopes: [ROOT_UNIT], password: PASSWORD }] })
  br = await launch()
  page = await br.context.newPage()
  await page.setViewportSize({ width: 1440, height: 900 })
  watchForeign(page, srv.origin, foreign)
  await signIn(page, 's-disc')
})
after(async () => {
  await br?.close()
  await srv?.stop()
})

test('a name typed in the header box leads to the person\'s page', async () => {
  // A top leader of the county: a person the discipline officer's scope holds.
  const who = q(`SELECT pe.id, pe.name FROM tenures t JOIN posts p ON p.id = t.post_id JOIN persons pe ON pe.id = t.person_id
    WHERE p.unit_id LIKE 'U433127-%' AND p.is_top = 1 AND (t.end_date IS NULL OR t.end_date = '') ORDER BY pe.id LIMIT 1`)[0]
  assert.ok(who, 'the county has a top leader')
  const same = q(`SELECT id FROM persons WHERE name = '${who.name}'`).map((r) => r.id)
  await page.goto(srv.origin + '/#/dashboard')
  await page.locator('main h1').first().waitFor()
  await page.locator('body').click({ position: { x: 700, y: 600 } })
  await page.keyboard.press('/')
  const box = page.locator('input[data-testid=search-input], [data-testid=search-input] input').first()
  assert.equal(await box.evaluate((el) => el === document.activeElement), true, '"/" focuses the search box')
  await page.keyboard.type(who.name)
  const hit = page.getByTestId('search-hit-person').filter({ hasText: who.name }).first()
  await hit.waitFor()
  await shot(page, 'search-box-zh-desktop')
  await hit.click()
  await page.waitForURL((u) => u.hash.startsWith('#/persons/'))
  const id = decodeURIComponent(new URL(page.url()).hash.slice('#/persons/'.length))
  assert.ok(same.includes(id), `landed on a person named ${who.name} (${id})`)
  await page.getByTestId('person-title').filter({ hasText: who.name }).waitFor()
  // Enter opens the results page, grouped by kind.
  await box.fill(who.name)
  await box.press('Enter')
  await page.getByTestId('results-person').waitFor()
  assert.ok((await page.getByTestId('results-person').innerText()).includes(who.name))
})

test('a company\'s page: name, legal representative, payments in 元 with the store\'s totals', async () => {
  const co = q(`SELECT p.payee_company_id AS id, count(*) AS n, sum(p.amount_fen) AS fen FROM payments p
    WHERE p.unit_id LIKE 'U433127-%' AND p.payee_company_id IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1`)[0]
  const [{ name }] = q(`SELECT name FROM companies WHERE id = '${co.id}'`)
  const contracts = q(`SELECT count(*) AS n FROM contracts WHERE supplier_id = '${co.id}' AND unit_id LIKE 'U433127-%'`)[0].n
  await page.goto(srv.origin + '/#/companies/' + co.id)
  await page.getByTestId('company-title').filter({ hasText: name }).waitFor()
  await settled(page)
  assert.equal(await page.getByTestId('prof-total-payments').innerText(), `· 共 ${co.n} 条`)
  assert.equal(await page.getByTestId('prof-total-contracts').innerText(), `· 共 ${contracts} 条`)
  const payments = await page.getByTestId('prof-payments').innerText()
  const yuan = '¥' + (co.fen / 100).toLocaleString('zh-CN', { maximumFractionDigits: 2 })
  assert.ok(payments.includes(yuan), `the payments' sum ${yuan} in 元`)
  assert.doesNotMatch(payments, /U433127-\d/, 'paying units by name, not id')
  // A paying unit is a link to its page.
  await page.getByTestId('prof-payments').locator('a[href*="/units/"]').first().waitFor()
  await shots(page, 'search-company')
})

test('a unit\'s page: kind in words, division, posts with holders, top leader as a link', async () => {
  const unit = q(`SELECT f.unit_id AS id, count(*) AS n FROM findings f WHERE f.unit_id LIKE 'U433127-%' GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1`)[0]
  const [u] = q(`SELECT name, kind FROM units WHERE id = '${unit.id}'`)
  const posts = q(`SELECT count(*) AS n FROM posts WHERE unit_id = '${unit.id}'`)[0].n
  await page.goto(srv.origin + '/#/units/' + unit.id + '/profile')
  await page.getByTestId('unit-title').filter({ hasText: u.name }).waitFor()
  await settled(page)
  assert.equal(await page.getByTestId('prof-total-posts').innerText(), `· 共 ${posts} 条`)
  assert.equal(await page.getByTestId('prof-total-findings').innerText(), `· 共 ${unit.n} 条`)
  const facts = await page.getByTestId('unit-facts').innerText()
  assert.ok(facts.includes('永顺县'), 'the division by name')
  assert.ok(!facts.includes(u.kind), `the kind ${u.kind} in words`)
  await shots(page, 'search-unit')
  const top = page.getByTestId('unit-top').locator('a').first()
  if (await top.count()) {
    const name = await top.innerText()
    await top.click()
    await page.getByTestId('person-title').filter({ hasText: name }).waitFor()
  }
  assert.deepEqual(foreign, [], 'no request leaves the server')
})
