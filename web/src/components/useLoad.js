// A reactive {loading, error, data} for one API call, re-run on demand.
import { reactive } from 'vue'

export function useLoad(fn) {
  const state = reactive({ loading: false, error: null, data: null })
  async function run(...args) {
    state.loading = true
    state.error = null
    try {
      state.data = await fn(...args)
    } catch (e) {
      state.error = e
      state.data = null
    } finally {
      state.loading = false
    }
    return state.data
  }
  return { state, run }
}
