// The receipt of the report just filed, in memory only (never stored in the
// browser): the reporter is told to write it down.
import { reactive } from 'vue'
export const lastReceipt = reactive({ receipt: '', seq: null, proof: null })
