// Helpers of the inspection, rectification and task pages (issue #17 item 5):
// due-date badges, evidence from chosen files, and the download of the
// rectification ledger (整改台账) workbook.
import { request, listAll, get, items } from './client.js'
import { nameOf } from './names.js'
import { i18n } from '../i18n/index.js'

/** Today as the server counts it (UTC date, YYYY-MM-DD). */
export function todayUTC(now = new Date()) {
  return now.toISOString().slice(0, 10)
}

/**
 * A due date's badge: 'overdue' (before today, and the task not done),
 * 'soon' (within 7 days from today), or ''. `done`: closed or signed off.
 */
export function dueBadge(due, done = false, today = todayUTC()) {
  if (!due || done) return ''
  if (due < today) return 'overdue'
  const t = Date.parse(today + 'T00:00:00Z')
  const d = Date.parse(String(due).slice(0, 10) + 'T00:00:00Z')
  return (d - t) / 86400000 <= 7 ? 'soon' : ''
}

/** Evidence attachments {name, sha256} of files chosen in the browser: the
 * server records the name and the SHA-256, never the content. */
export async function fileEvidence(files) {
  const out = []
  for (const f of files || []) {
    const buf = await f.arrayBuffer()
    const h = await crypto.subtle.digest('SHA-256', buf)
    out.push({ name: f.name, sha256: [...new Uint8Array(h)].map((b) => b.toString(16).padStart(2, '0')).join('') })
  }
  return out
}

/** The category of a problem in words (the server's label, else ours). */
export function categoryText(p) {
  if (!p) return ''
  const zh = String(i18n.global.locale.value).startsWith('zh')
  if (p.category_label && typeof p.category_label === 'object') return zh ? p.category_label.zh : p.category_label.en
  const k = 'inspCat.' + p.category
  return i18n.global.te(k) ? i18n.global.t(k) : p.category || ''
}

/** Download the workbook at `path` (an API path) as `name`. */
export async function downloadXlsx(path, query, name) {
  const res = await request('GET', path, { query, raw: true })
  const blob = await res.blob()
  const a = document.createElement('a')
  a.href = URL.createObjectURL(blob)
  a.download = name
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(a.href), 1000)
}

/** A server refusal "field: 中文 / English" as words of the page's language
 * (the field is already shown by the form item it sits under). */
export function refusalText(msg) {
  const s = String(msg || '').replace(/^[a-z_.\[\]0-9]+: /, '')
  const i = s.lastIndexOf(' / ')
  if (i < 0) return s
  const zh = String(i18n.global.locale.value).startsWith('zh')
  return /[\u3400-\u9fff]/.test(s.slice(0, i)) ? (zh ? s.slice(0, i) : s.slice(i + 3)) : s
}

/** applyErrors, then every message in words (refusalText). */
export function placeErrors(err, fields, setForm, applyErrors) {
  applyErrors(err, fields, (m) => setForm(refusalText(m)))
  for (const k of Object.keys(fields)) if (fields[k]) fields[k] = refusalText(fields[k])
}

/**
 * The warnings' tasks of GET /api/v1/tasks (filters: status, assignee),
 * in due-date order, each with its person's name and its warning's colour
 * (GET /api/v1/warnings), for the task tables.
 */
export async function loadWarnTasks(query = {}) {
  const tasks = await listAll('tasks', query)
  // The warnings of these tasks: each by id when they are few (我的任务,
  // the menu's count), else the whole list once.
  const ids = [...new Set(tasks.map((x) => x.warning_id))]
  const warnings = ids.length <= 20
    ? (await Promise.all(ids.map((id) => get('warnings', { id, limit: 1 }).then((d) => items(d)).catch(() => [])))).flat()
    : await listAll('warnings').catch(() => [])
  const byId = new Map(warnings.map((w) => [w.id, w]))
  const rows = tasks.sort((a, b) => (a.due_date < b.due_date ? -1 : a.due_date > b.due_date ? 1 : 0))
  await Promise.all(rows.map(async (r) => {
    r.person_name = await nameOf('person', r.person_id)
    const w = byId.get(r.warning_id)
    r.colour = (w && (w.colour || w.grade)) || ''
  }))
  return rows
}
