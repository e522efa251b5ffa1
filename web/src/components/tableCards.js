// Tables that become cards on a phone (issue #16 item 8; docs/WEB.md
// "Layout"): one shared approach for every list page. A page opts in with
// the class `table-cards` on its el-table; below 768 px style.css hides the
// column headers and shows each row as a card, each cell on a line of its
// own after its column's name. The names come from here: one observer of
// the document copies each column header's text into the `data-label` of
// the cells of its column (the CSS shows it with ::before), again when the
// rows or the headers change (new data, another language).
const SEL = '.el-table.table-cards'

function label(table) {
  const heads = table.querySelectorAll('.el-table__header-wrapper thead tr:last-child th')
  if (!heads.length) return
  const names = [...heads].map((th) => (th.innerText || th.textContent || '').trim())
  for (const tr of table.querySelectorAll('.el-table__body-wrapper tbody tr')) {
    const cells = tr.children
    // An expanded row's one wide cell has no column.
    if (cells.length === 1 && cells[0].colSpan > 1) continue
    for (let i = 0; i < cells.length && i < names.length; i++) {
      if (cells[i].getAttribute('data-label') !== names[i]) cells[i].setAttribute('data-label', names[i])
    }
  }
}

let queued = false
function run() {
  queued = false
  for (const t of document.querySelectorAll(SEL)) label(t)
}

/** Start labelling the cells of every `table-cards` table (once, at start-up). */
export function installTableCards() {
  if (typeof MutationObserver === 'undefined') return
  // Only additions and text changes: setting data-label is not one of them.
  new MutationObserver(() => {
    if (queued) return
    queued = true
    requestAnimationFrame(run)
  }).observe(document.body, { childList: true, subtree: true, characterData: true })
  run()
}
