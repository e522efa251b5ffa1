// Vite build of the Plumbline web interface: static files into dist/, served
// by `plumb serve --web web/dist`. Everything is bundled locally (no CDN, no
// remote fonts); `npm run dev` proxies /api and /ledger to a local server.
//
// Element Plus is imported on demand (docs/WEB.md "Bundle"): the
// `el-*` tags, `v-loading` and their CSS of each page are imported by
// unplugin-vue-components' ElementPlusResolver at build time, so a page's
// chunk carries only the components it uses (the whole library was 1 MB of
// JS and 360 kB of CSS on every page, issue #16 bench/web). Local components
// stay imported by hand (dirs: none), no declaration file is written.
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import Components from 'unplugin-vue-components/vite'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'

export default defineConfig({
  plugins: [
    vue(),
    Components({ dirs: [], dts: false, resolvers: [ElementPlusResolver({ importStyle: 'css', directives: true })] }),
  ],
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 1500,
    rollupOptions: {
      output: {
        manualChunks(id) {
          // ECharts (echarts/core and the charts EChart.vue registers) only
          // on the pages with a chart; Element Plus is left to the bundler,
          // which puts each component with the pages that use it (shared
          // ones in common chunks), so the sign-in page does not load the
          // table, the tree or the date picker.
          if (id.includes('node_modules/echarts') || id.includes('node_modules/zrender')) return 'echarts'
          if (/node_modules\/(vue|@vue|vue-router|pinia|vue-i18n|@intlify)\//.test(id)) return 'vendor'
        },
      },
    },
  },
  server: {
    proxy: {
      '/api': process.env.PLUMB_API || 'http://127.0.0.1:8080',
      '/ledger': process.env.PLUMB_API || 'http://127.0.0.1:8080',
    },
  },
})
