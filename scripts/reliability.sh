#!/usr/bin/env bash
# The slow part of the reliability tests (RELIABILITY.md, "Crash, fault, load and fuzz tests"):
# ingest killed at three points (1,000 scene files) and an image ingest killed once (100 photos),
# Neo4j stopped and restarted under load, 60 s of load at 50 clients, 2,000 fuzz requests, SIGTERM
# with requests in flight. Without NEO4J_URI it starts the project's local Neo4j in .data/reliability
# (Bolt RELIABILITY_BOLT_PORT, default 7698) and stops it afterwards; the fault scenario always starts
# and stops its own (.data/reliability-faults, Bolt RELIABILITY_FAULT_PORT, default 7699).
# Arguments pick scenarios (all, crash, images, faults, load, fuzz, shutdown; --quick for small sizes).
# Results: bench/results/reliability.json, fuzz findings: bench/results/fuzz-findings.json.
set -euo pipefail
cd "$(dirname "$0")/.."

npm run build --silent
cli=(node dist/src/cli/main.js)
if [[ -z "${NEO4J_URI:-}" ]]; then
  export DATA_DIR="${RELIABILITY_DATA_DIR:-.data/reliability}"
  export NEO4J_BOLT_PORT="${RELIABILITY_BOLT_PORT:-7698}"
  "${cli[@]}" db start
  trap 'NEO4J_URI= "${cli[@]}" db stop || true' EXIT
  export NEO4J_URI="bolt://127.0.0.1:$NEO4J_BOLT_PORT"
  NEO4J_PASSWORD="$(node -p "require('./$DATA_DIR/neo4j/credentials.json').password")"
  export NEO4J_PASSWORD
fi
export RELIABILITY_FAULT_PORT="${RELIABILITY_FAULT_PORT:-7699}"
export LOG_LEVEL="${LOG_LEVEL:-silent}"

node dist/bench/reliability/main.js "${@:-all}"
