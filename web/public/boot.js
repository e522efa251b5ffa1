// boot.js — the first page's data asked for while the app's code loads
// (docs/WEB.md "Bundle and first load"). A plain script of a few lines,
// run by index.html before the app's modules are fetched: it starts the
// session check (GET /api/v1/auth/me) and the page's first request at
// once, instead of after the entry (340 kB) has loaded and run. The app
// takes each answer once (web/src/api/client.js, window.__plumbBoot) when
// it asks for the same URL; what it does not ask for is dropped.
//
// Only when this device was signed in last time (localStorage
// `plumb.early`: the permission names of the last session, written by
// src/api/early.js, removed at sign-out and expiry), and only for the
// pages the permissions allow — the requests the app would make itself
// (api/early.js `EARLY`); the server still checks every read.
;(function () {
  var hint = null
  try {
    hint = JSON.parse(localStorage.getItem('plumb.early') || 'null')
  } catch (e) {
    hint = null
  }
  if (!hint || !Array.isArray(hint.perms) || typeof fetch !== 'function') return
  var has = function (p) { return hint.perms.indexOf(p) >= 0 }
  var lang = localStorage.getItem('plumb.lang') === 'en' ? 'en' : 'zh-CN'
  var h = location.hash.replace(/^#/, '')
  var qi = h.indexOf('?')
  var path = qi >= 0 ? h.slice(0, qi) : h
  var q = new URLSearchParams(qi >= 0 ? h.slice(qi + 1) : '')
  var urls = ['/api/v1/auth/me']
  var m
  if (path === '/dashboard' || ((path === '/' || path === '') && hint.home === 'dashboard')) {
    if (has('risk:read') || has('case:list')) urls.push('/api/v1/dashboard?top=50')
  } else if (path === '/clues') {
    var st = q.get('status')
    var STATUSES = ['registered', 'routed', 'held', 'verifying', 'verified', 'closed', 'concluded', 'archived']
    if (has('case:list') && (st === null || STATUSES.indexOf(st) >= 0)) {
      var cq = new URLSearchParams()
      if (st) cq.append('status', st)
      if (q.get('overdue') === '1') cq.append('overdue', '1')
      cq.append('limit', '500')
      urls.push('/api/v1/cases?' + cq.toString())
    }
  } else if ((m = /^\/persons\/([^/?]+)$/.exec(path)) && has('person:read')) {
    var id
    try {
      id = encodeURIComponent(decodeURIComponent(m[1]))
    } catch (e) {
      id = null
    }
    if (id) {
      urls.push('/api/v1/persons/' + id + '/file?lang=' + lang)
      urls.push('/api/v1/persons/' + id + '/graph')
    }
  }
  var boot = {}
  urls.forEach(function (u) {
    var p = fetch(u, { headers: { Accept: 'application/json' }, credentials: 'same-origin', cache: 'no-store' })
    p.catch(function () {}) // a failure is the page's to show, when it takes it
    boot[u] = p
  })
  window.__plumbBoot = boot
})()
