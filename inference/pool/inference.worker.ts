/**
 * An inference worker thread: opens one session per model on the chosen provider, then answers run
 * messages (prepare each image, run items of the same shape as one batch, post-process each item).
 * Blocking onnxruntime runs happen here, never on the service's event loop.
 */

import { parentPort } from 'node:worker_threads';
import { AppError, ModelError, UserInputError } from '../../src/errors/errors';
import { createAdapter } from '../adapters/registry';
import { checkSignature, type AdapterContext, type ModelAdapter, type Prepared } from '../adapters/adapter';
import {
  openSession,
  type DeclinedProvider,
  type ModelSession,
  type ProviderName,
} from '../backend/onnxBackend';
import { concatDim0, sliceDim0, type PlainTensor } from '../backend/tensor';
import type { FromWorker, InitMessage, ItemResult, RunMessage, SerializedError, ToWorker } from './protocol';

interface Loaded {
  session: ModelSession;
  adapter: ModelAdapter<unknown, unknown>;
  ctx: AdapterContext;
  /** Items per model run: a graph exported with a fixed batch dimension takes exactly that many. */
  maxBatch: number;
}

function fixedBatchOf(session: ModelSession, adapter: ModelAdapter<unknown, unknown>): number {
  for (const input of adapter.inputs) {
    const dim0 = session.signature.inputs.find((i) => i.name === input.name)?.shape[0];
    if (typeof dim0 === 'number' && dim0 > 0) return dim0;
  }
  return Number.MAX_SAFE_INTEGER;
}

const models = new Map<string, Loaded>();
const port = parentPort;
if (!port) throw new Error('inference.worker must run as a worker thread');

function serialize(err: unknown): SerializedError {
  if (err instanceof ModelError)
    return { code: err.code, message: err.message, model: err.model, tensor: err.tensor };
  if (err instanceof UserInputError) return { code: err.code, message: err.message, path: err.path };
  if (err instanceof AppError) return { code: err.code, message: err.message };
  return { code: 'INTERNAL_SERVER_ERROR', message: err instanceof Error ? err.message : String(err) };
}

/** Buffers of typed arrays inside a result, so they can be transferred instead of copied. */
function transferables(value: unknown, out: ArrayBuffer[] = []): ArrayBuffer[] {
  if (ArrayBuffer.isView(value)) {
    if (value.buffer instanceof ArrayBuffer && !out.includes(value.buffer)) out.push(value.buffer);
  } else if (Array.isArray(value)) {
    for (const v of value) transferables(v, out);
  } else if (value && typeof value === 'object') {
    for (const v of Object.values(value)) transferables(v, out);
  }
  return out;
}

function post(message: FromWorker): void {
  port!.postMessage(message, transferables(message));
}

async function init(msg: InitMessage): Promise<void> {
  let provider = msg.provider;
  let declined: DeclinedProvider[] = [];
  let chosen: ProviderName | undefined;
  for (const m of msg.models) {
    const opened = await openSession(m.file, m.spec.name, provider, {
      deviceId: msg.deviceId,
      intraOpThreads: msg.intraOpThreads,
    });
    // Every model of a worker runs on the provider the first one settled on.
    if (!chosen) {
      chosen = opened.provider;
      declined = opened.declined;
      provider = opened.provider;
    }
    const adapter = createAdapter(m.spec);
    checkSignature(m.spec.name, opened.session.signature, adapter);
    const ctx: AdapterContext = { spec: m.spec, dir: m.dir };
    await adapter.load?.(ctx);
    models.set(m.spec.name, {
      session: opened.session,
      adapter,
      ctx,
      maxBatch: fixedBatchOf(opened.session, adapter),
    });
  }
  post({ type: 'ready', provider: chosen ?? 'cpu', declined });
}

async function run(msg: RunMessage): Promise<void> {
  const timings = { prepare: 0, run: 0, finish: 0, batches: 0 };
  const results: ItemResult[] = new Array<ItemResult>(msg.items.length);
  const loaded = models.get(msg.model);
  if (!loaded) {
    const error = serialize(new ModelError('is not loaded in this worker', msg.model));
    post({ type: 'result', id: msg.id, results: msg.items.map(() => ({ ok: false, error })), timings });
    return;
  }
  const { session, adapter, ctx, maxBatch } = loaded;

  let t = performance.now();
  const prepared: (Prepared | undefined)[] = msg.items.map((item, i) => {
    try {
      return adapter.prepare(item.image, item.options, ctx);
    } catch (err) {
      results[i] = { ok: false, error: serialize(err) };
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
  const runs: number[][] = [];
  for (const g of groups.values()) {
    for (let k = 0; k < g.length; k += maxBatch) runs.push(g.slice(k, k + maxBatch));
  }

  for (const indices of runs) {
    const feeds: Record<string, PlainTensor> = {};
    for (const name of Object.keys(prepared[indices[0]]!.feeds)) {
      feeds[name] = concatDim0(indices.map((i) => prepared[i]!.feeds[name]));
    }
    t = performance.now();
    let outputs: Record<string, PlainTensor>;
    try {
      outputs = await session.run(feeds);
    } catch (err) {
      const error = serialize(err);
      for (const i of indices) results[i] = { ok: false, error };
      continue;
    } finally {
      timings.run += performance.now() - t;
      timings.batches++;
    }
    t = performance.now();
    indices.forEach((itemIndex, k) => {
      const own: Record<string, PlainTensor> = {};
      for (const [name, tensor] of Object.entries(outputs)) own[name] = sliceDim0(tensor, k, 1);
      try {
        results[itemIndex] = {
          ok: true,
          value: adapter.finish(own, prepared[itemIndex]!.meta, msg.items[itemIndex].options, ctx),
        };
      } catch (err) {
        results[itemIndex] = { ok: false, error: serialize(err) };
      }
    });
    timings.finish += performance.now() - t;
  }
  post({ type: 'result', id: msg.id, results, timings });
}

port.on('message', (msg: ToWorker) => {
  if (msg.type === 'init') {
    init(msg).catch((err: unknown) => post({ type: 'init-error', error: serialize(err) }));
  } else {
    run(msg).catch((err: unknown) => {
      const error = serialize(err);
      post({
        type: 'result',
        id: msg.id,
        results: msg.items.map(() => ({ ok: false, error })),
        timings: { prepare: 0, run: 0, finish: 0, batches: 0 },
      });
    });
  }
});
