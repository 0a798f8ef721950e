/**
 * What the inference stage needs to know about a model, whichever way it arrived: a registry entry
 * pulled from the Hugging Face hub, the COCO detector committed under models/, or a small test model
 * the project builds. The same shape is written as `model.json` beside the files of a model folder,
 * so a folder is self-describing and `scenegraph models verify` can check it without the registry.
 */

export type ModelTask = 'depth' | 'detect';

/** The adapter that pre- and post-processes the model's tensors (inference/adapters/). */
export type ModelArchitecture = 'depth-anything-v2' | 'centernet' | 'owlv2';

/** How a depth model's output reads: Depth Anything's relative head gives inverse depth, the metric heads meters. */
export type DepthOutput = 'inverse' | 'meters';

/**
 * `model_data`: an ONNX external-data file (weights stored beside the graph, as exports over 2 GB or
 * some third-party exports do); onnxruntime finds it by the name the graph records, in the same folder.
 */
export type ModelFileRole = 'model' | 'model_data' | 'tokenizer' | 'tokenizer_config';

export interface ModelFile {
  role: ModelFileRole;
  /** Path inside the model folder (and, for hub models, inside the hub repository). */
  path: string;
  /** Bytes, when known ahead (else taken from the hub's file metadata before the download). */
  size?: number;
  /** Hex SHA-256, when pinned ahead (else the hub's LFS sha256 is fetched and checked). */
  sha256?: string;
}

export interface HubSource {
  /** Hugging Face repository, e.g. `onnx-community/depth-anything-v2-small`. */
  repo: string;
  /** A commit sha or branch; files are fetched from `/{repo}/resolve/{revision}/{path}`. */
  revision: string;
}

export interface ModelSpec {
  /** Registry name, e.g. `depth-anything-v2-small`; the folder name in MODEL_DIR. */
  name: string;
  task: ModelTask;
  architecture: ModelArchitecture;
  /** Free text shown by `scenegraph models list`. */
  description: string;
  /** Licence of the weights (SPDX id or a short name). */
  license: string;
  /** Side of the square (or shorter side, per adapter) the model's input is resized to, in pixels. */
  inputSize: number;
  /** Depth models only. */
  depthOutput?: DepthOutput;
  /** Closed-set detectors: class names by output index. */
  labels?: string[];
  files: ModelFile[];
  hub?: HubSource;
}
