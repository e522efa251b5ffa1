// Routes of the staff pages (/…) and the reporter portal (/portal/…). Staff
// pages need a session; a 401 from any call brings the user back to /login.
import { createRouter, createWebHashHistory } from 'vue-router'
import { useSession, PAGE_PERMS, DETAIL_PERMS } from './stores/session.js'
import { prefetch, dropPrefetched } from './api/client.js'
import { EARLY } from './api/early.js'

const routes = [
  { path: '/login', name: 'login', component: () => import('./views/Login.vue'), meta: { public: true } },
  {
    path: '/',
    component: () => import('./views/StaffLayout.vue'),
    children: [
      { path: '', name: 'home', redirect: () => ({ name: useSession().home }) },
      { path: 'dashboard', name: 'dashboard', component: () => import('./views/Dashboard.vue') },
      { path: 'units/:id?', name: 'units', component: () => import('./views/Units.vue') },
      { path: 'units/:id/profile', name: 'unit', component: () => import('./views/UnitProfile.vue') },
      { path: 'companies/:id', name: 'company', component: () => import('./views/Company.vue') },
      { path: 'search', name: 'search', component: () => import('./views/Search.vue') },
      { path: 'persons/:id', name: 'person', component: () => import('./views/Person.vue') },
      { path: 'findings', name: 'findings', component: () => import('./views/Findings.vue') },
      { path: 'findings/:id', name: 'finding', component: () => import('./views/Finding.vue') },
      { path: 'clues', name: 'clues', component: () => import('./views/Clues.vue') },
      { path: 'clues/:id', name: 'clue', component: () => import('./views/Clue.vue') },
      { path: 'intake', name: 'intake', component: () => import('./views/ClueIntake.vue') },
      { path: 'import', name: 'import', component: () => import('./views/Import.vue') },
      { path: 'profiles', name: 'profiles', component: () => import('./views/Profiles.vue') },
      { path: 'ledger', name: 'ledger', component: () => import('./views/Ledger.vue') },
      { path: 'users', name: 'users', component: () => import('./views/Users.vue') },
      { path: 'me', name: 'me', component: () => import('./views/Me.vue') },
      { path: 'inspection', name: 'inspection', component: () => import('./views/Inspection.vue') },
      { path: 'inspection/:id', name: 'inspection-round', component: () => import('./views/InspectionRound.vue') },
      { path: 'rectification', name: 'rectification', component: () => import('./views/Rectification.vue') },
      { path: 'rectification/:id', name: 'rectification-task', component: () => import('./views/RectTask.vue') },
      { path: 'tasks', name: 'tasks', component: () => import('./views/Tasks.vue') },
      { path: 'tasks/:id', name: 'task', component: () => import('./views/Task.vue') },
      { path: 'mytasks', name: 'mytasks', component: () => import('./views/MyTasks.vue') },
      { path: 'declare', name: 'declare', component: () => import('./views/DeclRounds.vue') },
      { path: 'declare/:id', name: 'declare-round', component: () => import('./views/DeclRound.vue') },
      { path: 'declare/declarations/:id', name: 'declare-compare', component: () => import('./views/DeclCompare.vue') },
      { path: 'opinions/:id?', name: 'opinions', component: () => import('./views/Opinions.vue') },
      { path: 'links', name: 'links', component: () => import('./views/Links.vue') },
    ],
  },
  {
    path: '/portal',
    component: () => import('./views/portal/PortalLayout.vue'),
    meta: { public: true },
    children: [
      { path: '', name: 'portal', component: () => import('./views/portal/PortalHome.vue'), meta: { public: true } },
      { path: 'report', name: 'portal-report', component: () => import('./views/portal/PortalReport.vue'), meta: { public: true } },
      { path: 'receipt', name: 'portal-receipt', component: () => import('./views/portal/PortalReceipt.vue'), meta: { public: true } },
      { path: 'check', name: 'portal-check', component: () => import('./views/portal/PortalCheck.vue'), meta: { public: true } },
    ],
  },
  { path: '/:pathMatch(.*)*', redirect: '/' },
]

export const router = createRouter({ history: createWebHashHistory(), routes })

// The page's code (its lazy chunk and the layout's) is asked for at once,
// while the session is checked, not after: the router would load it only
// once every guard has passed, one round trip and one chunk after the
// other (docs/WEB.md "Bundle"). import() is cached, so the router's own
// load later takes the same module.
function preloadComponents(to) {
  for (const r of to.matched) {
    const c = r.components && r.components.default
    if (typeof c === 'function' && !c.__vccOpts && !c.render && !c.setup) Promise.resolve().then(c).catch(() => {})
  }
}

/**
 * The code of the page a sign-in leads to, asked for while the user is still
 * typing (Login.vue): `next` when the sign-in page was reached from a page,
 * else the staff layout and the dashboard, the landing page of the roles
 * that read content (a role landing elsewhere loads its page as usual).
 */
export function preloadAfterSignIn(next) {
  const to = router.resolve(next && next !== '/' ? next : { name: 'dashboard' })
  if (!to.matched.some((r) => r.meta.public)) preloadComponents(to)
}

router.beforeEach(async (to) => {
  if (to.matched.some((r) => r.meta.public)) return true
  const s = useSession()
  if (!s.checked) {
    preloadComponents(to)
    await s.load()
  }
  if (!s.user) return { name: 'login', query: { next: to.fullPath } }
  // A page the role may not use leads to the role's landing page, not to
  // panels of "no permission" (issue #16).
  if ((to.name in PAGE_PERMS || to.name in DETAIL_PERMS) && !s.can(to.name) && s.home !== to.name) return { name: s.home }
  // The first page's data, asked for now that the session is known and the
  // page allowed (api/early.js), while its code is still on the way.
  if (!firstDone && EARLY[to.name]) for (const [p, q] of EARLY[to.name](to, s)) prefetch(p, q)
  return true
})

// After the first page has been set up (it took its answers in setup or
// onMounted, in the render that follows this hook), the answers it did not
// take are forgotten: a later page asks the server afresh.
let firstDone = false
router.afterEach(() => {
  if (firstDone) return
  firstDone = true
  setTimeout(dropPrefetched, 0)
})
