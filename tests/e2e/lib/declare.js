// A drawn declaration check round made over HTTP (no browser), for the
// routes of tests/e2e/lib/routes.js that need one (the axe scan): sign in
// with TOTP as a cadre officer, open a round, draw it. Returns
// {round, declaration} (a drawn declaration's id).
import { totp, base32Decode } from './totp.js'

export async function drawnRound(origin, account, password, body) {
  let cookie = ''
  let csrf = ''
  const call = async (method, path, b) => {
    const r = await fetch(origin + path, { method, headers: { 'Content-Type': 'application/json', Cookie: cookie, 'X-CSRF-Token': csrf },
      body: b === undefined ? undefined : JSON.stringify(b) })
    const set = r.headers.get('set-cookie')
    if (set) cookie = set.split(';')[0]
    const j = await r.json().catch(() => null)
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(j)}`)
    return j
  }
  const login = await call('POST', '/api/v1/auth/login', { username: account.name, password, totp: totp(base32Decode(account.secret)) })
  csrf = login.csrf_token
  const round = await call('POST', '/api/v1/declaration_rounds', body)
  await call('POST', `/api/v1/declaration_rounds/${round.id}/draw`, {})
  const sample = await call('GET', `/api/v1/declaration_rounds/${round.id}/sample`)
  await call('POST', '/api/v1/auth/logout')
  return { round: round.id, declaration: sample.items[0].declaration_id }
}
