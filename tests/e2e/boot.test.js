// The first page's data asked for before the app's code has loaded (issue
// #16 bench/web; docs/WEB.md "Bundle and first load"), against a real
// server with the county data:
// - signed in on this device before, a page opened by its address (a new
//   tab: the dashboard, a person's file, the clue queue) sends its data
//   request before it asks for the page's own code (public/boot.js runs
//   first; before, the request waited for the entry to run, the session
//   check to come back, and went out after the page's chunk was asked for),
//   and only once (the app takes boot.js's answer: firstload.test.js);
// - signed out, nothing is asked before the session is known: no data
//   request at all, the sign-in page shown (boot.js's hint is removed at
//   sign-out).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, watchForeign } from './lib/browser.js'
import { startPlumb, sql } from './lib/plumb.js'
import { totp, base32Decode } from './lib/totp.js'

const PASSWORD = 'Correct-Horse-42-battery'
const ROOT_UNIT = 'U433127-000001'
let srv, br
const foreign = []
const q = (s) => JSON.parse(sql(srv.db, s) || '[]')

// Each user signs in once (a one-time code is not taken twice).
async function signIn(name) {
  const p = await br.context.newPage()
  await p.goto(srv.origin + '/#/login')
  await p.getByLabel(/用户名|User name/).fill(name)
  await p.getByLabel(/^(密码|Password)$/).fill(PASSWORD)
  await p.getByLabel(/动态验证码|One-time code/).fill(totp(base32Decode(srv.accounts[name].secret)))
  await p.getByTestId('login-submit').click()
  await p.waitForURL((u) => !u.hash.startsWith('#/login'))
  await p.close()
}

before(async () => {
  srv = await startPlumb({ users: [
    { name: 'bt-lead', role: 'leader', scopes: [ROOT_UNIT], password: PASSWORD },
    { name: 'bt-lead2', role: 'leader', scopes: [ROOT_UNIT], password: PASSWORD },
  ] })
  br = await launch()
  await signIn('bt-lead')
})
after(async () => {
  await br?.close()
  await srv?.stop()
  assert.deepEqual(foreign, [], 'no request left the server')
})

// Each request of a page in the order it was sent: API paths and code files.
function record(p) {
  const sent = []
  p.on('request', (r) => {
    const u = new URL(r.url())
    if (u.origin === srv.origin && (u.pathname.startsWith('/api/') || u.pathname.startsWith('/assets/'))) sent.push(u.pathname)
  })
  return sent
}

test('signed in: each page asks for its data before its own code', async () => {
  const person = q(`SELECT t.person_id AS id FROM tenures t JOIN posts p ON p.id = t.post_id
    WHERE p.unit_id LIKE 'U433127-%' ORDER BY t.person_id LIMIT 1`)[0].id
  const pages = [
    { path: '/#/dashboard', ready: '[data-testid=finding-total]', data: '/api/v1/dashboard', code: /^\/assets\/Dashboard-[^/]*\.js$/ },
    { path: '/#/persons/' + person, ready: '[data-testid=sec-tenures] tbody tr', data: `/api/v1/persons/${person}/file`, code: /^\/assets\/Person-[^/]*\.js$/ },
    { path: '/#/clues', ready: '[data-testid=clue-queue-total]', data: '/api/v1/cases', code: /^\/assets\/Clues-[^/]*\.js$/ },
  ]
  for (const pg of pages) {
    const p = await br.context.newPage()
    watchForeign(p, srv.origin, foreign)
    const sent = record(p)
    await p.goto(srv.origin + pg.path)
    await p.waitForFunction((sel) => { const el = document.querySelector(sel); return el && /\d/.test(el.textContent) }, pg.ready, { timeout: 60000 })
    const data = sent.indexOf(pg.data), code = sent.findIndex((u) => pg.code.test(u))
    assert.ok(data >= 0, `${pg.path}: ${pg.data} asked (${sent.join(', ')})`)
    assert.ok(code >= 0, `${pg.path}: its code loaded (${sent.join(', ')})`)
    assert.ok(data < code, `${pg.path}: the data asked before the page's code (${sent.join(', ')})`)
    assert.equal(sent.filter((u) => u === pg.data).length, 1, `${pg.path}: asked once (${sent.join(', ')})`)
    await p.close()
  }
})

test('signed out: no data asked before the session is known', async () => {
  // The session ended elsewhere (server side), this device's hint still
  // there: boot.js asks, the server refuses (401), the app removes the hint
  // and shows the sign-in page.
  const p = await br.context.newPage()
  watchForeign(p, srv.origin, foreign)
  await p.goto(srv.origin + '/#/dashboard')
  await p.getByTestId('finding-total').filter({ hasText: /\d/ }).waitFor({ timeout: 60000 })
  assert.ok(await p.evaluate(() => localStorage.getItem('plumb.early')), 'the hint is kept while signed in')
  await p.evaluate(async () => {
    const me = await (await fetch('/api/v1/auth/me', { credentials: 'same-origin' })).json()
    await fetch('/api/v1/auth/logout', { method: 'POST', credentials: 'same-origin', headers: { 'X-CSRF-Token': me.csrf_token || '' } })
  })
  await p.close()
  const q1 = await br.context.newPage()
  watchForeign(q1, srv.origin, foreign)
  await q1.goto(srv.origin + '/#/clues')
  await q1.waitForURL((u) => u.hash.startsWith('#/login'), { timeout: 60000 })
  assert.equal(await q1.evaluate(() => localStorage.getItem('plumb.early')), null, 'the hint removed once the session was refused')
  await q1.close()
  // Signed in again, then 退出: the hint goes with the session; a page
  // opened afterwards asks for nothing but the session check.
  await signIn('bt-lead2')
  const p2 = await br.context.newPage()
  watchForeign(p2, srv.origin, foreign)
  await p2.goto(srv.origin + '/#/dashboard')
  await p2.getByTestId('finding-total').filter({ hasText: /\d/ }).waitFor({ timeout: 60000 })
  await p2.getByTestId('logout').click()
  await p2.waitForURL((u) => u.hash.startsWith('#/login'), { timeout: 60000 })
  assert.equal(await p2.evaluate(() => localStorage.getItem('plumb.early')), null, 'no hint after 退出')
  await p2.close()
  const q2 = await br.context.newPage()
  watchForeign(q2, srv.origin, foreign)
  const sent = record(q2)
  await q2.goto(srv.origin + '/#/clues')
  await q2.waitForURL((u) => u.hash.startsWith('#/login'), { timeout: 60000 })
  await q2.waitForTimeout(300)
  assert.deepEqual(sent.filter((u) => u.startsWith('/api/')), ['/api/v1/auth/me'], 'only the session check')
  await q2.close()
})
