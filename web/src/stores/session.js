// The signed-in staff user: who, which role, which permissions (from
// GET /api/v1/me), and the CSRF token of the session. The session cookie
// itself is HttpOnly and never read here. The menu shows a page when the
// role holds the permission it needs; the server still decides every read.
import { defineStore } from 'pinia'
import { get, post, request, setCsrf } from '../api/client.js'
import { clearDrafts } from '../components/useDraft.js'
import { rememberEarly, forgetEarly } from '../api/early.js'

export const PAGE_PERMS = {
  dashboard: ['risk:read', 'case:list', 'user:read'],
  me: ['self:read'],
  units: ['unit:read'],
  findings: ['finding:read'],
  clues: ['case:list'],
  import: ['import:write'],
  profiles: ['profile:read'],
  ledger: ['ledger:read'],
  users: ['user:read'],
  // Inspection and rectification, the warnings' tasks (issue #17 item 5).
  inspection: ['inspection:read'],
  rectification: ['rectification:read'],
  tasks: ['task:read'],
  mytasks: ['task:write', 'rectification:progress', 'rectification:write'],
  // Declaration check rounds (issue #18 item 7).
  declare: ['declaration_check:read'],
  // 登记线索, the clerk's intake form (issue #16 item 5).
  intake: ['case:intake'],
  // Integrity opinions (issue #18 item 4, docs/DECLARE.md).
  opinions: ['opinion:read'],
  // Person linkage review queue (issue #19 item 3, docs/LINKAGE.md).
  links: ['person:read'],
}

// Pages opened from a link (not in the menu) and the permission they read:
// a role without it goes to its landing page rather than to a page of
// "无权查看" panels (issue #16).
export const DETAIL_PERMS = {
  person: ['person:read'],
  unit: ['unit:read'],
  company: ['company:read'],
  search: ['person:read', 'unit:read', 'company:read', 'case:list'],
  finding: ['finding:read'],
  task: ['task:read'],
  'inspection-round': ['inspection:read'],
  'rectification-task': ['rectification:read'],
}

// The landing page of roles whose work is one page (issue #16).
const LANDING = { admin: 'users', auditor: 'ledger', data_provider: 'import', subject: 'me' }

export const useSession = defineStore('session', {
  state: () => ({ user: null, checked: false, expired: false }),
  getters: {
    role: (s) => (s.user && s.user.role) || '',
    perms: (s) => new Set((s.user && s.user.permissions) || []),
    can() {
      return (page) => !!this.user && (PAGE_PERMS[page] || DETAIL_PERMS[page] || []).some((p) => this.perms.has(p))
    },
    // The landing page of the role: the dashboard for those who read its
    // panels, else the first page the role may use (an administrator the
    // accounts, an auditor the ledger, a data provider the import, a
    // subject their own record), never a page of "no permission" panels.
    home() {
      const mine = LANDING[this.role]
      if (mine && this.can(mine)) return mine
      for (const p of Object.keys(PAGE_PERMS)) if (this.can(p)) return p
      return 'me'
    },
  },
  actions: {
    async load() {
      try {
        const me = await get('auth/me', null, { silent401: true })
        this.user = me.user || me
        setCsrf(me.csrf_token || me.csrf || '')
        rememberEarly(this.perms, this.home)
      } catch {
        this.user = null
        forgetEarly()
      }
      this.checked = true
      return this.user
    },
    async login(username, password, totp) {
      const r = await post('auth/login', { username, password, totp }, { silent401: true })
      setCsrf(r.csrf_token || r.csrf || '')
      this.user = r.user || r
      this.expired = false
      await this.load()
      return this.user
    },
    async logout() {
      try {
        // No body: the server's logout route takes none (a body is a 400
        // and the session would stay valid, issue #16).
        await request('POST', 'auth/logout', { silent401: true })
      } catch {
        /* the session may already be gone */
      }
      setCsrf('')
      this.user = null
      forgetEarly()
      clearDrafts() // a deliberate sign-out keeps no draft in the tab
    },
    expire() {
      if (this.user) this.expired = true
      this.user = null
      this.checked = true
      setCsrf('')
      forgetEarly()
    },
  },
})
