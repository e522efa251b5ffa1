// The first data request of a page opened by its address (a reload, a
// bookmark, a link from elsewhere), asked for as soon as the session is
// known, while the page's code is still loading, instead of after it has
// loaded and rendered (docs/WEB.md "Bundle": the request used to wait for
// the session, then the page's chunks, then the first render). Each page
// builds its own request from the same function here, so the page's get()
// finds the answer already on its way (client.js `prefetch`) and takes it
// once; a request the page does not make is dropped unused.
import { i18n } from '../i18n/index.js'

const enc = encodeURIComponent
const fileLang = () => (i18n.global.locale.value === 'en' ? 'en' : 'zh-CN')

/** 工作台: every panel in one request (docs/API.md "Dashboard"). */
export const dashboardRequest = () => ['dashboard', { top: 50 }]
/** 线索工作台's queue under its filter (status, overdue). */
export const clueQueueRequest = (filter) => ['cases', { status: filter.status, overdue: filter.overdue ? 1 : '', limit: 500 }]
/** A person's integrity file and relationship graph. */
export const personFileRequest = (pid) => ['persons/' + enc(pid) + '/file', { lang: fileLang() }]
export const personGraphRequest = (pid) => ['persons/' + enc(pid) + '/graph', undefined]

// What each page asks for first, by route name; `can` is the session's
// permission test (no request the role may not make), `query` the route's.
export const EARLY = {
  dashboard: (to, s) => (s.perms.has('risk:read') || s.perms.has('case:list') ? [dashboardRequest()] : []),
  clues: (to) => {
    const st = to.query.status
    return [clueQueueRequest({ status: typeof st === 'string' ? st : '', overdue: to.query.overdue === '1' })]
  },
  person: (to) => [personFileRequest(to.params.id), personGraphRequest(to.params.id)],
}

// What public/boot.js needs to ask for a page's data before this code has
// loaded, on the next visit from this device: the permission names of the
// session and its landing page (localStorage `plumb.early`; nothing
// secret: the session cookie stays HttpOnly and the server checks every
// read). Written when the session is known, removed at sign-out and when
// the session has expired or is refused.
export function rememberEarly(perms, home) {
  try {
    localStorage.setItem('plumb.early', JSON.stringify({ perms: [...perms], home }))
  } catch {
    /* storage full or disabled: no early requests */
  }
}
export function forgetEarly() {
  try {
    localStorage.removeItem('plumb.early')
  } catch {
    /* nothing kept */
  }
}
