// The reporter portal and accessibility (issue #16 items 9 and 10), in
// Debian's chromium, in zh-CN and en, at 1440×900 and 390×844, in the
// Asia/Shanghai time zone (the server's times are UTC):
// - a report with several mistakes shows every error next to its field, in
//   the page's language, without field codes (the server sends them all);
// - rejected attempts do not count toward the 5 reports per hour, and over
//   the limit the page shows the server's reason and its retry time in local
//   time (docs/SECURITY.md "Reporter portal: limits that do not punish
//   mistakes");
// - after the conclusion the status page says the outcome in words and the
//   latest reply; once archived no material form is offered;
// - the proof is explained in words and "verify in this browser" checks it
//   with WebCrypto; a tampered proof fails there;
// - the staff menu is reached with Tab and shows its focus; axe-core finds
//   no WCAG 2 A/AA violation on the portal's routes (on the staff routes:
//   phone.test.js, in its walk over them); a clue note being typed survives
//   a session expiry.
// Expected texts are written here from docs/CASES.md §5, docs/API.md
// "Reporter portal" and the wording table below, never read from the page.
// Screenshots: PLUMB_E2E_ARTIFACTS/a11y-*.png and portal-*.png.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { launch, watchForeign, shot, toRoute } from './lib/browser.js'
import { axe } from './lib/axe.js'
import { startPlumb, plumb, sql } from './lib/plumb.js'
import { base32Decode, signInCode } from './lib/totp.js'
import { PORTAL_ROUTES } from './lib/routes.js'

const PASSWORD = 'Correct-Horse-42-battery'
const ROOT_UNIT = 'U433127-000001'
const TZ = 'Asia/Shanghai' // UTC+8, no daylight saving
const VIEWPORTS = [{ name: 'desktop', width: 1440, height: 900 }, { name: 'phone', width: 390, height: 844 }]
const LANGS = ['zh-CN', 'en']
const CJK = /[\u3400-\u9fff]/
const PASS = '我的查询密码2026'
const SUMMARY = '反映违规公款吃喝无障碍测试' // (the store keeps NFKC: no full-width signs)
const REPLY1 = '您反映的问题已收悉，正在办理。'
const REPLY2 = '经核查，您反映的问题不属实。'
// The words of the page (docs/API.md "Reporter portal": one message per
// field, in the reporter's language; the outcome in public words).
const WORDS = {
  'zh-CN': {
    errors: { subject_unit_id: '请选择被反映人所在单位', category: '请选择问题类别', summary: '请填写摘要',
      reporter_name: '实名举报须填写姓名', passphrase: '查询密码至少8个字符' },
    limit: '本地址一小时内提交次数已达上限', concluded: '已办结', unfounded: '经核查，您反映的问题不属实。',
    verified: '验证通过', notVerified: '验证未通过', incl: '包含证明不能得出检查点的根哈希',
    leaf: '记录内容与其哈希值不一致', sig: '检查点的签名无效', noMore: '不再接收补充材料',
  },
  en: {
    errors: { subject_unit_id: 'choose the unit reported', category: 'choose the kind of problem',
      summary: 'the summary is required', reporter_name: 'a real-name report needs your name',
      passphrase: 'the passphrase needs at least 8 characters' },
    limit: 'too many reports from this address this hour', concluded: 'Concluded',
    unfounded: 'The problem you reported was found to be untrue.',
    verified: 'Verified', notVerified: 'Not verified', incl: 'the proof does not lead to the checkpoint’s root hash',
    leaf: 'the record does not match its hash', sig: 'the checkpoint’s signature is invalid', noMore: 'no more material can be added',
  },
}
const CONDUCT = { 'zh-CN': '作风', en: 'Conduct' }
const INPUT = { subject_unit_id: '#pr-unit', category: '#pr-cat', summary: '#pr-summary', reporter_name: '#pr-rname',
  passphrase: '#pr-pass', attachments: '#pr-files' }
const EXE = { name: 'setup.exe', mimeType: 'application/octet-stream', buffer: Buffer.from('4d5a900003000000040000', 'hex') }

let srv, br, page
const foreign = []
const q = (s) => JSON.parse(sql(srv.db, s) || '[]')
const ids = {}
const lastSignIn = {}
let unit, receipt

async function signIn(p, name) {
  if (!p.url().includes('#/login')) await p.goto(srv.origin + '/#/login')
  await p.getByLabel(/用户名|User name/).fill(name)
  await p.getByLabel(/^(密码|Password)$/).fill(PASSWORD)
  // A code is good once per step: lib/totp.js signInCode.
  const { code, step } = await signInCode(base32Decode(srv.accounts[name].secret), lastSignIn[name])
  lastSignIn[name] = step
  await p.getByLabel(/动态验证码|One-time code/).fill(code)
  await p.getByTestId('login-submit').click()
  await p.waitForURL((u) => !u.hash.startsWith('#/login'))
}

async function signOut(p) {
  await p.getByTestId('logout').click()
  await p.waitForURL((u) => u.hash.startsWith('#/login'))
}

/** Open `route` in `lang` at viewport `vp` (the language is the app's choice, kept in localStorage). */
async function open(p, route, lang, vp) {
  await p.setViewportSize({ width: vp.width, height: vp.height })
  // The language set before the load where the page is of this origin
  // (one load, not a load and a reload).
  if (p.url().startsWith(srv.origin + '/')) await p.evaluate((l) => localStorage.setItem('plumb.lang', l), lang)
  // A fresh page each time (a hash change alone would keep a form's state).
  await p.goto('about:blank')
  await p.goto(srv.origin + '/#' + route)
  const cur = await p.evaluate(() => localStorage.getItem('plumb.lang') || 'zh-CN')
  if (cur !== lang) {
    await p.evaluate((l) => localStorage.setItem('plumb.lang', l), lang)
    await p.reload()
  }
  await p.locator('main h1').first().waitFor()
}

/** `route` in `lang` at `vp`, for a scan: reached in the document already
 * open (lib/browser.js toRoute: a hash change, the app's router mounting the
 * route's page as a menu item does) when that document is the app's, in
 * `lang` and at `vp`; else open()ed in a fresh one. */
async function reach(p, route, lang, vp, mark) {
  const size = p.viewportSize()
  const inPlace = p.url().startsWith(srv.origin + '/') && size.width === vp.width && size.height === vp.height &&
    (await p.evaluate(() => localStorage.getItem('plumb.lang') || 'zh-CN')) === lang
  if (inPlace) return toRoute(p, srv.origin, route, mark)
  await open(p, route, lang, vp)
  if (mark) await p.getByTestId(mark).first().waitFor()
}

async function choose(p, testid, text) {
  await p.getByTestId(testid).click()
  await p.getByRole('option', { name: text, exact: true }).click()
}

const errorOf = (p, input) => p.locator('.el-form-item').filter({ has: p.locator(input) }).locator('.el-form-item__error')

before(async () => {
  srv = await startPlumb({ users: [
    ...['a-tab', 'a-draft1', 'a-draft2'].map((name) => ({ name, role: 'discipline_officer', scopes: [ROOT_UNIT], password: PASSWORD })),
  ] })
  unit = q(`SELECT id, name FROM units WHERE parent_id='${ROOT_UNIT}' AND kind='department' ORDER BY id LIMIT 1`)[0]
  ids.clue = q(`SELECT id FROM clues WHERE subject_unit_id LIKE 'U433127-%' ORDER BY id LIMIT 1`)[0].id
  br = await launch({ timezoneId: TZ })
  page = await br.context.newPage()
  watchForeign(page, srv.origin, foreign)
})
after(async () => {
  await br?.close()
  await srv?.stop()
})

// ------------------------------------------------------------ the portal

test('portal: every error of a report at once, next to its field, in the page\'s language', async () => {
  for (const lang of LANGS) {
    for (const vp of VIEWPORTS) {
      await open(page, '/portal/report', lang, vp)
      await page.getByTestId('report-form').waitFor()
      // Mistakes everywhere: no unit, no category, no summary, real name
      // without the name, a short passphrase and an .exe file.
      await page.locator('.el-switch').filter({ has: page.locator('#pr-real') }).click()
      await page.locator('#pr-rname').waitFor()
      await page.locator('#pr-pass').fill('short')
      await page.locator('#pr-pass2').fill('short')
      await page.locator('#pr-files').setInputFiles(EXE)
      await page.getByTestId('report-submit').click()
      await errorOf(page, '#pr-pass').waitFor()
      const want = WORDS[lang].errors
      for (const [field, input] of Object.entries(INPUT)) {
        const err = errorOf(page, input)
        await err.waitFor({ timeout: 5000 }).catch(() => {})
        assert.equal(await err.count(), 1, `${lang} ${vp.name}: an error under ${field}`)
        const text = (await err.innerText()).trim()
        if (want[field]) assert.equal(text, want[field], `${lang} ${vp.name}: ${field}`)
        else assert.match(text, /setup\.exe/, 'the file is named')
        assert.doesNotMatch(text, /\b[a-z]+_[a-z_]+\b| \/ /, `no field code, one language: ${text}`)
        if (lang === 'en') assert.doesNotMatch(text, CJK, `English only: ${text}`)
        else assert.match(text, CJK, `Chinese: ${text}`)
      }
      await shot(page, `portal-errors-${lang}-${vp.name}`)
    }
  }
  // Passphrases that differ (only the page knows) come with the rest too.
  await open(page, '/portal/report', 'zh-CN', VIEWPORTS[0])
  await page.locator('#pr-pass').fill('passphrase-one')
  await page.locator('#pr-pass2').fill('passphrase-two')
  await page.getByTestId('report-submit').click()
  await errorOf(page, '#pr-pass2').getByText('两次输入的密码不一致').waitFor()
  assert.equal((await errorOf(page, '#pr-summary').innerText()).trim(), '请填写摘要')
  assert.deepEqual(foreign, [])
})

async function fileReport(p, summary, lang = 'zh-CN') {
  await p.getByTestId('pr-unit').click()
  await p.keyboard.type(unit.name)
  await p.getByRole('option', { name: unit.name, exact: true }).click()
  await choose(p, 'pr-cat', CONDUCT[lang])
  await p.locator('#pr-summary').fill(summary)
  await p.locator('#pr-facts').fill(`${summary}：2026年1月以来多次在私人会所用公款宴请。`)
  await p.locator('#pr-pass').fill(PASS)
  await p.locator('#pr-pass2').fill(PASS)
  await p.getByTestId('report-submit').click()
}

test('portal: rejected attempts do not count; over the limit the retry time is shown in local time', async () => {
  // Keep the five reports in one hour of the server (the limit's window):
  // near the full hour, wait for the next one.
  const left = 3600 - (Math.floor(Date.now() / 1000) % 3600)
  if (left < 90) await sleep((left + 2) * 1000)
  // Already 4 rejected reports from this address (the test above), now 5
  // accepted: the first through the page, four more from the same page.
  await open(page, '/portal/report', 'zh-CN', VIEWPORTS[0])
  await fileReport(page, SUMMARY)
  const code = page.getByTestId('receipt-code')
  await code.waitFor()
  receipt = (await code.textContent()).replace(/\D/g, '')
  assert.match(receipt, /^\d{16}$/)
  for (let i = 2; i <= 5; i++) {
    const status = await page.evaluate(async ([u, i]) => (await fetch('/portal/api/reports', { method: 'POST',
      headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ subject_unit_id: u, category: 'conduct',
        summary: `反映工作作风问题${i}`, facts: `第${i}次：${Math.random()}`, passphrase: 'passphrase 12345' }) })).status, [unit.id, i])
    assert.equal(status, 201, `accepted report ${i} after 4 rejected ones`)
  }
  // The sixth: refused, with the reason and the time in the reporter's
  // local time (the next full hour of the server, UTC+8 here).
  for (const [lang, vp] of [['zh-CN', VIEWPORTS[0]], ['en', VIEWPORTS[1]]]) {
    await open(page, '/portal/report', lang, vp)
    const resp = page.waitForResponse((r) => r.url().endsWith('/portal/api/reports') && r.status() === 429)
    await fileReport(page, SUMMARY + lang, lang)
    const body = await (await resp).json()
    const at = new Date(body.error.retry_at)
    assert.equal(at.getTime() % 3600000, 0, 'retry_at is a full hour (docs/CASES.md §5)')
    const local = new Date(at.getTime() + 8 * 3600000)
    const hhmm = `${String(local.getUTCHours()).padStart(2, '0')}:${String(local.getUTCMinutes()).padStart(2, '0')}`
    const alert = page.getByTestId('report-error')
    await alert.waitFor()
    const text = await alert.innerText()
    assert.ok(text.includes(WORDS[lang].limit), `${lang}: the server's reason: ${text}`)
    assert.ok(text.includes(hhmm), `${lang}: the local time ${hhmm}: ${text}`)
    assert.doesNotMatch(text, /\d{4}-\d\d-\d\dT|Z\b/, 'no UTC ISO time')
    if (lang === 'en') assert.doesNotMatch(text, CJK)
    await shot(page, `portal-limit-${lang}-${vp.name}`)
  }
})

async function checkReport(p, lang, vp, rec = receipt) {
  await open(p, '/portal/check', lang, vp)
  await p.locator('#pc-receipt').fill(rec)
  await p.locator('#pc-pass').fill(PASS)
  await p.getByTestId('check-submit').click()
  await p.getByTestId('report-status').waitFor()
}

function clue(...args) {
  plumb(['clue', ...args, '--db', srv.db])
}

test('portal: after the conclusion, the outcome in words and the latest reply; no material form once archived', async () => {
  const id = q(`SELECT id FROM clues WHERE summary='${SUMMARY}'`)[0].id
  clue('reply', id, '--text', REPLY1)
  clue('dispose', id, '--method', 'preliminary_verification', '--reason', '线索具体')
  clue('verify', id, '--reason', '初核完毕')
  clue('conclude', id, '--outcome', 'unfounded', '--reason', '反映问题失实')
  clue('reply', id, '--text', REPLY2)
  // Concluded, not archived: material is still taken, so the form is there.
  await checkReport(page, 'zh-CN', VIEWPORTS[0])
  await page.getByTestId('material-form').waitFor()
  clue('clear-name', id, '--basis', '在单位会议上予以澄清')
  clue('archive', id, '--reason', '归档')
  for (const lang of LANGS) {
    for (const vp of VIEWPORTS) {
      await checkReport(page, lang, vp)
      const w = WORDS[lang]
      assert.equal((await page.getByTestId('report-status').innerText()).trim(), w.concluded)
      assert.equal((await page.getByTestId('report-outcome').innerText()).trim(), w.unfounded, `${lang}: the outcome in words`)
      const latest = await page.getByTestId('latest-reply').innerText()
      assert.ok(latest.includes(REPLY2), `the latest reply is the conclusion's: ${latest}`)
      const all = await page.getByTestId('replies').innerText()
      assert.ok(all.indexOf(REPLY1) >= 0 && all.indexOf(REPLY1) < all.indexOf(REPLY2), 'both replies, oldest first')
      assert.equal(await page.getByTestId('material-form').count(), 0, 'archived: no material form')
      assert.ok((await page.getByTestId('material-closed').innerText()).includes(w.noMore))
      await shot(page, `portal-concluded-${lang}-${vp.name}`)
    }
  }
})

test('portal: the proof in words, verified in this browser; a tampered proof fails there', async () => {
  for (const lang of LANGS) {
    for (const vp of VIEWPORTS) {
      await checkReport(page, lang, vp)
      const words = await page.getByTestId('proof-words').innerText()
      assert.match(words, lang === 'en' ? /record \d+ of the ledger/ : /账本第 \d+ 条记录/)
      assert.doesNotMatch(words, /[0-9a-f]{64}/, 'words, not hashes')
      await page.getByTestId('proof-verify').click()
      const res = page.getByTestId('proof-result')
      await res.waitFor()
      const text = await res.innerText()
      assert.ok(text.includes(WORDS[lang].verified), `${lang} ${vp.name}: ${text}`)
      assert.equal((text.match(/✓/g) || []).length, 4, 'four checks passed')
      await shot(page, `portal-proof-${lang}-${vp.name}`)
    }
  }
  // Tampered answers of the server: one hash of the path, the leaf, the
  // checkpoint's root (its signature no longer holds).
  const tamper = {
    incl: (j) => { j.proof[0] = j.proof[0].replace(/^./, (c) => (c === '0' ? '1' : '0')) },
    leaf: (j) => { j.leaf = j.leaf.replace('clue.received', 'clue.receiveD') },
    sig: (j) => {
      const lines = j.checkpoint.split('\n')
      lines[2] = Buffer.from(Buffer.alloc(32, 7)).toString('base64')
      j.checkpoint = lines.join('\n')
    },
  }
  const where = { incl: ['zh-CN', VIEWPORTS[0]], leaf: ['en', VIEWPORTS[1]], sig: ['zh-CN', VIEWPORTS[1]] }
  for (const [kind, fn] of Object.entries(tamper)) {
    for (const [lang, vp] of [where[kind]]) {
      await page.route('**/portal/api/proof', async (route) => {
        const resp = await route.fetch()
        const j = await resp.json()
        fn(j)
        await route.fulfill({ response: resp, json: j })
      })
      await checkReport(page, lang, vp)
      await page.getByTestId('proof-verify').click()
      const res = page.getByTestId('proof-result')
      await res.waitFor()
      const text = await res.innerText()
      assert.ok(text.includes(WORDS[lang].notVerified), `${kind} ${lang}: not verified: ${text}`)
      assert.ok(text.includes(WORDS[lang][kind]), `${kind} ${lang}: why: ${text}`)
      assert.ok(text.includes('✗'), 'the failed step is marked')
      await shot(page, `portal-proof-tampered-${kind}-${lang}-${vp.name}`)
      await page.unroute('**/portal/api/proof')
    }
  }
})

// --------------------------------------------------------- accessibility

test('staff menu: every item reached with Tab, with a visible focus', async () => {
  for (const [vp, lang] of [[VIEWPORTS[0], 'zh-CN'], [VIEWPORTS[1], 'en']]) {
    if (!lastSignIn['a-tab']) await signIn(page, 'a-tab')
    await open(page, '/dashboard', lang, vp)
    // Below 768 px the menu is a drawer: opened by its button first (docs/WEB.md "Layout").
    // (By the viewport, not by the button's visibility at one instant: the
    // layout's stylesheet may still be arriving when the page's h1 shows.)
    if (vp.width < 768) {
      // Opened from the keyboard, as the user this test stands for would.
      await page.getByTestId('nav-toggle').focus()
      await page.keyboard.press('Enter')
      await page.getByTestId('side-menu').locator('a').first().waitFor()
    }
    const items = await page.locator('[data-testid^=menu-]').evaluateAll((els) => els.map((e) => e.dataset.testid))
    assert.ok(items.length >= 5, `menu items: ${items}`)
    const reached = new Map()
    if (vp.width < 768) {
      // The opened drawer takes the focus on its first item (docs/WEB.md
      // "Layout"); Tab goes on from there. (Blurring would leave the
      // browser's starting point on that item, past it.)
      await page.waitForFunction(() => document.activeElement?.dataset?.testid === 'menu-dashboard')
      reached.set('menu-dashboard', await page.evaluate(() => {
        const s = getComputedStyle(document.activeElement)
        return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 1
      }))
    } else {
      await page.evaluate(() => { document.activeElement?.blur(); window.scrollTo(0, 0) })
      await page.locator('body').focus()
    }
    for (let i = 0; i < 40 && reached.size < items.length; i++) {
      await page.keyboard.press('Tab')
      const f = await page.evaluate(() => {
        const e = document.activeElement
        const s = getComputedStyle(e)
        return { id: e.dataset?.testid || '', outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 1 }
      })
      if (items.includes(f.id)) reached.set(f.id, f.outline)
    }
    assert.deepEqual([...reached.keys()].sort(), [...items].sort(), `${vp.name}: every menu item is reached with Tab`)
    for (const [id, visible] of reached) assert.ok(visible, `${vp.name}: ${id} shows its focus`)
    await page.getByTestId(items[1]).focus()
    await shot(page, `a11y-menu-focus-${lang}-${vp.name}`)
    // Enter on a focused item opens its page.
    await page.keyboard.press('Enter')
    await page.waitForURL((u) => u.hash.startsWith('#/' + items[1].slice(5)))
  }
  await signOut(page)
})

// axe-core on every staff route (zh-CN, 1440×900; the clue page at 390×844
// too; every route at 390×844 with A11Y_PHONE=1) runs in phone.test.js's
// walk over the staff routes, which opens each of them at those sizes
// anyway: one walk for both (docs/RELIABILITY.md "The suite's time").

test('axe-core: no WCAG 2 AA violation on the portal, in both languages at both sizes', { timeout: 600000 }, async () => {
  const failing = {}
  // The portal, with a report's status page and a form showing its errors.
  // (The form with its errors and the status page are scanned on the page
  // just scanned empty, filled in place: one load of each route.)
  assert.ok(PORTAL_ROUTES.includes('/portal/report') && PORTAL_ROUTES.includes('/portal/check'), 'the two pages filled in below')
  for (const lang of LANGS) {
    for (const vp of VIEWPORTS) {
      for (const route of PORTAL_ROUTES) {
        await reach(page, route, lang, vp)
        let v = await axe(page)
        if (v.length) failing[`${route} ${lang} ${vp.name}`] = v
        if (route === '/portal/report') {
          // (This address is over its reports limit by now: the errors the
          // page finds itself, shown the same way.)
          await page.locator('#pr-pass').fill('short')
          await page.locator('#pr-pass2').fill('other')
          await page.getByTestId('report-submit').click()
          await errorOf(page, '#pr-pass2').waitFor()
          v = await axe(page)
          if (v.length) failing[`/portal/report (errors) ${lang} ${vp.name}`] = v
        } else if (route === '/portal/check') {
          await page.locator('#pc-receipt').fill(receipt)
          await page.locator('#pc-pass').fill(PASS)
          await page.getByTestId('check-submit').click()
          await page.getByTestId('report-status').waitFor()
          await page.getByTestId('proof-verify').click()
          await page.getByTestId('proof-result').waitFor()
          v = await axe(page)
          if (v.length) failing[`/portal/check (status) ${lang} ${vp.name}`] = v
        }
      }
      console.log(`axe portal ${lang} ${vp.name} done`)
    }
  }
  assert.deepEqual(failing, {}, 'WCAG 2 AA violations:\n' + JSON.stringify(failing, null, 1))
})

test('a clue note being typed survives a session expiry', async () => {
  const NOTE = { 'zh-CN': '草稿：已联系举报人所在单位，待调取会议记录', en: 'Draft: the unit was contacted; minutes to be obtained' }
  const runs = [['a-draft1', 'zh-CN', VIEWPORTS[0]], ['a-draft2', 'en', VIEWPORTS[1]]]
  const pages = []
  for (const [name, lang, vp] of runs) {
    const ctx = await br.context.browser().newContext({ timezoneId: TZ })
    const p = await ctx.newPage()
    watchForeign(p, srv.origin, foreign)
    await signIn(p, name)
    await open(p, '/clues/' + encodeURIComponent(ids.clue), lang, vp)
    await p.getByTestId('clue-status').waitFor()
    await p.locator('#cl-note').fill(NOTE[lang])
    // The session ends (expired on the server, cookie gone): sending the
    // note is a 401 and the page goes to the sign-in.
    await ctx.clearCookies()
    await p.getByTestId('note-submit').click({ timeout: 3000 }).catch(() => {}) // (or a request of the page got the 401 first)
    await p.waitForURL((u) => u.hash.startsWith('#/login'))
    await p.getByTestId('expired').waitFor()
    pages.push({ ctx, p, name, lang, vp })
  }
  for (const { ctx, p, name, lang, vp } of pages) {
    await signIn(p, name)
    await p.waitForURL((u) => u.hash.startsWith('#/clues/'))
    await p.getByTestId('clue-status').waitFor()
    assert.equal(await p.locator('#cl-note').inputValue(), NOTE[lang], `${lang} ${vp.name}: the note is back after signing in`)
    await shot(p, `a11y-draft-restored-${lang}-${vp.name}`)
    await p.getByTestId('note-submit').click()
    await p.locator('li', { hasText: NOTE[lang] }).first().waitFor({ state: 'attached' })
    const left = await p.evaluate(() => Object.keys(sessionStorage).filter((k) => k.startsWith('plumb.draft:')))
    assert.deepEqual(left, [], 'the draft is gone once sent')
    await ctx.close()
  }
  assert.deepEqual(foreign, [])
})
