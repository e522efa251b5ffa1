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
# The generated store is built once and copied for each file (lib/plumb.js).
PLUMB_E2E_CACHE=$(mktemp -d); export PLUMB_E2E_CACHE
trap 'rm -rf "$PLUMB_E2E_CACHE"' EXIT
# One file per line, so that a new test file is one line here.
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
  links
  webperf
)
node --test --test-concurrency=1 $(printf 'tests/e2e/%s.test.js ' "${FILES[@]}")
