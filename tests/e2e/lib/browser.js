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

export async function shot(page, name) {
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
