// Inspection and rectification in the browser (issue #17 item 5), against a
// real `plumb serve` with the county data (its generated inspection
// register: rounds, problems, rectification tasks), in Debian's chromium:
// - a round's rectification ledger (整改台账): as many rows as the API's
//   total and the store's count, units and responsible leaders by their
//   names (the store's), never an id; the overdue red tag where the store
//   says the deadline has passed and the task is not signed off;
// - 导出 Excel: the workbook downloaded and read back (unzip), its header
//   the offices' layout (docs/INSPECT.md §7) and its rows the API's;
// - a task's progress (the unit's staff, with a file as evidence) and the
//   inspection office's send-back (reason required: the server's error under
//   理由 first, then the reason in the history) and sign-off (已销号 in the
//   store);
// - 我的任务: the unit's staff see their unit's tasks not signed off (the
//   store's count, the menu's badge); a discipline officer assigns a
//   warning task to self on its page and finds it in 我的任务 with its due date;
// - the dashboard's overdue rectification number = the store's count = the
//   total of the list it opens; a status number likewise.
// Expected values come from the store (sqlite3) and docs/INSPECT.md, never
// from the page's own tables. Screenshots at 1440×900 and 390×844.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { join } from 'node:path'
import { launch, watchForeign, shot, settled, SHOTS } from './lib/browser.js'
import { startPlumb, plumb, sql } from './lib/plumb.js'
import { base32Decode, signInCode } from './lib/totp.js'
import { readXlsx } from './lib/xlsx.js'

const PASSWORD = 'Correct-Horse-42-battery'
const ROOT_UNIT = 'U433127-000001'
const LAYOUT = ['序号', '问题', '被巡察单位', '整改措施', '责任领导', '整改时限', '状态', '进展', '佐证材料数']
let srv, br, page
const foreign = []
const q = (s) => JSON.parse(sql(srv.db, s) || '[]')
const esc = (s) => String(s).replace(/'/g, "''")
// "Today" as the server counts it (UTC date).
const today = () => new Date().toISOString().slice(0, 10)
let task // the open task the flow works on: {id, owner_unit_id, round_id}

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

// settled(p) (lib/browser.js): no panel loading, no request in flight, the page still.

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
    ...['i-insp', 'i-insp-x', 'i-insp-f'].map((name) => ({ name, role: 'inspection_officer', scopes: [ROOT_UNIT], password: PASSWORD })),
    ...['i-lead'].map((name) => ({ name, role: 'leader', scopes: [ROOT_UNIT], password: PASSWORD })),
    { name: 'i-disc', role: 'discipline_officer', scopes: [ROOT_UNIT], password: PASSWORD },
  ] })
  // An open task of the county (not of a top leader's problem: no approval
  // is configured anyway) and its unit's staff (a subject scoped to it).
  task = q(`SELECT t.id, t.owner_unit_id, p.round_id FROM inspect_tasks t JOIN inspect_problems p ON p.id=t.problem_id
    WHERE t.status='open' AND t.owner_unit_id LIKE 'U433127-%' AND p.category<>'top_leader' ORDER BY t.id LIMIT 1`)[0]
  assert.ok(task, 'the county has an open rectification task (docs/GENERATOR.md)')
  const staffPerson = q(`SELECT t.person_id FROM tenures t JOIN posts s ON s.id=t.post_id WHERE s.unit_id='${esc(task.owner_unit_id)}'
    ORDER BY t.person_id LIMIT 1`)[0]
  addUser('i-staff', 'subject', { scope: task.owner_unit_id, person: staffPerson && staffPerson.person_id })
  addUser('i-staff-m', 'subject', { scope: task.owner_unit_id, person: staffPerson && staffPerson.person_id })
  br = await launch()
  page = await br.context.newPage()
  watchForeign(page, srv.origin, foreign)
})
after(async () => {
  await br?.close()
  await srv?.stop()
})

// The rows of the round's ledger in the store: the tasks of its problems.
const roundTasks = (round) => q(`SELECT t.id, t.status, t.deadline, t.measures, t.evidence_count, u.name AS unit, n.name AS responsible
  FROM inspect_tasks t JOIN inspect_problems p ON p.id=t.problem_id JOIN units u ON u.id=t.owner_unit_id
  JOIN persons n ON n.id=t.responsible_person_id WHERE p.round_id='${esc(round)}' ORDER BY t.id`)

test('a round\'s rectification ledger: the API\'s total, names not ids, overdue marked; 导出 Excel read back', async () => {
  await signIn(page, 'i-insp')
  await page.goto(srv.origin + '/#/inspection')
  const roundLink = page.locator(`a[href="#/inspection/${task.round_id}"]`).first()
  await roundLink.waitFor()
  await settled(page)
  await roundLink.click()
  await page.waitForURL(new RegExp(`#/inspection/${task.round_id}$`))
  const table = page.getByTestId('rect-table')
  await table.getByTestId('rect-link').first().waitFor()
  await settled(page)
  const store = roundTasks(task.round_id)
  const api = await page.evaluate(async (r) => (await (await fetch(`/api/v1/rectification_tasks?round_id=${r}&limit=500`)).json()), task.round_id)
  const rows = table.locator('tbody tr')
  console.log(`ledger ${task.round_id}: page ${await rows.count()} rows, API total ${api.total}, store ${store.length}`)
  assert.equal(api.total, store.length, 'the API\'s total is the store\'s count (an inspection officer of the county sees all)')
  assert.equal(await rows.count(), api.total, 'one row per task of the API\'s list')
  assert.match(await page.getByTestId('ledger-total').innerText(), new RegExp(`共 ${store.length} 项`))
  for (let i = 0; i < store.length; i++) {
    const unit = (await rows.nth(i).getByTestId('rect-unit').innerText()).trim()
    const resp = (await rows.nth(i).getByTestId('rect-responsible').innerText()).trim()
    assert.equal(unit, store[i].unit, `row ${i + 1}: the unit by its name`)
    assert.equal(resp, store[i].responsible, `row ${i + 1}: the responsible leader by name`)
    const overdue = store[i].status !== 'signed_off' && store[i].deadline < today()
    assert.equal(await rows.nth(i).getByTestId('rect-overdue').count(), overdue ? 1 : 0, `row ${i + 1}: 逾期 tag as the store says`)
    const text = await rows.nth(i).innerText()
    assert.doesNotMatch(text, /\b\d{17}[\dX]\b|\bU\d{6}-\d{6}\b|\bRT-\d+/, `row ${i + 1}: an id shown: ${text}`)
  }
  await shots(page, 'rect-ledger')

  // 导出 Excel: the download, unzipped and read.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('ledger-xlsx').click()])
  const file = join(srv.work, 'ledger.xlsx')
  await download.saveAs(file)
  assert.match(download.suggestedFilename(), /\.xlsx$/)
  const { rows: cells, sheet } = readXlsx(file)
  assert.deepEqual(cells[0], LAYOUT, 'the header of docs/INSPECT.md §7')
  assert.match(sheet, /<pane[^>]*ySplit="1"[^>]*state="frozen"/, 'the header row frozen')
  assert.equal(cells.length - 1, api.total, 'one workbook row per task of the API\'s list')
  for (let i = 0; i < store.length; i++) {
    const [no, problem, unit, measures, resp, deadline, status, , evidence] = cells[i + 1]
    const it = api.items[i]
    assert.equal(no, i + 1)
    assert.match(problem, new RegExp(`：${it.problem_description}$`))
    assert.deepEqual([unit, measures, resp, deadline, evidence], [it.unit_name, it.measures, it.responsible_name, it.deadline, it.evidence_count],
      `row ${i + 1} of the workbook = the API's item`)
    assert.equal(/（逾期）$/.test(status), it.overdue, `row ${i + 1}: 逾期 as the API marks it`)
  }
  console.log(`Excel: ${cells.length - 1} rows read back, header ${cells[0].join(' | ')}`)

  // In English: the headers and the statuses in words, no Chinese label left.
  await page.evaluate(() => localStorage.setItem('plumb.lang', 'en'))
  await page.reload()
  await page.getByTestId('rect-table').getByTestId('rect-link').first().waitFor()
  await settled(page)
  const heads = await page.getByTestId('rect-table').locator('thead th').allInnerTexts()
  assert.deepEqual(heads.map((h) => h.trim()), ['No.', 'Problem', 'Unit inspected', 'Measures', 'Responsible leader', 'Deadline', 'Status', 'Progress', 'Evidence items'])
  const statuses = (await page.getByTestId('rect-status').allInnerTexts()).map((x) => x.trim())
  const words = { open: 'Open', in_progress: 'In progress', sent_back: 'Sent back', signed_off: 'Signed off', reopened: 'Re-opened' }
  assert.deepEqual(statuses, store.map((r) => words[r.status]), 'the statuses in English (docs/INSPECT.md §3)')
  await shot(page, 'rect-ledger-en-desktop')
  await page.evaluate(() => localStorage.setItem('plumb.lang', 'zh-CN'))
  await page.reload()
  await signOut(page)
})

test('我的任务: the unit\'s tasks not signed off (the store\'s count and the menu badge); a warning task assigned to me', async () => {
  await signIn(page, 'i-staff-m')
  await page.goto(srv.origin + '/#/mytasks')
  await page.getByTestId('mine-rect').waitFor()
  await settled(page)
  // INSPECT.md §4: the unit's staff see the tasks of their unit's subtree.
  const store = q(`WITH RECURSIVE sub(id) AS (SELECT '${esc(task.owner_unit_id)}' UNION SELECT u.id FROM units u JOIN sub ON u.parent_id=sub.id)
    SELECT t.id, t.deadline FROM inspect_tasks t WHERE t.owner_unit_id IN (SELECT id FROM sub) AND t.status<>'signed_off'`)
  const shown = Number((await page.getByTestId('mine-rect-count').innerText()).trim())
  console.log(`我的任务 of ${task.owner_unit_id}'s staff: page ${shown}, store ${store.length}`)
  assert.equal(shown, store.length)
  assert.equal(await page.getByTestId('mine-rect').locator('tbody tr').count(), store.length)
  if (store.length) {
    assert.equal(Number((await page.getByTestId('mytasks-badge').innerText()).trim()), store.length, 'the menu\'s count')
    const overdue = store.filter((x) => x.deadline < today()).length
    assert.equal(await page.getByTestId('mine-rect').getByTestId('rect-overdue').count(), overdue, 'overdue marked red')
  }
  await shots(page, 'mytasks-staff')
  await signOut(page)

  // A discipline officer assigns an open warning task to self and accepts it.
  const wt = q(`SELECT k.id, k.due_date FROM rule_tasks k WHERE k.status='open' AND k.person_id IN (SELECT t.person_id FROM tenures t
    JOIN posts s ON s.id=t.post_id WHERE s.unit_id LIKE 'U433127-%') ORDER BY k.due_date, k.id LIMIT 1`)[0]
  assert.ok(wt, 'the county has an open warning task')
  await signIn(page, 'i-disc')
  await page.goto(`${srv.origin}/#/tasks/${wt.id}`)
  await page.getByTestId('wt-action-card').waitFor()
  await page.getByTestId('wt-act-assign').click()
  await page.getByTestId('wt-user').fill('i-disc')
  await page.getByTestId('wt-submit').click()
  await page.getByTestId('wt-assignee').filter({ hasText: 'i-disc' }).waitFor()
  await page.getByTestId('wt-act-accept').click()
  await page.getByTestId('wt-submit').click()
  await page.getByTestId('wt-status').filter({ hasText: '已接受' }).waitFor()
  assert.equal(q(`SELECT status, assignee FROM rule_tasks WHERE id='${esc(wt.id)}'`)[0].assignee, 'i-disc')
  await shots(page, 'warning-task')
  await page.goto(srv.origin + '/#/mytasks')
  const mine = page.getByTestId('mine-warnings')
  await mine.getByTestId('wtask-link').first().waitFor()
  const n = q(`SELECT COUNT(*) AS n FROM rule_tasks WHERE assignee='i-disc' AND status<>'closed'`)[0].n
  assert.equal(await mine.locator('tbody tr').count(), n)
  const row = mine.locator('tbody tr').filter({ has: page.locator(`a[href="#/tasks/${wt.id}"]`) })
  assert.match(await row.innerText(), new RegExp(wt.due_date))
  const badge = wt.due_date < today() ? 'due-overdue' : (Date.parse(wt.due_date) - Date.parse(today())) / 864e5 <= 7 ? 'due-soon' : null
  if (badge) assert.equal(await row.getByTestId(badge).count(), 1, `the ${badge} badge`)
  // The warning's colour now (the 研判's or the clock's, else the grade raised).
  const colour = q(`SELECT COALESCE(w.colour, w.grade) AS c FROM risk_warnings w JOIN rule_tasks k ON k.warning_id=w.id
    WHERE k.id='${esc(wt.id)}'`)[0].c
  assert.match(await row.innerText(), new RegExp({ red: '红色', yellow: '黄色', blue: '蓝色' }[colour]), 'the warning\'s colour in words')
  await shots(page, 'mytasks-warning')
  await signOut(page)
})

test('a task\'s progress with evidence, a send-back with its reason, and the sign-off', async () => {
  const url = `${srv.origin}/#/rectification/${task.id}`
  // The unit's staff report progress with a file (its name and SHA-256 recorded).
  await signIn(page, 'i-staff')
  await page.goto(url)
  await page.getByTestId('rt-progress-card').waitFor()
  assert.equal(await page.getByTestId('rt-decide-card').count(), 0, 'the unit cannot sign off (no rectification:write)')
  const content = Buffer.from('整改报告：已清退全部超标准费用。\n')
  const sha = createHash('sha256').update(content).digest('hex')
  await page.getByTestId('rt-text').fill('已清退超标准费用，附整改报告')
  await page.getByTestId('rt-files').setInputFiles({ name: '整改报告.pdf', mimeType: 'application/pdf', buffer: content })
  await page.getByTestId('rt-progress-submit').click()
  await page.getByTestId('rt-history').getByText('已清退超标准费用，附整改报告').waitFor()
  await page.getByTestId('rt-history').getByText('整改报告.pdf').waitFor()
  assert.equal((await page.getByTestId('rt-status').innerText()).trim(), '整改中')
  const ev = q(`SELECT evidence FROM inspect_task_history WHERE task_id='${esc(task.id)}' AND type='progress' ORDER BY seq DESC LIMIT 1`)[0]
  assert.deepEqual(JSON.parse(ev.evidence), [{ name: '整改报告.pdf', sha256: sha }], 'the file\'s name and SHA-256 in the store')
  await shots(page, 'rect-task-progress')
  await signOut(page)

  // The inspection office: send back — without a reason first (the server's
  // refusal under 理由), then with it.
  await signIn(page, 'i-insp-x')
  await page.goto(url)
  await page.getByTestId('rt-decide-card').waitFor()
  assert.equal(await page.getByTestId('rt-progress-card').count(), 0, 'the office does not report progress')
  await page.getByTestId('rt-act-sendback').click()
  const before = q(`SELECT COUNT(*) AS n FROM ledger_events`)[0].n
  await page.getByTestId('rt-decide-submit').click()
  const reasonItem = page.locator('.el-form-item').filter({ has: page.locator('#rt-reason') })
  await reasonItem.locator('.el-form-item__error').waitFor()
  const err = (await reasonItem.locator('.el-form-item__error').innerText()).trim()
  console.log(`send-back without reason: "${err}" under 理由`)
  assert.match(err, /必填|理由|reason/)
  assert.equal(q(`SELECT COUNT(*) AS n FROM ledger_events`)[0].n, before, 'a refused send-back writes nothing')
  await page.getByTestId('rt-reason').fill('佐证材料不充分，请补充清退凭证')
  await page.getByTestId('rt-decide-submit').click()
  await page.getByTestId('rt-history').getByText('佐证材料不充分，请补充清退凭证').waitFor()
  assert.equal((await page.getByTestId('rt-status').innerText()).trim(), '退回')
  await shots(page, 'rect-task-sentback')
  await signOut(page)

  // The staff report again with evidence; the office signs off.
  await signIn(page, 'i-staff')
  await page.goto(url)
  await page.getByTestId('rt-progress-card').waitFor()
  await page.getByTestId('rt-text').fill('已补充清退凭证')
  await page.getByTestId('rt-files').setInputFiles({ name: '清退凭证.pdf', mimeType: 'application/pdf', buffer: Buffer.from('凭证') })
  await page.getByTestId('rt-progress-submit').click()
  await page.getByTestId('rt-history').getByText('已补充清退凭证').waitFor()
  await signOut(page)
  await signIn(page, 'i-insp-x')
  await page.goto(url)
  await page.getByTestId('rt-act-signoff').click()
  await page.getByTestId('rt-reason').fill('核查属实，予以销号')
  await page.getByTestId('rt-decide-submit').click()
  await page.getByTestId('rt-status').filter({ hasText: '已销号' }).waitFor()
  const st = q(`SELECT status FROM inspect_tasks WHERE id='${esc(task.id)}'`)[0].status
  assert.equal(st, 'signed_off')
  const steps = q(`SELECT type, text FROM inspect_task_history WHERE task_id='${esc(task.id)}' ORDER BY seq`).map((h) => h.type)
  assert.deepEqual(steps, ['opened', 'progress', 'sent_back', 'progress', 'signed_off'])
  // The history in words: the send-back and its reason, by their labels.
  const hist = await page.getByTestId('rt-history').innerText()
  assert.match(hist, /退回[\s\S]*佐证材料不充分，请补充清退凭证/)
  assert.doesNotMatch(hist, /sent_back|signed_off|in_progress/)
  await shots(page, 'rect-task-signedoff')
  await signOut(page)
})

test('dashboard: overdue rectification = the store\'s count = the total of the list it opens; a status likewise', async () => {
  await signIn(page, 'i-lead')
  // The two rectification panels read one request (docs/INSPECT.md §7a),
  // not a list total per status: the dashboard's one request, which holds
  // GET /api/v1/rectification_tasks/stats's answer (docs/API.md "Dashboard").
  // Counted over one whole load of the page: the sign-in may land on the
  // dashboard and send its request before a listener is on, and a goto to
  // the URL already open is no load at all (it failed so once in a fresh
  // clone's make check, with the cheap test password hashes).
  await page.goto(srv.origin + '/#/dashboard')
  await settled(page)
  const rectReqs = []
  const onReq = (r) => { const u = new URL(r.url()); if (/^\/api\/v1\/(rectification_tasks|dashboard)/.test(u.pathname)) rectReqs.push(u.pathname) }
  page.on('request', onReq)
  await page.reload()
  const link = page.getByTestId('rect-overdue')
  await link.filter({ hasText: /^\s*\d+\s*$/ }).waitFor()
  await settled(page)
  page.off('request', onReq)
  assert.deepEqual(rectReqs, ['/api/v1/dashboard'], 'the dashboard\'s rectification requests')
  const panel = Number((await link.innerText()).trim())
  // docs/INSPECT.md §7: overdue = deadline before today, not signed off; the
  // leader's scope is the county.
  const store = q(`SELECT COUNT(*) AS n FROM inspect_tasks WHERE owner_unit_id LIKE 'U433127-%' AND status<>'signed_off' AND deadline<'${today()}'`)[0].n
  console.log(`逾期整改任务: panel ${panel}, store ${store}`)
  assert.ok(store > 0, 'the county has overdue rectification tasks')
  assert.equal(panel, store)
  const signed = Number((await page.getByTestId('rect-signed_off').innerText()).trim())
  await shots(page, 'dashboard-rect')
  await link.click()
  await page.waitForURL(/#\/rectification\?overdue=1/)
  await page.getByTestId('rect-total').waitFor()
  await settled(page)
  assert.equal(Number(/\d+/.exec(await page.getByTestId('rect-total').innerText())[0]), panel, 'the list has the panel\'s count')
  assert.equal(await page.getByTestId('rect-table').locator('tbody tr').count(), panel)
  await shots(page, 'rect-overdue-list')
  await page.goto(srv.origin + '/#/dashboard')
  await page.getByTestId('rect-signed_off').filter({ hasText: /^\s*\d+\s*$/ }).waitFor()
  await settled(page)
  await page.getByTestId('rect-signed_off').click()
  await page.waitForURL(/#\/rectification\?status=signed_off/)
  await page.getByTestId('rect-total').waitFor()
  await settled(page)
  const storeSigned = q(`SELECT COUNT(*) AS n FROM inspect_tasks WHERE owner_unit_id LIKE 'U433127-%' AND status='signed_off'`)[0].n
  assert.equal(signed, storeSigned)
  assert.equal(Number(/\d+/.exec(await page.getByTestId('rect-total').innerText())[0]), signed)
  await signOut(page)
})

test('no request left the origin', () => {
  assert.deepEqual(foreign, [])
})
