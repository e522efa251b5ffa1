// Debian's chromium driven by playwright-core (never a downloaded browser):
// headless, no sandbox (root in CI), no background traffic, a fresh profile.
import { mkdtempSync, rmSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createRequire } from 'node:module'

const here = dirname(fileURLToPath(import.meta.url))
export const ROOT = join(here, '..', '..', '..')
export const ARTIFACTS = process.env.PLUMB_E2E_ARTIFACTS || join(ROOT, 'build', 'e2e-artifacts')
// playwright-core is a devDependency of web/ (installed by `npm ci` there).
const require = createRequire(join(ROOT, 'web', 'package.json'))
const { chromium } = require('playwright-core')

export const CHROMIUM = process.env.PLUMB_CHROMIUM || '/usr/bin/chromium'
export const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-dev-shm-usage']

/** `extra`: more context options (e.g. timezoneId) over the defaults. */
export async function launch(extra = {}) {
  const profile = mkdtempSync(join(tmpdir(), 'plumb-e2e-profile-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, args: ARGS, locale: 'zh-CN', viewport: { width: 1366, height: 860 },
    acceptDownloads: true, ...extra,
  })
  track(context)
  const close = async () => {
    await context.close().catch(() => {})
    rmSync(profile, { recursive: true, force: true })
  }
  return { context, close }
}

/** Record every request the page makes to a host other than `origin`. */
export function watchForeign(page, origin, list) {
  page.on('request', (req) => {
    const u = req.url()
    if (!u.startsWith(origin) && !u.startsWith('data:') && !u.startsWith('blob:')) list.push(u)
  })
}

// On PostgreSQL (the e2e.pg.* entries: the same files, pages and data as
// e2e.web.*'s) no screenshot unless PLUMB_E2E_SHOTS=1: they would be the
// SQLite run's pictures again, for a few percent of a walk's CPU
// (docs/RELIABILITY.md "The suite's time"). No check reads them.
export const SHOTS = process.env.PLUMB_TEST_BACKEND !== 'pg' || process.env.PLUMB_E2E_SHOTS === '1' ||
  process.env.PLUMB_UPDATE_SCREENSHOT === '1'

/** A screenshot into ARTIFACTS/<name>.png; returns its path ('' when not taken, on PostgreSQL). */
export async function shot(page, name) {
  if (!SHOTS) return ''
  mkdirSync(ARTIFACTS, { recursive: true })
  const path = join(ARTIFACTS, `${name}.png`)
  await page.screenshot({ path, fullPage: false })
  return path
}

/**
 * Every visible form control has an accessible name: a <label for>, an
 * aria-label or aria-labelledby, or an enclosing <label>. Returns the
 * controls that have none (as short descriptions).
 */
export async function unlabelled(page) {
  return page.evaluate(() => {
    const bad = []
    const sel = 'input:not([type=hidden]), select, textarea, [role=combobox], [role=switch], [role=radiogroup], [role=slider]'
    for (const el of document.querySelectorAll(sel)) {
      const r = el.getBoundingClientRect()
      const style = getComputedStyle(el)
      if ((r.width === 0 && r.height === 0) || style.visibility === 'hidden') continue
      if (el.closest('[aria-hidden=true]')) continue
      const id = el.id
      const byFor = id && document.querySelector(`label[for="${CSS.escape(id)}"]`)
      const named = (el.getAttribute('aria-label') || '').trim() || el.getAttribute('aria-labelledby') || byFor || el.closest('label')
      if (!named) bad.push(`${el.tagName.toLowerCase()}#${id || '?'}.${(el.className || '').toString().slice(0, 40)}`)
    }
    return bad
  })
}

// The requests each page has in flight (settled() waits for none): counted
// from the context's events, for every page of the context.
const inflight = new WeakMap() // page -> Set of requests
const tracked = new WeakSet()
const answered = new WeakMap() // request -> when its response's headers came
// In flight: not answered, or answered less than a second ago and its body
// not yet in (a body nobody reads, as of a test's own fetch() whose status
// alone it looks at, may never be "finished").
const pending = (p, types) => [...(inflight.get(p) || [])].filter((r) => types.includes(r.resourceType()) &&
  !(answered.has(r) && Date.now() - answered.get(r) > 1000))
function track(context) {
  if (tracked.has(context)) return
  tracked.add(context)
  const set = (page) => {
    let s = inflight.get(page)
    if (!s) inflight.set(page, (s = new Set()))
    return s
  }
  context.on('request', (req) => { const p = req.frame()?.page(); if (p) set(p).add(req) })
  context.on('response', (resp) => { answered.set(resp.request(), Date.now()) })
  const done = (req) => { const p = req.frame()?.page(); if (p) set(p).delete(req) }
  context.on('requestfinished', done)
  context.on('requestfailed', done)
}

/**
 * Wait until the page has settled: no busy region or loading mask in main,
 * no request of the page in flight (fetch/XHR, a document, script or
 * stylesheet; see `pending`), no running CSS transition or animation (an
 * endless one, a spinner, aside)
 * and no change to the DOM for `frames` animation frames in a row. What the
 * fixed pauses after a page's loading (150–400 ms) stood for, waited for
 * as the condition itself: as soon as it holds, and for as long as it takes.
 */
export async function settled(p, { frames = 3, timeout = 20000 } = {}) {
  track(p.context())
  const t0 = Date.now()
  let why = ''
  for (;;) {
    await p.waitForFunction(() => !document.querySelector('main [aria-busy=true], main .el-loading-mask'), null, { timeout })
    const busy = pending(p, ['fetch', 'xhr', 'document', 'script', 'stylesheet'])
    why = busy.length ? 'in flight: ' + busy.map((r) => r.resourceType() + ' ' + r.url()).join(', ') : ''
    if (busy.length) {
      await new Promise((r) => setTimeout(r, 50))
    } else {
      const calm = await p.evaluate((frames) => new Promise((resolve) => {
        let changed = false
        let calm = 0
        let n = 0
        const mo = new MutationObserver(() => { changed = true })
        mo.observe(document, { subtree: true, childList: true, attributes: true, characterData: true })
        const moving = () => document.getAnimations().some((a) => a.playState === 'running' &&
          a.effect?.getComputedTiming().iterations !== Infinity)
        const tick = () => {
          calm = changed || moving() ? 0 : calm + 1
          changed = false
          if (calm >= frames || ++n > 60) {
            mo.disconnect()
            resolve(calm >= frames ? '' : `moving: ${document.getAnimations().filter((a) => a.playState === 'running')
              .map((a) => `${a.constructor.name} ${a.animationName || a.transitionProperty || ''} on ${a.effect?.target?.className}`).join(', ') || 'the DOM'}`)
          } else requestAnimationFrame(tick)
        }
        requestAnimationFrame(tick)
      }), frames)
      why = calm
      if (!calm && !pending(p, ['fetch', 'xhr']).length) return
    }
    if (Date.now() - t0 > timeout) throw new Error(`the page did not settle in ${timeout} ms (${why})`)
  }
}

/**
 * The app's `route` (a hash path, '/findings') in page `p`: in the document
 * already open when it is the app's (a hash change: the router mounts the
 * route's page and unmounts the one before, as a menu item does), else
 * loaded. Returns once main shows an h1 that was not there before, and
 * `mark` (a data-testid) if given: the h1 and marked elements of the page
 * before are tagged data-e2e-before first, so that those are not taken for
 * the new page's.
 */
export async function toRoute(p, origin, route, mark) {
  const url = new URL(p.url())
  if (url.origin === origin && url.hash === '#' + route) {
    // (already there: nothing to tell apart)
  } else if (url.origin === origin) {
    await p.evaluate((h) => {
      for (const el of document.querySelectorAll('h1, [data-testid]')) el.setAttribute('data-e2e-before', '')
      location.hash = h
    }, route)
  } else {
    await p.goto(origin + '/#' + route)
  }
  await p.locator('main h1:not([data-e2e-before])').first().waitFor()
  if (mark) await p.locator(`[data-testid="${mark}"]:not([data-e2e-before])`).first().waitFor()
}
