#!/usr/bin/env bash
# Multi-GPU scaling and the end-to-end image pipeline, on a machine with NVIDIA GPUs, Node.js, the
# compiled project (dist/), onnxruntime-node's CUDA provider (inference/README.md), PyTorch and
# transformers (for the model export only):
#   bash scripts/gpu/scaling.sh prep    images + Depth Anything V2 Small export, and a CPU-provider smoke
#                                       test of both benchmarks (no CUDA provider needed)
#   bash scripts/gpu/scaling.sh         bench/gpu/scaling.bench.ts on 1, 2, 4, ... of the GPUs found, then
#                                       bench/gpu/pipeline.gpu.bench.ts (JPEG files -> stored records)
# Each phase is its own process with its own time limit; a failed phase does not stop the next.
# Results go to $OUT (scaling.json, pipeline.json, run.log); models and images are cached in $GB.
set -uo pipefail
mode=${1:-full}
GB=${GB:-/root/gpu-bench}
OUT=${OUT:-$PWD/.data/gpu-out}
WPG=${WPG:-8,14}         # workers per GPU in the scaling runs
PIPE_WORKERS=${PIPE_WORKERS:-12}
PIPE_SHARDS=${PIPE_SHARDS:-1,4}
PIPE_IMAGES=${PIPE_IMAGES:-512}
mkdir -p "$GB" "$OUT"
exec > >(tee -a "$OUT/run.log") 2>&1
t0=$(date +%s)
phase() { echo "== $(date +%T) [$(($(date +%s) - t0)) s] $*"; }
# shellcheck disable=SC1091
[[ -f /root/gpu-stash/env.sh ]] && source /root/gpu-stash/env.sh
export PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
# PyTorch brings its own cuDNN and refuses the system's one that the CUDA provider's path puts first.
PY=${PY:-env -u LD_LIBRARY_PATH python3}
M=$GB/models I=$GB/images

phase "machine"
nvidia-smi -L || true
nvidia-smi --query-gpu=name,driver_version,memory.total,memory.used --format=csv || true
command -v node >/dev/null && node --version
nproc; free -g | head -2

phase "images + export (dav2-small)"
[[ -f $I/images.json ]] || $PY scripts/gpu/export_and_torch.py images --out "$I"
timeout -k 10 300 $PY scripts/gpu/export_and_torch.py export --out "$M" --models dav2-small --device cuda 2>&1 |
  grep -v -E 'Warning|warn\(|^\s*(if|return|torch\.onnx)' || true
ls -la "$M"/dav2-small-fp16 2>/dev/null

if [[ $mode == prep ]]; then
  phase "smoke: scaling on the CPU provider"
  timeout -k 5 120 node dist/bench/gpu/scaling.bench.js --models-dir "$M" --images "$I" --out "$OUT/smoke-scaling.json" \
    --provider cpu --workers-per-gpu 2 --requests-per-gpu 8 --max-batch 4
  phase "smoke: pipeline on the CPU provider"
  timeout -k 5 180 node dist/bench/gpu/pipeline.gpu.bench.js --depth-model "$M/dav2-small-fp32" --provider cpu \
    --images 16 --workers 4 --max-batch 4 --concurrency 8 --shards 1,2 --inputs "$GB/jpeg" --records "$GB/records" \
    --out "$OUT/smoke-pipeline.json" > /dev/null
  phase "smoke done"
  exit 0
fi

phase "scaling (workers per GPU: $WPG)"
timeout -k 10 240 node dist/bench/gpu/scaling.bench.js --models-dir "$M" --images "$I" --out "$OUT/scaling.json" \
  --workers-per-gpu "$WPG" --max-batch 8 --requests-per-gpu 384 --budget-s 180

phase "pipeline ($PIPE_IMAGES JPEGs, $PIPE_WORKERS workers, processes: $PIPE_SHARDS)"
UV_THREADPOOL_SIZE=16 LOG_LEVEL=warn timeout -k 10 300 node dist/bench/gpu/pipeline.gpu.bench.js \
  --depth-model "$M/dav2-small-fp16" --images "$PIPE_IMAGES" --workers "$PIPE_WORKERS" --max-batch 8 \
  --concurrency 64 --shards "$PIPE_SHARDS" --inputs "$GB/jpeg" --records "$GB/records" --out "$OUT/pipeline.json" > /dev/null
ls -la "$GB/records"
phase "done"
