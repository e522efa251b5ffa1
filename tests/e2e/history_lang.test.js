// The clue history and the integrity file in the page's language (issue
// #16 "raw codes in Chinese pages", after imported clues entered the
// workflow): an imported clue's history names its event (clue.imported),
// its actor (import:clues) and the status in words, and gives the server's
// bilingual reason "中文 / English" in the page's language only; the
// integrity file's column headers in English are words, not field names.
// Expected texts are written here from docs/CASES.md ("Imported clues":
// the reason names the status by its label) and the status labels of the
// web app's tables, never read from the page.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, watchForeign, shot } from './lib/browser.js'
import { startPlumb, plumb, sql } from './lib/plumb.js'
import { totp, base32Decode } from './lib/totp.js'

const PASSWORD = 'Correct-Horse-42-battery'
const ROOT_UNIT = 'U433127-000001'
const CJK = /[\u3400-\u9fff]/
// The status of an imported clue in words, as CASES.md's reason writes it.
const STATUS = {
  routed: ['已分办', 'routed'], held: ['暂存待查', 'on hold'], closed: ['予以了结', 'closed'],
  verifying: ['核实中', 'verifying'], verified: ['已核实', 'verified'], concluded: ['已办结', 'concluded'],
}
let srv, br, page
const foreign = []
const q = (s) => JSON.parse(sql(srv.db, s) || '[]')

async function signIn(p, name) {
  const acct = srv.accounts[name]
  await p.context().clearCookies()
  await p.goto(srv.origin + '/#/login')
  await p.getByLabel(/用户名|User name/).fill(name)
  await p.getByLabel(/^(密码|Password)$/).fill(PASSWORD)
  await p.getByLabel(/动态验证码|One-time code/).fill(totp(base32Decode(acct.secret)))
  await p.getByTestId('login-submit').click()
  await p.waitForURL((u) => !u.hash.startsWith('#/login'))
}

async function setLang(p, name) {
  await p.getByTestId('lang-switch').click()
  await p.getByRole('option', { name }).click()
}

before(async () => {
  srv = await startPlumb({ users: [{ name: 'h-disc', role: 'discipline_officer', scopes: [ROOT_UNIT], password: PASSWORD }] })
  br = await launch()
  page = await br.context.newPage()
  watchForeign(page, srv.origin, foreign)
  await signIn(page, 'h-disc')
})
after(async () => {
  await br?.close()
  await srv?.stop()
})

test('an imported clue\'s history: event, actor, status and reason in the page\'s language', async () => {
  const clue = q(`SELECT c.id, c.status FROM case_clues c WHERE c.origin='import' AND c.subject_unit_id LIKE 'U433127-%'
    AND c.status='closed' ORDER BY c.id LIMIT 1`)[0]
  assert.ok(clue, 'the county has an imported clue closed by its extract')
  const [zh, en] = STATUS[clue.status]
  const entry = page.getByTestId('clue-history').locator('.el-timeline-item').first()

  await page.goto(srv.origin + '/#/clues/' + encodeURIComponent(clue.id))
  await entry.waitFor()
  const zhText = (await entry.innerText()).replace(/\s+/g, ' ')
  for (const want of ['导入', '数据导入：问题线索', `导入的线索进入工作流程（${zh}）`]) {
    assert.ok(zhText.includes(want), `zh history shows “${want}”: ${zhText}`)
  }
  assert.doesNotMatch(zhText, /clue\.imported|import:clues|imported clue|\b[a-z]{4,}\b/, 'no code or English in the zh history')
  await shot(page, 'clue-history-zh')

  await setLang(page, 'English')
  await page.getByText('Data import: Clues').first().waitFor()
  const enText = (await entry.innerText()).replace(/\s+/g, ' ')
  for (const want of ['Imported', 'Data import: Clues', `imported clue enters the workflow (${en})`]) {
    assert.ok(enText.includes(want), `en history shows “${want}”: ${enText}`)
  }
  assert.doesNotMatch(enText, CJK, 'no Chinese in the en history')
  assert.doesNotMatch(enText, /clue\.imported|import:clues/, 'no code in the en history')
  await shot(page, 'clue-history-en')
  await setLang(page, '简体中文')
})

test('the integrity file in English: headers are words, no X_label, key or about columns', async () => {
  const person = JSON.parse(plumb(['risk', '--db', srv.db, '--top', '1000', '--json'])).find((r) => r.unit.startsWith('U433127-')).person
  await page.goto(srv.origin + '/#/persons/' + encodeURIComponent(person))
  await page.getByTestId('person-tabs').waitFor()
  await setLang(page, 'English')
  const bad = []
  let headers = 0
  for (const tab of await page.locator('main [role=tab]').all()) {
    if (!(await tab.isVisible())) continue
    await tab.click()
    await page.waitForTimeout(300)
    for (const th of await page.locator('main .el-tab-pane:visible thead th').allInnerTexts()) {
      const h = th.trim()
      if (!h) continue
      headers++
      if (/_|^(key|about)$|\b[a-z]+_[a-z]+\b/.test(h) || CJK.test(h)) bad.push(h)
    }
  }
  assert.ok(headers > 10, `the file's sections have headers (${headers})`)
  assert.deepEqual(bad, [], 'headers that are field names or not English')
  await shot(page, 'person-file-en')
  await setLang(page, '简体中文')
})

test('a clue about a unit only names the unit, as a link', async () => {
  // A clue with no person named (docs/CASES.md: the subject is a unit, a
  // person in it, or both): 对象 shows the unit's name from the registry.
  const clue = q(`SELECT c.id, u.name FROM case_clues cc JOIN clues c ON c.id = cc.id JOIN units u ON u.id = c.subject_unit_id
    WHERE c.subject_person_id IS NULL AND COALESCE(cc.subject_name, '') = '' AND c.subject_unit_id LIKE 'U433127-%'
    ORDER BY c.id LIMIT 1`)[0]
  assert.ok(clue, 'the county has a clue about a unit only')
  await page.goto(srv.origin + '/#/clues/' + encodeURIComponent(clue.id))
  const link = page.getByTestId('clue-subject-unit')
  await link.filter({ hasText: clue.name }).waitFor()
  assert.equal((await link.innerText()).trim(), clue.name)
})

test('no request left the origin', () => {
  assert.deepEqual(foreign, [])
})
