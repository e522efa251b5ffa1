// Put an ApiError's field messages next to their fields (el-form-item :error);
// whatever names no known field becomes the form's own message.
export function applyErrors(err, fields, setForm) {
  for (const k of Object.keys(fields)) fields[k] = ''
  let placed = false
  for (const [k, v] of Object.entries((err && err.fields) || {})) {
    if (k in fields) {
      fields[k] = v
      placed = true
    }
  }
  setForm(placed ? '' : (err && err.message) || String(err))
}
