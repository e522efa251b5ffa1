// Every route of the web app in one place (issue #16: the accessibility scan
// walks them all). A route added to web/src/router.js must be added here:
// routerPaths() reads the router so that tests/e2e/phone.test.js fails
// on a route this list lacks.
// Each entry: the router's path, the role that may use it (a user of that
// role signs in; null for the portal), the element that shows the page is
// ready, and how to fill in its parameter from the store (`q` runs SQL).
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT } from './browser.js'

export const STAFF_ROUTES = [
  { path: '/dashboard', role: 'discipline_officer', mark: 'panel-findings' },
  { path: '/units/:id?', role: 'discipline_officer', mark: 'team-table', param: (u) => u.rootUnit },
  { path: '/persons/:id', role: 'discipline_officer', mark: 'person-tabs', param: (u) => u.person },
  { path: '/findings', role: 'discipline_officer', mark: 'findings-table' },
  { path: '/findings/:id', role: 'discipline_officer', mark: null, param: (u) => u.finding },
  { path: '/clues', role: 'discipline_officer', mark: 'clue-queue' },
  { path: '/clues/:id', role: 'discipline_officer', mark: 'clue-status', param: (u) => u.clue },
  { path: '/intake', role: 'discipline_officer', mark: 'intake-form' },
  { path: '/import', role: 'data_provider', mark: 'import-form' },
  { path: '/profiles', role: 'discipline_officer', mark: 'profile-form' },
  { path: '/ledger', role: 'auditor', mark: 'ledger-checkpoint' },
  { path: '/users', role: 'admin', mark: 'users-table' },
  { path: '/me', role: 'subject', mark: 'me-title' },
  { path: '/units/:id/profile', role: 'discipline_officer', mark: 'prof-posts', param: (u) => u.rootUnit },
  { path: '/companies/:id', role: 'discipline_officer', mark: 'prof-payments', param: (u) => u.company },
  { path: '/search', role: 'discipline_officer', mark: null },
  { path: '/tasks', role: 'discipline_officer', mark: 'wtask-table' },
  { path: '/tasks/:id', role: 'discipline_officer', mark: 'wt-detail', param: (u) => u.wtask },
  { path: '/mytasks', role: 'discipline_officer', mark: 'mine-warnings' },
  { path: '/inspection', role: 'inspection_officer', mark: 'rounds-table' },
  { path: '/inspection/:id', role: 'inspection_officer', mark: 'rect-table', param: (u) => u.round },
  { path: '/rectification', role: 'inspection_officer', mark: 'rect-table' },
  { path: '/rectification/:id', role: 'inspection_officer', mark: 'rect-detail', param: (u) => u.rect },
  // Declaration check rounds: a round drawn by lib/declare.js before the scan.
  { path: '/declare', role: 'cadre_officer', mark: 'decl-rounds' },
  { path: '/declare/:id', role: 'cadre_officer', mark: 'ds-person', param: (u) => u.declRound },
  { path: '/declare/declarations/:id', role: 'cadre_officer', mark: 'dc-lines', param: (u) => u.declaration },
  { path: '/opinions/:id?', role: 'discipline_officer', mark: 'opinion-slates', param: () => '' },
  // The person linkage review queue (issue #19 item 3).
  { path: '/links', role: 'cadre_officer', mark: 'link-table' },
]

export const PORTAL_ROUTES = ['/portal', '/portal/report', '/portal/check', '/portal/receipt']

// Routes that are no page of their own (a redirect, the catch-all, sign-in).
const NOT_PAGES = new Set(['/', '', '/:pathMatch(.*)*', '/login'])

/** The full paths of web/src/router.js (children joined to their parent). */
export function routerPaths() {
  const src = readFileSync(join(ROOT, 'web', 'src', 'router.js'), 'utf8')
  const out = []
  let parent = ''
  // An absolute path is a parent for the relative ones that follow it.
  for (const m of src.matchAll(/path: '([^']*)'/g)) {
    const p = m[1]
    if (p.startsWith('/')) {
      parent = p
      out.push(p)
    } else out.push((parent === '/' ? '' : parent) + '/' + p)
  }
  return out.map((p) => p.replace(/\/$/, '') || '/').filter((p) => !NOT_PAGES.has(p))
}

/** A route's concrete URL path. */
export function concrete(r, u) {
  return r.param ? r.path.replace(/\/:[a-z]+\??(?=\/|$)/, '/' + encodeURIComponent(r.param(u))) : r.path
}
