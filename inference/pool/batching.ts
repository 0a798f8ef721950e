/**
 * How an inference worker turns one message of prepared items into model runs: items of the same
 * input shape (`batchKey`) share a run; a run's batch dimension is padded up to one of a few fixed
 * sizes (the rows added repeat the last real item and their outputs are dropped), so a session sees
 * at most that many shapes per input size. On the CUDA provider every new input shape costs cuDNN's
 * algorithm search (0.4-2 s per session), and partial batches of every size from 1 to the maximum
 * would each pay it; padding costs some GPU time on the added rows instead. Optionally every size is
 * run once when the worker starts (warm-up), so the first requests do not pay the searches.
 *
 * Pure apart from the session it is handed, so it is tested with a fake one.
 */

import { AppError, ModelError, UserInputError } from '../../src/errors/errors';
import type { AdapterContext, ModelAdapter, Prepared, RgbImage } from '../adapters/adapter';
import type { ProviderName } from '../backend/onnxBackend';
import { concatDim0, sliceDim0, type PlainTensor } from '../backend/tensor';
import type { ItemResult, RunTimings, SerializedError } from './protocol';

/** `auto`: padded to powers of two on GPU providers, exact on the CPU; `exact`: never padded; or the sizes. */
export type BatchSizesSetting = 'auto' | 'exact' | readonly number[];
/** `auto`: on for GPU providers, off on the CPU (where a new shape costs nothing and warming only delays start). */
export type WarmupSetting = 'auto' | 'on' | 'off';

/** The largest batch size `auto` pads to is the pool's maximum batch; below it, these. */
const AUTO_SIZES = [1, 2, 4, 8, 16, 32, 64, 128, 256];

/**
 * The sizes a worker pads runs of one model up to, ascending, or undefined when runs keep their size.
 * Sizes above `maxBatch` become `maxBatch`. A graph exported with a fixed batch dimension takes
 * exactly that many rows: its only size, whatever the setting.
 */
export function resolveBatchSizes(
  setting: BatchSizesSetting,
  provider: ProviderName,
  maxBatch: number,
  fixedBatch?: number,
): number[] | undefined {
  if (fixedBatch !== undefined) return [fixedBatch];
  if (setting === 'exact' || (setting === 'auto' && provider === 'cpu')) return undefined;
  const sizes = setting === 'auto' ? AUTO_SIZES : setting;
  return [...new Set(sizes.map((s) => Math.min(s, maxBatch)))].sort((a, b) => a - b);
}

export function warmupEnabled(setting: WarmupSetting, provider: ProviderName): boolean {
  return setting === 'on' || (setting === 'auto' && provider !== 'cpu');
}

export interface PlannedRun {
  /** Items (indices into the message) in this run, in order. */
  indices: number[];
  /** The run's batch size: indices.length plus the padded rows. */
  size: number;
}

/**
 * Splits groups of same-shape items into runs. With sizes: runs of the largest size while more items
 * are left than it holds, then one run padded to the smallest size that holds the rest. Without:
 * runs of at most `maxRun` items, unpadded.
 */
export function planRuns(
  groups: readonly number[][],
  sizes: readonly number[] | undefined,
  maxRun: number,
): PlannedRun[] {
  const runs: PlannedRun[] = [];
  const largest = sizes ? sizes[sizes.length - 1] : maxRun;
  for (const g of groups) {
    for (let k = 0; k < g.length; k += largest) {
      const indices = g.slice(k, k + largest);
      const size = sizes ? sizes.find((s) => s >= indices.length)! : indices.length;
      runs.push({ indices, size });
    }
  }
  return runs;
}

/** Stacks one feed of each item along dimension 0 and repeats the last item's up to `size` items. */
export function stackPadded(parts: readonly PlainTensor[], size: number): PlainTensor {
  if (parts.length >= size) return concatDim0(parts);
  const last = parts[parts.length - 1];
  return concatDim0([...parts, ...Array.from({ length: size - parts.length }, () => last)]);
}

export function serializeError(err: unknown): SerializedError {
  if (err instanceof ModelError)
    return { code: err.code, message: err.message, model: err.model, tensor: err.tensor };
  if (err instanceof UserInputError) return { code: err.code, message: err.message, path: err.path };
  if (err instanceof AppError) return { code: err.code, message: err.message };
  return { code: 'INTERNAL_SERVER_ERROR', message: err instanceof Error ? err.message : String(err) };
}

/** What the runner needs of a model session (onnxBackend's ModelSession, or a fake in tests). */
export interface RunnableSession {
  run(feeds: Record<string, PlainTensor>): Promise<Record<string, PlainTensor>>;
}

export interface LoadedModel {
  session: RunnableSession;
  adapter: ModelAdapter<unknown, unknown>;
  ctx: AdapterContext;
  /** Sizes runs are padded to (`resolveBatchSizes`), or undefined. */
  sizes?: number[];
  /** Items per run without sizes (a graph's fixed batch, else unbounded). */
  maxRun: number;
}

/**
 * Prepares every item, runs same-shape items together (padded per `model.sizes`), and finishes each
 * real item from its own slice of the outputs. An item that fails to prepare or finish, or whose run
 * fails, gets its error; the others are unaffected.
 */
export async function runItems(
  model: LoadedModel,
  items: readonly { image: RgbImage; options: unknown }[],
): Promise<{ results: ItemResult[]; timings: RunTimings }> {
  const { session, adapter, ctx, sizes, maxRun } = model;
  const timings: RunTimings = { prepare: 0, run: 0, finish: 0, batches: 0, padded: 0 };
  const results = new Array<ItemResult>(items.length);

  let t = performance.now();
  const prepared: (Prepared | undefined)[] = items.map((item, i) => {
    try {
      return adapter.prepare(item.image, item.options, ctx);
    } catch (err) {
      results[i] = { ok: false, error: serializeError(err) };
      return undefined;
    }
  });
  timings.prepare = performance.now() - t;

  const groups = new Map<string, number[]>();
  prepared.forEach((p, i) => {
    if (!p) return;
    const g = groups.get(p.batchKey);
    if (g) g.push(i);
    else groups.set(p.batchKey, [i]);
  });

  for (const { indices, size } of planRuns([...groups.values()], sizes, maxRun)) {
    const feeds: Record<string, PlainTensor> = {};
    for (const name of Object.keys(prepared[indices[0]]!.feeds)) {
      feeds[name] = stackPadded(
        indices.map((i) => prepared[i]!.feeds[name]),
        size,
      );
    }
    t = performance.now();
    let outputs: Record<string, PlainTensor>;
    try {
      outputs = await session.run(feeds);
    } catch (err) {
      const error = serializeError(err);
      for (const i of indices) results[i] = { ok: false, error };
      continue;
    } finally {
      timings.run += performance.now() - t;
      timings.batches++;
      timings.padded! += size - indices.length;
    }
    t = performance.now();
    indices.forEach((itemIndex, k) => {
      const own: Record<string, PlainTensor> = {};
      for (const [name, tensor] of Object.entries(outputs)) own[name] = sliceDim0(tensor, k, 1);
      try {
        results[itemIndex] = {
          ok: true,
          value: adapter.finish(own, prepared[itemIndex]!.meta, items[itemIndex].options, ctx),
        };
      } catch (err) {
        results[itemIndex] = { ok: false, error: serializeError(err) };
      }
    });
    timings.finish += performance.now() - t;
  }
  return { results, timings };
}

/**
 * Runs every padded size once on a mid-grey image of the model's input size (with the adapter's
 * default options), so the session has tuned those shapes before requests arrive. Returns the sizes
 * warmed: none when the adapter cannot prepare an image without request options (OWLv2 needs text
 * queries; its shapes are tuned on first use). A failing run is an error: the device cannot run the
 * configured batch size.
 */
export async function warmUp(model: LoadedModel, name: string): Promise<number[]> {
  if (!model.sizes) return [];
  const side = model.ctx.spec.inputSize;
  const image: RgbImage = { width: side, height: side, data: new Uint8Array(side * side * 3).fill(128) };
  let prepared: Prepared;
  try {
    prepared = model.adapter.prepare(image, {}, model.ctx);
  } catch {
    return [];
  }
  for (const size of model.sizes) {
    const feeds: Record<string, PlainTensor> = {};
    for (const [input, tensor] of Object.entries(prepared.feeds)) feeds[input] = stackPadded([tensor], size);
    try {
      await model.session.run(feeds);
    } catch (err) {
      throw new ModelError(
        `the warm-up run at batch size ${size} failed (INFERENCE_BATCH_SIZES, INFERENCE_WARMUP): ${(err as Error).message}`,
        name,
      );
    }
  }
  return [...model.sizes];
}
