# bench/web_chunks.py — what each route's code needs before it runs, from a
# vite build (web/dist): the static-import closure of the route's chunk
# (import/from "./x.js" in the minified chunks, followed), less what the
# entry (index.html's script) already loads; bytes raw and gzip -9 (each
# file compressed alone), and whether ECharts is in it (docs/BENCHMARKS.md
# "Web pages at prefecture scale"). Chunks asked for with import() at run
# time (ECharts from EChart.vue) are not in a closure.
#
#   python3 bench/web_chunks.py web/dist Login StaffLayout Dashboard Person Clues
import os, re, sys, gzip
d = sys.argv[1] + '/assets'
files = os.listdir(d)
def find(prefix):
    return [f for f in files if f.startswith(prefix + '-') and f.endswith('.js')][0]
def deps(f):
    s = open(os.path.join(d, f), encoding='utf8').read()
    return set(re.findall(r'(?:from|import)\s*"\./([^"]+\.js)"', s))
def closure(roots):
    seen, todo = set(), list(roots)
    while todo:
        f = todo.pop()
        if f in seen: continue
        seen.add(f); todo += deps(f)
    return seen
def size(fs):
    raw = sum(os.path.getsize(os.path.join(d, f)) for f in fs)
    gz = sum(len(gzip.compress(open(os.path.join(d, f), 'rb').read(), 9)) for f in fs)
    return raw, gz
entry = re.search(r'src="/assets/([^"]+\.js)"', open(sys.argv[1] + '/index.html').read()).group(1)
base = closure([entry])
print('entry closure', len(base), 'files, raw/gzip', size(base))
for name in sys.argv[2:]:
    c = closure([find(name)]) - base
    print(name, len(c), 'files beyond the entry, raw/gzip', size(c), 'echarts' if any('echarts' in f for f in c) else 'no echarts')
    print('   ', ' '.join(sorted(c)))
