#!/usr/bin/env bash
# The GPU benchmark in one run on a machine with an NVIDIA GPU, Node.js, the compiled project (dist/) and
# onnxruntime-node's CUDA provider installed (inference/README.md), PyTorch, transformers and onnx:
#   bash scripts/gpu/run.sh          everything below, within BUDGET_S seconds (default 540)
#   bash scripts/gpu/run.sh smoke    a short check of every piece without the CUDA provider
# Phases, each a separate process with its own time limit, each continuing if an earlier one failed:
#   images + export (cached in $GB between calls on the same machine) -> prep (the TypeScript adapters
#   prepare 32 images per model) -> PyTorch eager fp32/fp16 + the fp32 reference -> onnxruntime-node on
#   CUDA -> the same with the attention fused (fp16-mha, DAv2 Small and Base) -> several sessions at once -> onnxruntime's profile (CUDA_LAUNCH_BLOCKING=1) -> the worker pool -> WebGPU and CPU -> report.
# Results go to $OUT (torch.json, ort-*.json, concurrent.json, profile.json, pool.json, summary.md, run.log).
set -uo pipefail
mode=${1:-full}
GB=${GB:-/root/gpu-bench}
OUT=${OUT:-$PWD/.data/gpu-out}
MODELS=${MODELS:-dav2-small,dav2-base,owlv2-base}
BUDGET_S=${BUDGET_S:-540}
mkdir -p "$GB" "$OUT"
exec > >(tee -a "$OUT/run.log") 2>&1
t0=$(date +%s)
left() { echo $((BUDGET_S - ($(date +%s) - t0))); }
phase() { echo "== $(date +%T) [$(($(date +%s) - t0)) s] $*"; }
# shellcheck disable=SC1091
[[ -f /root/gpu-stash/env.sh ]] && source /root/gpu-stash/env.sh
export PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
# LD_LIBRARY_PATH (set up for the CUDA provider) points at the system's cuDNN 9.14; PyTorch brings
# its own 9.19 and refuses to start with the older one first on the path.
PY=${PY:-env -u LD_LIBRARY_PATH python3}
# TINY=1: the tiny test configurations on whatever device there is (local tests of this script)
tiny=${TINY:+--tiny}
dev=cuda; [[ -n $tiny ]] && dev=auto
JS=dist/bench/gpu/gpu.bench.js
M=$GB/models I=$GB/images IN=$GB/inputs R=$GB/refs

phase "machine"
nvidia-smi --query-gpu=name,driver_version,memory.total,memory.used,clocks.sm,clocks.mem,temperature.gpu,power.draw --format=csv || true
$PY -c "import torch, transformers, onnx, onnxruntime; print('torch', torch.__version__, 'cuda', torch.version.cuda, 'cudnn', torch.backends.cudnn.version(), 'transformers', transformers.__version__, 'onnx', onnx.__version__, 'onnxruntime', onnxruntime.__version__, onnxruntime.get_available_providers())"
command -v node >/dev/null && node --version
nproc; free -g | head -2

phase "images + export ($MODELS)"
[[ -f $I/images.json ]] || $PY scripts/gpu/export_and_torch.py images --out "$I"
timeout -k 10 400 $PY scripts/gpu/export_and_torch.py export --out "$M" --models "$MODELS" --device $dev $tiny 2>&1 |
  grep -v -E 'Warning|warn\(|^\s*(if|return|torch\.onnx)' || true
[[ -f $M/export.json ]] && cp "$M/export.json" "$OUT/export.json" 2>/dev/null

phase "prep (adapters)"
todo=$(for k in ${MODELS//,/ }; do [[ -f $IN/$k/meta.json ]] || printf '%s,' "$k"; done)
[[ -z $todo ]] || timeout -k 5 180 node $JS prep --images "$I" --models-dir "$M" --inputs "$IN" --models "${todo%,}"

if [[ $mode == smoke ]]; then
  phase "smoke: torch (dav2-small, batches 1 and 8)"
  timeout -k 10 120 $PY scripts/gpu/export_and_torch.py torch --models-dir "$M" --inputs "$IN" --refs "$R" \
    --out "$OUT/torch.json" --models dav2-small --batches 1,8 --iter-budget-s 0.5 $tiny
  phase "smoke: webgpu + cpu (dav2-small)"
  timeout -k 10 120 node $JS bench --models-dir "$M" --inputs "$IN" --refs "$R" --out "$OUT/ort-webgpu-cpu.json" \
    --models dav2-small --providers webgpu,cpu --batches 1,8 --iter-budget-ms 500 --budget-s 60
  phase "smoke: attention-fused variants on the cpu (dav2-small fp16-mha, fp16-mha-io16)"
  timeout -k 10 120 node $JS bench --models-dir "$M" --inputs "$IN" --refs "$R" --out "$OUT/ort-cpu-mha.json" \
    --models dav2-small --providers cpu --variants fp16-mha,fp16-mha-io16 --cpu-variants fp16-mha,fp16-mha-io16 --batches 1 --cpu-accuracy 1 \
    --iter-budget-ms 500 --budget-s 60
  phase "smoke: pool (webgpu, 1 worker)"
  timeout -k 10 60 node $JS pool --models-dir "$M" --images "$I" --out "$OUT/pool.json" --model dav2-small \
    --variant fp32 --provider webgpu --configs 1x8 --requests 16 --requests-per-worker 16
  node $JS report --dir "$OUT"
  phase "smoke done"
  exit 0
fi

phase "torch (budget $(($(left) < 150 ? $(left) : 150)) s)"
b=$(($(left) < 150 ? $(left) : 150))
timeout -k 10 $((b + 30)) $PY scripts/gpu/export_and_torch.py torch --models-dir "$M" --inputs "$IN" --refs "$R" \
  --out "$OUT/torch.json" --models "$MODELS" --budget-s "$b" --iter-budget-s 1.5 $tiny

b=$(($(left) - 250)); ((b > 150)) && b=150
phase "onnxruntime-node cuda (budget $b s)"
((b > 10)) && timeout -k 10 $((b + 60)) node $JS bench --models-dir "$M" --inputs "$IN" --refs "$R" \
  --out "$OUT/ort-cuda.json" --models "$MODELS" --providers cuda --iter-budget-ms 2000 --budget-s "$b"

# fp16 with each attention block fused into MultiHeadAttention (export_and_torch.py / fuse_attention.py), and
# the same with float16 input and output (io16), that with the residual steps fused (sln), the convolutions
# channels-last (nhwc), and both
mha_models=$(for k in ${MODELS//,/ }; do [[ $k == dav2-* ]] && printf '%s,' "$k"; done)
b=$(($(left) - 200)); ((b > 150)) && b=150
phase "onnxruntime-node cuda, attention fused (${mha_models%,}; budget $b s)"
((b > 10)) && [[ -n $mha_models ]] && timeout -k 10 $((b + 40)) node $JS bench --models-dir "$M" --inputs "$IN" \
  --refs "$R" --out "$OUT/ort-cuda-mha.json" --models "${mha_models%,}" --providers cuda --variants fp16-mha,fp16-mha-io16,fp16-mha-io16-sln,fp16-mha-io16-nhwc,fp16-mha-io16-sln-nhwc \
  --batches 1,8,32 --iter-budget-ms 1500 --budget-s "$b"

# several sessions at once on the GPU (one per worker thread): host copies of one overlap another's kernels
b=$(($(left) - 190)); ((b > 90)) && b=90
phase "concurrent sessions (budget $b s)"
((b > 30)) && timeout -k 10 $((b + 30)) node dist/bench/gpu/concurrent.bench.js --models-dir "$M" --inputs "$IN" \
  --out "$OUT/concurrent.json" --model dav2-small --variant fp16-mha-io16-sln-nhwc --workers 1,2,3,4 --batches 8,32 \
  --seconds $((b / 12))

phase "profile (CUDA_LAUNCH_BLOCKING=1)"
((($(left)) > 150)) && CUDA_LAUNCH_BLOCKING=1 timeout -k 10 60 node $JS profile --models-dir "$M" --inputs "$IN" \
  --out "$OUT/profile.json" --model dav2-small --variant fp16 --batches 32,1 --runs 8
((($(left)) > 140)) && CUDA_LAUNCH_BLOCKING=1 timeout -k 10 45 node $JS profile --models-dir "$M" --inputs "$IN" \
  --out "$OUT/profile-mha.json" --model dav2-small --variant fp16-mha --batches 32 --runs 8
((($(left)) > 130)) && CUDA_LAUNCH_BLOCKING=1 timeout -k 10 45 node $JS profile --models-dir "$M" --inputs "$IN" \
  --out "$OUT/profile-nhwc.json" --model dav2-small --variant fp16-mha-io16-sln-nhwc --batches 32 --runs 8

b=$(($(left) - 110)); ((b > 60)) && b=60
phase "worker pool (budget $b s)"
((b > 10)) && timeout -k 10 $((b + 40)) node $JS pool --models-dir "$M" --images "$I" --out "$OUT/pool.json" \
  --model dav2-small --variant fp16 --provider cuda --configs 1x8,4x8,8x8,8x32 --budget-s "$b"

b=$(($(left) - 15))
phase "onnxruntime-node webgpu + cpu (budget $b s)"
((b > 10)) && timeout -k 10 $((b + 30)) node $JS bench --models-dir "$M" --inputs "$IN" --refs "$R" \
  --out "$OUT/ort-webgpu-cpu.json" --models "$MODELS" --providers webgpu,cpu --webgpu-batches 1,8,32 \
  --max-run-ms 4000 --iter-budget-ms 1500 --budget-s "$b"

phase "report"
node $JS report --dir "$OUT"
phase "done"
