// Values shown in words (issue #16): dates of the server in local time,
// amounts in fen as 元, 1/0 as 是/否, and codes through the i18n tables.
import { i18n } from '../i18n/index.js'

const t = (k, d) => (i18n.global.te(k) ? i18n.global.t(k) : d)

/** "2026-12-06T02:15:49Z" → the local date (YYYY-MM-DD kept as is). */
export function localDate(s) {
  if (!s) return ''
  const str = String(s)
  if (/^\d{4}-\d{2}-\d{2}$/.test(str)) return str
  const d = new Date(str)
  if (Number.isNaN(d.getTime())) return str
  const p = (n) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`
}

/** An amount in fen as ¥ with 元 precision. */
export function yuan(fen) {
  const n = Number(fen)
  if (!Number.isFinite(n)) return ''
  return '¥' + (n / 100).toLocaleString(i18n.global.locale.value, { maximumFractionDigits: 2 })
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/
/** The column label of a field name. */
export function colLabel(c) {
  return t('col.' + c, t('fieldName.' + c, c))
}

/** A cell of column `c` in words; `section` picks the code table of `kind`. */
export function cellText(c, v, section = '') {
  if (v === null || v === undefined || v === '') return ''
  if (c === 'is_top' || typeof v === 'boolean') return v === true || v === 1 || v === '1' ? t('common.yes', '✓') : t('common.no', '')
  if (c === 'amount_fen' || /_fen$/.test(c)) return yuan(v)
  if (c === 'rule') return `${v} ${t('rule.' + v, '')}`.trim()
  if (c === 'severity') return t('sev.' + v, v)
  if (c === 'grade') return t('grade.' + v, v)
  if (c === 'channel') return t('channel.' + v, v)
  if (c === 'category') return t('clueCat.' + v, v)
  if (c === 'measure') return t('measure.' + v, v)
  if (c === 'method') return t('method.' + v, v)
  if (c === 'outcome') return t('outcome.' + v, v)
  if (c === 'level') return t('level.' + v, v)
  if (c === 'role' || c === 'relation') return t('rel.' + v, v)
  if (c === 'share_bp') return (Number(v) / 100).toLocaleString(i18n.global.locale.value, { maximumFractionDigits: 2 }) + '%'
  if (c === 'gender') return t('genders.' + v, v)
  if (c === 'industry') return t('industry.' + v, v)
  if (c === 'portfolio_codes') {
    // posts' 分管领域 codes (docs/RULES.md R18): "personnel,finance" → 人事、财务
    const zh = String(i18n.global.locale.value).startsWith('zh')
    return String(v).split(',').map((x) => t('portfolio.' + x, x)).join(zh ? '、' : ', ')
  }
  if (c === 'status') return t('fstatus.' + v, t('cstatus.' + v, v))
  if (c === 'kind') {
    if (section === 'evaluations') return t('evalKind.' + v, v)
    if (section === 'supervision') return t('supKind.' + v, v)
    if (section === 'units') return t('unitKind.' + v, v)
    return t('evalKind.' + v, t('supKind.' + v, v))
  }
  if (ISO.test(String(v))) return localDate(v)
  return String(v)
}

/** The actor of an event in words: import:<source> as the import of that
 * source's extract, known names (portal, system) by label, a user as is. */
export function actorText(a) {
  if (!a) return ''
  const m = /^import:(.+)$/.exec(a)
  if (m) return i18n.global.t('actor.import', { source: t('source.' + m[1], m[1]) })
  return t('actor.' + a, a)
}

const CJK = /[\u3400-\u9fff]/
/** A server text written "中文 / English" in the page's language only (the
 * last " / " with Chinese before it and none after); other texts as is. */
export function oneLang(s) {
  if (!s) return ''
  const str = String(s)
  const i = str.lastIndexOf(' / ')
  if (i < 0) return str
  const zh = str.slice(0, i)
  const en = str.slice(i + 3)
  if (!CJK.test(zh) || CJK.test(en)) return str
  return String(i18n.global.locale.value).startsWith('zh') ? zh : en
}
