// The county's web clue page shows a clue's escalation (报送上级, issue #21
// item 4, docs/LEVELS.md §9 "The clue page"). Two stores: the store under
// test is the county; its prefecture (pref.example/4331, office 湘西州纪委)
// is a store made here with the CLI. A clue about the county's root unit
// (nobody above it in this store: "本库无上级…须报送上级") is escalated with
// `plumb escalate`, carried up by a witnessed bundle, concluded above (form
// 1, criticism) and its status brought down by an escalation/v1 bundle — by
// files, as for networks that are not connected. Then, in the browser:
//  - the clue's page shows to whom it went, the prefecture's clue number,
//    the status and outcome and when, in words (zh, then en), axe-clean,
//    no raw code; the queue marks the clue;
//  - a second clue with nobody above offers 报送上级; the button sends it up
//    (POST /api/v1/cases/{id}/escalate on a server with
//    --escalation-above) and the page shows it sent, the store records it;
//  - bad input answers a JSON 4xx naming the field, and writes nothing.
// Expected texts come from docs/LEVELS.md §9 and the web's i18n tables.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { launch, watchForeign, shot, ROOT } from './lib/browser.js'
import { startPlumb, plumb, sql, emptyStore, PLUMB } from './lib/plumb.js'
import { totp, base32Decode } from './lib/totp.js'

const PASSWORD = 'Correct-Horse-42-battery'
const ORIGIN = 'county.example/c1'
// The county of examples/ (中共永顺县委员会 U001) with its discipline office
// (U009, added here): a clue about U001 itself, or about its party
// secretary, has nobody above it in this store; one about U002 (财政局) is
// handled by U009.
const ROOT_UNIT = 'U001'
const SECRETARY = '43312719700315011X'
const ABOVE = 'pref.example/4331'
let srv, br, page
let upSent, upNew, upperClue, handledHere, totpSecret
const foreign = []

function clueAbout(db, subject, summary) {
  const out = plumb(['clue', 'add', '--db', db, '--channel', 'letter', '--category', 'money',
    ...(subject === SECRETARY ? ['--subject-person', subject] : ['--subject-unit', subject]),
    '--summary', summary, '--facts', '班子成员违规收受礼金'])
  return /registered clue (\S+)/.exec(out)[1]
}

// The store under test is made afresh from examples/ (the generated store's
// log is too long to carry up in a bundle within the test's time): the
// county, its discipline office, the officer who signs in.
async function prepare(db, work) {
  emptyStore(db, work)
  const cv = plumb(['init', '--db', db, '--origin', ORIGIN]).trim().split('\n').pop()
  const county = { origin: ORIGIN, vkey: cv }
  plumb(['import', '--all', join(ROOT, 'examples'), '--db', db, '--quiet'])
  mkdirSync(join(work, 'corg', 'org'), { recursive: true })
  writeFileSync(join(work, 'corg', 'org', '01_units.csv'), 'id,parent_id,name,division_code,level,kind,industry\n' +
    'U009,U001,中共永顺县纪律检查委员会,433127,county,discipline,纪检\n')
  plumb(['import', '--all', join(work, 'corg'), '--db', db, '--quiet'])
  const out = plumb(['user', 'add', 'esc-officer', '--role', 'discipline_officer', '--scope', ROOT_UNIT,
    '--password-stdin', '--db', db], PASSWORD + '\n')
  totpSecret = /totp_secret:\s*([A-Z2-7]+)/.exec(out)[1]
  // The prefecture: its registry (the office), its office escalation key.
  const p = join(work, 'p.db')
  const plv = plumb(['init', '--db', p, '--origin', ABOVE]).trim().split('\n').pop()
  mkdirSync(join(work, 'porg', 'org'), { recursive: true })
  writeFileSync(join(work, 'porg', 'org', '01_units.csv'), 'id,parent_id,name,division_code,level,kind,industry\n' +
    'PU,,中共湘西州委,4331,prefecture,party,党委\nPD,PU,湘西州纪委监委,4331,prefecture,discipline,纪检\n')
  plumb(['import', '--all', join(work, 'porg'), '--db', p, '--quiet'])
  const esc = join(work, 'esc.key')
  const pk = plumb(['escalation', 'keygen', '--out', esc]).trim()
  writeFileSync(join(work, 'above.conf'), `${ABOVE} ${pk} 湘西州纪委\n`)
  writeFileSync(join(work, 'corigins.conf'), `${county.origin} ${county.vkey}\n`)
  writeFileSync(join(work, 'porigins.conf'), `${ABOVE} ${plv}\n`)
  // One witness for both logs.
  const wkey = join(work, 'w.key')
  plumb(['keygen', '--name', 'levels.example/witness', '--out', wkey])
  const wv = plumb(['witness', 'vkey', '--key', wkey]).trim()
  writeFileSync(join(work, 'wlogs.conf'), `${county.origin} ${county.vkey}\n${ABOVE} ${plv}\n`)
  const portFile = join(work, 'wport')
  const w = spawn(PLUMB, ['witness', 'serve', '--state', join(work, 'wst'), '--key', wkey, '--logs',
    join(work, 'wlogs.conf'), '--listen', '127.0.0.1:0', '--port-file', portFile], { stdio: 'ignore' })
  try {
    for (let i = 0; i < 300 && !existsSync(portFile); i++) await sleep(20)
    const wurl = `http://127.0.0.1:${readFileSync(portFile, 'utf8').trim()}`
    // A clue with nobody above, sent up with the CLI and concluded above.
    upSent = clueAbout(db, ROOT_UNIT, '反映县委班子违规收受礼金（已报送）')
    plumb(['escalate', upSent, '--above', join(work, 'above.conf'), '--db', db])
    plumb(['checkpoint', 'push', '--db', db, '--witness', wv, '--url', wurl])
    plumb(['bundle', 'export', '--db', db, '--witness-vkey', wv, '--out', join(work, 'up.bundle')])
    plumb(['bundle', 'import', join(work, 'up.bundle'), '--db', p, '--origins', join(work, 'corigins.conf'),
      '--witness-vkey', wv, '--escalation-key', esc, '--escalation-office', 'PD'])
    upperClue = JSON.parse(sql(p, `SELECT clue_id AS c FROM escalations_in WHERE origin_clue_id = '${upSent}'`))[0].c
    plumb(['clue', 'dispose', upperClue, '--db', p, '--method', 'preliminary_verification', '--reason', '问题具体可查'])
    plumb(['clue', 'conclude', upperClue, '--db', p, '--outcome', 'form1', '--measure', 'criticism', '--reason', '属实情节较轻'])
    plumb(['escalation', 'sync', '--db', p])
    plumb(['checkpoint', 'push', '--db', p, '--witness', wv, '--url', wurl])
    plumb(['bundle', 'export', '--db', p, '--witness-vkey', wv, '--policy', 'escalation/v1', '--for', county.origin,
      '--out', join(work, 'down.bundle')])
    plumb(['bundle', 'import', join(work, 'down.bundle'), '--db', db, '--origins', join(work, 'porigins.conf'), '--witness-vkey', wv])
  } finally {
    w.kill('SIGTERM')
  }
  // A second clue with nobody above: sent up from the web. And a clue an
  // office of this store handles (bad input).
  upNew = clueAbout(db, SECRETARY, '反映县委书记超标准用车（待报送）')
  handledHere = clueAbout(db, 'U002', '反映财政局班子问题（本库承办）')
}

async function signIn(p, name) {
  await p.goto(srv.origin + '/#/login')
  await p.getByLabel(/用户名|User name/).fill(name)
  await p.getByLabel(/^(密码|Password)$/).fill(PASSWORD)
  await p.getByLabel(/动态验证码|One-time code/).fill(totp(base32Decode(totpSecret)))
  await p.getByTestId('login-submit').click()
  await p.waitForURL((u) => !u.hash.startsWith('#/login'))
}

before(async () => {
  srv = await startPlumb({
    users: [],
    prepare,
    serveArgs: (work) => ['--escalation-above', join(work, 'above.conf')],
  })
  br = await launch()
  page = await br.context.newPage()
  await page.setViewportSize({ width: 1440, height: 900 })
  watchForeign(page, srv.origin, foreign)
  await signIn(page, 'esc-officer')
})
after(async () => {
  await br?.close()
  await srv?.stop()
})

// ---- the scans: axe-core on the new card, the raw-code patterns of daily.test.js
const AXE = readFileSync(join(ROOT, 'web', 'node_modules', 'axe-core', 'axe.min.js'), 'utf8')
async function axe(p, selector) {
  if (!(await p.evaluate(() => !!window.axe))) await p.evaluate(AXE)
  const r = await p.evaluate((sel) => window.axe.run(document.querySelector(sel), {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'],
  }), selector)
  return r.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 4).map((n) => n.target.join(' ')).join(', ')}`)
}
const RAW = [
  ['snake_case', /\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b/g],
  ['dotted.code', /\b[a-z][a-z_]+\.[a-z][a-z_]+\b/g],
  ['ISO timestamp', /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/g],
  ['english code word', /(?<![\w-])[a-z]{3,}(?![\w-])/g],
]
function rawCodes(text) {
  const hits = []
  for (const [kind, re] of RAW) for (const m of text.matchAll(re)) hits.push(`${kind}: “${m[0]}”`)
  return hits
}
const CARD = '[data-testid=clue-escalation]'

test('a clue sent up: to whom, their number, status, outcome and when (zh)', async () => {
  await page.goto(srv.origin + '/#/clues/' + encodeURIComponent(upSent))
  const card = page.getByTestId('clue-escalation')
  await card.waitFor({ timeout: 20000 })
  assert.equal((await card.getByTestId('esc-line').innerText()).trim(),
    `已移送湘西州纪委（上级线索 ${upperClue}）：已办结（第一种形态）`)
  assert.equal((await card.getByTestId('esc-to').innerText()).trim(), '湘西州纪委')
  assert.equal((await card.getByTestId('esc-upper').innerText()).trim(), upperClue)
  assert.equal((await card.getByTestId('esc-outcome').innerText()).trim(), '第一种形态 · 批评教育')
  // When: the time the status was recorded here, in local words, not ISO.
  const when = (await card.getByTestId('esc-updated-at').innerText()).trim()
  assert.match(when, /^\d{4}[-/年]\d{1,2}[-/月]\d{1,2}/)
  assert.equal(rawCodes(await card.innerText()).join(', '), '')
  assert.deepEqual(await axe(page, CARD), [])
  assert.equal(await page.getByTestId('esc-send').count(), 0, 'no 报送上级 on a clue sent up already')
  await card.scrollIntoViewIfNeeded()
  await shot(page, 'escalation-zh')
})

test('the queue marks the clue sent up', async () => {
  await page.goto(srv.origin + '/#/clues')
  const row = page.getByTestId('clue-queue').locator('tr', { hasText: upSent })
  await row.waitFor({ timeout: 30000 })
  assert.match(await row.getByTestId('clue-escalated').innerText(), /已报送上级/)
  const other = page.getByTestId('clue-queue').locator('tr', { hasText: upNew })
  await other.waitFor({ timeout: 30000 })
  assert.equal(await other.getByTestId('clue-escalated').count(), 0)
})

test('报送上级 sends a clue with nobody above here up', async () => {
  await page.goto(srv.origin + '/#/clues/' + encodeURIComponent(upNew))
  const card = page.getByTestId('clue-escalation')
  await card.waitFor({ timeout: 20000 })
  assert.match(await card.getByTestId('esc-must').innerText(), /本库无上级纪检监察机关承办此线索，须报送上级/)
  assert.deepEqual(await axe(page, CARD), [])
  assert.equal(rawCodes(await card.innerText()).join(', '), '')
  await card.getByTestId('esc-send').click()
  await card.getByTestId('esc-line').waitFor({ timeout: 20000 })
  assert.equal((await card.getByTestId('esc-line').innerText()).trim(), '已移送湘西州纪委：已报送，待上级导入')
  const rows = JSON.parse(sql(srv.db, `SELECT to_origin AS o, to_office AS f, status AS s FROM escalations_out WHERE clue_id = '${upNew}'`))
  assert.deepEqual(rows, [{ o: ABOVE, f: '湘西州纪委', s: 'sent' }])
  const ev = JSON.parse(sql(srv.db, `SELECT count(*) AS n FROM ledger_events WHERE type = 'escalation.sent'`))[0].n
  assert.equal(ev, 2)
})

test('bad input: a JSON 4xx naming the field, nothing written', async () => {
  const before = sql(srv.db, 'SELECT count(*) AS n FROM ledger_events')
  const post = (id, body) => page.evaluate(async ([id, body]) => {
    const csrf = sessionStorage.getItem('plumb.csrf') || ''
    const r = await fetch('/api/v1/cases/' + encodeURIComponent(id) + '/escalate', {
      method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf }, body: JSON.stringify(body),
    })
    return { status: r.status, body: await r.json() }
  }, [id, body])
  let r = await post(upNew, {})
  assert.equal(r.status, 409, JSON.stringify(r))
  assert.equal(r.body.error.field, 'clue_id')
  assert.match(r.body.error.message, /already/)
  r = await post(handledHere, {})
  assert.equal(r.status, 400, JSON.stringify(r))
  assert.equal(r.body.error.field, 'clue_id')
  assert.match(r.body.error.message, /is handled by office/)
  r = await post(upNew, { office: 'PD' })
  assert.equal(r.status, 400, JSON.stringify(r))
  assert.equal(r.body.error.field, 'office')
  assert.equal(sql(srv.db, 'SELECT count(*) AS n FROM ledger_events'), before)
})

test('the same in English', async () => {
  await page.getByTestId('lang-switch').click()
  await page.getByRole('option', { name: 'English' }).click()
  await page.goto(srv.origin + '/#/clues/' + encodeURIComponent(upSent))
  const card = page.getByTestId('clue-escalation')
  await card.getByText('Sent up to the level above').waitFor({ timeout: 20000 })
  assert.equal((await card.getByTestId('esc-line').innerText()).trim(),
    `Transferred to 湘西州纪委 (their clue ${upperClue}): concluded (Form 1)`)
  assert.equal((await card.getByTestId('esc-outcome').innerText()).trim(), 'Form 1 · Criticism and education')
  assert.doesNotMatch((await card.innerText()).split('湘西州纪委').join(''), /[\u4e00-\u9fff]/, 'no Chinese label left in English')
  assert.deepEqual(await axe(page, CARD), [])
  await card.scrollIntoViewIfNeeded()
  await shot(page, 'escalation-en')
  await page.goto(srv.origin + '/#/clues')
  const row = page.getByTestId('clue-queue').locator('tr', { hasText: upSent })
  await row.waitFor({ timeout: 30000 })
  assert.match(await row.getByTestId('clue-escalated').innerText(), /Sent up/)
  assert.deepEqual(foreign, [])
})
