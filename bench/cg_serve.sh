#!/usr/bin/env bash
# bench/cg_serve.sh — `plumb`, with `plumb serve` run under callgrind
# counting only the clue intake's handler (h_intake, inclusive: the
# writer lock, the intake, the member's savepoint if any, and the group's
# COMMIT when this member runs it). For instructions per clue *under load*
# (groups of several members, which bench/wpath_prof.sh's one-at-a-time
# requests never form): pass it as the PLUMB of bench/clues_load.sh.
#   CGOUT=/tmp/cg.out REALP=build/plumb KEEP=dir bench/clues_load.sh bench/cg_serve.sh 1500 16
# then `callgrind_annotate --inclusive=yes $CGOUT`: PROGRAM TOTALS less the
# rules model's one-time load (engine.c load_all, the first intake's),
# divided by the intakes (N + clues_load.sh's 200 of warm-up). --busy-wait
# 300: under callgrind that first load alone outlasts the default 10 s.
set -euo pipefail
: "${CGOUT:?CGOUT=file}" "${REALP:?REALP=path of plumb}"
if [ "${1:-}" = serve ]; then
  exec valgrind --tool=callgrind --collect-atstart=no --toggle-collect=h_intake \
    --callgrind-out-file="$CGOUT" "$REALP" "$@" --busy-wait 300
fi
exec "$REALP" "$@"
