// A portal error in the reporter's words: over a limit, the server's reason
// and the exact time to try again (retry_at of the body, else Retry-After)
// in the reporter's local time; otherwise the message as the client made it.
import { retryTime } from '../../api/client.js'
import { i18n } from '../../i18n/index.js'

/** An instant of the server (UTC) as the reporter's local date and 24-hour time. */
function localAt(iso) {
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return ''
  return d.toLocaleString(i18n.global.locale.value, { year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
}

export function portalMessage(e, t) {
  if (e && e.status === 429) {
    const d = e.detail || {}
    const time = d.retry_at ? localAt(d.retry_at) : e.retryAfter !== null ? retryTime(e.retryAfter) : ''
    if (time) return t('portal.retryAt', { reason: d.reason || e.serverText, time })
  }
  return (e && e.message) || String(e)
}

/** The language the server should answer in (body field `lang`). */
export function lang(locale) {
  return locale === 'en' ? 'en' : 'zh-CN'
}
