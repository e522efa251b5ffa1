#!/usr/bin/env bash
# The E2E suite (ctest e2e.web): node's test runner + playwright-core driving
# Debian's /usr/bin/chromium against the built web/dist and a real
# `plumb serve` ($PLUMB) with generated county data. Screenshots and
# web-metrics.json go to build/e2e-artifacts/ (PLUMB_E2E_ARTIFACTS).
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -x /usr/bin/chromium ] || { echo "e2e: /usr/bin/chromium missing (scripts/install-deps)"; exit 1; }
if [ ! -f web/dist/index.html ] || [ ! -d web/node_modules/playwright-core ]; then
  echo "e2e: web/ not built — run 'make web' (npm ci + npm run build)"; exit 1
fi
export PLUMB=${PLUMB:-$PWD/build/plumb}
# One file per line, so that a new test file is one line here (CMakeLists.txt
# reads this list: each file is the ctest entry e2e.web.<file>).
FILES=(
  totp
  draw
  frontend
  flows
  clues
  webcodes
  daily
  history_lang
  inspect
  portal_a11y
  search
  declare
  reports
  clerk
  evidence
  dash
  opinion
  phone
  pages
  firstload
  levels_view
  escalation_web
  links
  webperf
  boot
)
#   run.sh              every file, one after the other (the store built once)
#   run.sh FILE...      those files (ctest e2e.web.FILE)
#   run.sh --cache      build the generated store into $PLUMB_E2E_CACHE, once
#                       per ctest run (e2e.web.cache, the fixture of the others)
# The generated store is built once and copied for each file (lib/plumb.js):
# into PLUMB_E2E_CACHE when set (ctest), else into a directory of this run.
if [ "${1:-}" = --cache ]; then
  [ -n "${PLUMB_E2E_CACHE:-}" ] || { echo "e2e: --cache needs PLUMB_E2E_CACHE"; exit 1; }
  # Every test file is in FILES (else ctest would never run it).
  for f in tests/e2e/*.test.js; do
    n=$(basename "$f" .test.js)
    [[ " ${FILES[*]} " == *" $n "* ]] || { echo "e2e: $f is not in run.sh's FILES list"; exit 1; }
  done
  exec node -e 'import("./tests/e2e/lib/plumb.js").then((m) => m.buildCache(process.env.PLUMB_E2E_CACHE))'
fi
if [ -z "${PLUMB_E2E_CACHE:-}" ]; then
  PLUMB_E2E_CACHE=$(mktemp -d); export PLUMB_E2E_CACHE
  trap 'rm -rf "$PLUMB_E2E_CACHE"' EXIT
fi
[ $# -gt 0 ] && FILES=("$@")
node --test --test-concurrency=1 $(printf 'tests/e2e/%s.test.js ' "${FILES[@]}")
