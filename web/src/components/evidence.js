// A finding's evidence in words (issue #16 item 4): each record of
// GET /api/v1/findings/{id}?expand=evidence (docs/API.md "Finding
// evidence") as a one-line summary and the fields of its kind, names as
// links and ids beside them; the rule's parameters and the sums the rule
// compared. Money is shown from the server's 元 labels (amount_yuan), never
// from fen.
import { i18n } from '../i18n/index.js'
import { localDate } from './labels.js'

const g = i18n.global
const t = (k, a) => g.t(k, a || {})
const tc = (k, d) => (g.te(k) ? g.t(k) : d)
const enc = encodeURIComponent

const person = (id) => (id ? '/persons/' + enc(id) : null)
const unit = (id) => (id ? '/units/' + enc(id) + '/profile' : null)
const company = (id) => (id ? '/companies/' + enc(id) : null)
const clue = (id) => (id ? '/clues/' + enc(id) : null)
const yuan = (v) => (v === undefined || v === null || v === '' ? '' : t('ev.yuan', { v }))
const share = (bp) => (bp === undefined || bp === null ? '' : (Number(bp) / 100).toLocaleString(g.locale.value, { maximumFractionDigits: 2 }) + '%')
const code = (table, v) => (v === undefined || v === null || v === '' ? '' : tc(table + '.' + v, v))
const label = (r, k, table) => r[k + '_label'] || code(table, r[k])

/** A field: {label, text[, to: route][, ref: evidence ref to open][, id]}. */
function F(key, text, more = {}) {
  return { label: t('ev.f.' + key), text: text === undefined || text === null ? '' : String(text), ...more }
}
const named = (key, name, id, to) => F(key, name || id, { to: to(id), id: name ? id : '' })

/** {summary, fields} of a visible evidence record. */
export function recordView(rec) {
  const r = rec.record || {}
  const from = r.start_date || t('ev.unknown')
  const to = r.end_date || t('ev.now')
  switch (rec.kind) {
    case 'payment': {
      const payee = r.payee_company_name || r.payee_person_name || r.payee_company_id || r.payee_person_id
      return {
        summary: t('ev.sum.payment', { date: localDate(r.paid_at), payer: r.unit_name || r.unit_id, payee, amount: r.amount_yuan }),
        fields: [
          F('date', localDate(r.paid_at)),
          named('payer', r.unit_name, r.unit_id, unit),
          r.payee_company_id ? named('payee', r.payee_company_name, r.payee_company_id, company)
            : named('payee', r.payee_person_name, r.payee_person_id, person),
          F('amount', yuan(r.amount_yuan)),
          F('purpose', r.purpose),
          r.decision_id ? F('decision', r.decision_subject || r.decision_id, { ref: 'decisions:' + r.decision_id, id: r.decision_id }) : null,
          r.contract_id ? F('contract', r.contract_subject || r.contract_id, { ref: 'contracts:' + r.contract_id, id: r.contract_id }) : null,
        ],
      }
    }
    case 'tenure':
      return {
        summary: t('ev.sum.tenure', { person: r.person_name || r.person_id, unit: r.unit_name || '', post: r.post_title || '', from, to }),
        fields: [named('person', r.person_name, r.person_id, person), F('post', r.post_title),
          named('unit', r.unit_name, r.unit_id, unit), F('top', r.is_top ? t('ev.yes') : t('ev.no')), F('period', `${from} – ${to}`)],
      }
    case 'company_role':
      return {
        summary: t('ev.sum.company_role', { person: r.person_name || r.person_id, company: r.company_name || r.company_id,
          role: code('companyRole', r.role) }),
        fields: [named('person', r.person_name, r.person_id, person), named('company', r.company_name, r.company_id, company),
          F('role', code('companyRole', r.role)), r.share_bp ? F('share', share(r.share_bp)) : null, F('period', `${from} – ${to}`)],
      }
    case 'person_record': // a register's row without a reliable ID (docs/LINKAGE.md)
      return {
        summary: t('ev.sum.person_record', { person: r.name, id: r.id_as_written || '—',
          company: r.company_name || r.company_id || '—', role: r.role ? code('companyRole', r.role) : '—' }),
        fields: [F('name', r.name), F('birth', r.birth_date || '—'), F('ref', r.id_as_written || '—'),
          named('company', r.company_name, r.company_id, company), F('role', r.role ? code('companyRole', r.role) : '—'),
          F('period', `${from} – ${to}`)],
      }
    case 'kin':
      return {
        summary: t('ev.sum.kin', { person: r.person_name || r.person_id, relative: r.relative_name || r.relative_id,
          relation: label(r, 'relation', 'rel') }),
        fields: [named('person', r.person_name, r.person_id, person), named('relative', r.relative_name, r.relative_id, person),
          F('relation', label(r, 'relation', 'rel'))],
      }
    case 'contract':
      return {
        summary: t('ev.sum.contract', { date: localDate(r.signed_at), unit: r.unit_name || r.unit_id,
          supplier: r.supplier_name || r.supplier_id, amount: r.amount_yuan }),
        fields: [F('date', localDate(r.signed_at)), named('unit', r.unit_name, r.unit_id, unit),
          named('supplier', r.supplier_name, r.supplier_id, company), F('amount', yuan(r.amount_yuan)),
          F('method', code('procurement', r.procurement_method)), F('subject', r.subject)],
      }
    case 'decision':
      return {
        summary: t('ev.sum.decision', { date: localDate(r.decided_at), unit: r.unit_name || r.unit_id, subject: r.subject || '' }),
        fields: [F('date', localDate(r.decided_at)), named('unit', r.unit_name, r.unit_id, unit),
          F('category', code('ev.decisionCat', r.category)), F('subject', r.subject),
          r.amount_fen ? F('amount', yuan(r.amount_yuan)) : null,
          r.appointee_id ? named('appointee', r.appointee_name, r.appointee_id, person) : null,
          r.meeting_id ? F('meeting', localDate(r.meeting_held_at) || r.meeting_id, { ref: 'meetings:' + r.meeting_id, id: r.meeting_id }) : null,
          r.members_total ? F('attendance', `${r.attendees ?? ''} / ${r.members_total}`) : null,
          r.votes_for !== undefined ? F('votes', r.votes_for) : null,
          r.result ? F('result', code('ev.result', r.result)) : null],
      }
    case 'meeting':
      return {
        summary: t('ev.sum.meeting', { date: localDate(r.held_at), unit: r.unit_name || r.unit_id, total: r.members_total ?? '',
          present: r.attendees ?? '' }),
        fields: [F('date', localDate(r.held_at)), named('unit', r.unit_name, r.unit_id, unit), F('kind', code('ev.meetingKind', r.kind)),
          F('attendance', `${r.attendees ?? ''} / ${r.members_total ?? ''}`)],
      }
    case 'clue':
      return {
        summary: r.summary || '',
        fields: [F('clue', r.id, { to: clue(r.id) }), F('date', localDate(r.received_at)), F('channel', label(r, 'channel', 'channel')),
          F('category', label(r, 'category', 'clueCat')),
          r.subject_person_id ? named('person', r.subject_person_name, r.subject_person_id, person) : null,
          r.subject_unit_id ? named('unit', r.subject_unit_name, r.subject_unit_id, unit) : null, F('summary', r.summary)],
      }
    case 'disposition':
      return {
        summary: label(r, 'method', 'method'),
        fields: [F('clue', r.clue_id, { to: clue(r.clue_id) }), F('method', label(r, 'method', 'method')),
          F('decided', localDate(r.decided_at)), F('verified', localDate(r.verified_at)), F('concluded', localDate(r.concluded_at)),
          r.outcome ? F('outcome', label(r, 'outcome', 'outcome')) : null],
      }
    case 'clue_reporter':
      return { summary: '', fields: [F('clue', r.clue_id, { to: clue(r.clue_id) })] }
    case 'declaration':
      return {
        summary: `${r.person_name || ''} ${r.year || ''}`,
        fields: [named('person', r.person_name, r.person_id, person), F('year', r.year), F('filed', localDate(r.filed_at))],
      }
    case 'declaration_item':
    case 'registry_record':
      return {
        summary: `${label(r, 'kind', 'ev.itemKind')} ${r.detail || ''}`.trim(),
        fields: [r.source ? F('source', label(r, 'source', 'ev.regSource')) : null, F('kind', label(r, 'kind', 'ev.itemKind')),
          named('holder', r.holder_name, r.holder_id, person), F('ref', r.ref), r.amount_fen ? F('amount', yuan(r.amount_yuan)) : null,
          r.observed_at ? F('date', localDate(r.observed_at)) : null, F('detail', r.detail)],
      }
    case 'evaluation':
      return {
        summary: `${r.person_name || ''} ${r.year || ''} ${label(r, 'kind', 'evalKind')}`,
        fields: [named('person', r.person_name, r.person_id, person), F('year', r.year), F('kind', label(r, 'kind', 'evalKind')),
          F('score', r.score), F('evalVotes', [r.votes_excellent, r.votes_competent, r.votes_basic, r.votes_incompetent].map((v) => v ?? 0).join(' / '))],
      }
    case 'supervision_activity':
      return {
        summary: label(r, 'kind', 'supKind'),
        fields: [F('date', localDate(r.held_at)), F('kind', label(r, 'kind', 'supKind')),
          r.person_id ? named('person', r.person_name, r.person_id, person) : null,
          r.unit_id ? named('unit', r.unit_name, r.unit_id, unit) : null, F('notes', r.notes)],
      }
    case 'accountability':
      return {
        summary: label(r, 'measure', 'measure'),
        fields: [named('person', r.person_name, r.person_id, person), F('measure', label(r, 'measure', 'measure')),
          F('decided', localDate(r.decided_at)), F('basis', r.basis)],
      }
    case 'person':
      return { summary: r.name || '', fields: [named('name', r.name, r.id, person), F('birth', r.birth_date)] }
    case 'unit':
      return {
        summary: r.name || '',
        fields: [named('unit', r.name, r.id, unit), F('level', code('ev.unitLevel', r.level)),
          r.parent_id ? named('parent', r.parent_name, r.parent_id, unit) : null],
      }
    case 'post':
      return { summary: `${r.unit_name || ''} ${r.title || ''}`, fields: [F('post', r.title), named('unit', r.unit_name, r.unit_id, unit),
        F('top', r.is_top ? t('ev.yes') : t('ev.no'))] }
    case 'company':
      return { summary: r.name || '', fields: [named('company', r.name, r.id, company), F('registered', r.registered_at)] }
    case 'inspect_task':
      return {
        summary: r.problem_description || '',
        fields: [named('unit', r.owner_unit_name, r.owner_unit_id, unit), F('category', code('ev.probCat', r.problem_category)),
          F('description', r.problem_description), F('measures', r.measures), F('deadline', r.deadline),
          F('status', code('ev.taskStatus', r.status)),
          r.responsible_person_id ? named('responsible', r.responsible_person_name, r.responsible_person_id, person) : null],
      }
    case 'inspect_problem':
      return {
        summary: r.description || '',
        fields: [named('unit', r.unit_name, r.unit_id, unit), F('category', code('ev.probCat', r.category)),
          F('description', r.description), F('found', localDate(r.found_at)),
          r.person_id ? named('person', r.person_name, r.person_id, person) : null],
      }
    default:
      return { summary: '', fields: [] }
  }
}

/** A rule parameter's value in words: 元 for money, days, years, months. */
export function paramValue(p) {
  const n = p.name || ''
  const num = (v) => Number(v).toLocaleString(g.locale.value)
  if (p.value_yuan) return t('ev.yuan', { v: p.value_yuan })
  if (/_yuan$/.test(n)) return t('ev.yuan', { v: num(p.value) })
  if (/_days$/.test(n)) return t('ev.days', { v: num(p.value) })
  if (/_years$/.test(n)) return t('ev.years', { v: num(p.value) })
  if (/_months$/.test(n)) return t('ev.months', { v: num(p.value) })
  if (/_pct$/.test(n)) return t('ev.pct', { v: num(p.value) })
  return num(p.value)
}

/** The catalogue's label of a parameter, its money unit said in 元 (the
 * value is shown in 元). */
export function paramLabel(p) {
  const l = p.label || p.name
  return p.value_yuan ? l.replace(/[（(]分[）)]/g, '（元）').replace(/\(fen\)/g, '(yuan)') : l
}

/** The sums the rule compared, one line each for payments and contracts. */
export function comparisonLines(cmp) {
  const out = []
  for (const [k, key] of [['payments', 'pay'], ['contracts', 'con']]) {
    const c = cmp && cmp[k]
    if (!c || !c.count) continue
    out.push(c.count === 1 ? t(`ev.${key}One`, { total: c.total_yuan, first: c.first || '' })
      : t(`ev.${key}`, { count: c.count, min: c.min_yuan, max: c.max_yuan, total: c.total_yuan, first: c.first || '',
        last: c.last || '', days: c.days ?? '' }))
  }
  return out
}

/** The parameters as rows {name, label, text}: a fraction's numerator and
 * denominator (…_num, …_den) as one row "2/3", its label saying the
 * fraction where the catalogue writes num/den. */
export function paramRows(list) {
  const by = new Map((list || []).map((p) => [p.name, p]))
  const rows = []
  for (const p of list || []) {
    const m = /^(.*)_(num|den)$/.exec(p.name)
    if (m && by.has(m[1] + '_num') && by.has(m[1] + '_den')) {
      if (m[2] === 'den') continue
      const frac = `${p.value}/${by.get(m[1] + '_den').value}`
      rows.push({ name: m[1], label: (p.label || m[1]).replace(/num\s*\/\s*den/, frac), text: frac })
      continue
    }
    rows.push({ name: p.name, label: paramLabel(p), text: paramValue(p) })
  }
  return rows
}
