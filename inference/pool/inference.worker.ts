/**
 * An inference worker thread: opens one session per model on the chosen provider (and, with warm-up,
 * runs each padded batch size once), then answers run messages (`batching.ts`: prepare each image,
 * run items of the same shape as one batch padded to a fixed size, post-process each item).
 * Blocking onnxruntime runs happen here, never on the service's event loop.
 */

import { parentPort } from 'node:worker_threads';
import { ModelError } from '../../src/errors/errors';
import { createAdapter } from '../adapters/registry';
import { checkSignature, inputTypesOf, type AdapterContext, type ModelAdapter } from '../adapters/adapter';
import {
  openSession,
  type DeclinedProvider,
  type ModelSession,
  type ProviderName,
} from '../backend/onnxBackend';
import {
  resolveBatchSizes,
  runItems,
  serializeError,
  warmUp,
  warmupEnabled,
  type LoadedModel,
} from './batching';
import type { FromWorker, InitMessage, RunMessage, ToWorker } from './protocol';

function fixedBatchOf(session: ModelSession, adapter: ModelAdapter<unknown, unknown>): number | undefined {
  for (const input of adapter.inputs) {
    const dim0 = session.signature.inputs.find((i) => i.name === input.name)?.shape[0];
    if (typeof dim0 === 'number' && dim0 > 0) return dim0;
  }
  return undefined;
}

const models = new Map<string, LoadedModel>();
const port = parentPort;
if (!port) throw new Error('inference.worker must run as a worker thread');

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
  const warmed: Record<string, number[]> = {};
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
    const ctx: AdapterContext = {
      spec: m.spec,
      dir: m.dir,
      inputTypes: inputTypesOf(opened.session.signature),
    };
    await adapter.load?.(ctx);
    const fixed = fixedBatchOf(opened.session, adapter);
    const loaded: LoadedModel = {
      session: opened.session,
      adapter,
      ctx,
      sizes: resolveBatchSizes(msg.batchSizes, opened.provider, msg.maxBatch, fixed),
      maxRun: fixed ?? Number.MAX_SAFE_INTEGER,
    };
    if (warmupEnabled(msg.warmup, opened.provider)) warmed[m.spec.name] = await warmUp(loaded, m.spec.name);
    models.set(m.spec.name, loaded);
  }
  post({ type: 'ready', provider: chosen ?? 'cpu', declined, warmed });
}

async function run(msg: RunMessage): Promise<void> {
  const loaded = models.get(msg.model);
  if (!loaded) {
    const error = serializeError(new ModelError('is not loaded in this worker', msg.model));
    const timings = { prepare: 0, run: 0, finish: 0, batches: 0 };
    post({ type: 'result', id: msg.id, results: msg.items.map(() => ({ ok: false, error })), timings });
    return;
  }
  const { results, timings } = await runItems(loaded, msg.items);
  post({ type: 'result', id: msg.id, results, timings });
}

port.on('message', (msg: ToWorker) => {
  if (msg.type === 'init') {
    init(msg).catch((err: unknown) => post({ type: 'init-error', error: serializeError(err) }));
  } else {
    run(msg).catch((err: unknown) => {
      const error = serializeError(err);
      post({
        type: 'result',
        id: msg.id,
        results: msg.items.map(() => ({ ok: false, error })),
        timings: { prepare: 0, run: 0, finish: 0, batches: 0 },
      });
    });
  }
});
