// The integrity opinions page (廉政意见回复, issue #18 item 4; docs/DECLARE.md
// "Integrity opinion"), against a real server with the county data, in
// Debian's chromium: a discipline officer opens a slate of two candidates
// from the form (a person under an open clue, a person with no clue,
// measure, drawn declaration or red warning — both chosen by SQL over the
// store), lands on the slate: each by name with unit and post, the first
// proposed 暂缓 with its clue as a link to the clue's page, the second 无异议;
// an amendment that differs from the proposal without a reason shows the
// server's refusal under 理由 and nothing changes; issuing marks it 已出具
// (the store holds one opinion.issued event); the PDF links are there.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, watchForeign, shot } from './lib/browser.js'
import { startPlumb, sql } from './lib/plumb.js'
import { totp, base32Decode } from './lib/totp.js'

const PASSWORD = 'Correct-Horse-42-battery'
const ROOT_UNIT = 'U433127-000001'
let srv, br, page
const foreign = []
const q = (s) => JSON.parse(sql(srv.db, s) || '[]')

before(async () => {
  srv = await startPlumb({ users: [{ name: 'o-disc', role: 'discipline_officer', scopes: [ROOT_UNIT], password: PASSWORD }] })
  br = await launch()
  page = await br.context.newPage()
  await page.setViewportSize({ width: 1440, height: 900 })
  watchForeign(page, srv.origin, foreign)
  await page.goto(srv.origin + '/#/login')
  await page.getByLabel(/用户名|User name/).fill('o-disc')
  await page.getByLabel(/^(密码|Password)$/).fill(PASSWORD)
  await page.getByLabel(/动态验证码|One-time code/).fill(totp(base32Decode(srv.accounts['o-disc'].secret)))
  await page.getByTestId('login-submit').click()
  await page.waitForURL((u) => !u.hash.startsWith('#/login'))
})
after(async () => {
  await br?.close()
  await srv?.stop()
})

test('open a slate, read the proposals and their reasons, amend, issue', async () => {
  const placed = `EXISTS (SELECT 1 FROM tenures t JOIN posts p ON p.id = t.post_id WHERE t.person_id = pe.id
      AND p.unit_id LIKE 'U433127-%' AND (t.end_date IS NULL OR t.end_date = ''))`
  // under a clue with no concluded disposition at all (open on any day)
  const [flagged] = q(`SELECT pe.id, pe.name, c.id AS clue FROM persons pe JOIN clues c ON c.subject_person_id = pe.id
    WHERE ${placed} AND NOT EXISTS (SELECT 1 FROM dispositions d WHERE d.clue_id = c.id AND d.concluded_at IS NOT NULL AND d.concluded_at <> '')
    ORDER BY pe.id, c.id LIMIT 1`)
  const [clean] = q(`SELECT pe.id, pe.name FROM persons pe WHERE ${placed}
    AND NOT EXISTS (SELECT 1 FROM clues c WHERE c.subject_person_id = pe.id)
    AND NOT EXISTS (SELECT 1 FROM accountability a WHERE a.person_id = pe.id AND a.measure IN ('sanction', 'org_measure'))
    AND NOT EXISTS (SELECT 1 FROM risk_warnings w WHERE w.person_id = pe.id AND w.grade = 'red')
    AND NOT EXISTS (SELECT 1 FROM declaration_round_sample x JOIN declarations d ON d.id = x.declaration_id WHERE d.person_id = pe.id)
    ORDER BY pe.id LIMIT 1`)
  assert.ok(flagged && clean, 'the county has a person under an open clue and a clean one')

  await page.goto(srv.origin + '/#/opinions')
  await page.getByTestId('menu-opinions').waitFor()
  await page.getByTestId('opinion-slates').waitFor()
  await page.getByLabel('名单名称').fill('2026年第3批拟提拔人选')
  await page.getByLabel('单位', { exact: true }).fill(ROOT_UNIT)
  await page.getByLabel('拟任人选（身份证号）').fill(`${flagged.id}\n${clean.id}`)
  await page.getByTestId('op-create').click()
  await page.waitForURL((u) => u.hash.startsWith('#/opinions/OS-'))
  const table = page.getByTestId('opinion-table')
  await table.waitFor()
  const rowOf = (name) => table.locator('tr.el-table__row').filter({ hasText: name })
  await rowOf(flagged.name).waitFor()
  assert.match(await rowOf(flagged.name).getByTestId('op-proposal').innerText(), /暂缓/)
  const link = rowOf(flagged.name).locator(`a[href$="/clues/${flagged.clue}"]`)
  assert.equal(await link.count(), 1, 'the open clue is a link to its page')
  assert.match(await rowOf(clean.name).getByTestId('op-proposal').innerText(), /无异议/)
  assert.ok((await rowOf(clean.name).innerText()).includes('廉政档案中未见影响事项'))
  await shot(page, 'opinion-slate-zh-desktop')
  // codes in words (docs/DECLARE.md's labels), never the codes themselves
  const text = await page.locator('main').innerText()
  assert.doesNotMatch(text, /no_objection|not_promoted|\bdefer\b|\bdraft\b|red_warning|\bclue\b/, 'no raw code on the page')

  const [{ id: opId }] = q(`SELECT id FROM opinions WHERE person_id = '${clean.id}' ORDER BY length(id) DESC, id DESC LIMIT 1`)
  // amend to 暂缓 without a reason: refused under 理由, nothing written
  await page.getByTestId('op-amend-' + opId).locator('.el-select__wrapper').click()
  await page.getByRole('option', { name: '暂缓' }).last().click()
  await page.getByTestId('op-amend-btn-' + opId).click()
  await page.getByTestId('op-amend-' + opId).locator('.el-form-item__error').filter({ hasText: /理由|reason/ }).waitFor()
  assert.equal(q(`SELECT count(*) AS n FROM ledger_events WHERE type = 'opinion.amended'`)[0].n, 0)
  // issue it as proposed
  await page.getByTestId('op-issue-' + opId).click()
  await rowOf(clean.name).getByText('已出具').waitFor()
  assert.equal(q(`SELECT count(*) AS n FROM ledger_events WHERE type = 'opinion.issued'`)[0].n, 1)
  assert.equal(await page.getByTestId('op-slate-pdf').count(), 1)
  assert.deepEqual(foreign, [], 'no request leaves the server')
})
