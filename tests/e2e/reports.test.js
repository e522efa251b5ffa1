// The printed reports in the browser (issue #18 item 6): the findings page's
// download component (web/src/components/ReportDownload.vue) against a real
// `plumb serve` whose store holds two counties (lib/plumb.js), in Debian's
// chromium. A discipline officer of one county downloads the findings
// report for a period: the Excel workbook, read back independently
// (tests/tools/xlsx_sheets.py), counts by rule what the store holds under
// the definition of docs/API.md "Reports" (by the date of the facts, under
// the finding's unit, in the county) and names no unit of the other county;
// the PDF is a PDF; from after to is refused under 起始日期 with nothing
// downloaded. Expected values from the store (sqlite3), not from the page.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { launch, watchForeign, shot, ROOT } from './lib/browser.js'
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

// The store's findings with the date of their facts (docs/API.md "Reports":
// the dashboard's fact date, the table of docs/RULES.md "Trend dates" written
// out by hand: the latest date among the evidence records of the kinds listed
// for the rule; R16/R19 also 1 January of the key's year; else first_seen).
const TREND = [
  ['tenures', 'start_date', ['R01', 'R02', 'R03', 'R11', 'R18']],
  ['payments', 'paid_at', ['R04', 'R07']],
  ['contracts', 'signed_at', ['R04', 'R08']],
  ['decisions', 'decided_at', ['R05', 'R06', 'R10']],
  ['declarations', "year || '-01-01'", ['R09', 'R16', 'R20']],
  ['evaluations', "year || '-01-01'", ['R14']],
  ['clues', 'received_at', ['R11', 'R12', 'R13']],
  ['dispositions', 'concluded_at', ['R17']],
  ['inspect_tasks', 'deadline', ['R21']],
  ['inspect_tasks', 'opened_at', ['R22', 'R23']]
]
function storeFindings() {
  const arms = TREND.map(([t, c, rules]) => `SELECT fe.finding_id AS fid, x.${c} AS d FROM finding_evidence fe
    JOIN ${t} x ON x.id = substr(fe.ref, ${t.length + 2}) JOIN findings g ON g.id = fe.finding_id
    WHERE fe.ref LIKE '${t}:%' AND g.rule IN (${rules.map((r) => `'${r}'`).join(',')})`)
  // The key's last four characters, if they are digits after a '|' (the
  // same SQL on either engine: no GLOB, no substr from the end, which
  // PostgreSQL reads as a start before the string).
  const tail = (i) => `substr(g.key, length(g.key) - ${i}, 1)`
  arms.push(`SELECT g.id AS fid, substr(g.key, length(g.key) - 3) || '-01-01' AS d FROM findings g
    WHERE g.rule IN ('R16', 'R19') AND ${tail(4)} = '|' AND ${[3, 2, 1, 0].map((i) => `${tail(i)} BETWEEN '0' AND '9'`).join(' AND ')}`)
  return q(`WITH RECURSIVE sub(id) AS (SELECT '${ROOT_UNIT}' UNION SELECT u.id FROM units u JOIN sub ON u.parent_id = sub.id),
    fd AS (${arms.join(' UNION ALL ')})
    SELECT f.rule, f.unit_id, f.unit_id IN (SELECT id FROM sub) AS inside,
      substr(COALESCE((SELECT max(d) FROM fd WHERE fd.fid = f.id AND d IS NOT NULL AND d <> ''),
                      f.first_seen), 1, 10) AS day
    FROM findings f WHERE f.unit_id IS NOT NULL`)
}

before(async () => {
  srv = await startPlumb({ users: [{ name: 'r-disc', role: 'discipline_officer', scopes: [ROOT_UNIT], password: PASSWORD }] })
  br = await launch()
  page = await br.context.newPage()
  watchForeign(page, srv.origin, foreign)
})
after(async () => {
  await br?.close()
  await srv?.stop()
})

test('the findings report from the findings page: the county only, by the date of the facts', async () => {
  const all = storeFindings()
  // The year with the most findings of the county by the date of their facts.
  const per = {}
  for (const f of all) if (f.inside) per[f.day.slice(0, 4)] = (per[f.day.slice(0, 4)] || 0) + 1
  const year = Object.keys(per).sort((a, b) => per[b] - per[a] || a.localeCompare(b))[0]
  const from = `${year}-01-01`, to = `${year}-12-31`
  assert.ok(all.some((f) => !f.inside && f.day >= from && f.day <= to), 'the other county has findings in the period too')
  const want = {}
  for (const f of all) if (f.inside && f.day >= from && f.day <= to) want[f.rule] = (want[f.rule] || 0) + 1

  await signIn(page, 'r-disc')
  await page.goto(srv.origin + '/#/findings')
  const box = page.getByTestId('report-download')
  await box.waitFor()
  const setDate = async (sel, v) => {
    const input = page.locator(sel)
    await input.fill(v)
    await input.press('Enter')
  }
  await setDate('#rd-from', from)
  await setDate('#rd-to', to)
  await shot(page, 'report-download-zh')

  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('report-xlsx').click()])
  assert.match(dl.suggestedFilename(), /\.xlsx$/)
  const file = join(srv.work, 'findings.xlsx')
  await dl.saveAs(file)
  const w = JSON.parse(execFileSync('python3', [join(ROOT, 'tests/tools/xlsx_sheets.py'), file], { encoding: 'utf8' }))
  const summary = Object.fromEntries(w['概况'].slice(1))
  assert.equal(summary['报告期间（事实日期）'], `${from} — ${to}`, 'the period typed on the page')
  const got = Object.fromEntries(w['按规则'].slice(1).map((r) => [r[0], r[2]]))
  assert.deepEqual(got, want, 'counts by rule = the store\'s, for the county')
  const otherNames = new Set(q(`WITH RECURSIVE sub(id) AS (SELECT '${ROOT_UNIT}' UNION SELECT u.id FROM units u JOIN sub ON u.parent_id = sub.id)
    SELECT name FROM units WHERE id NOT IN (SELECT id FROM sub) AND name NOT IN (SELECT name FROM units WHERE id IN (SELECT id FROM sub))`).map((u) => u.name))
  for (const r of w['按单位'].slice(1)) assert.ok(!otherNames.has(r[0]), `no unit of the other county: ${r[0]}`)

  const [pdf] = await Promise.all([page.waitForEvent('download'), page.getByTestId('report-pdf').click()])
  const pfile = join(srv.work, 'findings.pdf')
  await pdf.saveAs(pfile)
  assert.equal(readFileSync(pfile).subarray(0, 5).toString(), '%PDF-')

  // From after to: the server's refusal under 起始日期, nothing downloaded.
  await setDate('#rd-from', to)
  await setDate('#rd-to', from)
  let downloaded = false
  page.once('download', () => { downloaded = true })
  await page.getByTestId('report-xlsx').click()
  await box.getByText(/晚于截止日期/).waitFor()
  assert.equal(downloaded, false)
  assert.deepEqual(foreign, [], 'no request left the origin')
})
