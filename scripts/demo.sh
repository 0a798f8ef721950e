#!/usr/bin/env bash
# The main job, for a newcomer: `npm run demo` (or `bash scripts/demo.sh`).
#  1. installs dependencies and builds (first run only), obtains Neo4j from Maven Central (first run only)
#  2. starts the service, which starts the project's local Neo4j
#  3. renders the sample scenes (seeded synthetic images with depth maps) and ingests them, then
#     ingests the sample photos through the bundled COCO detector (the motorcycle with its measured depth)
#  4. asks GraphQL "which objects are in front of a <label>?" and prints the answer
# Then the service keeps running (Ctrl-C stops it and the Neo4j it started); `--once` exits instead.
set -euo pipefail
cd "$(dirname "$0")/.."
once=0
[[ "${1:-}" == "--once" ]] && once=1

node -e 'const [a,b]=process.versions.node.split(".").map(Number); if (a<20||(a===20&&b<11)) { console.error("Node.js >= 20.11 is needed, found "+process.version); process.exit(1) }'
if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "==> installing dependencies (npm ci)"
  npm ci --no-audit --no-fund
fi
echo "==> building"
npm run build --silent
bash scripts/neo4j-setup.sh

cli=(node dist/src/cli/main.js)
export PORT="${PORT:-4000}"
samples="${DATA_DIR:-.data}/samples"
url="http://127.0.0.1:$PORT"

if curl -fs "$url/healthz" >/dev/null 2>&1; then
  echo "port $PORT already answers; stop that service or set PORT" >&2
  exit 3
fi
echo "==> starting the service (it starts the local Neo4j)"
"${cli[@]}" serve &
service=$!
stop_service() { kill -TERM "$service" 2>/dev/null && wait "$service" 2>/dev/null || true; }
trap stop_service EXIT
trap 'exit 130' INT TERM
for _ in $(seq 1 180); do
  curl -fs "$url/readyz" >/dev/null 2>&1 && break
  kill -0 "$service" 2>/dev/null || { echo "the service exited during start-up" >&2; exit 3; }
  sleep 1
done
curl -fs "$url/readyz" >/dev/null || { echo "the service did not become ready" >&2; exit 3; }

if [[ ! -f "$samples/.complete" ]]; then
  echo "==> rendering 24 sample scenes into $samples"
  "${cli[@]}" synth --seed 1 --count 24 --objects 12 --out "$samples"
  touch "$samples/.complete"
fi
echo "==> ingesting the sample scenes (depth maps -> spatial engine -> Neo4j)"
"${cli[@]}" ingest --scenes "$samples"

echo "==> ingesting three sample photos (bundled COCO detector; depth from the depth model if pulled)"
DETECTOR_MIN_SCORE=0.15 "${cli[@]}" ingest --images samples/photos/no-depth.txt
echo "==> ingesting the motorcycle photo with its measured depth (Middlebury ground truth): a full 3D graph"
DETECTOR_MIN_SCORE=0.15 "${cli[@]}" ingest --images samples/photos/motorcycle.jpg \
  --depth samples/depth/motorcycle.depth.png --depth-unit meters --depth-scale 0.001

echo "==> asking GraphQL"
node scripts/demo-query.mjs "$url/graphql"

if ((once)); then
  echo "==> done (--once): stopping the service and its Neo4j"
  exit 0
fi
echo
echo "The service is running at $url/graphql (try /readyz). Ctrl-C stops it and the local Neo4j."
wait "$service"
