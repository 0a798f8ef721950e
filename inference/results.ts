/**
 * What the inference stage returns: plain data, with nothing of Neo4j, GraphQL or the spatial engine.
 */

import type { DepthOutput } from './models/modelSpec';

export type Box = [x1: number, y1: number, x2: number, y2: number];

/** A depth model's output resized back to the image: one value per image pixel, row-major. */
export interface DepthPrediction {
  width: number;
  height: number;
  values: Float32Array;
  /** `inverse`: larger = nearer (relative models); `meters`: metric models. */
  unit: DepthOutput;
}

export interface Detection {
  label: string;
  /** In [0, 1]. */
  score: number;
  /** Original-image pixels, clamped to the image. */
  box: Box;
}

export interface DetectOptions {
  /** Text queries for open-vocabulary detectors (labels come from them); ignored by closed-set ones. */
  queries?: string[];
  /** Lowest score kept. Default per adapter. */
  scoreThreshold?: number;
  /** IoU above which a lower-scored box of the same label is suppressed. Default 0.5. */
  iouThreshold?: number;
  /** Most detections returned, best first. Default 100. */
  maxDetections?: number;
}
