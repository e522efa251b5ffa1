// Evidence as readable records and the integrity file that explains the
// risk (issue #16 items 4 and 6; docs/WEB.md "Finding evidence",
// "Integrity file"), against a real server with the county data, in
// Debian's chromium:
// - for a planted finding of each of R01, R02, R04 and R05 (truth.json of
//   the generated county, `plumb gen --scale county --seed 7` as the store
//   was made), each evidence record shows the names and the amounts in 元
//   that the generated CSV rows give (persons, posts, units, companies,
//   payments), the list never shows a raw `table:id`, and no amount in 分;
// - the top-risk leader's file lists at least the planted findings about
//   the units he led, dated within his top-post tenures (truth.json +
//   tenures.csv + the dated evidence rows), and its risk breakdown has one
//   part per open finding about him and his unit (counted in the store by
//   the definition of docs/RULES.md) whose parts add up to the index;
// - print media hides the menu and the header and shows every tab's
//   content;
// - both languages, 1440×900 and 390×844 screenshots (evidence-*), no
//   horizontal overflow.
// Expected values come from the generated files and the store, never from
// the page or the API under test.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { launch, watchForeign, shot, ROOT, settled } from './lib/browser.js'
import { startPlumb, sql, plumb } from './lib/plumb.js'
import { totp, base32Decode } from './lib/totp.js'

const PASSWORD = 'Correct-Horse-42-battery'
const ROOT_UNIT = 'U433127-000001'
let srv, br, page, gen, truth
const foreign = []
const D = {}
const q = (s) => JSON.parse(sql(srv.db, s) || '[]')

// ---------------------------------------------------- the generated files

/** A CSV file as objects (RFC 4180 quotes). */
function csv(file) {
  const text = readFileSync(file, 'utf8')
  const rows = []
  let row = [], cell = '', quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++ } else if (c === '"') quoted = false
      else cell += c
    } else if (c === '"') quoted = true
    else if (c === ',') { row.push(cell); cell = '' } else if (c === '\n') { row.push(cell); rows.push(row); row = []; cell = '' } else if (c !== '\r') cell += c
  }
  if (cell || row.length) { row.push(cell); rows.push(row) }
  const [head, ...body] = rows
  return body.map((r) => Object.fromEntries(head.map((h, i) => [h, r[i] ?? ''])))
}
const byId = (rows) => new Map(rows.map((r) => [r.id, r]))
/** 分 → the 元 text the page shows: "1,234.56". */
const yuan = (fen) => (Number(fen) / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })

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

// settled(p) (lib/browser.js): no panel loading, no request in flight, the page still.

async function setLang(p, lang) {
  await p.evaluate((l) => localStorage.setItem('plumb.lang', l), lang)
  await p.reload()
  await p.locator('main h1').first().waitFor()
  await settled(p)
}

/** Screenshots at both viewports; the page must not scroll sideways. */
async function shots(p, name) {
  for (const [w, h, tag] of [[1440, 900, 'desktop'], [390, 844, 'phone']]) {
    await p.setViewportSize({ width: w, height: h })
    await settled(p)
    await shot(p, `${name}-${tag}`)
    const over = await p.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
    assert.ok(over <= 1, `${name} at ${w}px: ${over}px of horizontal overflow`)
  }
  await p.setViewportSize({ width: 1440, height: 900 })
}

before(async () => {
  srv = await startPlumb({ users: [{ name: 'ev-disc', role: 'discipline_officer', scopes: [ROOT_UNIT], password: PASSWORD }] })
  // The county's generated files, made again from the same seed (the store
  // was imported from them: tests/e2e/lib/plumb.js).
  gen = mkdtempSync(join(tmpdir(), 'plumb-e2e-gen-'))
  plumb(['gen', '--scale', 'county', '--seed', '7', '--out', gen, '--quiet'])
  truth = JSON.parse(readFileSync(join(gen, 'truth.json'), 'utf8'))
  const persons = new Map()
  for (const f of ['org/persons.csv', 'police/persons.csv', 'market/persons.csv']) {
    try { for (const r of csv(join(gen, f))) persons.set(r.id, r) } catch { /* not in this extract */ }
  }
  Object.assign(D, {
    persons, units: byId(csv(join(gen, 'org/units.csv'))), posts: byId(csv(join(gen, 'org/posts.csv'))),
    tenures: byId(csv(join(gen, 'org/tenures.csv'))), kin: byId(csv(join(gen, 'police/kin.csv'))),
    companies: byId(csv(join(gen, 'market/companies.csv'))), company_roles: byId(csv(join(gen, 'market/company_roles.csv'))),
    payments: byId(csv(join(gen, 'finance/payments.csv'))), contracts: byId(csv(join(gen, 'contracts/contracts.csv'))),
    decisions: byId(csv(join(gen, 'meetings/decisions.csv'))), meetings: byId(csv(join(gen, 'meetings/meetings.csv'))),
  })
  br = await launch()
  page = await br.context.newPage()
  await page.setViewportSize({ width: 1440, height: 900 })
  watchForeign(page, srv.origin, foreign)
  await signIn(page, 'ev-disc')
})
after(async () => {
  await br?.close()
  await srv?.stop()
  if (gen) rmSync(gen, { recursive: true, force: true })
})

/** What the record of evidence `table:id` must show, from the CSV rows. */
function expectedTexts(table, id) {
  const r = D[table] && D[table].get(id)
  assert.ok(r, `${table}:${id} in the generated files`)
  const name = (pid) => (D.persons.get(pid) || {}).name
  switch (table) {
    case 'payments':
      return [D.units.get(r.unit_id).name, r.payee_company_id ? D.companies.get(r.payee_company_id).name : name(r.payee_person_id),
        yuan(r.amount_fen), r.paid_at, r.purpose]
    case 'tenures': {
      const post = D.posts.get(r.post_id)
      return [name(r.person_id), post.title, D.units.get(post.unit_id).name, r.start_date]
    }
    case 'company_roles':
      return [name(r.person_id), D.companies.get(r.company_id).name]
    case 'kin':
      return [name(r.person_id), name(r.relative_id)]
    case 'contracts':
      return [D.companies.get(r.supplier_id).name, yuan(r.amount_fen), r.signed_at]
    case 'decisions':
      return [D.units.get(r.unit_id).name, r.subject, r.decided_at]
    case 'meetings':
      return [D.units.get(r.unit_id).name, r.held_at, `${r.attendees} / ${r.members_total}`]
    default:
      return []
  }
}

// axe-core's WCAG 2 A/AA violations of the page (as portal_a11y.test.js).
const AXE = readFileSync(join(ROOT, 'web', 'node_modules', 'axe-core', 'axe.min.js'), 'utf8')
async function axe(p) {
  await settled(p)
  if (!(await p.evaluate(() => !!window.axe))) await p.evaluate(AXE)
  const r = await p.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'],
  }))
  return r.violations.map((v) => `${v.id}: ${v.nodes.slice(0, 4).map((n) => n.target.join(' ')).join(', ')}`)
}

const pageText = (p) => p.evaluate(() => document.querySelector('main').innerText)

test('R01, R02, R04, R05: each evidence record in words, names and 元 as the generated rows say', async () => {
  for (const rule of ['R01', 'R02', 'R04', 'R05']) {
    // The first planted finding of the rule inside the county's scope.
    const planted = truth.findings.filter((f) => f.rule === rule)
    let f = null, id = null
    for (const t of planted) {
      const row = q(`SELECT id FROM findings WHERE rule='${rule}' AND key='${t.key}' AND subject='${t.subject}' AND unit_id LIKE 'U433127-%'`)[0]
      if (row) { f = t; id = row.id; break }
    }
    assert.ok(f, `a planted ${rule} finding in the store`)
    await page.goto(srv.origin + '/#/findings/' + encodeURIComponent(id))
    await page.locator(`[data-ref="${f.evidence[0].table}:${f.evidence[0].id}"]`).waitFor()
    await settled(page)
    for (const ev of f.evidence) {
      const el = page.locator(`[data-ref="${ev.table}:${ev.id}"]`)
      assert.equal(await el.count(), 1, `${rule}: ${ev.table}:${ev.id} shown`)
      assert.equal(await el.getAttribute('data-visible'), '1', `${rule}: ${ev.table}:${ev.id} resolved for the county office`)
      const text = await el.innerText()
      for (const want of expectedTexts(ev.table, ev.id)) {
        assert.ok(text.includes(want), `${rule} ${ev.table}:${ev.id} shows “${want}”: ${text}`)
      }
      if (ev.table === 'payments') {
        // In 元, never the integer 分 of the row.
        assert.ok(!text.includes(D.payments.get(ev.id).amount_fen), `${ev.id}: no amount in fen`)
        assert.match(text, /元/)
      }
    }
    const main = await pageText(page)
    assert.doesNotMatch(main, /\b[a-z_]+:[A-Z]{1,2}\d{6}-\d{6}\b/, `${rule}: no raw table:id reference`)
    assert.doesNotMatch(main, /company_roles|payments:|tenures:/, `${rule}: no table names`)
    if (rule === 'R04') {
      // docs/RULES.md: r04_high_fen 100,000,000 分 = 1,000,000.00 元; the
      // comparison sums the payments the evidence cites.
      assert.match(await page.getByTestId('rule-params').innerText(), /1,000,000\.00 元/)
      const pays = f.evidence.filter((e) => e.table === 'payments').map((e) => Number(D.payments.get(e.id).amount_fen))
      if (pays.length) assert.ok((await page.getByTestId('rule-comparison').innerText()).includes(yuan(pays.reduce((a, b) => a + b, 0))),
        'the comparison states the payments\' total in 元')
      assert.deepEqual(await axe(page), [], 'R04 finding: no WCAG 2 AA violation')
      await shots(page, 'evidence-r04-zh')
      await setLang(page, 'en')
      await page.getByTestId('ev-summary').first().waitFor()
      await settled(page)
      const en = await page.getByTestId('evidence-list').innerText()
      assert.match(en, /Company role/)
      assert.match(en, /yuan/)
      assert.match(await page.getByTestId('rule-card').innerText(), /Parameters of this rule/)
      await shots(page, 'evidence-r04-en')
      await setLang(page, 'zh-CN')
    }
  }
})

test('the top-risk leader\'s file: his units\' findings, a breakdown adding up to the index, a print view', async () => {
  // The county's top-risk leader (the risk list, for the choice only).
  const top = JSON.parse(plumb(['risk', '--db', srv.db, '--top', '1000', '--json'])).find((r) => r.unit.startsWith('U433127-'))
  assert.ok(top, 'a leader with a risk index in the county')
  const pid = top.person
  // Planted findings about units he led, with a fact dated within his
  // top-post tenure (docs/DECLARE.md "Integrity file"), from truth.json +
  // tenures.csv + posts.csv + the dated rows the evidence cites.
  const leads = [...D.tenures.values()].filter((t) => t.person_id === pid && D.posts.get(t.post_id)?.is_top === '1')
    .map((t) => ({ unit: D.posts.get(t.post_id).unit_id, start: t.start_date, end: t.end_date }))
  const dateOf = { decisions: 'decided_at', payments: 'paid_at', contracts: 'signed_at', meetings: 'held_at' }
  const unitPlanted = truth.findings.filter((f) => leads.some((l) => l.unit === f.subject)).filter((f) => {
    const dates = f.evidence.filter((e) => dateOf[e.table] && D[e.table].get(e.id)).map((e) => D[e.table].get(e.id)[dateOf[e.table]].slice(0, 10))
    return dates.length === 0 || dates.some((d) => leads.some((l) => l.unit === f.subject && l.start <= d && (!l.end || d < l.end)))
  })
  assert.ok(unitPlanted.length > 0, 'the top leader led a unit with planted findings')
  await page.goto(srv.origin + '/#/persons/' + encodeURIComponent(pid))
  await page.getByTestId('risk-card').waitFor()
  await settled(page)
  await page.getByRole('tab', { name: /预警发现/ }).click()
  await settled(page)
  const rows = await page.getByTestId('sec-findings').locator('tbody tr').count()
  assert.ok(rows >= unitPlanted.length, `findings shown ${rows} ≥ planted about his units ${unitPlanted.length}`)
  const tabText = await page.getByRole('tab', { name: /预警发现/ }).innerText()
  assert.ok(Number(/\((\d+)\)/.exec(tabText)[1]) >= unitPlanted.length, `tab count ${tabText}`)

  // The breakdown: one part per open or acknowledged finding about him or
  // the unit of his current top post (docs/RULES.md "Risk index"), counted
  // in the store; the parts add up to the index (rounding stated).
  const d = new Date()
  const today = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate())).toISOString().slice(0, 10)
  const counted = q(`SELECT COUNT(*) AS n FROM findings f WHERE f.status IN ('open','acknowledged') AND (
      (f.subject_kind = 'person' AND f.subject = '${pid}') OR (f.subject_kind = 'unit' AND f.subject IN (
        SELECT p.unit_id FROM tenures t JOIN posts p ON p.id = t.post_id WHERE t.person_id = '${pid}' AND p.is_top = 1
          AND t.start_date <= '${today}' AND (t.end_date IS NULL OR t.end_date = '' OR t.end_date > '${today}'))))`)[0].n
  const parts = (await page.getByTestId('risk-part').allInnerTexts()).map(Number)
  assert.equal(parts.length, counted, 'one part per counted finding')
  const index = Number(await page.getByTestId('risk-index').innerText())
  const sum = parts.reduce((a, b) => a + b, 0)
  assert.ok(Math.abs(sum - index) <= 0.005 * parts.length + 1e-9, `parts ${sum.toFixed(2)} add up to the index ${index}`)
  assert.ok(Math.abs(index * 100 - top.index_x100) < 0.5, 'the index of the risk list')
  assert.match(await page.getByTestId('risk-sum').innerText(), new RegExp(`= 风险指数 ${index.toFixed(2).replace('.', '\\.')}`))
  // The findings about his units say so (涉及: the server's about_label).
  assert.match(await page.getByTestId('sec-findings').innerText(), /任职单位/)
  assert.deepEqual(await axe(page), [], 'the file: no WCAG 2 AA violation')
  await shots(page, 'evidence-file-zh')

  // Print: no menu, no header, every tab's content at once.
  await page.emulateMedia({ media: 'print' })
  assert.equal(await page.getByTestId('side-menu').isVisible(), false, 'no menu in print')
  assert.equal(await page.getByTestId('logout').isVisible(), false, 'no header in print')
  for (const s of ['sec-tenures', 'sec-findings', 'sec-declarations', 'timeline']) {
    assert.equal(await page.getByTestId(s).isVisible(), true, `${s} printed`)
  }
  await shot(page, 'evidence-file-print')
  await page.emulateMedia({ media: 'screen' })
  assert.equal(await page.getByTestId('side-menu').isVisible(), true, 'the menu is back on screen')

  await setLang(page, 'en')
  await page.getByTestId('risk-card').waitFor()
  await settled(page)
  assert.match(await page.getByTestId('risk-card').innerText(), /Risk index/)
  assert.match(await page.getByTestId('file-print').innerText(), /Print view/)
  await shots(page, 'evidence-file-en')
  await setLang(page, 'zh-CN')
  assert.deepEqual(foreign, [], 'no request to another host')
})
