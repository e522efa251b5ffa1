// Declaration check rounds in the browser (issue #18 item 7), against a
// real `plumb serve` with the county data, in Debian's chromium:
// - 申报抽查: a round over an empty population (year 2031) is refused with
//   the server's error under the unit field and nothing written; a round of
//   2025 over the county's top leaders with a promotion candidate picked by
//   name through the search is opened (a candidate outside the population
//   first: refused under 拟提拔人选 naming them by name, nothing written);
//   its eligible list is the population computed here by SQL from
//   docs/DECLARE.md's definition;
// - the draw (with its confirmation): the ranked list holds exactly the
//   sample recomputed HERE with node's crypto from the root of the first
//   signed checkpoint after the list's event (read from the store) and the
//   eligible list — the documented function, not the page's code; the
//   candidate is drawn; "verify in this browser" says it matches; a proof
//   whose seed (or a round whose list) is changed on the way by route
//   interception says it does not;
// - the comparison of the top-ranked declaration: one row per line of the
//   API, each class in the words of docs/DECLARE.md's table, companies by
//   the store's name, the score = Σ weight × count with the documented
//   weights; the conclusion before the 补报 window ends shows the server's
//   refusal under the conclusion with the end date (draw date + 30 days,
//   computed here); once the person files a correction the conclusion is
//   recorded (the store's row) and shows in the ranked list and the count
//   of the rounds list;
// - the three pages in both languages at 1440×900 and 390×844
//   (screenshots), the raw-code scan of daily.test.js clean on each in
//   zh-CN, axe-core (WCAG 2 A/AA) clean on the round page with the browser's
//   verification shown (phone.test.js's axe scan covers the three routes of
//   lib/routes.js as they open);
// - a discipline officer (read only) sees the pages without the forms; an
//   inspection officer has no menu item and is led away from the page.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { launch, watchForeign, shot, ROOT, settled } from './lib/browser.js'
import { startPlumb, sql } from './lib/plumb.js'
import { base32Decode, signInCode } from './lib/totp.js'

const PASSWORD = 'Correct-Horse-42-battery'
const ROOT_UNIT = 'U433127-000001'
const YEAR = 2025
// docs/DECLARE.md "Parameters" (defaults) and the class table, by hand.
const RATE = 10
const DAYS = 30
const W = { match: 0, tolerance: 1, omission: 5, concealment: 20, unexplained: 2, not_compared: 0 }
const CLASS = {
  'zh-CN': { match: '一致', tolerance: '容差内', omission: '漏报', concealment: '瞒报', unexplained: '待说明', not_compared: '未比对' },
  en: { match: 'Match', tolerance: 'Within tolerance', omission: 'Omission', concealment: 'Concealment', unexplained: 'To be explained', not_compared: 'Not compared' },
}
const BASIS = { random: '随机抽查', candidate: '重点抽查（拟提拔）', open_clue: '重点抽查（有线索）' }
const WORDS = {
  'zh-CN': { verified: '验证通过', notVerified: '验证未通过' },
  en: { verified: 'Verified', notVerified: 'Not verified' },
}
// docs/DECLARE.md "Conclusion": 如实 / 漏报 / 瞒报.
const CONCL = { 'zh-CN': { truthful: '如实', omission: '漏报', concealment: '瞒报' }, en: { truthful: 'Truthful', omission: 'Omission', concealment: 'Concealment' } }
let srv, br, page
const foreign = []
const q = (s) => JSON.parse(sql(srv.db, s) || '[]')
const esc = (s) => String(s).replace(/'/g, "''")
const lastStep = {}
let roundId, candidate, outsider, topDecl, verdict

async function signIn(p, name) {
  const acct = srv.accounts[name]
  await p.context().clearCookies()
  await p.goto(srv.origin + '/#/login')
  await p.getByLabel(/用户名|User name/).fill(name)
  await p.getByLabel(/^(密码|Password)$/).fill(PASSWORD)
  // A code is good once per step: lib/totp.js signInCode.
  const { code, step } = await signInCode(base32Decode(acct.secret), lastStep[name])
  lastStep[name] = step
  await p.getByLabel(/动态验证码|One-time code/).fill(code)
  await p.getByTestId('login-submit').click()
  await p.waitForURL((u) => !u.hash.startsWith('#/login'))
}

// settled(p) (lib/browser.js): no panel loading, no request in flight, the page still.

async function setLang(p, lang) {
  await p.evaluate((l) => localStorage.setItem('plumb.lang', l), lang)
  await p.reload()
}

async function shots(p, name, lang) {
  for (const [w, h, tag] of [[1440, 900, 'desktop'], [390, 844, 'phone']]) {
    await p.setViewportSize({ width: w, height: h })
    await settled(p)
    await shot(p, `${name}-${lang === 'en' ? 'en' : 'zh'}-${tag}`)
  }
  await p.setViewportSize({ width: 1440, height: 900 })
}

/** A JSON request from the signed-in page (its cookie and CSRF token). */
function api(p, method, path, body) {
  return p.evaluate(async ([m, u, b]) => {
    const r = await fetch(u, { method: m, headers: { 'Content-Type': 'application/json',
      'X-CSRF-Token': sessionStorage.getItem('plumb.csrf') || '' }, body: b ? JSON.stringify(b) : undefined })
    return { status: r.status, body: await r.json().catch(() => null) }
  }, [method, path, body])
}

const errorOf = (p, input) => p.locator('.el-form-item').filter({ has: p.locator(input) }).locator('.el-form-item__error')

// The population of docs/DECLARE.md "The round and its population": the
// declarations of YEAR of every person holding on YEAR-12-31 a tenure in a
// post of a unit of the subtree (open tenure: start <= d, no end or end > d);
// `top`: in a top post only (the test's round, to keep its sample small).
function population(unit, year) {
  const d = `${year}-12-31`
  return q(`WITH RECURSIVE sub(id) AS (SELECT '${esc(unit)}' UNION SELECT u.id FROM units u JOIN sub ON u.parent_id=sub.id)
    SELECT d.id, d.person_id FROM declarations d WHERE d.year=${year} AND d.person_id IN (SELECT t.person_id FROM tenures t
    JOIN posts p ON p.id=t.post_id WHERE p.unit_id IN (SELECT id FROM sub) AND p.is_top=1 AND t.start_date<='${d}'
    AND (t.end_date IS NULL OR t.end_date='' OR t.end_date>'${d}')) ORDER BY d.id`)
}

// docs/DECLARE.md "The draw and its proof" with node's crypto: rank by
// SHA-256(root ‖ id) ascending, the first ⌈pct·n/100⌉ random, then
// candidates and open-clue declarations.
function expectedSample(root, eligible, pct) {
  const r = eligible.map((x) => ({ x, h: createHash('sha256').update(Buffer.concat([root, Buffer.from(x.declaration_id, 'utf8')])).digest() }))
  r.sort((a, b) => Buffer.compare(a.h, b.h) || Buffer.compare(Buffer.from(a.x.declaration_id), Buffer.from(b.x.declaration_id)))
  const k = Math.ceil((pct * r.length) / 100)
  const out = []
  r.forEach(({ x }, i) => {
    const basis = i < k ? 'random' : x.candidate ? 'candidate' : x.open_clue ? 'open_clue' : null
    if (basis) out.push({ declaration_id: x.declaration_id, basis, draw_rank: i + 1 })
  })
  return out
}

// ---- the scans (axe-core; the raw-code patterns of daily.test.js)
const AXE = readFileSync(join(ROOT, 'web', 'node_modules', 'axe-core', 'axe.min.js'), 'utf8')
async function axe(p) {
  await settled(p)
  if (!(await p.evaluate(() => !!window.axe))) await p.evaluate(AXE)
  const r = await p.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'],
  }))
  return r.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 4).map((n) => n.target.join(' ')).join(', ')}`)
}
const RAW = [
  ['snake_case', /\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b/g],
  ['dotted.code', /\b[a-z][a-z_]+\.[a-z][a-z_]+\b/g],
  ['ISO timestamp', /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/g],
  ['amount in fen', /[（(]分[）)]|\(fen\)|\bfen\b/g],
  ['english code word', /(?<![\w-])[a-z]{3,}(?![\w-])/g],
]
async function rawCodes(p) {
  const text = await p.evaluate(() => {
    const main = document.querySelector('main') || document.body
    let s = main.innerText
    for (const el of main.querySelectorAll('[data-scan=raw]')) if (el.innerText) s = s.split(el.innerText).join(' ')
    return s.replace(/\s+/g, ' ')
  })
  const hits = []
  for (const [kind, re] of RAW) for (const m of text.matchAll(re)) hits.push(`${kind}: “${text.slice(Math.max(0, m.index - 12), m.index + m[0].length + 12)}”`)
  return hits
}

before(async () => {
  srv = await startPlumb({ users: [
    { name: 'dw-cadre', role: 'cadre_officer', scopes: [ROOT_UNIT], password: PASSWORD },
    { name: 'dw-disc', role: 'discipline_officer', scopes: [ROOT_UNIT], password: PASSWORD },
    { name: 'dw-insp', role: 'inspection_officer', scopes: [ROOT_UNIT], password: PASSWORD },
  ] })
  // A promotion candidate: a declarant of the population with a name no
  // one else in the store has (picked by that name in the page).
  const pop = population(ROOT_UNIT, YEAR)
  const ids = pop.map((x) => `'${esc(x.person_id)}'`).join(',')
  candidate = q(`SELECT p.id, p.name FROM persons p WHERE p.id IN (${ids}) AND (SELECT count(*) FROM persons o WHERE o.name=p.name)=1
    ORDER BY p.id LIMIT 1`)[0]
  assert.ok(candidate, 'the county has a declarant with a unique name')
  outsider = q(`SELECT p.id, p.name FROM persons p WHERE p.id NOT IN (${ids}) AND (SELECT count(*) FROM persons o WHERE o.name=p.name)=1
    AND p.id IN (SELECT t.person_id FROM tenures t JOIN posts s ON s.id=t.post_id WHERE s.unit_id LIKE 'U433127-%') ORDER BY p.id LIMIT 1`)[0]
  assert.ok(outsider, 'a county cadre outside the top population')
  br = await launch({ timezoneId: 'Asia/Shanghai' })
  page = await br.context.newPage()
  watchForeign(page, srv.origin, foreign)
})
after(async () => {
  await br?.close()
  await srv?.stop()
})

test('open a round, draw it, the proof verified in the browser (and a tampered one refused), the ranked list', { timeout: 240000 }, async () => {
  await page.setViewportSize({ width: 1440, height: 900 })
  await signIn(page, 'dw-cadre')
  await page.goto(srv.origin + '/#/declare')
  await page.getByTestId('decl-new').waitFor()
  await settled(page)
  // The menu shows the page (declaration_check:read).
  await page.getByTestId('menu-declare').waitFor()

  // A round nobody could draw from: the server's error under the unit field, nothing written.
  const events0 = q('SELECT count(*) AS n FROM ledger_events')[0].n
  await page.locator('#dr-year').fill('2031')
  await page.locator('#dr-unit').fill('中共永顺县委员会')
  await page.getByRole('option', { name: /^中共永顺县委员会/ }).first().click()
  await page.getByTestId('dr-submit').click()
  await errorOf(page, '#dr-unit').waitFor()
  const unitErr = await errorOf(page, '#dr-unit').innerText()
  console.log(`empty population: “${unitErr}” under the unit`)
  assert.match(unitErr, /2031/, 'the refusal names the year it found nothing for')
  assert.doesNotMatch(unitErr, /unit_id|U433127|\ball\b| \/ /, 'in words, in one language')
  assert.equal(q('SELECT count(*) AS n FROM ledger_events')[0].n, events0, 'a refused round wrote nothing')
  assert.equal(q('SELECT count(*) AS n FROM declaration_rounds')[0].n, 0)

  // A candidate outside the population (a county cadre in no top post):
  // refused under 拟提拔人选 naming them, nothing written; the tag removed.
  await page.locator('#dr-year').fill(String(YEAR))
  await page.getByTestId('dr-pop-top').click()
  await page.locator('#dr-cand').fill(outsider.name)
  await page.getByRole('option', { name: new RegExp('^' + outsider.name) }).first().click()
  await page.keyboard.press('Escape')
  await page.getByTestId('dr-submit').click()
  await errorOf(page, '#dr-cand').waitFor()
  const candErr = await errorOf(page, '#dr-cand').innerText()
  console.log(`candidate outside the population: “${candErr}”`)
  assert.match(candErr, new RegExp(`第 1 位人选（${outsider.name}）`))
  assert.doesNotMatch(candErr, /candidates|\d{17}[\dX]| \/ /, 'in words: no field code, no ID number, one language')
  assert.equal(q('SELECT count(*) AS n FROM ledger_events')[0].n, events0, 'a refused round wrote nothing')
  await page.locator('.el-select').filter({ has: page.locator('#dr-cand') }).locator('.el-tag__close').click()

  // The round of 2025 (top leaders) with a candidate picked by name.
  await page.locator('#dr-cand').fill(candidate.name)
  await page.getByRole('option', { name: new RegExp('^' + candidate.name) }).first().click()
  await page.keyboard.press('Escape')
  await page.locator('#dr-reason').fill('年度抽查（端到端测试）')
  await shot(page, 'declare-rounds-form-zh-desktop')
  await page.getByTestId('dr-submit').click()
  await page.waitForURL(/#\/declare\/DR-\d+$/)
  roundId = decodeURIComponent(page.url().split('/').pop())
  await page.getByTestId('dr-detail').waitFor()
  await settled(page)

  // The eligible list is the population of the definition; the candidate flagged.
  const pop = population(ROOT_UNIT, YEAR)
  const stored = q(`SELECT declaration_id, person_id, candidate, open_clue FROM declaration_round_eligible WHERE round_id='${roundId}' ORDER BY declaration_id`)
  assert.deepEqual(stored.map((x) => x.declaration_id), pop.map((x) => x.id), 'the eligible list is the population')
  assert.deepEqual(stored.filter((x) => x.candidate).map((x) => x.person_id), [candidate.id], 'the candidate chosen by name')
  assert.match(await page.getByTestId('dr-eligible-count').innerText(), new RegExp(`${pop.length} 份申报`))
  const seq = q(`SELECT eligible_seq FROM declaration_rounds WHERE id='${roundId}'`)[0].eligible_seq
  assert.match(await page.getByTestId('dr-eligible-record').innerText(), new RegExp(`第 ${seq} 号记录`))
  assert.equal(await page.getByTestId('dr-proof').count(), 0, 'no proof before the draw')
  await shot(page, 'declare-round-open-zh-desktop')

  // The draw, confirmed.
  await page.getByTestId('dr-draw').click()
  await page.getByTestId('dr-confirm').waitFor()
  assert.equal(q(`SELECT drawn_at FROM declaration_rounds WHERE id='${roundId}'`)[0].drawn_at, null, 'the first click only asks')
  await page.getByTestId('dr-confirm-yes').click()
  await page.getByTestId('proof-seed').waitFor()
  await page.getByTestId('ds-person').first().waitFor({ timeout: 60000 })
  await settled(page)

  // The sample recomputed here from the store: the first checkpoint after the list.
  const cp = q(`SELECT size, note FROM ledger_checkpoints WHERE size>${seq} ORDER BY size, id LIMIT 1`)[0]
  const root = Buffer.from(cp.note.split('\n')[2], 'base64')
  assert.equal(root.length, 32)
  const want = expectedSample(root, stored, RATE)
  console.log(`round ${roundId}: ${stored.length} eligible, ${want.length} drawn (${want.filter((x) => x.basis === 'random').length} random), checkpoint ${cp.size}`)
  assert.equal(await page.getByTestId('proof-seed').innerText(), root.toString('hex'), 'the seed shown is the checkpoint\'s root')
  assert.match(await page.getByTestId('proof-checkpoint').innerText(), new RegExp(`前 ${cp.size} 条记录`))
  assert.ok(want.some((x) => x.declaration_id === stored.find((s) => s.candidate).declaration_id), 'the candidate is drawn')
  const rows = page.getByTestId('dr-sample').locator('tbody tr')
  assert.equal(await rows.count(), want.length, 'one row per drawn declaration')
  const hrefs = await page.getByTestId('ds-compare').evaluateAll((as) => as.map((a) => decodeURIComponent(a.getAttribute('href').split('/').pop())))
  assert.deepEqual([...hrefs].sort(), want.map((x) => x.declaration_id).sort(), 'the ranked list is the recomputed sample')
  const bases = await page.getByTestId('ds-basis').allInnerTexts()
  hrefs.forEach((d, i) => assert.equal(bases[i], BASIS[want.find((x) => x.declaration_id === d).basis], `${d}: its basis in words`))
  // Ranked by score, the score the weighted sum of the counts (the API's counts).
  const api0 = (await api(page, 'GET', `/api/v1/declaration_rounds/${roundId}/sample`)).body.items
  const scores = (await page.getByTestId('ds-score').allInnerTexts()).map(Number)
  assert.deepEqual(hrefs, api0.map((x) => x.declaration_id), 'in the order of the API')
  api0.forEach((x, i) => assert.equal(scores[i], Object.entries(x.counts).reduce((s, [c, n]) => s + W[c] * n, 0), `${x.declaration_id}: score = Σ weight × count`))
  for (let i = 1; i < scores.length; i++) assert.ok(scores[i - 1] >= scores[i], 'highest score first')
  // Names, not ids: the person by the store's name.
  const names = await page.getByTestId('ds-person').allInnerTexts()
  const byDecl = Object.fromEntries(q(`SELECT d.id, p.name FROM declarations d JOIN persons p ON p.id=d.person_id
    WHERE d.id IN (${hrefs.map((h) => `'${esc(h)}'`).join(',')})`).map((r) => [r.id, r.name]))
  hrefs.forEach((d, i) => assert.equal(names[i], byDecl[d], `${d}: the person by name`))
  topDecl = hrefs[0]

  // Verify in this browser: matches.
  await page.getByTestId('proof-verify').click()
  await page.getByTestId('proof-result').waitFor()
  const ok = await page.getByTestId('proof-result').innerText()
  console.log(`verify: ${ok.split('\n')[0]}`)
  assert.match(ok, new RegExp(WORDS['zh-CN'].verified))
  assert.deepEqual(await page.getByTestId('proof-steps').locator('li').evaluateAll((ls) => ls.map((l) => l.dataset.ok)), ['1', '1', '1', '1'])
  await page.getByTestId('proof-verify').scrollIntoViewIfNeeded()
  await shot(page, 'declare-round-verified-zh-desktop')

  // A tampered proof (its seed, one bit) and a tampered list (one declaration
  // left out) on the way to the page: not verified.
  const proofUrl = `**/api/v1/declaration_rounds/${roundId}/proof`
  await page.route(proofUrl, async (route) => {
    const res = await route.fetch()
    const j = await res.json()
    j.seed = (j.seed[0] === '0' ? '1' : '0') + j.seed.slice(1)
    await route.fulfill({ response: res, json: j })
  })
  await page.reload()
  await page.getByTestId('proof-verify').click()
  await page.getByTestId('proof-result').waitFor()
  const bad = await page.getByTestId('proof-result').innerText()
  console.log(`verify (seed changed): ${bad.split('\n')[0]}`)
  assert.match(bad, new RegExp(WORDS['zh-CN'].notVerified))
  await page.getByTestId('proof-verify').scrollIntoViewIfNeeded()
  await shot(page, 'declare-round-tampered-zh-desktop')
  await page.unroute(proofUrl)
  const roundUrl = `**/api/v1/declaration_rounds/${roundId}`
  await page.route(roundUrl, async (route) => {
    const res = await route.fetch()
    const j = await res.json()
    j.eligible = j.eligible.filter((x) => x.declaration_id !== want[0].declaration_id)
    await route.fulfill({ response: res, json: j })
  })
  await page.reload()
  await page.getByTestId('proof-verify').click()
  await page.getByTestId('proof-result').waitFor()
  assert.match(await page.getByTestId('proof-result').innerText(), new RegExp(WORDS['zh-CN'].notVerified), 'a list with one declaration left out')
  await page.unroute(roundUrl)

  // The list of rounds: year, unit by name, drawn count.
  await page.goto(srv.origin + '/#/declare')
  await page.getByTestId('decl-round-link').first().waitFor()
  await settled(page)
  assert.equal((await page.getByTestId('decl-round-unit').first().innerText()).trim(), q(`SELECT name FROM units WHERE id='${ROOT_UNIT}'`)[0].name)
  assert.equal(Number(await page.getByTestId('decl-round-eligible').first().innerText()), pop.length)
  assert.equal(Number(await page.getByTestId('decl-round-drawn').first().innerText()), want.length)
  await page.getByTestId('decl-round-concluded').first().filter({ hasText: /^0$/ }).waitFor()
})

test('the comparison, the 补报 window, a correction, the conclusion in the ranked list', { timeout: 180000 }, async () => {
  assert.ok(topDecl, 'the first test drew a round')
  await page.goto(srv.origin + `/#/declare/${roundId}`)
  await page.getByTestId('ds-compare').first().waitFor({ timeout: 60000 })
  const reads = () => q(`SELECT entity, count(*) AS n FROM access_log WHERE username='dw-cadre' GROUP BY entity`)
    .reduce((o, r) => ({ ...o, [r.entity]: r.n }), {})
  const reads0 = reads()
  await page.getByTestId('ds-compare').first().click()
  await page.waitForURL(new RegExp(`#/declare/declarations/${topDecl}$`))
  await page.getByTestId('dc-lines').waitFor()
  await page.getByTestId('dc-person').waitFor()
  await settled(page)
  await page.waitForFunction(() => document.querySelector('[data-testid=dc-round]')?.innerText.length > 0)

  // The page's reads, logged (docs/API.md): the comparison (a declaration
  // read) and the declaration's items in one list, not one read per line.
  await page.getByTestId('dc-class').first().waitFor() // (the rows come once every detail is read)
  const reads1 = reads()
  assert.equal((reads1.declaration || 0) - (reads0.declaration || 0), 1, 'one declaration read: the comparison')
  assert.ok((reads1.declaration_item || 0) - (reads0.declaration_item || 0) <= 1, 'the items in one read')
  const cmp = (await api(page, 'GET', `/api/v1/declarations/${topDecl}/comparison`)).body
  const rows = page.getByTestId('dc-lines').locator('tbody tr')
  assert.equal(await rows.count(), cmp.lines.length, 'one row per line')
  const classes = await page.getByTestId('dc-class').allInnerTexts()
  assert.deepEqual(classes.map((c) => c.trim()), cmp.lines.map((l) => CLASS['zh-CN'][l.class]), 'each class in words (docs/DECLARE.md)')
  const declared = await page.getByTestId('dc-declared').allInnerTexts()
  const registry = await page.getByTestId('dc-registry').allInnerTexts()
  cmp.lines.forEach((l, i) => {
    if (!l.item_id) assert.equal(declared[i].trim(), '未申报', `line ${i + 1}: not declared`)
    // Marriage against the spouse rows (docs/DECLARE.md: spouse row + item 一致, row only 漏报, item only 待说明).
    if (l.kind === 'marriage') assert.equal(registry[i].trim(), l.class === 'unexplained' ? '户籍无配偶登记' : '户籍登记有配偶', `line ${i + 1}: marriage`)
    else if (!l.record_id) assert.equal(registry[i].trim(), '无登记记录', `line ${i + 1}: no registry record`)
    if (l.record_id && l.kind === 'company_role') {
      const c = q(`SELECT name FROM companies WHERE id='${esc(l.ref)}'`)[0]
      if (c) assert.equal(registry[i].trim(), c.name, `line ${i + 1}: the company by name`)
    }
    if (l.record_id && l.kind === 'vehicle') assert.equal(registry[i].trim(), `车牌 ${l.ref}`)
  })
  const score = cmp.lines.reduce((s, l) => s + W[l.class], 0)
  assert.equal(Number(await page.getByTestId('dc-score').innerText()), score, 'the score = Σ weight of the lines')
  assert.equal(cmp.score, score)
  console.log(`comparison ${topDecl}: ${cmp.lines.length} lines, score ${score}; ${await page.getByTestId('dc-score-sum').innerText()}`)
  assert.doesNotMatch(await page.getByTestId('dc-lines').innerText(), /\b\d{17}[\dX]\b/, 'no citizen ID in the table')

  // Before the 补报 window ends: refused under the conclusion, with the end date.
  const drawn = q(`SELECT drawn_at FROM declaration_rounds WHERE id='${roundId}'`)[0].drawn_at
  const end = new Date(Date.parse(drawn + 'T00:00:00Z') + DAYS * 86400000).toISOString().slice(0, 10)
  assert.match(await page.getByTestId('dc-window').innerText(), new RegExp(`至 ${end} 结束`))
  const events0 = q('SELECT count(*) AS n FROM ledger_events')[0].n
  // The officer's verdict follows the lines (瞒报 if any, else 漏报 if any, else 如实).
  verdict = cmp.counts.concealment ? 'concealment' : cmp.counts.omission ? 'omission' : 'truthful'
  const reason = `逐项比对后认定${CONCL['zh-CN'][verdict]}（端到端测试）`
  await page.getByTestId('dc-c-' + verdict).click()
  await page.locator('#dc-reason').fill(reason)
  await page.getByTestId('dc-submit').click()
  await errorOf(page, '#dc-concl').waitFor()
  const err = await errorOf(page, '#dc-concl').innerText()
  console.log(`inside the window: “${err}”`)
  assert.match(err, new RegExp(end), 'the refusal names the end of the window')
  assert.doesNotMatch(err, /correction_window| \/ /, 'in words, in one language')
  assert.equal(q('SELECT count(*) AS n FROM ledger_events')[0].n, events0, 'a refused conclusion wrote nothing')
  await shot(page, 'declare-compare-window-zh-desktop')

  // The person files a correction (补报): a declaration of the same year filed today.
  const d = q(`SELECT person_id, year FROM declarations WHERE id='${esc(topDecl)}'`)[0]
  const corr = await api(page, 'POST', '/api/v1/declarations', { id: 'DE-E2E-CORR-1', person_id: d.person_id, year: d.year, filed_at: drawn })
  assert.ok(corr.status === 200 || corr.status === 201, JSON.stringify(corr))
  await page.getByTestId('dc-submit').click()
  await page.getByTestId('dc-has-conclusion').waitFor()
  assert.match(await page.getByTestId('dc-has-conclusion').innerText(), new RegExp(CONCL['zh-CN'][verdict]))
  assert.deepEqual(q(`SELECT conclusion, reason FROM declaration_conclusions WHERE declaration_id='${esc(topDecl)}'`),
    [{ conclusion: verdict, reason }], 'the conclusion in the store')

  // In the ranked list.
  await page.getByTestId('dc-round').click()
  await page.waitForURL(new RegExp(`#/declare/${roundId}$`))
  await page.getByTestId('ds-person').first().waitFor({ timeout: 60000 })
  await settled(page)
  const hrefs = await page.getByTestId('ds-compare').evaluateAll((as) => as.map((a) => decodeURIComponent(a.getAttribute('href').split('/').pop())))
  const concl = await page.getByTestId('ds-conclusion').allInnerTexts()
  hrefs.forEach((h, i) => assert.equal(concl[i].trim(), h === topDecl ? CONCL['zh-CN'][verdict] : '待核查', `${h}: its conclusion`))
  // The rounds list counts it.
  await page.goto(srv.origin + '/#/declare')
  await page.getByTestId('decl-round-concluded').first().filter({ hasText: /^1$/ }).waitFor()
})

test('both languages at both sizes; the raw-code scan and axe-core clean', { timeout: 240000 }, async () => {
  assert.ok(topDecl, 'the first test drew a round')
  const pages = [['/declare', 'decl-rounds'], [`/declare/${roundId}`, 'ds-person'], [`/declare/declarations/${topDecl}`, 'dc-lines']]
  const failing = {}
  for (const lang of ['zh-CN', 'en']) {
    if (lang === 'en') await setLang(page, 'en')
    for (const [path, mark] of pages) {
      const t0 = Date.now()
      // A fresh page each time (a hash change alone may race the landing redirect).
      await page.goto('about:blank')
      await page.goto(srv.origin + '/#' + path)
      await page.getByTestId(mark).first().waitFor({ timeout: 60000 })
        .catch(async (e) => { await shot(page, 'declare-fail'); throw e })
      await settled(page)
      if (path.startsWith('/declare/DR')) {
        await page.getByTestId('proof-verify').click()
        await page.getByTestId('proof-result').waitFor()
        assert.match(await page.getByTestId('proof-result').innerText(), new RegExp(WORDS[lang].verified))
      }
      if (path.includes('/declarations/')) {
        await page.getByTestId('dc-has-conclusion').waitFor()
        assert.match(await page.getByTestId('dc-has-conclusion').innerText(), new RegExp(CONCL[lang][verdict]))
        const classes = await page.getByTestId('dc-class').allInnerTexts()
        for (const c of classes) assert.ok(Object.values(CLASS[lang]).includes(c.trim()), `a class in ${lang}: ${c}`)
      }
      // axe-core walks every route in zh-CN (phone.test.js, lib/routes.js);
      // here the round page once more with the browser's verification shown.
      const v = lang === 'zh-CN' && path.startsWith('/declare/DR') ? await axe(page) : []
      const raw = lang === 'zh-CN' ? await rawCodes(page) : []
      const t1 = Date.now()
      if (v.length || raw.length) failing[`${path} ${lang}`] = [...v, ...raw.slice(0, 8)]
      await shots(page, 'declare' + path.replace(/\/DR-\d+/, '-round').replace(/\/declarations\/.*/, '-compare').replace(/[^a-z0-9]+/gi, '-'), lang)
      console.log(`${path} ${lang}: axe ${v.length} violations, ${raw.length} raw codes ${[...v, ...raw].join('; ')} ` +
        `(${t1 - t0} ms to load and scan, ${Date.now() - t1} ms of screenshots)`)
    }
  }
  assert.deepEqual(failing, {}, 'violations:\n' + JSON.stringify(failing, null, 1))
  assert.deepEqual(foreign, [], 'no request to another host')
})

test('who reads and who writes: a discipline officer reads without forms, an inspection officer has no such page', { timeout: 120000 }, async () => {
  assert.ok(topDecl, 'the first test drew a round')
  // docs/SECURITY.md: declaration_check:read for cadre and discipline
  // officers, :write for cadre officers only; the inspection officer neither.
  await setLang(page, 'zh-CN')
  await signIn(page, 'dw-disc')
  await page.getByTestId('menu-declare').waitFor()
  await page.goto(srv.origin + '/#/declare')
  await page.getByTestId('decl-round-link').first().waitFor()
  await settled(page)
  assert.equal(await page.getByTestId('decl-new').count(), 0, 'no form to open a round')
  await page.goto(srv.origin + `/#/declare/declarations/${topDecl}`)
  await page.getByTestId('dc-has-conclusion').waitFor()
  assert.equal(await page.getByTestId('dc-submit').count(), 0, 'no conclusion form')
  await signIn(page, 'dw-insp')
  await page.locator('main h1').first().waitFor()
  assert.equal(await page.getByTestId('menu-declare').count(), 0, 'no menu item without declaration_check:read')
  await page.goto(srv.origin + '/#/declare')
  await page.waitForURL((u) => !u.hash.startsWith('#/declare'))
})
