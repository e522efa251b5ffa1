// Read back an .xlsx written by libxlsxwriter (tests only): the workbook is a
// zip; `unzip -p` gives xl/sharedStrings.xml and xl/worksheets/sheet1.xml,
// parsed here for the cells (shared strings, inline strings and numbers).
// Returns { rows: [[cell, …], …], sheet: the sheet's XML, styles: styles.xml }.
import { execFileSync } from 'node:child_process'

const unzip = (file, member) => {
  try {
    return execFileSync('unzip', ['-p', file, member], { encoding: 'utf8', maxBuffer: 64 << 20 })
  } catch {
    return ''
  }
}
const unescape = (s) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'")
  .replace(/&#(\d+);/g, (_, n) => String.fromCodePoint(Number(n))).replace(/&amp;/g, '&')

/** Column letters → 0-based index ("A" → 0, "AA" → 26). */
function colIndex(ref) {
  const letters = /^[A-Z]+/.exec(ref)[0]
  let n = 0
  for (const ch of letters) n = n * 26 + (ch.charCodeAt(0) - 64)
  return n - 1
}

export function readXlsx(file) {
  const shared = [...unzip(file, 'xl/sharedStrings.xml').matchAll(/<si>([\s\S]*?)<\/si>/g)]
    .map((m) => [...m[1].matchAll(/<t(?:\s[^>]*)?>([\s\S]*?)<\/t>/g)].map((t) => unescape(t[1])).join(''))
  const sheet = unzip(file, 'xl/worksheets/sheet1.xml')
  const rows = []
  for (const rm of sheet.matchAll(/<row\b[^>]*\br="(\d+)"[^>]*>([\s\S]*?)<\/row>/g)) {
    const row = []
    for (const cm of rm[2].matchAll(/<c\b([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)) {
      const attrs = cm[1]
      const ref = /\br="([A-Z]+\d+)"/.exec(attrs)[1]
      const type = (/\bt="(\w+)"/.exec(attrs) || [])[1]
      const body = cm[2] || ''
      const v = (/<v>([\s\S]*?)<\/v>/.exec(body) || [])[1]
      let val = ''
      if (type === 's') val = shared[Number(v)]
      else if (type === 'inlineStr') val = unescape((/<t[^>]*>([\s\S]*?)<\/t>/.exec(body) || [])[1] || '')
      else if (type === 'str') val = unescape(v || '')
      else if (v !== undefined) val = Number(v)
      row[colIndex(ref)] = val
    }
    rows[Number(rm[1]) - 1] = row
  }
  return { rows, sheet, styles: unzip(file, 'xl/styles.xml'), workbook: unzip(file, 'xl/workbook.xml') }
}
