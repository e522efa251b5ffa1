// Drafts kept across a session expiry (issue #16, accessibility): what is
// being typed in a staff form is saved in sessionStorage (this tab only,
// gone when it closes), under the user's name and the page, and restored when
// the page opens again after signing in. Cleared when the form is sent and
// on sign-out. Never used on the reporter portal (nothing of a reporter is
// kept in the browser).
import { watch } from 'vue'
import { useRoute } from 'vue-router'
import { useSession } from '../stores/session.js'

const PREFIX = 'plumb.draft:'

/** Remove every draft of this tab (sign-out). */
export function clearDrafts() {
  for (let i = sessionStorage.length - 1; i >= 0; i--) {
    const k = sessionStorage.key(i)
    if (k && k.startsWith(PREFIX)) sessionStorage.removeItem(k)
  }
}

/**
 * Keep `obj` (a reactive form) as the draft `name` of this page: restores
 * the saved values of `keys` now and saves them on every change. Returns
 * clear() to call once the form is sent.
 */
export function useDraft(name, obj, keys = Object.keys(obj)) {
  const s = useSession()
  const route = useRoute()
  const user = s.user && (s.user.username || s.user.name)
  const key = user ? `${PREFIX}${user}:${route.path}:${name}` : ''
  if (key) {
    try {
      const saved = JSON.parse(sessionStorage.getItem(key) || 'null')
      if (saved && typeof saved === 'object') for (const k of keys) if (typeof saved[k] === 'string') obj[k] = saved[k]
    } catch {
      sessionStorage.removeItem(key)
    }
  }
  watch(() => keys.map((k) => obj[k]), (vals) => {
    if (!key || !s.user) return // expired: keep what was saved before
    if (vals.some((v) => typeof v === 'string' && v.trim())) {
      sessionStorage.setItem(key, JSON.stringify(Object.fromEntries(keys.map((k, i) => [k, vals[i]]))))
    } else sessionStorage.removeItem(key)
  })
  return { clear: () => key && sessionStorage.removeItem(key) }
}
