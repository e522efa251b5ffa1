// pg_ha_writers.mjs — concurrent API writers for tests/cli/pg_two_serve.sh
// and tests/cli/pg_failover.sh (issue #20): CLIENTS clients, on one session, create units (POST /api/v1/units, one new id per write) against the
// given `plumb serve` base URLs in turn, until COUNT writes each are
// answered 201 or the file STOP exists.
//
// A write answered 503 is sent again, same id, after a short pause (the
// client does not sleep the whole Retry-After, to keep the test short):
// the answer is then 201 (the first was not stored) or 409 / 200
// "unchanged" (it was: the connection was lost after the commit, so the
// 503 could not say). Any
// other answer, a 5xx that is not 503, or a 503 without Retry-After is
// recorded as wrong. The result (JSON, to OUT): acked ids (201), ids first
// answered 503 and then 409, the count of 503s, the wrong answers.
//
//   node pg_ha_writers.mjs OUT USER SECRET PARENT CLIENTS COUNT STOP PREFIX BASE...
import fs from 'node:fs';
import { totp, PASSWORD } from '../api/lib.mjs';

const [out, user, secret, parent, clients, count, stopFile, prefix, ...bases] = process.argv.slice(2);
const result = { acked: [], committed_unacked: [], busy503: 0, wrong: [], logins: 0 };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function post(base, p, body, h = {}) {
  try {
    const res = await fetch(base + p, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...h },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(30000),
    });
    return { status: res.status, text: await res.text(), headers: res.headers };
  } catch (err) {
    return { status: 0, text: String(err), headers: new Headers() };
  }
}

async function login(base) {
  for (let i = 0; i < 200; i++) {
    const t = Math.floor(Date.now() / 1000);
    const r = await post(base, '/api/v1/auth/login', { username: user, password: PASSWORD, totp: totp(secret, t) });
    if (r.status === 200) {
      const m = /plumb_session=([^;]*)/.exec(r.headers.get('set-cookie') || '');
      result.logins++;
      return { Cookie: `plumb_session=${m[1]}`, 'X-CSRF-Token': JSON.parse(r.text).csrf_token };
    }
    if (r.status !== 503 && r.status !== 0) throw new Error(`login ${base}: ${r.status} ${r.text}`);
    await sleep(200);
  }
  throw new Error(`login ${base}: gave up`);
}

// One session for all clients (a TOTP code is accepted once: clients that
// signed in at the same moment would be refused); sessions live in the
// database, so it is good on every server.
let h;
async function client(k) {
  let n = 0, b = k;
  while (n < Number(count) && !fs.existsSync(stopFile)) {
    const id = `${prefix}${k}_${n}`;
    let saw503 = false;
    for (;;) {
      const base = bases[b++ % bases.length];
      const r = await post(base, '/api/v1/units', {
        id, parent_id: parent, name: `单位${id}`, division_code: '433127', level: 'county', kind: 'department', industry: '其他',
      }, h);
      if (r.status === 201) { result.acked.push(id); break; }
      // Stored by the try answered 503: 409, or 200 "unchanged" (a create
      // of a record that exists with the same fields is an upsert).
      if (saw503 && (r.status === 409 || (r.status === 200 && /"outcome":"unchanged"/.test(r.text)))) {
        result.committed_unacked.push(id);
        break;
      }
      if (r.status === 503) {
        result.busy503++;
        if (!r.headers.get('retry-after')) result.wrong.push(`${id}: 503 without Retry-After: ${r.text}`);
        saw503 = true;
        await sleep(150);
        continue;
      }
      result.wrong.push(`${id}: ${r.status} ${r.text.slice(0, 300)}`);
      break;
    }
    n++;
  }
}

try {
  h = await login(bases[0]);
} catch (err) {
  result.wrong.push(String(err));
}
const ps = [];
if (h) for (let k = 0; k < Number(clients); k++) ps.push(client(k));
try {
  await Promise.all(ps);
} catch (err) {
  result.wrong.push(String(err));
}
fs.writeFileSync(out, JSON.stringify(result));
