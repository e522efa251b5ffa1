// Vite build of the Plumbline web interface: static files into dist/, served
// by `plumb serve --web web/dist`. Everything is bundled locally (no CDN, no
// remote fonts); `npm run dev` proxies /api and /ledger to a local server.
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

export default defineConfig({
  plugins: [vue()],
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 1500,
    rollupOptions: {
      output: {
        manualChunks(id) {
          if (id.includes('node_modules/echarts') || id.includes('node_modules/zrender')) return 'echarts'
          if (id.includes('node_modules/element-plus') || id.includes('node_modules/@element-plus')) return 'element'
          if (id.includes('node_modules/')) return 'vendor'
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
