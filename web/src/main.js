// Entry point: Vue 3 + Element Plus (bundled locally) + vue-i18n + pinia +
// vue-router. No CDN, no remote fonts, no tracking.
//
// Element Plus is not installed whole: each page imports the components it
// uses (vite.config.js, docs/WEB.md "Bundle"). Their CSS comes with the
// page's chunk, i.e. after style.css; so the CSS of the components whose
// rules style.css overrides at equal specificity (its :root colours over
// base.css, the phone layout over cards, forms, tables, dialogs) is loaded
// here, before style.css, in the order the whole library had.
import { createApp } from 'vue'
import { createPinia } from 'pinia'
import 'element-plus/theme-chalk/base.css'
import 'element-plus/es/components/row/style/css'
import 'element-plus/es/components/col/style/css'
import 'element-plus/es/components/card/style/css'
import 'element-plus/es/components/form/style/css'
import 'element-plus/es/components/form-item/style/css'
import 'element-plus/es/components/input/style/css'
import 'element-plus/es/components/input-number/style/css'
import 'element-plus/es/components/select/style/css'
import 'element-plus/es/components/date-picker/style/css'
import 'element-plus/es/components/checkbox/style/css'
import 'element-plus/es/components/radio/style/css'
import 'element-plus/es/components/dialog/style/css'
import 'element-plus/es/components/drawer/style/css'
import 'element-plus/es/components/table/style/css'
import 'element-plus/es/components/scrollbar/style/css'
import App from './App.vue'
import { router } from './router.js'
import { i18n } from './i18n/index.js'
import { setUnauthorizedHandler } from './api/client.js'
import { useSession } from './stores/session.js'
import './style.css'
import { installTableCards } from './components/tableCards.js'

const app = createApp(App)
const pinia = createPinia()
app.use(pinia).use(i18n).use(router)

setUnauthorizedHandler(() => {
  const s = useSession(pinia)
  const cur = router.currentRoute.value
  if (cur.matched.some((r) => r.meta.public)) return
  s.expire()
  router.replace({ name: 'login', query: { next: cur.fullPath, expired: '1' } })
})

app.mount('#app')
installTableCards()
