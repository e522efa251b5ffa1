// The global search and the profile pages' aggregates (docs/API.md
// "Search", "Profiles"): one request each; the server decides every read.
import { get } from './client.js'

/** GET /api/v1/search → {q, items: [{kind, id, name, context, rank}]} */
export const search = (q, { kind, limit } = {}) => get('search', { q, kind, limit })
/** GET /api/v1/units/{id}/profile with ?limit= and ?<list>_offset= */
export const unitProfile = (id, query = {}) => get('units/' + encodeURIComponent(id) + '/profile', query)
/** GET /api/v1/companies/{id}/profile */
export const companyProfile = (id, query = {}) => get('companies/' + encodeURIComponent(id) + '/profile', query)

/** The page of a hit. */
export function hitRoute(h) {
  const id = encodeURIComponent(h.id)
  if (h.kind === 'person') return '/persons/' + id
  if (h.kind === 'unit') return '/units/' + id + '/profile'
  if (h.kind === 'company') return '/companies/' + id
  return '/clues/' + id
}

/** A hit's one-line context in the page's words: a person without a post
 * by the official they are kin of (配偶 · 吴俊峰), a former post marked. */
export function contextText(h, t) {
  if (h.kin_of) return `${t('rel.' + h.kin_of.relation, h.kin_of.relation)} · ${h.kin_of.name}`
  if (h.kind === 'person' && h.current === false && h.context) return `${t('search.former')} ${h.context}`
  return h.context || ''
}
