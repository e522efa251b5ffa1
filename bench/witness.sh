#!/usr/bin/env bash
# witness.sh — co-signing latency of the stateful witness (docs/LEVELS.md):
# N (default 500) growing checkpoints sent one at a time to `plumb witness
# serve` with their consistency proofs; p50/p99 of each add-checkpoint as
# the client sees it (HTTP, proof, fsync of the state file and directory,
# Ed25519). The state directory is on the file system of $TMPDIR.
#   PLUMB=build/plumb bash bench/witness.sh [N]
set -u
P=${PLUMB:-build/plumb}
SRC=$(cd "$(dirname "$0")/.." && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
echo "state on: $(df -T "$T" | awk 'NR==2 {print $2}')"
node "$SRC/tests/cli/helpers/witness_client.mjs" "$(realpath "$P")" "$T" 0 bench "${1:-500}"
