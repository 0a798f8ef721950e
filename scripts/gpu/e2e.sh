#!/usr/bin/env bash
# Re-measures the image pipeline end to end against the models alone on one GPU (the ratio of
# BENCHMARKS.md "GPU scaling and the image pipeline end to end"), with the fused pre-processing and the
# padded batch sizes + warm-up of inference/pool/batching.ts (INFERENCE_BATCH_SIZES / INFERENCE_WARMUP
# at their defaults: 1,2,4,8 and on for cuda). Needs what scaling.sh needs: Node.js (.gpu/activate.sh),
# the compiled project (dist/), onnxruntime-node's CUDA provider, PyTorch for the one-time export.
#   source .gpu/activate.sh && bash scripts/gpu/e2e.sh          everything below (~5-7 min)
#   SMOKE=1 bash scripts/gpu/e2e.sh                             the same on the CPU provider, tiny sizes
# Phases: export (cached in $GB) -> pre-processing per image on this host's CPU (bench/preprocess.bench.ts)
# -> pipeline, 1 process x 12 workers -> pipeline, 8 processes x 2 workers. Each phase has its own
# time limit; a failed one does not stop the next. Results in $OUT: preprocess.json, pipeline-1x12.json,
# pipeline-8x2.json (each with its models-alone baseline, inferenceAlone and endToEnd[].vsModelsAlone,
# modelRuns and paddedRows), run.log.
set -uo pipefail
GB=${GB:-/root/gpu-bench}
OUT=${OUT:-$PWD/.data/gpu-out}
IMAGES=${IMAGES:-512}
# RUNS (default "1x12 8x2": processes x workers each), CONCURRENCY (images in flight per process, 64),
# SKIP_PREPROCESS=1 (skip the pre-processing phase) vary the pipeline phases.
mkdir -p "$GB" "$OUT"
exec > >(tee -a "$OUT/run.log") 2>&1
t0=$(date +%s)
phase() { echo "== $(date +%T) [$(($(date +%s) - t0)) s] $*"; }
# shellcheck disable=SC1091
[[ -f /root/gpu-stash/env.sh ]] && source /root/gpu-stash/env.sh
export PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
PY=${PY:-env -u LD_LIBRARY_PATH python3}
M=$GB/models

phase "machine"
nvidia-smi --query-gpu=name,driver_version,memory.total,memory.used --format=csv || true
command -v node >/dev/null && node --version
nproc; free -g | head -2

if [[ -n ${SMOKE:-} ]]; then
  phase "smoke: pre-processing (3 reps)"
  node dist/bench/preprocess.bench.js --reps 3 --only depth --out "$OUT/preprocess.json"
  phase "smoke: pipeline on the CPU provider, padded sizes and warm-up forced"
  INFERENCE_BATCH_SIZES=1,2,4 INFERENCE_WARMUP=on LOG_LEVEL=warn timeout -k 5 300 node dist/bench/gpu/pipeline.gpu.bench.js \
    --depth-model "${DEPTH_MODEL_DIR:-test/fixtures/models/depth-anything-v2-tiny}" --provider cpu --images 8 \
    --workers 2 --max-batch 4 --concurrency 8 --shards 1,2 --inputs "$GB/jpeg-smoke" --records "$GB/records-smoke" \
    --out "$OUT/smoke-pipeline.json" > /dev/null
  phase "smoke done"
  exit 0
fi

phase "export (dav2-small)"
[[ -f $M/dav2-small-fp16/model.json ]] || timeout -k 10 300 $PY scripts/gpu/export_and_torch.py export --out "$M" \
  --models dav2-small --device cuda 2>&1 | grep -v -E 'Warning|warn\(|^\s*(if|return|torch\.onnx)' || true
ls -la "$M"/dav2-small-fp16 2>/dev/null

phase "pre-processing per image on this CPU"
[[ -n ${SKIP_PREPROCESS:-} ]] || timeout -k 5 90 node dist/bench/preprocess.bench.js --reps 20 --out "$OUT/preprocess.json"

for run in ${RUNS:-1x12 8x2}; do
  shards=${run%x*} per=${run#*x}
  phase "pipeline ($IMAGES JPEGs, $shards process(es) x $per workers)"
  UV_THREADPOOL_SIZE=16 LOG_LEVEL=warn timeout -k 10 240 node dist/bench/gpu/pipeline.gpu.bench.js \
    --depth-model "$M/dav2-small-fp16" --images "$IMAGES" --workers $((shards * per)) --max-batch 8 \
    --concurrency "${CONCURRENCY:-64}" --shards "$shards" --inputs "$GB/jpeg" --records "$GB/records" \
    --out "$OUT/pipeline-$run.json" > /dev/null
  node -e '
    const r = require(process.argv[1]);
    const m = r.modelsAlone?.imgPerS ?? r.modelsAlone?.bothImgPerS;
    for (const e of r.endToEnd ?? [])
      console.log(`end to end ${e.shards} x ${e.workersPerShard}: ${e.imgPerS.toFixed(1)} img/s, ` +
        `vs models alone ${e.vsModelsAlone?.toFixed(2)}x (models alone ${m?.toFixed?.(1)} img/s), ` +
        `worker ms/image ${JSON.stringify(e.workerMsPerImage)}, runs ${e.modelRuns}, padded rows ${e.paddedRows}`);
  ' "$OUT/pipeline-$run.json" || true
done
phase "done"
