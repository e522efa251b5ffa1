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
# CG_ALL=1: the whole server from its start (sign-ins, the rules model's
# load and the warm-up included: subtract them), for the HTTP layer and the
# session check around the handler; one file a thread (CGOUT-NN), the
# first the main thread (start-up, not a request's).
set -euo pipefail
: "${CGOUT:?CGOUT=file}" "${REALP:?REALP=path of plumb}"
if [ "${1:-}" = serve ]; then
  COLLECT="--collect-atstart=no --toggle-collect=h_intake"
  [ -n "${CG_ALL:-}" ] && COLLECT="--collect-atstart=yes --separate-threads=yes"
  # shellcheck disable=SC2086
  exec valgrind --tool=callgrind $COLLECT \
    --callgrind-out-file="$CGOUT" "$REALP" "$@" --busy-wait 300
fi
exec "$REALP" "$@"
