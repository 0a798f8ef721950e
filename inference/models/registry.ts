/**
 * The named models the project knows. A model is either
 *
 * - `hub`: hosted on the Hugging Face hub, pulled on request (`scenegraph models pull NAME`) into
 *   MODEL_DIR/<name>/, never at start-up; or
 * - `bundled`: committed to this repository under `dir` (relative to the project root) with its own
 *   model.json, so it is always available and needs no network.
 *
 * Hub entries pin a commit where one was found, so a pull gets the same bytes next year. A sha256 is
 * pinned where the hub's published checksum was found; otherwise `pull` takes the sha256 and size the
 * hub lists for the file at that revision (its LFS metadata) and checks the download against them, and
 * records what it got in MODEL_DIR/<name>/model.json.
 *
 * The ONNX exports differ in tensor names and fixed vs dynamic input sizes; the adapters check a
 * session's signature against what they feed (inference/adapters/adapter.ts) and name any mismatch.
 */

import { UnknownModelError } from './errors';
import type { HubSource, ModelArchitecture, ModelSpec, ModelTask } from './modelSpec';

export interface HubModelSpec extends ModelSpec {
  hub: HubSource;
}

export interface HubEntry {
  kind: 'hub';
  spec: HubModelSpec;
  /** Shown by `models list` until the exact size is known (from a pinned size or a pull). */
  approxBytes: number;
}

export interface BundledEntry {
  kind: 'bundled';
  name: string;
  task: ModelTask;
  architecture: ModelArchitecture;
  description: string;
  /** Folder relative to the project root holding model.json and the files it lists. */
  dir: string;
}

export type RegistryEntry = HubEntry | BundledEntry;

export function entryName(entry: RegistryEntry): string {
  return entry.kind === 'hub' ? entry.spec.name : entry.name;
}

export function entryTask(entry: RegistryEntry): ModelTask {
  return entry.kind === 'hub' ? entry.spec.task : entry.task;
}

export function entryArchitecture(entry: RegistryEntry): ModelArchitecture {
  return entry.kind === 'hub' ? entry.spec.architecture : entry.architecture;
}

const MB = 1e6;

/** Depth Anything V2's relative heads (transformers.js exports by onnx-community: `pixel_values` -> `predicted_depth`). */
function relativeDepth(
  size: 'small' | 'base' | 'large',
  revision: string,
  license: string,
  approxBytes: number,
  sha256?: string,
): HubEntry {
  return {
    kind: 'hub',
    approxBytes,
    spec: {
      name: `depth-anything-v2-${size}`,
      task: 'depth',
      architecture: 'depth-anything-v2',
      description: `Depth Anything V2 ${size[0].toUpperCase()}${size.slice(1)}, relative (inverse) depth`,
      license,
      inputSize: 518,
      depthOutput: 'inverse',
      files: [{ role: 'model', path: 'onnx/model.onnx', ...(sha256 ? { sha256 } : {}) }],
      hub: { repo: `onnx-community/depth-anything-v2-${size}`, revision },
    },
  };
}

function metricDepth(
  scene: 'indoor' | 'outdoor',
  size: 'small' | 'large',
  repo: string,
  files: ModelSpec['files'],
  license: string,
  approxBytes: number,
  note: string,
): HubEntry {
  const trainedOn = scene === 'indoor' ? 'Hypersim, up to 20 m' : 'Virtual KITTI 2, up to 80 m';
  return {
    kind: 'hub',
    approxBytes,
    spec: {
      name: `depth-anything-v2-metric-${scene}-${size}`,
      task: 'depth',
      architecture: 'depth-anything-v2',
      description: `Depth Anything V2 ${size === 'small' ? 'Small' : 'Large'} metric ${scene} (${trainedOn}), meters; ${note}`,
      license,
      inputSize: 518,
      depthOutput: 'meters',
      files,
      hub: { repo, revision: 'main' },
    },
  };
}

export const MODEL_REGISTRY: readonly RegistryEntry[] = [
  // onnx-community exports; commits and file lists seen on the hub's tree pages. The Small sha256 is the
  // one the hub publishes for onnx/model.onnx (unchanged since the folder's first upload).
  relativeDepth(
    'small',
    '34f40a4c93991327074907b51792dbc27e7d6f1c',
    'Apache-2.0',
    99.1 * MB,
    'afb6a5c28f3b6bf1618c6e43f02073ef9dfdc70e937502d51603e57b0a1df10c',
  ),
  relativeDepth('base', 'c03e4e3be9c15368746b7f1f90ea96e08a6d4811', 'CC-BY-NC-4.0', 389 * MB),
  relativeDepth('large', '805ab1e93b45780dda245484dfdea97ddb881567', 'CC-BY-NC-4.0', 1340 * MB),

  // No onnx-community export of the metric heads exists; these are third-party exports of the official
  // metric checkpoints (depth-anything/Depth-Anything-V2-Metric-{Hypersim,VKITTI}-*), so `main` is pinned
  // and the hub's checksums are taken at pull time.
  metricDepth(
    'indoor',
    'small',
    'CodeChefJeff/depth2depth-vits-hypersim',
    [{ role: 'model', path: 'da2_metric_hypersim_vits.onnx' }],
    'Apache-2.0',
    100 * MB,
    'third-party export, any input size that is a multiple of 14',
  ),
  metricDepth(
    'outdoor',
    'small',
    'sollaholla/depth-anything-v2-metric-vits-vkitti',
    [
      { role: 'model', path: 'depth_anything_v2_metric_vits_vkitti_518x518.onnx' },
      { role: 'model_data', path: 'depth_anything_v2_metric_vits_vkitti_518x518.onnx.data' },
    ],
    'Apache-2.0',
    100 * MB,
    'third-party export, fixed 518x518 input, weights in an external-data file',
  ),
  metricDepth(
    'indoor',
    'large',
    'yuvraj108c/Depth-Anything-2-Onnx',
    [{ role: 'model', path: 'depth_anything_v2_metric_hypersim_vitl.onnx' }],
    'CC-BY-NC-4.0',
    1340 * MB,
    'third-party export (TensorRT-oriented, 518x518)',
  ),
  metricDepth(
    'outdoor',
    'large',
    'yuvraj108c/Depth-Anything-2-Onnx',
    [{ role: 'model', path: 'depth_anything_v2_metric_vkitti_vitl.onnx' }],
    'CC-BY-NC-4.0',
    1340 * MB,
    'third-party export (TensorRT-oriented, 518x518)',
  ),

  // Transformers.js export of google/owlv2-base-patch16-ensemble: one graph taking `input_ids`,
  // `attention_mask` and `pixel_values`; the CLIP tokenizer files sit at the repository root.
  {
    kind: 'hub',
    approxBytes: 616 * MB,
    spec: {
      name: 'owlv2-base-patch16-ensemble',
      task: 'detect',
      architecture: 'owlv2',
      description: 'OWLv2 base patch16 ensemble, open-vocabulary detector queried by text',
      license: 'Apache-2.0',
      inputSize: 960,
      files: [
        { role: 'model', path: 'onnx/model.onnx' },
        { role: 'tokenizer', path: 'tokenizer.json' },
        { role: 'tokenizer_config', path: 'tokenizer_config.json' },
      ],
      hub: {
        repo: 'Xenova/owlv2-base-patch16-ensemble',
        revision: '358216f0f0e3fff310fdd486cdd2ebab4ac44bf7',
      },
    },
  },

  {
    kind: 'bundled',
    name: 'coco-centernet',
    task: 'detect',
    architecture: 'centernet',
    description: 'CenterNet detector for the 80 COCO classes, committed to this repository',
    dir: 'models/coco-centernet',
  },
];

/** What inference uses when the caller names no model: the Apache-licensed depth model, the bundled detector. */
export const DEFAULT_MODEL_BY_TASK: Readonly<Record<ModelTask, string>> = {
  depth: 'depth-anything-v2-small',
  detect: 'coco-centernet',
};

export function modelNames(registry: readonly RegistryEntry[] = MODEL_REGISTRY): string[] {
  return registry.map(entryName);
}

export function findModel(
  name: string,
  registry: readonly RegistryEntry[] = MODEL_REGISTRY,
): RegistryEntry | undefined {
  return registry.find((e) => entryName(e) === name);
}

/** The entry for `name`; an `UnknownModelError` (bad input, exit 2) listing the known names otherwise. */
export function getModel(name: string, registry: readonly RegistryEntry[] = MODEL_REGISTRY): RegistryEntry {
  const entry = findModel(name, registry);
  if (!entry) throw new UnknownModelError(name, modelNames(registry));
  return entry;
}
