import type { RgbImage } from '../../inference/adapters/adapter';
import type { DepthPrediction, Detection, DetectOptions } from '../../inference/results';

/**
 * What the pipeline needs of the inference stage: a detector and a depth model (either may be absent)
 * and the provenance to record for the models it used. inference/inferenceService.ts implements it
 * with onnxruntime workers; tests may pass a fake.
 */

export interface ModelProvenance {
  name: string;
  architecture: string;
  /** sha256 of the ONNX file that ran. */
  sha256: string;
  /** Hub revision for pulled models. */
  revision?: string;
  provider: string;
  /** Detectors: the lowest score kept, when set by configuration. */
  minScore?: number;
}

export interface SceneInference {
  detector?: ModelProvenance;
  depth?: ModelProvenance;
  detect(image: RgbImage, options: DetectOptions): Promise<Detection[]>;
  estimateDepth(image: RgbImage): Promise<DepthPrediction>;
}
