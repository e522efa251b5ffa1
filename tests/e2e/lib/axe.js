// axe-core (web/node_modules, the version web/package-lock.json pins) on a
// page: the WCAG 2 A/AA rules. Used by portal_a11y.test.js (the portal) and
// phone.test.js (every staff route, in its walk at 1440×900: one walk over
// the staff routes for both, docs/RELIABILITY.md "The suite's time").
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { settled, ROOT } from './browser.js'

const AXE = readFileSync(join(ROOT, 'web', 'node_modules', 'axe-core', 'axe.min.js'), 'utf8')

/** axe-core's WCAG 2 A/AA violations of the page as "rule: targets". */
export async function axe(p) {
  await settled(p)
  // (Once per document: the scans go from route to route in one.)
  if (!(await p.evaluate(() => !!window.axe))) await p.evaluate(AXE)
  const r = await p.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'],
  }))
  return r.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 4).map((n) => n.target.join(' ')).join(', ')}${v.nodes.length > 4 ? ` … ${v.nodes.length} nodes` : ''}`)
}
