/**
 * The contract between a model architecture and the runner. An adapter turns one decoded image (and
 * the caller's options) into the model's input tensors, and one item's slice of the model's outputs into
 * a plain result. The runner batches items with equal `batchKey` by stacking their feeds along
 * dimension 0 and slices outputs the same way, so adapters never see other requests.
 *
 * Adapters run inside inference worker threads; they are pure apart from `load` (tokenizer files).
 */

import { ModelError } from '../../src/errors/errors';
import type { SessionSignature } from '../backend/onnxBackend';
import type { PlainTensor, TensorType } from '../backend/tensor';
import type { ModelArchitecture, ModelSpec, ModelTask } from '../models/modelSpec';

/** Decoded pixels: row-major, 3 bytes (R, G, B) per pixel, EXIF orientation already applied. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

export interface Prepared<M = unknown> {
  feeds: Record<string, PlainTensor>;
  /** Items with equal keys can share one run (same model inputs shape apart from dimension 0). */
  batchKey: string;
  meta: M;
}

export interface ExpectedTensor {
  name: string;
  type: TensorType;
  rank: number;
  /** Fixed sizes per dimension where the adapter depends on them (undefined = any). */
  fixed?: (number | undefined)[];
  /** A float32 tensor that the adapter also takes or reads as float16 (converting at its edge). */
  float16?: boolean;
}

export interface AdapterContext {
  spec: ModelSpec;
  /** The model's folder (tokenizer files live beside the ONNX file). */
  dir: string;
  /** The element types the model declares for its inputs (from the session), where known. */
  inputTypes?: Readonly<Record<string, string | undefined>>;
}

/** The declared input element types of a session, for AdapterContext.inputTypes. */
export function inputTypesOf(signature: SessionSignature): Record<string, string | undefined> {
  return Object.fromEntries(signature.inputs.map((t) => [t.name, t.type]));
}

export interface ModelAdapter<Options, Result, Meta = unknown> {
  readonly architecture: ModelArchitecture;
  readonly task: ModelTask;
  readonly inputs: readonly ExpectedTensor[];
  readonly outputs: readonly ExpectedTensor[];
  /** One-time set-up per worker (e.g. the tokenizer). */
  load?(ctx: AdapterContext): Promise<void>;
  prepare(image: RgbImage, options: Options, ctx: AdapterContext): Prepared<Meta>;
  finish(outputs: Record<string, PlainTensor>, meta: Meta, options: Options, ctx: AdapterContext): Result;
}

/** Checks a session's inputs and outputs against what an adapter feeds and reads; names the first mismatch. */
export function checkSignature(
  model: string,
  signature: SessionSignature,
  adapter: Pick<ModelAdapter<unknown, unknown>, 'inputs' | 'outputs' | 'architecture'>,
): void {
  const sides = [
    ['input', adapter.inputs, signature.inputs],
    ['output', adapter.outputs, signature.outputs],
  ] as const;
  for (const [side, expected, actual] of sides) {
    for (const e of expected) {
      const found = actual.find((a) => a.name === e.name);
      if (!found) {
        throw new ModelError(
          `the ${adapter.architecture} adapter needs ${side} '${e.name}', but the model's ${side}s are ${actual.map((a) => `'${a.name}'`).join(', ') || 'none'}`,
          model,
          e.name,
        );
      }
      if (found.type !== e.type && !(e.float16 && e.type === 'float32' && found.type === 'float16')) {
        throw new ModelError(
          `${side} must be ${e.type}, the model declares ${String(found.type)}`,
          model,
          e.name,
        );
      }
      if (found.shape.length > 0 && found.shape.length !== e.rank) {
        throw new ModelError(
          `${side} must have ${e.rank} dimensions, the model declares [${found.shape.join(', ')}]`,
          model,
          e.name,
        );
      }
      e.fixed?.forEach((size, i) => {
        const declared = found.shape[i];
        if (size !== undefined && typeof declared === 'number' && declared !== size) {
          throw new ModelError(
            `${side} dimension ${i} must be ${size}, the model declares [${found.shape.join(', ')}]`,
            model,
            e.name,
          );
        }
      });
    }
  }
}
