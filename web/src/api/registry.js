// Views composed from the generic entity routes (GET /api/v1/<table>?field=…
// and /api/v1/<table>/{id}): unit tree, leadership team, integrity file,
// relationship graph. Each read is scope-checked by the server.
import { API, get, listAll, getOrNull } from './client.js'
import { i18n } from '../i18n/index.js'

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
  const lang = i18n.global.locale.value === 'en' ? 'en' : 'zh-CN'
  const f = await get('persons/' + enc(pid) + '/file?lang=' + lang)
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

/** Relationship graph: the person, kin, companies where any of them hold a role, payments to those companies. */
export async function relationGraph(pid) {
  const nodes = new Map()
  const links = []
  const add = (id, name, kind) => { if (!nodes.has(id)) nodes.set(id, { id, name, kind }) }
  add(pid, await personName(pid), 'person')
  const kin = [...(await listAll('kin', { person_id: pid }, 2)), ...(await listAll('kin', { relative_id: pid }, 2))]
  for (const k of kin) {
    const other = k.person_id === pid ? k.relative_id : k.person_id
    add(other, await personName(other), 'kin')
    links.push({ source: pid, target: other, relation: k.relation })
  }
  const people = [...nodes.keys()]
  const companies = new Set()
  await Promise.all(people.map(async (p) => {
    for (const r of await listAll('company_roles', { person_id: p }, 2)) {
      companies.add(r.company_id)
      links.push({ source: p, target: r.company_id, relation: r.role })
    }
  }))
  await Promise.all([...companies].map(async (c) => {
    const co = await getOrNull('companies/' + enc(c))
    add(c, co ? co.name : c, 'company')
    const pays = await listAll('payments', { payee_company_id: c }, 2).catch(() => [])
    const byUnit = new Map()
    for (const p of pays) byUnit.set(p.unit_id, (byUnit.get(p.unit_id) || 0) + Number(p.amount_fen || 0))
    for (const [u, fen] of byUnit) {
      const un = await getOrNull('units/' + enc(u))
      add(u, un ? un.name : u, 'unit')
      links.push({ source: u, target: c, relation: 'payment', label: `¥${(fen / 100).toLocaleString()}` })
    }
  }))
  return { nodes: [...nodes.values()], links }
}
