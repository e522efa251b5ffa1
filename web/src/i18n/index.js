// vue-i18n: 简体中文 by default, English on request; the choice is kept in
// localStorage on this device only.
import { createI18n } from 'vue-i18n'
import zh from './zh-CN.js'
import en from './en.js'
import { zhLabels, enLabels, merged } from './labels.js'
import { zhInspect, enInspect } from './inspect.js'
import { zhSearch, enSearch } from './search.js'
import { zhOpinion, enOpinion } from './opinion.js'

const saved = localStorage.getItem('plumb.lang')
export const i18n = createI18n({
  legacy: false,
  locale: saved === 'en' ? 'en' : 'zh-CN',
  fallbackLocale: 'zh-CN',
  messages: {
    'zh-CN': merged(merged(merged(merged(zh, zhLabels), zhInspect), zhSearch), zhOpinion),
    en: merged(merged(merged(merged(en, enLabels), enInspect), enSearch), enOpinion),
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
