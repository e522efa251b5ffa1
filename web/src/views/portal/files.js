// Files chosen on the portal → [{name, content_base64}] for the JSON body.
export async function readFiles(list) {
  const out = []
  for (const f of list) {
    const buf = new Uint8Array(await f.arrayBuffer())
    let bin = ''
    for (let i = 0; i < buf.length; i += 0x8000) bin += String.fromCharCode(...buf.subarray(i, i + 0x8000))
    out.push({ name: f.name, content_base64: btoa(bin) })
  }
  return out
}
