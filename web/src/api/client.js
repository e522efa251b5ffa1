// The one HTTP client of the web interface: JSON over /api/v1, the session
// cookie (HttpOnly, set by the server), the CSRF token on every state change,
// 401 → back to the login page, and server errors turned into ApiError with
// the field they name (shown next to that field by the forms).
import { i18n } from '../i18n/index.js'

export const API = '/api/v1'

/** A field the server names, in words of the interface's language. */
export function fieldLabel(field) {
  if (!field) return ''
  const key = `fieldName.${field}`
  return i18n.global.te(key) ? i18n.global.t(key) : field
}

/** The local time (in the interface's language) `seconds` from now. */
export function retryTime(seconds, now = Date.now()) {
  const at = new Date(now + Math.max(0, Number(seconds) || 0) * 1000)
  const sameDay = at.toDateString() === new Date(now).toDateString()
  const opts = sameDay ? { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }
    : { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }
  return at.toLocaleString(i18n.global.locale.value, opts)
}

/** The message of a server error in the interface's language: the
 * translation of its code where its English text is fixed (apiErrors; the
 * field it names shown in words, a Retry-After as the local time to try
 * again: apiRetry for lockouts and rate limits), else the server's own
 * text, which names what was wrong. */
function localMessage(code, serverText, field, retryAfter) {
  const args = { field: fieldLabel(field), time: retryAfter === null ? '' : retryTime(retryAfter) }
  if (code && retryAfter !== null && i18n.global.te(`apiRetry.${code}`)) return i18n.global.t(`apiRetry.${code}`, args)
  const key = `apiErrors.${code}`
  return code && i18n.global.te(key) ? i18n.global.t(key, args) : serverText
}

let csrfToken = sessionStorage.getItem('plumb.csrf') || ''
let onUnauthorized = null

export function setCsrf(token) {
  csrfToken = token || ''
  if (csrfToken) sessionStorage.setItem('plumb.csrf', csrfToken)
  else sessionStorage.removeItem('plumb.csrf')
}

export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn
}

function csrfFromCookie() {
  for (const part of document.cookie.split(';')) {
    const [k, v] = part.trim().split('=')
    if (k && /csrf/i.test(k)) return decodeURIComponent(v || '')
  }
  return ''
}

export class ApiError extends Error {
  constructor(status, body, retryAfter = null) {
    const err = (body && (body.error || body)) || {}
    const code = (typeof err === 'object' && err.code) || ''
    const serverText = (typeof err === 'string' ? err : err.message) || `HTTP ${status}`
    const message = localMessage(code, serverText, typeof err === 'object' ? err.field : '', retryAfter)
    super(message)
    this.status = status
    this.code = code
    // Seconds to wait (Retry-After of a 423, 429 or 503), null without one.
    this.retryAfter = retryAfter
    this.serverText = serverText
    // The error object of the body as sent (e.g. the portal's retry_at, reason).
    this.detail = typeof err === 'object' ? err : {}
    // Field errors: {field, message} or {fields: {name: msg}} or [{field, message}].
    this.fields = {}
    if (typeof err === 'object') {
      if (err.field) this.fields[err.field] = message
      if (err.fields && typeof err.fields === 'object') {
        if (Array.isArray(err.fields)) for (const f of err.fields) this.fields[f.field] = f.message
        else Object.assign(this.fields, err.fields)
      }
      if (Array.isArray(err.errors)) for (const f of err.errors) if (f.field) this.fields[f.field] = f.message
    }
  }
  /** The endpoint does not exist (yet) on this server. */
  get unavailable() {
    // The server answers an unknown route 404 (code "no_route" preferred;
    // "not_found" is also what a missing record gets, shown the same way).
    return (this.status === 404 && ['no_route', 'not_found', ''].includes(this.code) && !this.fields.id) ||
      this.status === 501 || this.status === 405
  }
}

function urlOf(path, query) {
  let url = path.startsWith('/') ? path : `${API}/${path}`
  if (query) {
    const q = new URLSearchParams()
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') q.append(k, v)
    const s = q.toString()
    if (s) url += (url.includes('?') ? '&' : '?') + s
  }
  return url
}

// GETs started before the page that reads them has loaded (api/early.js):
// URL → the promise of the answer, taken once by the first plain get() of
// the same URL; dropPrefetched() forgets those no page took.
const early = new Map()

/** Start a GET now for a page that will ask for it (api/early.js). */
export function prefetch(path, query) {
  const url = urlOf(path, query)
  if (early.has(url)) return
  const p = request('GET', path, { query })
  p.catch(() => {}) // a failure is the page's to show, when it takes it
  early.set(url, p)
}

export function dropPrefetched() {
  early.clear()
  for (const url of Object.keys(boot)) delete boot[url]
}

// The requests public/boot.js started before this code had loaded (the
// session check and the first page's data): URL → the promise of its
// Response, taken once by the first request() of the same URL, as if that
// request had sent it; dropPrefetched() forgets the rest.
const boot = (typeof window !== 'undefined' && window.__plumbBoot) || {}

export async function request(method, path, { body, query, raw, headers = {}, silent401 = false } = {}) {
  const url = urlOf(path, query)
  if (method === 'GET' && !raw && !silent401 && early.has(url)) {
    const p = early.get(url)
    early.delete(url)
    return p
  }
  if (method === 'GET' && !body && boot[url]) {
    const res = boot[url]
    delete boot[url]
    return answer(await res, raw, silent401)
  }
  const h = { Accept: 'application/json', ...headers }
  let payload
  if (body !== undefined) {
    if (body instanceof Blob || body instanceof ArrayBuffer || body instanceof FormData) payload = body
    else {
      h['Content-Type'] = 'application/json'
      payload = JSON.stringify(body)
    }
  }
  if (method !== 'GET' && method !== 'HEAD') {
    const t = csrfToken || csrfFromCookie()
    if (t) h['X-CSRF-Token'] = t
  }
  const res = await fetch(url, { method, headers: h, body: payload, credentials: 'same-origin', cache: 'no-store' })
  return answer(res, raw, silent401)
}

// A response as request() returns it: the body parsed, an ApiError for a
// status other than 2xx (the unauthorized handler told of a 401 unless
// `silent401`), or the Response itself for `raw`.
async function answer(res, raw, silent401) {
  const ra = res.headers.get('Retry-After')
  const retryAfter = ra !== null && /^\d+$/.test(ra.trim()) ? Number(ra.trim()) : null
  if (raw) {
    if (!res.ok) throw new ApiError(res.status, await res.json().catch(() => null), retryAfter)
    return res
  }
  const text = await res.text()
  let data = null
  if (text) {
    try {
      data = JSON.parse(text)
    } catch {
      data = { error: { message: text.slice(0, 200) } }
    }
  }
  if (res.status === 401 && !silent401 && onUnauthorized) onUnauthorized()
  if (!res.ok) throw new ApiError(res.status, data, retryAfter)
  return data
}

export const get = (p, query, opts) => request('GET', p, { query, ...opts })
export const post = (p, body, opts) => request('POST', p, { body, ...opts })
export const put = (p, body, opts) => request('PUT', p, { body, ...opts })
export const patch = (p, body, opts) => request('PATCH', p, { body, ...opts })
export const del = (p, opts) => request('DELETE', p, opts)

/** Items of a list reply, whatever envelope the server uses. */
export function items(data, ...keys) {
  if (Array.isArray(data)) return data
  if (!data) return []
  for (const k of [...keys, 'items', 'data', 'results']) if (Array.isArray(data[k])) return data[k]
  return []
}

/**
 * Every row of a list endpoint (GET /api/v1/<table>?filters), following
 * next_offset in pages of 500, at most `maxPages` pages.
 */
export async function listAll(path, query = {}, maxPages = 20) {
  const out = []
  let offset = 0
  for (let i = 0; i < maxPages; i++) {
    const d = await get(path, { ...query, limit: 500, offset })
    out.push(...items(d))
    if (!d || d.next_offset === null || d.next_offset === undefined) break
    offset = d.next_offset
  }
  return out
}

/** One record, or null when it is absent or not visible (404/403). */
export async function getOrNull(path) {
  try {
    return await get(path)
  } catch (e) {
    if (e.status === 404 || e.status === 403) return null
    throw e
  }
}
