/**
 * Messages between the inference pool (main thread) and its workers. Images and results travel as
 * typed arrays whose buffers are transferred, not copied.
 */

import type { DeclinedProvider, ProviderName, ProviderPreference } from '../backend/onnxBackend';
import type { RgbImage } from '../adapters/adapter';
import type { ModelSpec } from '../models/modelSpec';
import type { BatchSizesSetting, WarmupSetting } from './batching';

export interface WorkerModel {
  spec: ModelSpec;
  /** Folder holding the model's files. */
  dir: string;
  /** Absolute path of the ONNX file. */
  file: string;
}

export interface InitMessage {
  type: 'init';
  models: WorkerModel[];
  provider: ProviderPreference;
  deviceId: number;
  intraOpThreads: number;
  /** The pool's maximum batch: the largest run the worker is sent. */
  maxBatch: number;
  batchSizes: BatchSizesSetting;
  warmup: WarmupSetting;
}

export interface RunItem {
  image: RgbImage;
  options: unknown;
}

export interface RunMessage {
  type: 'run';
  id: number;
  model: string;
  items: RunItem[];
}

export type ToWorker = InitMessage | RunMessage;

export interface SerializedError {
  code: string;
  message: string;
  model?: string;
  tensor?: string;
  path?: string;
}

/** Milliseconds spent in each step of one run message (the benchmark reports them per stage). */
export interface RunTimings {
  prepare: number;
  run: number;
  finish: number;
  /** Model runs the message took (items with different input shapes run separately). */
  batches: number;
  /** Rows added to those runs to reach a fixed batch size (their outputs were dropped). */
  padded?: number;
}

export type ItemResult = { ok: true; value: unknown } | { ok: false; error: SerializedError };

export type FromWorker =
  | {
      type: 'ready';
      provider: ProviderName;
      declined: DeclinedProvider[];
      /** Per model, the batch sizes run once at start (warm-up). */
      warmed?: Record<string, number[]>;
    }
  | { type: 'init-error'; error: SerializedError }
  | { type: 'result'; id: number; results: ItemResult[]; timings: RunTimings };
