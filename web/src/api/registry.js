// Views composed from the generic entity routes (GET /api/v1/<table>?field=…
// and /api/v1/<table>/{id}): unit tree, leadership team, integrity file,
// relationship graph. Each read is scope-checked by the server.
import { API, get, listAll, getOrNull } from './client.js'
import { i18n } from '../i18n/index.js'
import { yuan } from '../components/labels.js'
import { personFileRequest, personGraphRequest } from './early.js'

const enc = encodeURIComponent
const today = () => new Date().toISOString().slice(0, 10)
// The one rule for a current tenure (docs/SECURITY.md "Recusal",
// src/util/date.h PL_TENURE_OPEN_AT): begun on or before today, and no end
// date or one after today; a tenure whose end_date is today has ended.
export const isCurrent = (t) => {
  const d = today()
  return (!t.start_date || t.start_date <= d) && (!t.end_date || t.end_date > d)
}

const personCache = new Map()
export async function personName(id) {
  if (!id) return ''
  if (!personCache.has(id)) personCache.set(id, getOrNull('persons/' + enc(id)).then((p) => (p && p.name) || id))
  return personCache.get(id)
}

/** All visible units as a forest: [{id, name, children: [...]}]. */
export async function unitForest() {
  const units = await listAll('units')
  const byId = new Map(units.map((u) => [u.id, { ...u, children: [] }]))
  const roots = []
  for (const u of byId.values()) {
    const p = u.parent_id && byId.get(u.parent_id)
    if (p) p.children.push(u)
    else roots.push(u)
  }
  const sort = (l) => { l.sort((a, b) => a.id.localeCompare(b.id)); l.forEach((x) => sort(x.children)) }
  sort(roots)
  return { roots, byId }
}

/** The leadership team of a unit: tenures of its posts, top leader marked. */
export async function unitTeam(unitId) {
  const posts = await listAll('posts', { unit_id: unitId })
  const rows = []
  await Promise.all(posts.map(async (p) => {
    const ts = await listAll('tenures', { post_id: p.id })
    for (const t of ts) rows.push({ ...t, title: p.title, rank: p.rank, is_top: !!p.is_top })
  }))
  await Promise.all(rows.map(async (r) => { r.name = await personName(r.person_id) }))
  rows.sort((a, b) => (isCurrent(b) - isCurrent(a)) || (b.is_top - a.is_top) || (a.start_date < b.start_date ? 1 : -1))
  return rows
}

/** The integrity file (廉政档案) of a person: one request; the server reads
 * every part under the caller's rights and leaves out (withheld) what the
 * role may not read. Each section as {rows}, a withheld one with a 403. */
export async function integrityFile(pid) {
  const f = await get(...personFileRequest(pid))
  const out = { person: f.person, checkpoint: f.checkpoint, timeline: f.timeline || [], risk: f.risk || null }
  for (const k of ['tenures', 'kin', 'companies', 'declarations', 'exits', 'evaluations', 'supervision', 'findings',
    'clues', 'accountability', 'name_clearing', 'warnings', 'tasks']) {
    out[k] = (f.withheld || []).includes(k) ? { rows: [], error: { status: 403 } } : { rows: f[k] || [] }
  }
  return out
}

/** Where the PDF of the integrity file is (A4, checkpoint in the footer). */
export function integrityFilePdf(pid) {
  const lang = i18n.global.locale.value === 'en' ? 'en' : 'zh-CN'
  return API + '/persons/' + enc(pid) + '/file.pdf?lang=' + lang
}

/** Relationship graph: the person, kin, companies where any of them hold a
 * role, and the units that paid those companies with the exact count and
 * sum — one request, GET /api/v1/persons/{id}/graph (docs/API.md
 * "Relationship graph"; it replaced client-side joins that stopped at
 * 1,000 payments). Names the caller may not read stay ids. */
export async function relationGraph(pid) {
  const g = await get(...personGraphRequest(pid))
  const links = (g.links || []).map((l) => (l.relation === 'payment'
    ? { ...l, label: `${yuan(l.amount_fen)}（${l.count}）` }
    : l))
  return { nodes: (g.nodes || []).map((n) => ({ ...n, name: n.name || n.id })), links, withheld: g.withheld || [] }
}
