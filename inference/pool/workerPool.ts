/**
 * The owner of the inference workers. Callers submit one image at a time; the pool queues requests
 * per model (bounded: a full queue answers BUSY at once instead of letting callers wait without end),
 * gathers concurrent requests for the same model into batches (up to `maxBatch`, waiting at most
 * `maxWaitMs` for company), hands each batch to an idle worker, and fails a request that has not
 * finished `timeoutMs` after it was submitted. A worker whose batch overran is terminated and
 * replaced (its run cannot be interrupted), so one stuck run does not take a worker away for good.
 */

import path from 'node:path';
import { Worker } from 'node:worker_threads';
import {
  AppError,
  BusyError,
  ErrorCode,
  ModelError,
  TimeoutError,
  UserInputError,
} from '../../src/errors/errors';
import type { RgbImage } from '../adapters/adapter';
import type { DeclinedProvider, ProviderName, ProviderPreference } from '../backend/onnxBackend';
import type { FromWorker, RunTimings, SerializedError, WorkerModel } from './protocol';

export interface PoolOptions {
  models: WorkerModel[];
  /** Worker threads, each with its own session of every model. */
  workers: number;
  provider: ProviderPreference;
  /** GPU index per worker (cycled); default [0]. */
  deviceIds?: number[];
  /** Requests waiting (not yet running) across all models before BUSY. */
  maxQueue: number;
  maxBatch: number;
  maxWaitMs: number;
  /** From submission to result. */
  timeoutMs: number;
  /** CPU provider threads per worker (0 = onnxruntime's default). */
  intraOpThreads?: number;
  /** Overrides the worker script (tests). */
  workerScript?: string;
}

export interface PoolInfo {
  provider: ProviderName;
  declined: DeclinedProvider[];
  workers: number;
}

/** Cumulative time per step, summed over all runs; the benchmark reads it. */
export interface PoolStats extends RunTimings {
  items: number;
}

interface Pending {
  model: string;
  image: RgbImage;
  options: unknown;
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
  submitted: number;
  timer: NodeJS.Timeout;
  settled: boolean;
}

interface Slot {
  worker: Worker;
  deviceId: number;
  busy: boolean;
  current?: { id: number; batch: Pending[] };
}

/** The compiled worker script beside this file; from TypeScript sources (ts-jest), its build in dist/. */
export function defaultWorkerScript(): string {
  if (__filename.endsWith('.js')) return path.join(__dirname, 'inference.worker.js');
  const root = path.resolve(__dirname, '..', '..');
  return path.join(root, 'dist', path.relative(root, __dirname), 'inference.worker.js');
}

export function deserializeError(e: SerializedError): AppError {
  switch (e.code) {
    case ErrorCode.MODEL_INVALID: {
      const err = new ModelError('', e.model ?? 'unknown');
      err.message = e.message;
      return err;
    }
    case ErrorCode.BAD_USER_INPUT: {
      const err = new UserInputError('', e.path);
      err.message = e.message;
      return err;
    }
    default:
      return new AppError(
        (Object.values(ErrorCode) as string[]).includes(e.code)
          ? (e.code as ErrorCode)
          : ErrorCode.INTERNAL_SERVER_ERROR,
        e.message,
      );
  }
}

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queues = new Map<string, Pending[]>();
  private queued = 0;
  private nextId = 1;
  private batchTimer?: NodeJS.Timeout;
  private closed = false;
  private provider: ProviderPreference;
  readonly stats: PoolStats = { prepare: 0, run: 0, finish: 0, batches: 0, items: 0 };

  private constructor(private readonly opts: PoolOptions) {
    this.provider = opts.provider;
  }

  /**
   * Starts the workers. The first one settles the provider (with `auto`, the first that opens every
   * model); the others are started on that provider, so all workers run the same way.
   */
  static async start(opts: PoolOptions): Promise<{ pool: WorkerPool; info: PoolInfo }> {
    if (opts.models.length === 0) throw new Error('the inference pool needs at least one model');
    const pool = new WorkerPool(opts);
    const first = pool.spawn(0);
    let info: PoolInfo;
    try {
      const ready = await first;
      pool.provider = ready.provider;
      info = { provider: ready.provider, declined: ready.declined, workers: opts.workers };
      const rest: Promise<unknown>[] = [];
      for (let i = 1; i < opts.workers; i++) rest.push(pool.spawn(i));
      await Promise.all(rest);
    } catch (err) {
      await pool.close();
      throw err;
    }
    return { pool, info };
  }

  private spawn(index: number): Promise<{ provider: ProviderName; declined: DeclinedProvider[] }> {
    const ids = this.opts.deviceIds && this.opts.deviceIds.length > 0 ? this.opts.deviceIds : [0];
    const deviceId = ids[index % ids.length];
    const worker = new Worker(this.opts.workerScript ?? defaultWorkerScript());
    let settle!: {
      resolve: (v: { provider: ProviderName; declined: DeclinedProvider[] }) => void;
      reject: (e: Error) => void;
    };
    const readyInfo = new Promise<{ provider: ProviderName; declined: DeclinedProvider[] }>(
      (resolve, reject) => {
        settle = { resolve, reject };
      },
    );
    const slot: Slot = { worker, deviceId, busy: true };
    this.slots[index] = slot;
    worker.on('message', (msg: FromWorker) => {
      if (msg.type === 'ready') {
        slot.busy = false;
        settle.resolve({ provider: msg.provider, declined: msg.declined });
        this.dispatch();
      } else if (msg.type === 'init-error') {
        settle.reject(deserializeError(msg.error));
      } else {
        this.onResult(slot, msg.id, msg.results, msg.timings);
      }
    });
    worker.on('error', (err) => {
      settle.reject(err);
      this.onWorkerLost(slot, err);
    });
    worker.on('exit', (code) => {
      if (!this.closed && this.slots[index] === slot) {
        this.onWorkerLost(slot, new Error(`inference worker exited with code ${code}`));
      }
    });
    worker.postMessage({
      type: 'init',
      models: this.opts.models,
      provider: this.provider,
      deviceId,
      intraOpThreads: this.opts.intraOpThreads ?? 0,
    });
    return readyInfo;
  }

  /** Runs `model` on one image; resolves with the adapter's result. */
  run<R>(model: string, image: RgbImage, options: unknown = {}): Promise<R> {
    if (this.closed)
      return Promise.reject(new AppError(ErrorCode.ENVIRONMENT, 'the inference pool is closed'));
    if (!this.opts.models.some((m) => m.spec.name === model)) {
      return Promise.reject(new ModelError('is not loaded by the inference pool', model));
    }
    if (this.queued >= this.opts.maxQueue) {
      return Promise.reject(
        new BusyError(`the inference queue is full (${this.opts.maxQueue} requests waiting); retry later`, {
          maxQueue: this.opts.maxQueue,
        }),
      );
    }
    return new Promise<R>((resolve, reject) => {
      const pending: Pending = {
        model,
        image,
        options,
        resolve: resolve as (v: unknown) => void,
        reject,
        submitted: Date.now(),
        settled: false,
        timer: setTimeout(() => this.onTimeout(pending), this.opts.timeoutMs),
      };
      const q = this.queues.get(model) ?? [];
      q.push(pending);
      this.queues.set(model, q);
      this.queued++;
      this.dispatch();
    });
  }

  private settle(p: Pending, err: Error | undefined, value?: unknown): void {
    if (p.settled) return;
    p.settled = true;
    clearTimeout(p.timer);
    if (err) p.reject(err);
    else p.resolve(value);
  }

  private onTimeout(p: Pending): void {
    const q = this.queues.get(p.model);
    const at = q ? q.indexOf(p) : -1;
    if (at >= 0) {
      q!.splice(at, 1);
      this.queued--;
    }
    this.settle(
      p,
      new TimeoutError(`inference on ${p.model} did not finish within ${this.opts.timeoutMs} ms`, {
        timeoutMs: this.opts.timeoutMs,
      }),
    );
    // A worker still running this request's batch past its deadline is replaced.
    const slot = this.slots.find((s) => s.current?.batch.includes(p));
    if (slot && slot.current!.batch.every((b) => b.settled)) this.replace(slot);
  }

  /** The model whose oldest request has waited longest, if a batch of it should leave now. */
  private nextBatch(now: number): { model: string; wait: number } | undefined {
    let best: { model: string; oldest: number; full: boolean } | undefined;
    for (const [model, q] of this.queues) {
      if (q.length === 0) continue;
      const oldest = q[0].submitted;
      const full = q.length >= this.opts.maxBatch;
      if (!best || oldest < best.oldest) best = { model, oldest, full };
    }
    if (!best) return undefined;
    const waited = now - best.oldest;
    return { model: best.model, wait: best.full ? 0 : Math.max(0, this.opts.maxWaitMs - waited) };
  }

  private dispatch(): void {
    if (this.closed) return;
    clearTimeout(this.batchTimer);
    this.batchTimer = undefined;
    for (;;) {
      const slot = this.slots.find((s) => s && !s.busy);
      if (!slot) return;
      const next = this.nextBatch(Date.now());
      if (!next) return;
      if (next.wait > 0) {
        this.batchTimer = setTimeout(() => this.dispatch(), next.wait);
        return;
      }
      const q = this.queues.get(next.model)!;
      const batch = q.splice(0, this.opts.maxBatch);
      this.queued -= batch.length;
      const id = this.nextId++;
      slot.busy = true;
      slot.current = { id, batch };
      const items = batch.map((p) => ({ image: p.image, options: p.options }));
      slot.worker.postMessage(
        { type: 'run', id, model: next.model, items },
        // The images move to the worker; callers do not use them afterwards.
        items.map((i) => i.image.data.buffer as ArrayBuffer).filter((b, k, all) => all.indexOf(b) === k),
      );
    }
  }

  private onResult(
    slot: Slot,
    id: number,
    results: ({ ok: true; value: unknown } | { ok: false; error: SerializedError })[],
    timings: RunTimings,
  ): void {
    if (slot.current?.id !== id) return;
    const { batch } = slot.current;
    slot.current = undefined;
    slot.busy = false;
    this.stats.prepare += timings.prepare;
    this.stats.run += timings.run;
    this.stats.finish += timings.finish;
    this.stats.batches += timings.batches;
    this.stats.items += batch.length;
    batch.forEach((p, i) => {
      const r = results[i];
      if (r.ok) this.settle(p, undefined, r.value);
      else this.settle(p, deserializeError(r.error));
    });
    this.dispatch();
  }

  private onWorkerLost(slot: Slot, err: Error): void {
    const index = this.slots.indexOf(slot);
    if (index < 0 || this.closed) return;
    for (const p of slot.current?.batch ?? []) {
      this.settle(
        p,
        new AppError(ErrorCode.INTERNAL_SERVER_ERROR, `inference worker failed: ${err.message}`),
      );
    }
    slot.current = undefined;
    this.replace(slot);
  }

  private replace(slot: Slot): void {
    const index = this.slots.indexOf(slot);
    if (index < 0 || this.closed) return;
    slot.current = undefined;
    void slot.worker.terminate();
    this.spawn(index).catch(() => {
      // The replacement failed to load the models that loaded before: leave the slot busy (out of use).
    });
  }

  /** Requests waiting for a worker. */
  get waiting(): number {
    return this.queued;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.batchTimer);
    const shutdown = new AppError(ErrorCode.ENVIRONMENT, 'the inference pool was closed');
    for (const q of this.queues.values()) for (const p of q) this.settle(p, shutdown);
    this.queues.clear();
    this.queued = 0;
    for (const s of this.slots) for (const p of s?.current?.batch ?? []) this.settle(p, shutdown);
    await Promise.all(this.slots.filter(Boolean).map((s) => s.worker.terminate()));
  }
}
