/**
 * The owner of the inference workers. Callers submit one image at a time; the pool spreads requests
 * over devices (GPUs), queues them per device and model (bounded: a full queue answers BUSY at once
 * instead of letting callers wait without end), gathers concurrent requests for the same model into
 * batches (up to `maxBatch`, waiting at most `maxWaitMs` for company), hands each batch to an idle
 * worker of that device, and fails a request that has not finished `timeoutMs` after it was submitted.
 *
 * Devices. Worker i runs on `deviceIds[i % n]`, so workers = n x k gives every GPU k workers. A request
 * goes to the least-loaded device (requests waiting or running there per worker), ties in turn, so a
 * slow or half-restarted GPU gets less and equal GPUs get equal shares. A request is placed when it is
 * submitted rather than when a worker frees up because batches form per device: placing late would
 * split a burst into batches of one.
 *
 * Failures. A worker whose batch overran is terminated and replaced (its run cannot be interrupted),
 * so one stuck run does not take a worker away for good; that is not held against the device. A
 * worker that crashes, or a replacement that cannot open its sessions, counts against its device;
 * `maxDeviceFailures` of those in a row (no batch answered in between) take the device out of
 * rotation: its workers stop, its queued requests move to the other devices, `onDeviceFailed` and
 * `devices()` report it. The batch of a crashed worker is retried once on another device (a request
 * that crashes workers by itself then fails after two, instead of walking through every GPU).
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
import type { BatchSizesSetting, WarmupSetting } from './batching';
import type { FromWorker, RunTimings, SerializedError, WorkerModel } from './protocol';

export interface PoolOptions {
  models: WorkerModel[];
  /** Worker threads in all, each with its own session of every model; worker i runs on deviceIds[i % n]. */
  workers: number;
  provider: ProviderPreference;
  /** GPU ids the workers are spread over; default [0]. An id listed twice gets twice the workers. */
  deviceIds?: number[];
  /** Requests waiting (not yet running) per device, across all models, before BUSY. */
  maxQueue: number;
  maxBatch: number;
  /**
   * Batch sizes each worker pads a run up to (`batching.ts`). Default `auto`: 1, 2, 4, ... up to
   * maxBatch on GPU providers, exact sizes on the CPU.
   */
  batchSizes?: BatchSizesSetting;
  /** Run every padded size once when a worker starts. Default `auto`: on GPU providers. */
  warmup?: WarmupSetting;
  maxWaitMs: number;
  /** From submission to result. */
  timeoutMs: number;
  /** Worker failures in a row that take a device out of rotation. Default 3. */
  maxDeviceFailures?: number;
  /** CPU provider threads per worker (0 = onnxruntime's default). */
  intraOpThreads?: number;
  /** Overrides the worker script (tests). */
  workerScript?: string;
  /** Called once when a device is taken out of rotation. */
  onDeviceFailed?: (device: DeviceStatus) => void;
}

export interface PoolInfo {
  provider: ProviderName;
  declined: DeclinedProvider[];
  workers: number;
}

/** Cumulative time per step, summed over all runs; the benchmark reads it. */
export interface PoolStats extends RunTimings {
  items: number;
  padded: number;
}

/** One device as `devices()` reports it: what /readyz and the start-up log show. */
export interface DeviceStatus {
  id: number;
  /** `failed`: out of rotation for good (until the pool is restarted). */
  state: 'ok' | 'failed';
  /** Workers configured for it. */
  workers: number;
  /** Workers with their sessions open now. */
  ready: number;
  /** Requests queued for it and not yet running. */
  waiting: number;
  running: number;
  /** Requests it has answered. */
  served: number;
  /** Worker failures since its last answered batch. */
  failures: number;
  lastError?: string;
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
  device: Device;
  /** Devices that lost a worker while running this request. */
  lostOn: number[];
}

interface Slot {
  worker: Worker;
  device: Device;
  ready: boolean;
  /** Terminated or failed: messages and exits from it are ignored. */
  gone: boolean;
  current?: { id: number; batch: Pending[] };
}

interface Device {
  id: number;
  workers: number;
  slots: Slot[];
  queues: Map<string, Pending[]>;
  waiting: number;
  served: number;
  failures: number;
  state: 'ok' | 'failed';
  lastError?: string;
  batchTimer?: NodeJS.Timeout;
}

interface Ready {
  provider: ProviderName;
  declined: DeclinedProvider[];
}

const running = (d: Device): number => d.slots.reduce((n, s) => n + (s.current?.batch.length ?? 0), 0);
const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

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
  private readonly devs: Device[] = [];
  /** Where the round-robin tie-break starts next. */
  private cursor = 0;
  private nextId = 1;
  private closed = false;
  private provider: ProviderPreference;
  private readonly maxFailures: number;
  readonly stats: PoolStats = { prepare: 0, run: 0, finish: 0, batches: 0, items: 0, padded: 0 };

  private constructor(private readonly opts: PoolOptions) {
    this.provider = opts.provider;
    this.maxFailures = opts.maxDeviceFailures ?? 3;
    const ids = opts.deviceIds && opts.deviceIds.length > 0 ? opts.deviceIds : [0];
    for (let i = 0; i < opts.workers; i++) {
      const id = ids[i % ids.length];
      let d = this.devs.find((x) => x.id === id);
      if (!d) {
        d = { id, workers: 0, slots: [], queues: new Map(), waiting: 0, served: 0, failures: 0, state: 'ok' };
        this.devs.push(d);
      }
      d.workers++;
    }
  }

  /**
   * Starts the workers. The first one settles the provider (with `auto`, the first that opens every
   * model), tried on each device in turn; the others are started on that provider, so all workers run
   * the same way. A device whose workers then fail to start `maxDeviceFailures` times is out of
   * rotation from the start; the pool starts if any device serves.
   */
  static async start(opts: PoolOptions): Promise<{ pool: WorkerPool; info: PoolInfo }> {
    if (opts.models.length === 0) throw new Error('the inference pool needs at least one model');
    if (!Number.isInteger(opts.workers) || opts.workers < 1)
      throw new Error(`the inference pool needs at least one worker (got ${opts.workers})`);
    const pool = new WorkerPool(opts);
    let info: PoolInfo | undefined;
    let firstError: unknown;
    try {
      for (const d of pool.devs) {
        try {
          const ready = await pool.spawn(d);
          pool.provider = ready.provider;
          info = { provider: ready.provider, declined: ready.declined, workers: opts.workers };
          break;
        } catch (err) {
          firstError ??= err;
          pool.recordFailure(d, err as Error);
        }
      }
      if (!info) throw firstError;
      const rest: Promise<void>[] = [];
      for (const d of pool.devs)
        for (let k = d.slots.length; k < d.workers; k++) rest.push(pool.keepWorker(d));
      await Promise.all(rest);
    } catch (err) {
      await pool.close();
      throw err;
    }
    return { pool, info };
  }

  private spawn(device: Device): Promise<Ready> {
    const worker = new Worker(this.opts.workerScript ?? defaultWorkerScript());
    const slot: Slot = { worker, device, ready: false, gone: false };
    device.slots.push(slot);
    return new Promise<Ready>((resolve, reject) => {
      const fail = (err: Error) => {
        if (slot.gone || this.closed) return;
        if (slot.ready) {
          this.onWorkerLost(slot, err);
        } else {
          this.drop(slot);
          reject(err);
        }
      };
      worker.on('message', (msg: FromWorker) => {
        if (slot.gone) return;
        if (msg.type === 'ready') {
          slot.ready = true;
          resolve({ provider: msg.provider, declined: msg.declined });
          this.dispatch(device);
        } else if (msg.type === 'init-error') {
          fail(deserializeError(msg.error));
        } else {
          this.onResult(slot, msg.id, msg.results, msg.timings);
        }
      });
      worker.on('error', fail);
      worker.on('exit', (code) => fail(new Error(`inference worker exited with code ${code}`)));
      worker.postMessage({
        type: 'init',
        models: this.opts.models,
        provider: this.provider,
        deviceId: device.id,
        intraOpThreads: this.opts.intraOpThreads ?? 0,
        maxBatch: this.opts.maxBatch,
        batchSizes: this.opts.batchSizes ?? 'auto',
        warmup: this.opts.warmup ?? 'auto',
      });
    });
  }

  /** Starts one worker on `device`, again after each failure, until it runs or the device is out. */
  private async keepWorker(device: Device): Promise<void> {
    while (!this.closed && device.state === 'ok') {
      try {
        await this.spawn(device);
        return;
      } catch (err) {
        this.recordFailure(device, err as Error);
        // A short, growing pause: a device that fails at once should not spin.
        if (device.state === 'ok' && !this.closed) await delay(Math.min(2000, 50 * 2 ** device.failures));
      }
    }
  }

  /** Forgets a worker and stops it; a result or exit it sends later is ignored. */
  private drop(slot: Slot): void {
    if (slot.gone) return;
    slot.gone = true;
    const at = slot.device.slots.indexOf(slot);
    if (at >= 0) slot.device.slots.splice(at, 1);
    void slot.worker.terminate();
  }

  private recordFailure(device: Device, err: Error): void {
    device.failures++;
    device.lastError = err.message;
    if (device.state === 'ok' && device.failures >= this.maxFailures) this.takeOut(device);
  }

  /** Takes a device out of rotation: its workers stop, its requests go to the other devices. */
  private takeOut(device: Device): void {
    device.state = 'failed';
    clearTimeout(device.batchTimer);
    const reason = new Error(`device ${device.id} was taken out of rotation: ${device.lastError ?? ''}`);
    for (const slot of [...device.slots]) {
      const batch = slot.current?.batch ?? [];
      slot.current = undefined;
      this.drop(slot);
      for (const p of batch) this.retryOrFail(p, device, reason);
    }
    const queued = [...device.queues.values()].flat();
    device.queues.clear();
    device.waiting = 0;
    for (const p of queued) {
      const target = this.pick([], false);
      if (target) this.enqueue(p, target);
      else this.settle(p, this.noDeviceError());
    }
    this.opts.onDeviceFailed?.(this.statusOf(device));
  }

  private noDeviceError(): AppError {
    const why = this.devs.map((d) => `device ${d.id}: ${d.lastError ?? 'failed'}`).join('; ');
    return new AppError(ErrorCode.ENVIRONMENT, `no inference device is in rotation (${why})`, {
      devices: this.devices(),
    });
  }

  /**
   * The least-loaded device in rotation, load being requests waiting or running there per worker;
   * among equals the first at or after the cursor, which then moves past it (round robin).
   */
  private pick(exclude: number[], bounded: boolean): Device | undefined {
    const n = this.devs.length;
    let best: { d: Device; load: number; cap: number } | undefined;
    for (let k = 0; k < n; k++) {
      const d = this.devs[(this.cursor + k) % n];
      if (d.state !== 'ok' || exclude.includes(d.id)) continue;
      if (bounded && d.waiting >= this.opts.maxQueue) continue;
      const load = d.waiting + running(d);
      const cap = Math.max(1, d.slots.length);
      if (!best || load * best.cap < best.load * cap) best = { d, load, cap };
    }
    if (best) this.cursor = (this.devs.indexOf(best.d) + 1) % n;
    return best?.d;
  }

  /** Runs `model` on one image; resolves with the adapter's result. */
  run<R>(model: string, image: RgbImage, options: unknown = {}): Promise<R> {
    if (this.closed)
      return Promise.reject(new AppError(ErrorCode.ENVIRONMENT, 'the inference pool is closed'));
    if (!this.opts.models.some((m) => m.spec.name === model)) {
      return Promise.reject(new ModelError('is not loaded by the inference pool', model));
    }
    const inRotation = this.devs.filter((d) => d.state === 'ok').length;
    if (inRotation === 0) return Promise.reject(this.noDeviceError());
    const device = this.pick([], true);
    if (!device) {
      return Promise.reject(
        new BusyError(
          inRotation === 1
            ? `the inference queue is full (${this.opts.maxQueue} requests waiting); retry later`
            : `the inference queues are full (${this.opts.maxQueue} requests waiting on each of ${inRotation} devices); retry later`,
          { maxQueue: this.opts.maxQueue, devices: inRotation },
        ),
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
        device,
        lostOn: [],
      };
      this.enqueue(pending, device);
    });
  }

  private enqueue(p: Pending, device: Device): void {
    p.device = device;
    const q = device.queues.get(p.model) ?? [];
    q.push(p);
    device.queues.set(p.model, q);
    device.waiting++;
    this.dispatch(device);
  }

  private settle(p: Pending, err: Error | undefined, value?: unknown): void {
    if (p.settled) return;
    p.settled = true;
    clearTimeout(p.timer);
    if (err) p.reject(err);
    else p.resolve(value);
  }

  /** A request that lost its worker runs once more on another device, if there is one. */
  private retryOrFail(p: Pending, device: Device, err: Error): void {
    if (p.settled) return;
    p.lostOn.push(device.id);
    const target = p.lostOn.length === 1 ? this.pick(p.lostOn, false) : undefined;
    if (target) this.enqueue(p, target);
    else
      this.settle(
        p,
        new AppError(ErrorCode.INTERNAL_SERVER_ERROR, `inference worker failed: ${err.message}`),
      );
  }

  private onTimeout(p: Pending): void {
    const q = p.device.queues.get(p.model);
    const at = q ? q.indexOf(p) : -1;
    if (at >= 0) {
      q!.splice(at, 1);
      p.device.waiting--;
    }
    this.settle(
      p,
      new TimeoutError(`inference on ${p.model} did not finish within ${this.opts.timeoutMs} ms`, {
        timeoutMs: this.opts.timeoutMs,
      }),
    );
    // A worker still running this request's batch past its deadline is replaced.
    const slot = p.device.slots.find((s) => s.current?.batch.includes(p));
    if (slot && slot.current!.batch.every((b) => b.settled)) {
      slot.current = undefined;
      this.drop(slot);
      void this.keepWorker(slot.device);
    }
  }

  /** The model whose oldest request has waited longest, if a batch of it should leave now. */
  private nextBatch(device: Device, now: number): { model: string; wait: number } | undefined {
    let best: { model: string; oldest: number; full: boolean } | undefined;
    for (const [model, q] of device.queues) {
      if (q.length === 0) continue;
      const oldest = q[0].submitted;
      const full = q.length >= this.opts.maxBatch;
      if (!best || oldest < best.oldest) best = { model, oldest, full };
    }
    if (!best) return undefined;
    const waited = now - best.oldest;
    return { model: best.model, wait: best.full ? 0 : Math.max(0, this.opts.maxWaitMs - waited) };
  }

  private dispatch(device: Device): void {
    if (this.closed || device.state !== 'ok') return;
    clearTimeout(device.batchTimer);
    device.batchTimer = undefined;
    for (;;) {
      const slot = device.slots.find((s) => s.ready && !s.current);
      if (!slot) return;
      const next = this.nextBatch(device, Date.now());
      if (!next) return;
      if (next.wait > 0) {
        device.batchTimer = setTimeout(() => this.dispatch(device), next.wait);
        return;
      }
      const q = device.queues.get(next.model)!;
      const batch = q.splice(0, this.opts.maxBatch);
      device.waiting -= batch.length;
      const id = this.nextId++;
      slot.current = { id, batch };
      const items = batch.map((p) => ({ image: p.image, options: p.options }));
      // With one device the images move to the worker (callers do not use them afterwards). With
      // more, they travel as copies: a request whose worker dies is retried elsewhere and needs its
      // pixels still (a moved buffer is left empty here).
      const move = this.devs.filter((d) => d.state === 'ok').length === 1;
      slot.worker.postMessage(
        { type: 'run', id, model: next.model, items },
        move
          ? items.map((i) => i.image.data.buffer as ArrayBuffer).filter((b, k, all) => all.indexOf(b) === k)
          : [],
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
    const device = slot.device;
    slot.current = undefined;
    device.failures = 0;
    device.served += batch.length;
    this.stats.prepare += timings.prepare;
    this.stats.run += timings.run;
    this.stats.finish += timings.finish;
    this.stats.batches += timings.batches;
    this.stats.padded += timings.padded ?? 0;
    this.stats.items += batch.length;
    batch.forEach((p, i) => {
      const r = results[i];
      if (r.ok) this.settle(p, undefined, r.value);
      else this.settle(p, deserializeError(r.error));
    });
    this.dispatch(device);
  }

  private onWorkerLost(slot: Slot, err: Error): void {
    const device = slot.device;
    const batch = slot.current?.batch ?? [];
    slot.current = undefined;
    this.drop(slot);
    this.recordFailure(device, err);
    for (const p of batch) this.retryOrFail(p, device, err);
    if (device.state === 'ok') void this.keepWorker(device);
  }

  private statusOf(d: Device): DeviceStatus {
    return {
      id: d.id,
      state: d.state,
      workers: d.workers,
      ready: d.slots.filter((s) => s.ready).length,
      waiting: d.waiting,
      running: running(d),
      served: d.served,
      failures: d.failures,
      ...(d.lastError !== undefined ? { lastError: d.lastError } : {}),
    };
  }

  /** Every device with its state, load and failures, in the order of `deviceIds`. */
  devices(): DeviceStatus[] {
    return this.devs.map((d) => this.statusOf(d));
  }

  /** Requests waiting for a worker, on all devices. */
  get waiting(): number {
    return this.devs.reduce((n, d) => n + d.waiting, 0);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const shutdown = new AppError(ErrorCode.ENVIRONMENT, 'the inference pool was closed');
    const workers: Worker[] = [];
    for (const d of this.devs) {
      clearTimeout(d.batchTimer);
      for (const q of d.queues.values()) for (const p of q) this.settle(p, shutdown);
      d.queues.clear();
      d.waiting = 0;
      for (const s of d.slots) {
        for (const p of s.current?.batch ?? []) this.settle(p, shutdown);
        workers.push(s.worker);
      }
    }
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
