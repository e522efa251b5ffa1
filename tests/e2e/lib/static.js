// A static file server for web/dist with the same Content-Security-Policy as
// `plumb serve` puts on static files, and every /api or /ledger request
// answered 404 — the front end alone, for the checks that need no data.
import { createServer } from 'node:http'
import { readFile } from 'node:fs/promises'
import { join, extname, normalize } from 'node:path'

const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
const MIME = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.woff2': 'font/woff2', '.json': 'application/json' }

export function serveStatic(dir) {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname)
    if (path.startsWith('/api/') || path.startsWith('/ledger/')) {
      res.writeHead(404, { 'Content-Type': 'application/json' })
      return res.end(JSON.stringify({ error: { code: 'not_found', message: 'not found' } }))
    }
    const rel = normalize(path === '/' ? '/index.html' : path)
    if (rel.includes('..')) { res.writeHead(404); return res.end() }
    try {
      const body = await readFile(join(dir, rel))
      res.writeHead(200, { 'Content-Type': MIME[extname(rel)] || 'application/octet-stream', 'Content-Security-Policy': CSP })
      res.end(body)
    } catch {
      res.writeHead(404)
      res.end()
    }
  })
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    origin: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) })))
}
