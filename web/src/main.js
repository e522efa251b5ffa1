// Entry point: Vue 3 + Element Plus (bundled locally) + vue-i18n + pinia +
// vue-router. No CDN, no remote fonts, no tracking.
import { createApp } from 'vue'
import { createPinia } from 'pinia'
import ElementPlus from 'element-plus'
import 'element-plus/dist/index.css'
import App from './App.vue'
import { router } from './router.js'
import { i18n } from './i18n/index.js'
import { setUnauthorizedHandler } from './api/client.js'
import { useSession } from './stores/session.js'
import './style.css'
import { installTableCards } from './components/tableCards.js'

const app = createApp(App)
const pinia = createPinia()
app.use(pinia).use(i18n).use(router).use(ElementPlus)

setUnauthorizedHandler(() => {
  const s = useSession(pinia)
  const cur = router.currentRoute.value
  if (cur.matched.some((r) => r.meta.public)) return
  s.expire()
  router.replace({ name: 'login', query: { next: cur.fullPath, expired: '1' } })
})

app.mount('#app')
installTableCards()
