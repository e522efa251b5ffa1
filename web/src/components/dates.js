// Dates of the server (UTC, "2026-12-06T02:15:49Z" or "2026-12-06") shown in
// the user's local time and the interface's language.
import { i18n } from '../i18n/index.js'

export function localDateTime(s) {
  if (!s) return ''
  const d = new Date(s)
  if (Number.isNaN(d.getTime())) return String(s)
  if (/^\d{4}-\d{2}-\d{2}$/.test(String(s))) return String(s)
  return d.toLocaleString(i18n.global.locale.value, { year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit' })
}
