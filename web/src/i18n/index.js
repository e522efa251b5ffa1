// vue-i18n: 简体中文 by default, English on request; the choice is kept in
// localStorage on this device only.
import { createI18n } from 'vue-i18n'
import zh from './zh-CN.js'
import en from './en.js'
import { zhLabels, enLabels, merged } from './labels.js'
import { zhInspect, enInspect } from './inspect.js'
import { zhSearch, enSearch } from './search.js'
import { zhDeclare, enDeclare } from './declare.js'
import { zhReport, enReport } from './report.js'
import { zhClerk, enClerk } from './clerk.js'
import { zhEvidence, enEvidence } from './evidence.js'
import { zhDash, enDash } from './dash.js'
import { zhOpinion, enOpinion } from './opinion.js'
import { zhLink, enLink } from './link.js'
import { zhEscalate, enEscalate } from './escalate.js'

// Each page group's texts, merged over the base texts in this order (one
// line per group, so that a new group is one import and one line here).
const parts = [
  [zhLabels, enLabels],
  [zhInspect, enInspect],
  [zhSearch, enSearch],
  [zhDeclare, enDeclare],
  [zhReport, enReport],
  [zhClerk, enClerk],
  [zhEvidence, enEvidence],
  [zhDash, enDash],
  [zhOpinion, enOpinion],
  [zhLink, enLink],
  [zhEscalate, enEscalate],
]

const saved = localStorage.getItem('plumb.lang')
export const i18n = createI18n({
  legacy: false,
  locale: saved === 'en' ? 'en' : 'zh-CN',
  fallbackLocale: 'zh-CN',
  messages: {
    'zh-CN': parts.reduce((m, p) => merged(m, p[0]), zh),
    en: parts.reduce((m, p) => merged(m, p[1]), en),
  },
  missingWarn: false,
  fallbackWarn: false,
})

export function setLang(lang) {
  i18n.global.locale.value = lang
  localStorage.setItem('plumb.lang', lang)
  document.documentElement.lang = lang
}
document.documentElement.lang = i18n.global.locale.value
