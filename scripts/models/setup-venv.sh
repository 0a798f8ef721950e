#!/usr/bin/env bash
# Creates .venv-models/ at the repository root with the pinned Python packages of scripts/models/.
#
#   bash scripts/models/setup-venv.sh            # create or update
#   bash scripts/models/setup-venv.sh --fresh    # delete and recreate
#
# Needs python3.11 (PYTHON=... to choose another interpreter) and PyPI. Downloads ~4 GB (torch pulls
# NVIDIA CUDA wheels from PyPI even though everything here runs on the CPU).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
venv="${VENV:-$repo/.venv-models}"  # VENV=... to put it elsewhere
python="${PYTHON:-python3}"

if [ "${1:-}" = "--fresh" ]; then rm -rf "$venv"; fi

ver="$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
if [ "$ver" != "3.11" ]; then
  echo "warning: $python is Python $ver; the pins were verified with 3.11" >&2
fi

[ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "pip==25.3"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
  -r "$here/requirements.txt" -c "$here/requirements.lock.txt"
"$venv/bin/python" - <<'PY'
import onnx, onnxruntime, tf2onnx, tensorflow, torch, transformers
print("ok: torch", torch.__version__, "transformers", transformers.__version__, "onnx", onnx.__version__,
      "onnxruntime", onnxruntime.__version__, "tensorflow", tensorflow.__version__, "tf2onnx", tf2onnx.__version__)
PY
