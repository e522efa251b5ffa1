// The one rule for a current tenure (model.h PL_TENURE_OPEN_AT, docs/RULES.md
// "open tenure at date t") in the API's recusal (docs/SECURITY.md, Recusal 3):
// a tenure is current on D when it began on or before D and has no end date
// or ends after D. The viewer T (deputy in UA, a post reporting to UA's top
// post) is recused from the clue CL1 about S (top of UA) while T's tenure is
// current today (the server's clock: 2026-03-02), and no longer once it
// ends today: the end date is the day T left.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeStore, startServer, Client, T0, P } from './lib.mjs';

test('recusal follows the one current-tenure rule at its boundaries', async () => {
  const st = makeStore({ cadre: { role: 'cadre_officer', scopes: ['U0'] },
    team: { role: 'discipline_officer', scopes: ['U0'], person: P.T } });
  const srv = await startServer(st.db, ['--rate-ip', '0', '--rate-user', '0', '--rate-login', '0']);
  try {
    const cadre = new Client(srv.base), team = new Client(srv.base);
    assert.equal((await cadre.login('cadre', st.secrets.cadre, T0)).status, 200);
    assert.equal((await team.login('team', st.secrets.team, T0)).status, 200);
    const tenure = { id: 'TT', person_id: P.T, post_id: 'PT', start_date: '2020-01-01' };
    // [T's end date, start date, status of GET /clues/CL1 for T]
    const table = [
      ['', '2020-01-01', 404],            // open-ended: current, recused
      ['2026-03-03', '2020-01-01', 404],  // ends tomorrow: current
      ['2026-03-02', '2020-01-01', 200],  // ends today: left today, not current
      ['2026-03-01', '2020-01-01', 200],  // ended yesterday
      ['', '2026-03-02', 404],            // starts today: current
      ['', '2026-03-03', 200],            // starts tomorrow: not yet current
    ];
    for (const [end, start, want] of table) {
      const body = { ...tenure, start_date: start };
      if (end) body.end_date = end;
      const r = await cadre.put('/api/v1/tenures/TT', body);
      assert.equal(r.status, 200, r.text);
      const got = (await team.get('/api/v1/clues/CL1')).status;
      assert.equal(got, want, `tenure ${start}..${end || '(open)'} on 2026-03-02: ${got}, want ${want}`);
    }
  } catch (e) { console.log(srv.log().slice(-2000)); throw e; }
  finally { await srv.stop(); }
});
