// Declaration check rounds (申报抽查, issue #18 item 7): the calls of
// docs/API.md "Declaration check rounds", the persons of a sample by name
// (unit and post from the global search), and the draw re-derived in this
// browser from its proof (docs/DECLARE.md "The draw and its proof",
// src/declare/round.c pl_declare_sample_derive), with WebCrypto only.
import { get, post } from './client.js'
import { search } from './search.js'
import { deriveSample } from './draw.js'

export { deriveSample }

const enc = (s) => encodeURIComponent(s)
export const listRounds = () => get('declaration_rounds')
export const getRound = (id) => get('declaration_rounds/' + enc(id))
export const openRound = (body) => post('declaration_rounds', body)
export const drawRound = (id) => post('declaration_rounds/' + enc(id) + '/draw', {})
export const getProof = (id) => get('declaration_rounds/' + enc(id) + '/proof')
export const getSample = (id) => get('declaration_rounds/' + enc(id) + '/sample')
export const getComparison = (id) => get('declarations/' + enc(id) + '/comparison')
export const conclude = (id, body) => post('declarations/' + enc(id) + '/conclusion', body)

// The comparison classes in the order of docs/DECLARE.md's table, with
// the Element Plus tag type that colours them (瞒报 red, 漏报 amber, …).
export const CLASSES = ['match', 'tolerance', 'omission', 'concealment', 'unexplained', 'not_compared']
export const CLASS_TAG = { match: 'success', tolerance: 'info', omission: 'warning', concealment: 'danger', unexplained: 'primary', not_compared: 'info' }
// docs/DECLARE.md "Score": the weight parameter of each class (一致 and 未比对 weigh 0).
export const WEIGHT_PARAM = { tolerance: 'decl_w_tolerance', omission: 'decl_w_omission', concealment: 'decl_w_concealment', unexplained: 'decl_w_unexplained' }
export const WEIGHT_DEFAULT = { decl_w_tolerance: 1, decl_w_omission: 5, decl_w_concealment: 20, decl_w_unexplained: 2, decl_sample_pct: 10, decl_correction_days: 30 }

/** A round parameter as recorded with the round (its documented default otherwise). */
export function param(round, name) {
  const v = round && round.params ? round.params[name] : undefined
  return Number.isInteger(v) ? v : WEIGHT_DEFAULT[name]
}

/** The last day of the 补报 window: the draw date + decl_correction_days (YYYY-MM-DD). */
export function windowEnd(drawnAt, days) {
  if (!/^\d{4}-\d{2}-\d{2}/.test(drawnAt || '')) return ''
  const d = new Date(drawnAt.slice(0, 10) + 'T00:00:00Z')
  d.setUTCDate(d.getUTCDate() + Number(days || 0))
  return d.toISOString().slice(0, 10)
}

const people = new Map()
/**
 * A person by id: {name, unit_id, unit_name, post} from GET /api/v1/search
 * (the exact hit of the ID number; unit and post of the current tenure,
 * docs/API.md "Search"), cached for the session; {} when not visible.
 */
export function personInfo(id) {
  if (!id) return Promise.resolve({})
  if (!people.has(id)) {
    people.set(id, search(id, { kind: 'person', limit: 1 }).then((r) => {
      const h = ((r && r.items) || []).find((x) => x.kind === 'person' && x.id === id)
      if (!h) return {}
      const unit = h.unit_name || ''
      const ctx = h.context || ''
      const post = unit && ctx.endsWith(' · ' + unit) ? ctx.slice(0, -(unit.length + 3)) : ''
      return { name: h.name, unit_id: h.unit_id || '', unit_name: unit, post, current: h.current !== false }
    }).catch(() => ({})))
  }
  return people.get(id)
}

/** personInfo for every row (row.person_id) into row.person, a few at a time. */
export async function fillPersons(rows, key = 'person_id', into = 'person') {
  const queue = [...rows]
  const worker = async () => {
    for (let r = queue.shift(); r; r = queue.shift()) r[into] = await personInfo(r[key])
  }
  await Promise.all([worker(), worker(), worker(), worker()])
  return rows
}

/**
 * "Verify in this browser": the sample derived here from the proof's seed,
 * the round's eligible list and rate, against what the server recorded.
 * Steps (each {step, ok}): seed (the proof's seed is the round's recorded
 * seed), derive (the list can be ranked), sample (the derived ids, in
 * order, are the proof's sample), rows (each row of the ranked list has
 * the derived basis and draw_rank). {ok, steps, derived, why}
 */
export async function verifyDraw(round, proof, rows) {
  const steps = []
  const seedOk = !!proof && typeof proof.seed === 'string' && proof.seed.toLowerCase() === String(round.seed || '').toLowerCase()
  steps.push({ step: 'seed', ok: seedOk })
  const d = await deriveSample(proof && proof.seed, round.eligible, param(round, 'decl_sample_pct'))
  steps.push({ step: 'derive', ok: d.ok })
  if (!d.ok) return { ok: false, steps, derived: null, why: d.why }
  const ids = d.sample.map((x) => x.declaration_id)
  const server = (proof && Array.isArray(proof.sample) ? proof.sample : [])
  const sameSample = ids.length === server.length && ids.every((x, i) => x === server[i])
  steps.push({ step: 'sample', ok: sameSample })
  const byId = new Map(d.sample.map((x) => [x.declaration_id, x]))
  const rowsOk = (rows || []).every((r) => {
    const x = byId.get(r.declaration_id)
    return x && x.basis === r.basis && x.draw_rank === r.draw_rank
  })
  steps.push({ step: 'rows', ok: rowsOk })
  const ok = steps.every((s) => s.ok)
  return { ok, steps, derived: d, why: ok ? '' : steps.find((s) => !s.ok).step }
}
