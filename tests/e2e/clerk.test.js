// The clerk's work in the browser (issue #16 item 5; docs/CASES.md "The
// clerk's pages", docs/WEB.md), against a real `plumb serve` with the county
// data, in Debian's chromium:
// - 登记线索: a letter registered through the form, first with two mistakes
//   (no subject, no summary: both errors under their fields at once, in
//   zh-CN and en, and nothing written — the store's clue and event counts
//   unchanged), then right: the new clue's page opens, the store has it
//   with its channel and subject, routed as docs/CASES.md §1 says (a
//   department head → the county commission); a phone call likewise;
// - a finding turned into a clue from its page (channel rule_warning,
//   category by rule: R04 → money, docs/CASES.md "Channels");
// - assignment on the clue page among the persons who may handle it (the
//   store's discipline accounts in scope, by name) and in the queue for
//   several clues at once;
// - approval: a disposition of a clue about a top leader, with the office's
//   approver configured, is a proposal: "awaiting approval by …", no
//   approve button for its proposer (a forced request is 409 naming
//   `approver`, nothing changes), a second officer approves it; the history
//   shows both steps in words.
// Expected values come from the store (sqlite3) and the docs' tables below,
// never from the page under test. Screenshots at 1440×900 and 390×844.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, watchForeign, shot, settled, SHOTS } from './lib/browser.js'
import { startPlumb, plumb, sql } from './lib/plumb.js'
import { base32Decode, signInCode } from './lib/totp.js'

const PASSWORD = 'Correct-Horse-42-battery'
const ROOT_UNIT = 'U433127-000001'
// docs/CASES.md "The clerk's pages": the intake's field errors.
const ERRORS = {
  'zh-CN': { subject: '须指明被反映人或被反映单位', summary: '摘要不能为空' },
  en: { subject: 'a subject person or unit is required', summary: 'summary is required' },
}
// docs/CASES.md "The clerk's pages": the history's words for the steps.
const STEPS = { proposed: '提请审批', approved: '审批同意', disposed: '确定处置方式' }
// docs/CASES.md "The clerk's pages": a refusal of the server in words.
const APPROVAL_403 = '只有本机关负责人可以审批此事项。'
let srv, br, page
const foreign = []
const q = (s) => JSON.parse(sql(srv.db, s) || '[]')
const esc = (s) => String(s).replace(/'/g, "''")
const lastSignIn = {}
let A, B, H1, H2, office, finding
const made = {}

async function signIn(p, name) {
  await p.context().clearCookies()
  await p.goto(srv.origin + '/#/login')
  await p.getByLabel(/用户名|User name/).fill(name)
  await p.getByLabel(/^(密码|Password)$/).fill(PASSWORD)
  // A code is good once per step: lib/totp.js signInCode.
  const { code, step } = await signInCode(base32Decode(srv.accounts[name].secret), lastSignIn[name])
  lastSignIn[name] = step
  await p.getByLabel(/动态验证码|One-time code/).fill(code)
  await p.getByTestId('login-submit').click()
  await p.waitForURL((u) => !u.hash.startsWith('#/login'))
}

// The header's language switch (no reload: a form keeps its state).
async function setLang(p, lang) {
  await p.getByTestId('lang-switch').click()
  await p.getByRole('option', { name: lang === 'en' ? 'English' : '简体中文', exact: true }).click()
  await p.waitForFunction((l) => document.documentElement.lang === l, lang)
}

// Screenshots at 1440×900 and 390×844 (`phone` false: the desktop only, to
// keep the file's time).
async function shots(p, name, phone = true) {
  if (!SHOTS) return settled(p) // (PostgreSQL: no pictures, so no resizing for them: lib/browser.js)
  for (const [w, h, tag] of [[1440, 900, 'desktop'], [390, 844, 'phone']]) {
    if (tag === 'phone' && !phone) continue
    await p.setViewportSize({ width: w, height: h })
    await settled(p)
    await shot(p, `${name}-${tag}`)
    const over = await p.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
    if (tag === 'phone') console.log(`${name} at 390 px: horizontal overflow ${over} px`)
  }
  await p.setViewportSize({ width: 1366, height: 860 })
}

async function choose(p, testid, text) {
  await p.getByTestId(testid).click()
  await p.getByRole('option', { name: text, exact: true }).click()
}

async function pickSubject(p, person) {
  await p.getByTestId('in-subject').click()
  await p.keyboard.type(person.name)
  await p.getByRole('option').filter({ hasText: person.name }).first().click()
}

const errorOf = (p, testid) => p.locator('.el-form-item').filter({ has: p.getByTestId(testid) }).locator('.el-form-item__error')
const counts = () => q(`SELECT (SELECT count(*) FROM clues) AS clues, (SELECT count(*) FROM ledger_events) AS events`)[0]

before(async () => {
  srv = await startPlumb({ users: [] })
  office = q(`SELECT id FROM units WHERE parent_id='${ROOT_UNIT}' AND kind='discipline' ORDER BY id LIMIT 1`)[0].id
  // A: the head (open tenure, top post) of a department directly under the
  // county, with a name no one else has; B: a deputy of another department.
  const holders = (top) => q(`SELECT p.id, p.name, s.unit_id FROM tenures t JOIN posts s ON s.id=t.post_id JOIN persons p ON p.id=t.person_id
    WHERE s.is_top=${top} AND s.unit_id IN (SELECT id FROM units WHERE parent_id='${ROOT_UNIT}' AND kind='department')
    AND (t.end_date IS NULL OR t.end_date='') AND (SELECT count(*) FROM persons r WHERE r.name=p.name)=1 ORDER BY s.unit_id, p.id`)
  A = holders(1)[0]
  B = holders(0).find((x) => x.unit_id !== A.unit_id)
  // Two officers of the county commission (not its head, no kin of A or B).
  const staff = q(`SELECT p.id, p.name FROM tenures t JOIN posts s ON s.id=t.post_id JOIN persons p ON p.id=t.person_id
    WHERE s.unit_id='${office}' AND s.is_top=0 AND (t.end_date IS NULL OR t.end_date='')
    AND NOT EXISTS (SELECT 1 FROM kin k WHERE (k.person_id=p.id AND k.relative_id IN ('${A.id}','${B.id}')) OR (k.relative_id=p.id AND k.person_id IN ('${A.id}','${B.id}')))
    AND (SELECT count(*) FROM persons r WHERE r.name=p.name)=1 ORDER BY p.id LIMIT 2`)
  ;[H1, H2] = staff
  assert.ok(A && B && H1 && H2, 'the county has department heads, deputies and commission staff (docs/GENERATOR.md)')
  const add = (name, role, person) => {
    const args = ['user', 'add', name, '--role', role, '--password-stdin', '--db', srv.db, '--scope', ROOT_UNIT]
    if (person) args.push('--person', person)
    srv.accounts[name] = { name, role, secret: /totp_secret:\s*([A-Z2-7]+)/.exec(plumb(args, PASSWORD + '\n'))[1] }
  }
  add('k-clerk', 'petition_officer')
  add('k-disc', 'discipline_officer', H1.id)
  add('k-disc2', 'discipline_officer', H2.id)
  // The office's approver: the discipline role (docs/CASES.md "Approvals"),
  // so the proposer holds the approver's role and is refused as proposer.
  plumb(['office', 'approver', '--db', srv.db, '--office', office, '--approver-role', 'discipline', '--reason', '委领导审批'])
  finding = q(`SELECT id, rule FROM findings WHERE unit_id LIKE 'U433127-%' AND rule='R04'
    AND id NOT IN (SELECT source_ref FROM case_clues WHERE source_ref IS NOT NULL) ORDER BY id LIMIT 1`)[0]
  assert.ok(finding, 'the county has an R04 finding')
  br = await launch()
  page = await br.context.newPage()
  watchForeign(page, srv.origin, foreign)
})
after(async () => {
  await br?.close()
  await srv?.stop()
})

test('登记线索: a letter with two mistakes (both errors at once, nothing written), then registered; a phone call', async () => {
  await signIn(page, 'k-clerk')
  await page.getByTestId('menu-intake').click()
  await page.getByTestId('intake-form').waitFor()
  await choose(page, 'in-channel', '来信')
  await choose(page, 'in-category', '用财')
  const before = counts()
  await page.getByTestId('intake-submit').click()
  await errorOf(page, 'in-summary').waitFor()
  for (const [lang, texts] of Object.entries(ERRORS)) {
    if (lang === 'en') {
      await setLang(page, 'en')
      await page.getByTestId('intake-submit').click()
      await errorOf(page, 'in-summary').filter({ hasText: texts.summary }).waitFor()
    }
    assert.equal((await errorOf(page, 'in-subject').innerText()).trim(), texts.subject, `${lang}: the subject's error under it`)
    assert.equal((await errorOf(page, 'in-summary').innerText()).trim(), texts.summary, `${lang}: the summary's error under it`)
    assert.equal(await page.locator('.el-form-item__error').count(), 2, `${lang}: two errors, no more`)
    await shots(page, `intake-errors-${lang === 'en' ? 'en' : 'zh'}`)
  }
  assert.deepEqual(counts(), before, 'a rejected intake writes nothing (clues and ledger events unchanged)')
  await setLang(page, 'zh-CN')
  await pickSubject(page, A)
  await page.getByTestId('in-summary').fill('来信反映局长违规插手工程招标')
  await page.getByTestId('in-facts').fill(`来信反映${A.name}在办公楼改造工程中违规指定施工单位。`)
  await page.getByTestId('intake-submit').click()
  await page.waitForURL(/#\/clues\/CL-/)
  made.letter = decodeURIComponent(page.url().split('#/clues/')[1])
  await page.getByTestId('clue-status').waitFor()
  const row = q(`SELECT c.channel, c.category, c.subject_person_id, k.handling_unit_id, k.is_top, k.status
    FROM clues c JOIN case_clues k ON k.id=c.id WHERE c.id='${esc(made.letter)}'`)[0]
  assert.deepEqual(row, { channel: 'letter', category: 'money', subject_person_id: A.id, handling_unit_id: office, is_top: 1, status: 'routed' },
    'a department head\'s clue goes to the county commission, the level above (docs/CASES.md "Routing")')
  assert.equal(counts().clues, before.clues + 1)
  await shots(page, 'intake-letter-clue', false)

  await page.getByTestId('menu-intake').click()
  await page.getByTestId('intake-form').waitFor()
  await choose(page, 'in-channel', '电话')
  await choose(page, 'in-category', '用权')
  await pickSubject(page, B)
  await page.getByTestId('in-summary').fill('来电反映副局长违规审批')
  // The draft (sessionStorage) is back after the page is opened again, as
  // after a session expiry: summary and subject kept.
  await page.reload()
  await page.getByTestId('intake-form').waitFor()
  assert.equal(await page.getByTestId('in-summary').inputValue(), '来电反映副局长违规审批', 'the draft restored')
  await shots(page, 'intake-phone', false)
  await page.getByTestId('intake-submit').click()
  await page.waitForURL(/#\/clues\/CL-/)
  made.phone = decodeURIComponent(page.url().split('#/clues/')[1])
  const phone = q(`SELECT c.channel, c.category, c.subject_person_id, k.is_top FROM clues c JOIN case_clues k ON k.id=c.id WHERE c.id='${esc(made.phone)}'`)[0]
  assert.deepEqual(phone, { channel: 'phone', category: 'power', subject_person_id: B.id, is_top: 0 })
  await page.getByTestId('logout').click()
  await page.waitForURL((u) => u.hash.startsWith('#/login'))
})

test('a finding becomes a clue; assignment by name on the clue page and in the queue', async () => {
  await signIn(page, 'k-disc')
  await page.goto(srv.origin + '/#/findings/' + encodeURIComponent(finding.id))
  await page.getByTestId('finding-to-clue').click()
  await page.getByTestId('finding-to-clue-confirm').click()
  await page.waitForURL(/#\/clues\/CL-/)
  made.finding = decodeURIComponent(page.url().split('#/clues/')[1])
  const fc = q(`SELECT c.channel, c.category, k.source_ref FROM clues c JOIN case_clues k ON k.id=c.id WHERE c.id='${esc(made.finding)}'`)[0]
  assert.deepEqual(fc, { channel: 'rule_warning', category: 'money', source_ref: finding.id }, 'R04 → money (docs/CASES.md)')

  await page.goto(srv.origin + '/#/clues/' + encodeURIComponent(made.letter))
  await page.getByTestId('clue-assign').waitFor()
  await page.getByTestId('assign-handler').click()
  const options = (await page.getByTestId('assign-option').allInnerTexts()).map((s) => s.trim()).sort()
  assert.deepEqual(options, [H1.name, H2.name].sort(), 'the persons of the discipline accounts in scope, by name')
  await page.getByRole('option', { name: H1.name, exact: true }).click()
  await page.getByTestId('assign-submit').click()
  await page.getByTestId('clue-handler').filter({ hasText: H1.name }).waitFor()
  assert.equal(q(`SELECT handler_person_id AS h FROM case_clues WHERE id='${esc(made.letter)}'`)[0].h, H1.id)
  await shots(page, 'clue-assigned', false)

  // The queue of routed clues (?status=routed): the phone clue and the
  // finding's clue to H2 at once.
  await page.goto(srv.origin + '/#/clues?status=routed')
  const queue = page.getByTestId('clue-queue')
  await queue.getByTestId('clue-link').first().waitFor({ timeout: 60000 })
  for (const id of [made.phone, made.finding]) {
    await queue.locator('tr', { has: page.getByRole('link', { name: id, exact: true }) }).locator('.el-checkbox').first().click()
  }
  await page.getByTestId('bulk-selected').filter({ hasText: '2' }).waitFor()
  await page.getByTestId('bulk-handler').click()
  await page.getByRole('option', { name: H2.name, exact: true }).click()
  await shots(page, 'clue-queue-bulk', false)
  await page.getByTestId('bulk-submit').click()
  await page.waitForFunction(() => !document.querySelector('[data-testid=bulk-submit] .is-loading, [data-testid=bulk-submit].is-loading'))
  await settled(page)
  const h = q(`SELECT id, handler_person_id AS h FROM case_clues WHERE id IN ('${esc(made.phone)}','${esc(made.finding)}') ORDER BY id`)
  assert.deepEqual(h.map((x) => x.h), [H2.id, H2.id], 'both assigned to H2 in the store')
})

test('approval: the proposer sees who must approve and cannot approve; a second officer approves; both steps in the history', async () => {
  await page.goto(srv.origin + '/#/clues/' + encodeURIComponent(made.letter))
  await page.getByTestId('act-dispose').click()
  await choose(page, 'sel-method', '谈话函询')
  await page.getByTestId('clue-reason').fill('拟谈话函询')
  await page.getByTestId('clue-submit').click()
  await page.getByTestId('approval-waiting').waitFor()
  const st = q(`SELECT status, pending_step, proposed_by FROM case_clues WHERE id='${esc(made.letter)}'`)[0]
  assert.deepEqual(st, { status: 'routed', pending_step: 'dispose', proposed_by: 'k-disc' }, 'a proposal does not move the clue')
  const waiting = await page.getByTestId('approval-waiting').innerText()
  assert.match(waiting, /待审批/)
  assert.match(waiting, /纪委监委/, 'the approver named: the discipline role')
  assert.match(waiting, /k-disc/, 'the proposer named')
  await page.getByTestId('approval-own').waitFor()
  assert.equal(await page.getByTestId('approval-approve').count(), 0, 'no approve button for the proposer')
  const forced = await page.evaluate(async (id) => {
    const r = await fetch(`/api/v1/cases/${encodeURIComponent(id)}/approve`, { method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': sessionStorage.getItem('plumb.csrf') || '' },
      body: JSON.stringify({ reason: '自批' }) })
    return { status: r.status, body: await r.json() }
  }, made.letter)
  assert.equal(forced.status, 409, JSON.stringify(forced))
  assert.equal(forced.body.error.field, 'approver')
  assert.equal(q(`SELECT pending_step FROM case_clues WHERE id='${esc(made.letter)}'`)[0].pending_step, 'dispose', 'nothing changed')
  await shots(page, 'clue-proposed-zh')
  await setLang(page, 'en')
  await page.getByTestId('approval-waiting').filter({ hasText: /Awaiting approval/ }).waitFor()
  await shots(page, 'clue-proposed-en')
  await setLang(page, 'zh-CN')
  await page.getByTestId('logout').click()
  await page.waitForURL((u) => u.hash.startsWith('#/login'))

  await signIn(page, 'k-disc2')
  await page.goto(srv.origin + '/#/clues/' + encodeURIComponent(made.letter))
  await page.getByTestId('approval-approve').waitFor()
  // A stale page: the office's approver becomes a person (H1) meanwhile;
  // the server's 403 naming `approver` is said in words, nothing changes.
  const setApprover = (body) => page.evaluate(async ([o, b]) => (await fetch(`/api/v1/offices/${o}/approver`, { method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': sessionStorage.getItem('plumb.csrf') || '' },
    body: JSON.stringify(b) })).status, [office, body])
  assert.equal(await setApprover({ person_id: H1.id, reason: '改由专人审批' }), 200)
  await page.getByTestId('approval-reason').fill('不同意')
  await page.getByTestId('approval-refuse').click()
  await page.getByTestId('approval-error').filter({ hasText: APPROVAL_403 }).waitFor()
  assert.equal(q(`SELECT pending_step FROM case_clues WHERE id='${esc(made.letter)}'`)[0].pending_step, 'dispose', 'nothing changed')
  assert.equal(await setApprover({ role: 'discipline', reason: '委领导审批' }), 200)
  await page.reload()
  await page.getByTestId('approval-approve').waitFor()
  await page.getByTestId('approval-reason').fill('同意谈话函询')
  await page.getByTestId('approval-approve').click()
  await page.getByTestId('clue-approval').waitFor({ state: 'detached' })
  const done = q(`SELECT status, method, pending_step FROM case_clues WHERE id='${esc(made.letter)}'`)[0]
  assert.deepEqual(done, { status: 'verifying', method: 'talk_inquiry', pending_step: null }, 'approved: the step applied')
  const history = await page.getByTestId('clue-history').innerText()
  const iP = history.indexOf(STEPS.proposed), iA = history.indexOf(STEPS.approved), iD = history.lastIndexOf(STEPS.disposed)
  assert.ok(iP >= 0 && iA > iP && iD > iA, `proposed, approved, disposed in order:\n${history}`)
  assert.match(history, /k-disc2/, 'the approver in the history')
  assert.ok(history.includes(`指定承办人 · k-disc — ${H1.name}`), `the assignment names the handler:\n${history}`)
  assert.ok(!history.includes(H1.id), 'no person id in the history')
  const officeName = q(`SELECT name FROM units WHERE id='${office}'`)[0].name
  assert.ok(history.includes(officeName) && !history.includes(office), `the routing names the office by name:\n${history}`)
  await page.getByTestId('clue-history').scrollIntoViewIfNeeded()
  await shots(page, 'clue-approved-zh')
  await setLang(page, 'en')
  await page.getByTestId('clue-history').scrollIntoViewIfNeeded()
  await shots(page, 'clue-approved-en', false)
  await setLang(page, 'zh-CN')
  assert.deepEqual(foreign, [], 'no request left the origin')
})
