// The web app as a daily tool (issue #16, first part), against a real
// `plumb serve` with the county data, in Debian's chromium:
// - sign-out ends the session on the server: the old cookie is refused and
//   a new tab is at the login page;
// - the findings list names its subjects and units (with the id secondary,
//   as links), and the subject filter takes a name;
// - the profile parameters are listed and edited by label
//   (GET /api/v1/profiles/params), defaults as docs/RULES.md writes them;
// - the ledger says there is no checkpoint yet and the auditor signs one;
// - each role lands on a page it may use, with no "无权查看" panel, and the
//   integrity file's tabs give no "(0)" for sections the role cannot read;
// - the raw-code scan: every route in zh-CN, no visible snake_case, dotted
//   code, R01–R17 without its name, ISO timestamp or amount in fen.
// Expected values come from the store (sqlite3), docs/RULES.md and
// docs/SECURITY.md, never from the page's own tables. Screenshots of the
// touched routes at 1440×900 and 390×844 go to build/e2e-artifacts/.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, watchForeign, shot, settled, toRoute, SHOTS } from './lib/browser.js'
import { startPlumb, plumb, sql } from './lib/plumb.js'
import { base32Decode, signInCode } from './lib/totp.js'

const PASSWORD = 'Correct-Horse-42-battery'
const ROOT_UNIT = 'U433127-000001'
const FORBIDDEN = '无权查看'
let srv, br, page
const foreign = []
const q = (s) => JSON.parse(sql(srv.db, s) || '[]')

async function signIn(p, name) {
  const acct = srv.accounts[name]
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

// settled(p) (lib/browser.js): until no panel is loading (no busy region,
// no loading mask), no request is in flight and the page has stopped moving.

/** Screenshots at the two viewports of issue #16 (desktop, phone). */
async function shots(p, name) {
  if (!SHOTS) return settled(p) // (PostgreSQL: no pictures, so no resizing for them: lib/browser.js)
  for (const [w, h, tag] of [[1440, 900, 'desktop'], [390, 844, 'phone']]) {
    await p.setViewportSize({ width: w, height: h })
    await settled(p)
    await shot(p, `${name}-zh-${tag}`)
  }
  await p.setViewportSize({ width: 1366, height: 860 })
}

function addUser(name, role, { scope, person } = {}) {
  const args = ['user', 'add', name, '--role', role, '--password-stdin', '--db', srv.db]
  if (scope) args.push('--scope', scope)
  if (person) args.push('--person', person)
  const out = plumb(args, PASSWORD + '\n')
  srv.accounts[name] = { name, role, secret: /totp_secret:\s*([A-Z2-7]+)/.exec(out)[1] }
}

before(async () => {
  srv = await startPlumb({ users: [
    // One account per test and role: a TOTP code is accepted once per 30 s
    // step, so an account signed in twice within a step waits for the next.
    ...['d-lead', 'd-lead-p', 'd-lead-l', 'd-lead-f'].map((name) => ({ name, role: 'leader', scopes: [ROOT_UNIT], password: PASSWORD })),
    ...['d-disc', 'd-disc-s', 'd-disc-n'].map((name) => ({ name, role: 'discipline_officer', scopes: [ROOT_UNIT], password: PASSWORD })),
    { name: 'd-insp-s', role: 'inspection_officer', scopes: [ROOT_UNIT], password: PASSWORD },
    { name: 'd-petition', role: 'petition_officer', scopes: [ROOT_UNIT], password: PASSWORD },
    { name: 'd-provider', role: 'data_provider', scopes: [ROOT_UNIT], password: PASSWORD },
    ...['d-audit', 'd-audit-l', 'd-audit-s'].map((name) => ({ name, role: 'auditor', password: PASSWORD })),
    ...['d-admin', 'd-admin-s'].map((name) => ({ name, role: 'admin', password: PASSWORD })),
  ] })
  // A subject linked to a person of 永顺县 with reports and appraisals.
  const subj = q(`SELECT p.id FROM persons p WHERE EXISTS (SELECT 1 FROM declarations d WHERE d.person_id=p.id)
    AND EXISTS (SELECT 1 FROM evaluations e WHERE e.person_id=p.id) AND p.id IN (SELECT t.person_id FROM tenures t
    JOIN posts s ON s.id=t.post_id WHERE s.unit_id LIKE 'U433127-%') ORDER BY p.id LIMIT 1`)[0].id
  addUser('d-subject', 'subject', { person: subj })
  addUser('d-subject-s', 'subject', { person: subj })
  br = await launch()
  page = await br.context.newPage()
  watchForeign(page, srv.origin, foreign)
})
after(async () => {
  await br?.close()
  await srv?.stop()
})

test('sign-out ends the session on the server; a new tab is not signed in', async () => {
  await signIn(page, 'd-lead')
  const before = await page.context().cookies()
  const me = await page.evaluate(async () => (await fetch('/api/v1/auth/me')).status)
  assert.equal(me, 200)
  await signOut(page)
  // The old session cookie, sent again as a stolen copy would be: refused.
  await page.context().addCookies(before)
  const again = await page.evaluate(async () => (await fetch('/api/v1/auth/me')).status)
  assert.equal(again, 401, 'the session must be ended server-side (SECURITY.md: a cookie dies with its logout)')
  const tab = await br.context.newPage()
  await tab.goto(srv.origin + '/#/dashboard')
  await tab.waitForURL((u) => u.hash.startsWith('#/login'))
  await tab.close()
  await page.context().clearCookies()
})

test('findings: subjects and units by name with the id secondary, as links; the subject filter takes a name', async () => {
  await signIn(page, 'd-disc')
  await page.goto(srv.origin + '/#/findings')
  const table = page.getByTestId('findings-table')
  await table.getByTestId('finding-subject').first().waitFor()
  // The first page (newest first): each subject and unit shown by its name from the store.
  const first = q(`SELECT f.subject, f.subject_kind, f.unit_id FROM findings f
    WHERE f.unit_id LIKE 'U433127-%' OR f.subject LIKE 'U433127-%' ORDER BY f.first_seen DESC, f.id LIMIT 1`)
  assert.ok(first.length, 'the county has findings')
  const rows = table.locator('tbody tr')
  const n = Math.min(await rows.count(), 10)
  assert.ok(n > 0)
  for (let i = 0; i < n; i++) {
    const subjectText = (await rows.nth(i).getByTestId('finding-subject').innerText()).trim()
    assert.doesNotMatch(subjectText, /^\d{17}[\dX]$/, `row ${i}: an 18-digit ID shown as the subject`)
    assert.doesNotMatch(subjectText, /^[A-Z]\d{6}-\d{6}$/, `row ${i}: a unit id shown as the subject`)
  }
  // A person subject: its name in the cell, a link to the integrity file, the id below it.
  const personRow = rows.filter({ has: page.locator('a[href^="#/persons/"]') }).first()
  const href = await personRow.getByTestId('finding-subject').getAttribute('href')
  const pid = decodeURIComponent(href.replace('#/persons/', ''))
  const name = q(`SELECT name FROM persons WHERE id='${pid.replace(/'/g, "''")}'`)[0].name
  assert.equal((await personRow.getByTestId('finding-subject').innerText()).trim(), name)
  assert.match(await personRow.innerText(), new RegExp(pid))
  // The unit column: a name and a link, never empty when the finding has a unit.
  const unitLink = personRow.getByTestId('finding-unit')
  const uid = decodeURIComponent((await unitLink.getAttribute('href')).replace('#/units/', ''))
  assert.equal((await unitLink.innerText()).trim(), q(`SELECT name FROM units WHERE id='${uid}'`)[0].name)
  await shots(page, 'findings-names')

  // The filter by name: a person of the county with findings whose name is unique in the store.
  const target = q(`SELECT p.name, p.id, COUNT(*) AS n FROM findings f JOIN persons p ON p.id=f.subject
    WHERE f.subject_kind='person' AND f.unit_id LIKE 'U433127-%'
    AND (SELECT COUNT(*) FROM persons x WHERE x.name=p.name)=1
    GROUP BY p.id HAVING COUNT(*) <= 50 ORDER BY n DESC, p.id LIMIT 1`)[0]
  await page.locator('#ff-subject').fill(target.name)
  await page.getByTestId('findings-search').click()
  await page.waitForFunction(([nm, want]) => {
    const cells = [...document.querySelectorAll('[data-testid=findings-table] [data-testid=finding-subject]')]
    return cells.length === want && cells.every((c) => c.textContent.trim() === nm)
  }, [target.name, target.n], { timeout: 15000 })
  await shots(page, 'findings-by-name')

  // A name nobody has: said so, not an empty table.
  await page.locator('#ff-subject').fill('无此人名字')
  await page.getByTestId('findings-search').click()
  await page.getByTestId('subject-none').filter({ hasText: '无此人名字' }).waitFor()
  await signOut(page)
})

test('profiles: GET /api/v1/profiles/params, parameters listed and edited by label', async () => {
  await signIn(page, 'd-lead-p')
  // docs/RULES.md, the parameter table: r01_top_years 10 (1–40), r04_high_fen 100000000.
  const api = await page.evaluate(async () => {
    const r = await fetch('/api/v1/profiles/params')
    return { status: r.status, body: await r.json() }
  })
  assert.equal(api.status, 200, JSON.stringify(api.body))
  const byName = Object.fromEntries(api.body.items.map((p) => [p.name, p]))
  assert.deepEqual([byName.r01_top_years.default, byName.r01_top_years.min, byName.r01_top_years.max,
    byName.r01_top_years.unit, byName.r01_top_years.rules], [10, 1, 40, 'years', 'R01'])
  assert.equal(byName.r04_high_fen.default, 100000000)
  assert.equal(byName.r04_high_fen.unit, 'fen')
  assert.ok(byName.r01_top_years.label_zh && byName.r01_top_years.label_en)

  await page.goto(srv.origin + '/#/profiles')
  const item = page.getByTestId('param-r01_top_years')
  await item.waitFor()
  const label = (await item.locator('.el-form-item__label').innerText()).trim()
  assert.equal(label, byName.r01_top_years.label_zh)
  assert.doesNotMatch(await page.locator('main').innerText(), /未找到|r01_top_years|该功能暂不可用/)
  // The amount parameter in 元: 100000000 fen = 1000000 元.
  assert.equal(await page.locator('#pp-r04_high_fen').getAttribute('placeholder'), '1000000')
  assert.match(await page.getByTestId('param-r04_high_fen').innerText(), /元/)
  // The scheme's name is labelled as a scheme's, not as a person's 姓名.
  assert.equal((await page.locator('label[for=pf-name]').innerText()).trim(), '方案名称')
  assert.doesNotMatch(await page.getByTestId('proposals-panel').locator('thead').innerText(), /姓名/)

  // Edit by label: the default value for the county (resolves nothing, so recorded at once).
  await page.locator('#pf-name').fill('e2e-daily')
  await page.locator('#pf-region').fill('433127')
  await page.locator('#pf-reason').fill('按标签设置参数')
  await page.getByLabel(byName.r01_top_years.label_zh, { exact: true }).fill('10')
  // Its label says 元 where the catalogue's says 分: the page edits amounts in 元.
  await page.getByLabel(byName.r04_high_fen.label_zh.replace(/[（(]分[）)]/, '（元）'), { exact: true }).fill('1000000')
  await page.getByTestId('profile-form').getByRole('button', { name: '保存' }).click()
  await page.getByTestId('profiles-table').locator('tr', { hasText: 'e2e-daily' }).waitFor()
  const stored = JSON.parse(q("SELECT params FROM rule_profiles WHERE name='e2e-daily'")[0].params)
  assert.deepEqual(stored, { r01_top_years: 10, r04_high_fen: 100000000 })
  await shots(page, 'profiles-params')
  await signOut(page)
})

test('ledger: no checkpoint yet is said so, and the auditor signs one', async () => {
  const had = q('SELECT COUNT(*) AS n FROM ledger_checkpoints')[0].n
  await signIn(page, 'd-audit')
  assert.match(page.url(), /#\/ledger$/, 'an auditor lands on the ledger')
  if (had === 0) {
    await page.getByTestId('ledger-no-checkpoint').waitFor()
    assert.doesNotMatch(await page.locator('main').innerText(), /该功能暂不可用/)
    await shots(page, 'ledger-no-checkpoint')
  }
  await page.getByTestId('ledger-sign').click()
  const card = page.getByTestId('ledger-checkpoint')
  await card.locator('[data-testid=ledger-cp-size], [role=alert]').first().waitFor()
  assert.equal(await card.locator('[role=alert]').count(), 0, await card.innerText())
  const cp = q('SELECT size FROM ledger_checkpoints ORDER BY size DESC LIMIT 1')[0]
  assert.equal(q('SELECT COUNT(*) AS n FROM ledger_checkpoints')[0].n, had + 1)
  assert.equal((await page.getByTestId('ledger-cp-size').innerText()).trim(), String(cp.size))
  await shots(page, 'ledger-signed')
  await signOut(page)
})

test('each role lands on a page it may use, with no "无权查看" panel', async () => {
  // docs/SECURITY.md "Permissions: one table": what each role reads.
  const landing = { 'd-admin': /#\/users$/, 'd-audit-l': /#\/ledger$/, 'd-provider': /#\/import$/, 'd-subject': /#\/me$/,
    'd-petition': /#\/dashboard$/, 'd-lead-l': /#\/dashboard$/ }
  for (const [name, want] of Object.entries(landing)) {
    await signIn(page, name)
    await page.waitForURL(want)
    await page.locator('main h1').first().waitFor()
    await settled(page)
    const text = await page.locator('main').innerText()
    assert.ok(!text.includes(FORBIDDEN), `${name} lands on ${page.url()} showing ${FORBIDDEN}`)
    // The menu is never empty.
    assert.ok(await page.getByTestId('side-menu').locator('li').count() > 0, `${name} has an empty menu`)
    if (name === 'd-subject') {
      await page.getByTestId('me-declarations').locator('tbody tr').first().waitFor()
      await shots(page, 'me-subject')
    }
    if (name === 'd-petition') {
      // case:list only: the clue panel, none of the risk, warning or finding panels.
      await page.getByTestId('panel-clues').waitFor()
      assert.equal(await page.getByTestId('panel-risk').count(), 0)
      assert.equal(await page.getByTestId('panel-findings').count(), 0)
      await shots(page, 'dashboard-petition')
    }
    // A page the role may not use leads to its landing page.
    if (name === 'd-audit-l') {
      await page.goto(srv.origin + '/#/dashboard')
      await page.waitForURL(/#\/ledger$/)
    }
    await signOut(page)
  }
})

test('integrity file: no "(0)" for the sections the role cannot read', async () => {
  await signIn(page, 'd-lead-f')
  const pid = JSON.parse(plumb(['risk', '--db', srv.db, '--top', '1000', '--json'])).find((r) => r.unit.startsWith('U433127-')).person
  await page.goto(srv.origin + '/#/persons/' + encodeURIComponent(pid))
  const tabs = page.getByTestId('person-tabs')
  await tabs.getByRole('tab', { name: /^任职经历 \(\d+\)$/ }).waitFor()
  // A leader reads tenures but not declarations (SECURITY.md, the leader's row).
  const tenures = q(`SELECT COUNT(*) AS n FROM tenures WHERE person_id='${pid}'`)[0].n
  await tabs.getByRole('tab', { name: `任职经历 (${tenures})`, exact: true }).waitFor()
  // (issue #16: a section the role may not read has no tab, neither "(0)" nor "无权查看")
  assert.equal(await tabs.getByRole('tab', { name: /^个人有关事项/ }).count(), 0, 'no tab for a section the role may not read')
  assert.ok(!(await page.locator('main').innerText()).includes(FORBIDDEN))
  // Tenures in words: no person_id / post_id / decision_id / is_top columns, no 1/0.
  const head = await page.getByTestId('sec-tenures').locator('thead').innerText()
  assert.doesNotMatch(head, /person_id|post_id|decision_id|is_top/)
  assert.match(head, /一把手/)
  await shots(page, 'person-file')
  await signOut(page)
})

// ------------------------------------------------------------ raw-code scan

// What issue #16 forbids on a Chinese page: snake_case, a dotted code
// (clue.received), a rule number without its name, an ISO timestamp, an
// amount in fen. A rule's name is Chinese text right after its number.
const RAW = [
  ['snake_case', /\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b/g],
  ['dotted.code', /\b[a-z][a-z_]+\.[a-z][a-z_]+\b/g],
  ['R## without its name', /\bR(?:0[1-9]|1[0-7])\b(?!\s*[\u4e00-\u9fff])/g],
  ['ISO timestamp', /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/g],
  ['amount in fen', /[（(]分[）)]|\(fen\)|\bfen\b/g],
  // A one-word code (imported, department, default, annual): an English
  // word standing alone on a Chinese page (ids, user names and hashes have
  // digits or hyphens next to their letters and are not matched).
  ['english code word', /(?<![\w-])[a-z]{3,}(?![\w-])/g],
]

/** The text a reader gets on the page (visible text and chart summaries),
 * without what is shown as a machine record on purpose (data-scan=raw:
 * the signed checkpoint note). */
async function pageText(p) {
  return p.evaluate(() => {
    // The page's main part and what it opens over it (drawers, dialogs).
    const main = document.querySelector('main') || document.body
    let text = main.innerText
    for (const el of document.querySelectorAll('.el-drawer, .el-dialog')) text += ' ' + el.innerText
    // Longest first: a short raw text (the origin) is also inside a longer one
    // (the checkpoint note, the log key), which must go whole.
    const raws = [...main.querySelectorAll('[data-scan=raw]')].map((el) => el.innerText).filter(Boolean)
    raws.sort((a, b) => b.length - a.length)
    for (const r of raws) text = text.split(r).join(' ')
    return text.replace(/\s+/g, ' ')
  })
}

function rawCodes(text) {
  const hits = []
  for (const [kind, re] of RAW) for (const m of text.matchAll(re)) hits.push(`${kind}: “${text.slice(Math.max(0, m.index - 12), m.index + m[0].length + 12)}”`)
  return hits
}

test('raw-code scan: every route in zh-CN shows no code, ISO time or fen', { timeout: 600000 }, async () => {
  const person = JSON.parse(plumb(['risk', '--db', srv.db, '--top', '1000', '--json'])).find((r) => r.unit.startsWith('U433127-')).person
  const finding = q(`SELECT id FROM findings WHERE unit_id LIKE 'U433127-%' AND rule='R04' ORDER BY id LIMIT 1`)[0]
    || q(`SELECT id FROM findings WHERE unit_id LIKE 'U433127-%' ORDER BY id LIMIT 1`)[0]
  const clue = q(`SELECT id FROM clues WHERE subject_unit_id LIKE 'U433127-%' ORDER BY id LIMIT 1`)[0]
  const unit = ROOT_UNIT
  // Inspection and rectification (issue #17 item 5): a round's ledger, a
  // task with evidence in its history, a warning's task.
  const rect = q(`SELECT t.id, p.round_id FROM inspect_tasks t JOIN inspect_problems p ON p.id=t.problem_id
    WHERE t.owner_unit_id LIKE 'U433127-%' AND t.evidence_count>0 ORDER BY t.sendback_count DESC, t.id LIMIT 1`)[0]
  const wtask = q(`SELECT k.id FROM rule_tasks k WHERE k.person_id IN (SELECT t.person_id FROM tenures t JOIN posts s ON
    s.id=t.post_id WHERE s.unit_id LIKE 'U433127-%') ORDER BY k.id LIMIT 1`)[0]
  const company = q(`SELECT payee_company_id AS id FROM payments WHERE unit_id LIKE 'U433127-%' AND payee_company_id IS NOT NULL
    GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1`)[0]
  // Each route with a role that may use it (SECURITY.md), every route of web/src/router.js.
  const ROUTES = [
    ['d-disc-s', '/dashboard', 'panel-findings'], ['d-disc-s', '/units/' + unit, 'team-table'],
    ['d-disc-s', '/persons/' + person, 'person-tabs'], ['d-disc-s', '/findings', 'findings-table'],
    ['d-disc-s', '/findings/' + finding.id, null], ['d-disc-s', '/clues', 'clue-queue'],
    ['d-disc-s', clue ? '/clues/' + clue.id : null, null], ['d-disc-s', '/import', null], ['d-disc-s', '/profiles', 'profile-form'],
    ['d-disc-s', '/intake', 'intake-form'],
    ['d-disc-s', '/tasks', 'wtask-table'], ['d-disc-s', wtask ? '/tasks/' + wtask.id : null, 'wt-detail'], ['d-disc-s', '/mytasks', 'mine-warnings'],
    ['d-insp-s', '/inspection', 'rounds-table'], ['d-insp-s', rect ? '/inspection/' + rect.round_id : null, 'rect-table'],
    ['d-insp-s', '/rectification', 'rect-table'], ['d-insp-s', rect ? '/rectification/' + rect.id : null, 'rect-detail'],
    ['d-insp-s', '/mytasks', 'mine-rect'],
    ['d-disc-s', '/units/' + unit + '/profile', 'prof-posts'], ['d-disc-s', '/companies/' + company.id, 'prof-payments'],
    ['d-disc-s', '/search?q=' + encodeURIComponent('永顺'), 'results-unit'],
    ['d-disc-s', '/opinions', 'opinion-slates'],
    ['d-audit-s', '/ledger', 'ledger-checkpoint'], ['d-admin-s', '/users', null], ['d-subject-s', '/me', 'me-evaluations'],
  ]
  const failing = {}
  let who = ''
  for (const [name, route, mark] of ROUTES) {
    if (!route) continue
    if (who !== name) {
      if (who) await signOut(page)
      await signIn(page, name)
      who = name
    }
    // (the page before's h1 and mark not taken for this one's: toRoute)
    await toRoute(page, srv.origin, route, mark)
    await settled(page)
    // The person's sections and the clue statistics are in tabs: every tab is read.
    const texts = [await pageText(page)]
    for (const tab of await page.locator('main [role=tab]').all()) {
      if (!(await tab.isVisible())) continue
      await tab.click()
      await settled(page)
      texts.push(await pageText(page))
    }
    // A finding's evidence: its first record opened (the drawer) is read too.
    if (route.startsWith('/findings/')) {
      await page.getByTestId('evidence-ref').first().click()
      await page.getByTestId('record-fields').locator('dd').first().waitFor()
      await settled(page)
      texts.push(await pageText(page))
      await shot(page, 'scan-finding-record')
    }
    const hits = [...new Set(texts.flatMap(rawCodes))]
    console.log(`raw-code scan ${route} as ${name}: ${texts.length} views, ${texts.join(' ').length} characters, ${hits.length} raw codes`)
    if (hits.length) failing[route] = hits.slice(0, 12)
    await shot(page, 'scan' + route.replace(/[^a-z0-9]+/gi, '-'))
  }
  if (who) await signOut(page)
  // The reporter portal, without an account (its receipt page needs a
  // report just filed: clues.test.js files one; here its empty state).
  for (const route of ['/portal', '/portal/report', '/portal/check', '/portal/receipt']) {
    await toRoute(page, srv.origin, route)
    await settled(page)
    const hits = rawCodes(await pageText(page))
    console.log(`raw-code scan ${route} without an account: ${hits.length} raw codes`)
    if (hits.length) failing[route] = hits.slice(0, 12)
    await shot(page, 'scan' + route.replace(/[^a-z0-9]+/gi, '-'))
  }
  assert.deepEqual(failing, {}, 'routes that still show raw codes:\n' + JSON.stringify(failing, null, 1))
})


// ------------------------------------------------------ numbers that agree

test('dashboard: 超期线索 = the list under 只看超期; warnings by grade = the risk table', async () => {
  await signIn(page, 'd-disc-n')
  await page.goto(srv.origin + '/#/dashboard')
  const overdue = page.getByTestId('clue-overdue')
  await overdue.filter({ hasText: /^\s*\d+\s*$/ }).waitFor()
  const panel = Number((await overdue.innerText()).trim())
  // docs/CASES.md §6 (R12's notion, docs/RULES.md): every imported clue
  // is a workflow clue (CASES.md "Imported clues"), overdue when past its
  // disposal or conclusion deadline — registered or routed past
  // dispose_due, verifying or verified past conclude_due (a held clue's
  // review date and a name clearing owed are not overdue clues; linked
  // clues follow their group) — counted in the store for 永顺县 (d-disc's
  // scope). "Past" = the deadline is before today.
  const d = new Date()
  const today = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate())).toISOString().slice(0, 10)
  const store = q(`SELECT COUNT(*) AS n FROM clues c JOIN case_clues cc ON cc.id=c.id
    WHERE c.subject_unit_id LIKE 'U433127-%' AND (
      (cc.status IN ('registered','routed') AND cc.dispose_due < '${today}')
      OR (cc.status IN ('verifying','verified') AND cc.conclude_due < '${today}'))`)[0].n
  const unmigrated = q(`SELECT COUNT(*) AS n FROM clues WHERE id NOT IN (SELECT id FROM case_clues)`)[0].n
  assert.equal(unmigrated, 0, 'every imported clue is a workflow clue (docs/CASES.md "Imported clues")')
  assert.ok(store > 0, 'the county has overdue workflow clues')
  console.log(`超期线索: panel ${panel}, store ${store}`)
  assert.equal(panel, store)
  // The panels settle first: a click on a panel being re-rendered is lost.
  await settled(page)
  await overdue.click()
  await page.waitForURL(/#\/clues\?overdue=1/)
  const total = page.getByTestId('clue-queue-total')
  await total.waitFor()
  assert.equal(Number(/\d+/.exec(await total.innerText())[0]), panel, 'the list under 只看超期 has the panel\'s count')
  await shots(page, 'clues-overdue')

  // Warnings: each person counted once at the latest grade, as the risk table grades them.
  await page.goto(srv.origin + '/#/dashboard')
  await page.getByTestId('risk-table').locator('tbody tr').first().waitFor()
  await settled(page)
  const grades = await page.getByTestId('risk-table').locator('tbody tr td:nth-child(4)').allInnerTexts()
  for (const [g, zh] of [['red', '红色'], ['yellow', '黄色'], ['blue', '蓝色']]) {
    const n = Number((await page.getByTestId('warn-' + g).locator('div').first().innerText()).trim())
    const latest = q(`SELECT COUNT(*) AS n FROM risk_warnings w WHERE w.grade='${g}' AND w.ev_seq=(SELECT MAX(ev_seq)
      FROM risk_warnings x WHERE x.person_id=w.person_id) AND w.person_id IN (SELECT t.person_id FROM tenures t
      JOIN posts p ON p.id=t.post_id WHERE p.unit_id LIKE 'U433127-%')`)[0].n
    assert.equal(n, latest, `${g}: the panel counts each person's latest warning`)
    assert.equal(n, grades.filter((x) => x.trim() === zh).length, `${g}: the panel = the risk table's ${zh} rows`)
  }
  await signOut(page)
})

test('no request left the origin', () => {
  assert.deepEqual(foreign, [])
})
