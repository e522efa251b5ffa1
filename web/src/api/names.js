// Names for ids (issue #16 "names, not IDs"): a person, unit or company is
// shown by its name with its id secondary. Each name comes from the
// scope-checked GET /api/v1/{persons,units,companies}/{id} (one request per
// distinct id, cached for the session; a record the user may not see keeps
// its id), and a typed name is resolved with the same lists' equality
// filter (?name=…), so the server still decides every read.
import { getOrNull, get, items } from './client.js'

const TABLE = { person: 'persons', unit: 'units', company: 'companies' }
const cache = new Map()

/** The name of record `id` of `kind` (person, unit, company); '' if unseen. */
export function nameOf(kind, id) {
  const table = TABLE[kind]
  if (!table || !id) return Promise.resolve('')
  const k = table + '/' + id
  if (!cache.has(k)) cache.set(k, getOrNull(table + '/' + encodeURIComponent(id)).then((r) => (r && r.name) || '').catch(() => ''))
  return cache.get(k)
}

/** The route of a record's page, or '' when it has none. */
export function routeOf(kind, id) {
  if (kind === 'person') return '/persons/' + encodeURIComponent(id)
  if (kind === 'unit') return '/units/' + encodeURIComponent(id)
  if (kind === 'company') return '/companies/' + encodeURIComponent(id)
  return ''
}

/** Fill row[nameKey] for every row, from row[idKey] of row[kindKey] (or a fixed kind). */
export async function fillNames(rows, { id, kind, into }) {
  await Promise.all(rows.map(async (r) => {
    const k = typeof kind === 'function' ? kind(r) : kind
    if (r[id] && !r[into]) r[into] = await nameOf(k, r[id])
  }))
  return rows
}

const ID_LIKE = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/

/**
 * The subjects a filter text means: an id as typed (if it has an id's
 * shape), else every person, unit and company of that exact name in the
 * user's scope. [{kind, id, name}]
 */
export async function subjectsNamed(text) {
  const q = (text || '').trim()
  if (!q) return []
  if (ID_LIKE.test(q) && /\d/.test(q)) return [{ kind: '', id: q, name: '' }]
  const found = await Promise.all(Object.entries(TABLE).map(async ([kind, table]) => {
    try {
      return items(await get(table, { name: q, limit: 20 })).map((r) => ({ kind, id: r.id, name: r.name }))
    } catch {
      return []
    }
  }))
  return found.flat()
}
