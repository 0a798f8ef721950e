#!/usr/bin/env bash
# The project's test command (`npm test`): type-check and build, lint, unit tests, then integration
# and end-to-end tests against a real Neo4j. Without NEO4J_URI it starts the project's local Neo4j in
# a separate data folder (.data/test) on its own port and stops it afterwards, so tests never touch
# the data of `npm start`. Extra arguments go to jest (e.g. `npm test -- -t ingest`).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "==> build (tsc, strict)"
npm run build --silent
npx tsc -p tsconfig.json --noEmit

echo "==> lint"
npx eslint --max-warnings 0 .

cli=(node dist/src/cli/main.js)
if [[ -z "${NEO4J_URI:-}" ]]; then
  export DATA_DIR="${TEST_DATA_DIR:-.data/test}"
  export NEO4J_BOLT_PORT="${TEST_BOLT_PORT:-7688}"
  echo "==> starting the test Neo4j (data in $DATA_DIR, Bolt port $NEO4J_BOLT_PORT)"
  "${cli[@]}" db start
  trap 'echo "==> stopping the test Neo4j"; NEO4J_URI= "${cli[@]}" db stop || true' EXIT
  export NEO4J_URI="bolt://127.0.0.1:$NEO4J_BOLT_PORT"
  NEO4J_PASSWORD="$(node -p "require('./$DATA_DIR/neo4j/credentials.json').password")"
  export NEO4J_PASSWORD
fi
export LOG_LEVEL="${LOG_LEVEL:-silent}"

echo "==> tests (unit, integration and e2e against $NEO4J_URI)"
npx jest --runInBand "$@"
