/**
 * GPU benchmark of the project's inference path (issue 8): the real adapters, the real backend
 * (`openSession` / `ModelSession.run` of inference/backend/onnxBackend.ts) and the real worker pool, on
 * onnxruntime-node's CUDA and WebGPU providers and the CPU, against PyTorch eager on the same GPU in the
 * same run (scripts/gpu/export_and_torch.py; scripts/gpu/run.sh runs everything in order).
 *
 *   node dist/bench/gpu/gpu.bench.js prep    --images DIR --models-dir DIR --inputs DIR [--models K,..]
 *   node dist/bench/gpu/gpu.bench.js bench   --models-dir DIR --inputs DIR --refs DIR --out FILE
 *                                            [--providers cuda,webgpu,cpu] [--variants fp32,fp16]
 *                                            [--batches 1,8,32] [--budget-s 150] [--iter-budget-ms 2500]
 *   node dist/bench/gpu/gpu.bench.js profile --models-dir DIR --inputs DIR --out FILE --model K
 *                                            [--variant fp16] [--batches 1,32] [--runs 10] [--dir DIR]
 *   node dist/bench/gpu/gpu.bench.js pool    --models-dir DIR --images DIR --out FILE --model K
 *                                            [--variant fp16] [--provider cuda] [--configs 1x8,4x8,8x8]
 *   node dist/bench/gpu/gpu.bench.js report  --dir DIR (torch.json, ort.json, profile.json, pool.json)
 *
 * `prep` prepares 32 images with the model's adapter (DepthAnythingAdapter / Owlv2Adapter.prepare) and
 * stacks them with concatDim0, as the worker does, and writes the batch for the torch side; `bench`
 * slices batches 1/8/32 from it, times `ModelSession.run` (CPU tensors in and out, as the product
 * runs), checks every variant's outputs against the PyTorch fp32 reference, and reads GPU memory
 * through nvidia-smi; `profile` runs onnxruntime's profiler (enableProfiling) and sums kernel time per
 * operator type; `pool` pushes images through WorkerPool (prepare, batching, run, post-processing in
 * worker threads).
 */

import './ortOptionsFix';
import { readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { DEFAULT_DETECTOR_QUERIES } from '../../src/config/config';
import {
  checkSignature,
  inputTypesOf,
  type AdapterContext,
  type RgbImage,
} from '../../inference/adapters/adapter';
import { createAdapter } from '../../inference/adapters/registry';
import { openSession, type ProviderName, type SessionSignature } from '../../inference/backend/onnxBackend';
import { toFloat16 } from '../../inference/preprocess/float16';
import { concatDim0, sliceDim0, type PlainTensor } from '../../inference/backend/tensor';
import { readManifest } from '../../inference/models/manifest';
import type { ModelSpec } from '../../inference/models/modelSpec';
import { WorkerPool } from '../../inference/pool/workerPool';
import { gpuMemory, gpuName, memoryDelta } from './gpuMemory';
import { writeReport } from './report';
import { compare, pct, readImages, readTensorFolder, writeTensorFolder } from './tensorFiles';

const ROOT = path.resolve(__dirname, __dirname.includes(`${path.sep}dist${path.sep}`) ? '../../..' : '../..');
const ALL_MODELS = ['dav2-small', 'dav2-base', 'owlv2-base'];
/** Relative L2 error allowed for an optimized variant against PyTorch fp32 (issue 8). */
export const MAX_REL_ERR = 1e-2;

type Args = Record<string, string>;

function parseArgs(argv: string[]): { cmd: string; args: Args } {
  const [cmd, ...rest] = argv;
  const args: Args = {};
  for (let i = 0; i < rest.length; i++) {
    if (!rest[i].startsWith('--')) throw new Error(`unexpected argument ${rest[i]}`);
    args[rest[i].slice(2)] = rest[i + 1];
    i++;
  }
  return { cmd, args };
}

function need(args: Args, name: string): string {
  const v = args[name];
  if (v === undefined) throw new Error(`--${name} is required`);
  return v;
}

const list = (v: string | undefined, def: string[]) => (v ? v.split(',').filter(Boolean) : def);
const log = (msg: string) => console.error(`[node] ${msg}`);

interface LoadedSpec {
  spec: ModelSpec;
  dir: string;
  file: string;
}

async function loadFolder(dir: string): Promise<LoadedSpec> {
  const read = await readManifest(dir);
  if (read.kind !== 'ok') throw new Error(read.kind === 'missing' ? `${dir}: no model.json` : read.reason);
  const model = read.manifest.files.find((f) => f.role === 'model')!;
  return { spec: read.manifest, dir, file: path.join(dir, model.path) };
}

function optionsFor(spec: ModelSpec): Record<string, unknown> {
  return spec.architecture === 'owlv2' ? { queries: DEFAULT_DETECTOR_QUERIES } : {};
}

function machine() {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    onnxruntimeNode: (require('onnxruntime-node/package.json') as { version: string }).version,
    gpu: gpuName(),
  };
}

// ---------------------------------------------------------------------------------------------
// prep: images -> adapter -> stacked batch (written for the torch side and for `bench`)
// ---------------------------------------------------------------------------------------------

async function prep(args: Args): Promise<void> {
  const images = readImages(need(args, 'images'));
  const modelsDir = need(args, 'models-dir');
  const inputs = need(args, 'inputs');
  const count = Number(args.count ?? 32);
  for (const key of list(args.models, ALL_MODELS)) {
    const m = await loadFolder(path.join(modelsDir, `${key}-fp32`)).catch(() => undefined);
    if (!m) {
      log(`${key}: no exported model; skipped`);
      continue;
    }
    const adapter = createAdapter(m.spec);
    const ctx: AdapterContext = { spec: m.spec, dir: m.dir };
    await adapter.load?.(ctx);
    const opts = optionsFor(m.spec);
    const t0 = performance.now();
    const prepared = Array.from({ length: count }, (_, i) =>
      adapter.prepare(images[i % images.length], opts, ctx),
    );
    const prepareMs = (performance.now() - t0) / count;
    const keys = new Set(prepared.map((p) => p.batchKey));
    if (keys.size !== 1)
      throw new Error(`${key}: images prepare to different shapes (${[...keys].join(', ')})`);
    const feeds: Record<string, PlainTensor> = {};
    for (const name of Object.keys(prepared[0].feeds))
      feeds[name] = concatDim0(prepared.map((p) => p.feeds[name]));
    const queries = m.spec.architecture === 'owlv2' ? (opts.queries as string[]).length : 0;
    writeTensorFolder(path.join(inputs, key), feeds, { batch: count, queries, prepareMsPerImage: prepareMs });
    log(
      `${key}: ${count} images prepared (${prepareMs.toFixed(1)} ms each), ${JSON.stringify(feeds.pixel_values.dims)}`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// bench: ModelSession.run per provider / variant / batch
// ---------------------------------------------------------------------------------------------

interface TimedRuns {
  iters: number;
  p50ms: number;
  p99ms: number;
  meanMs: number;
  imgPerS: number;
}

async function timeRuns(
  run: () => Promise<unknown>,
  batch: number,
  opts: { warmup: number; minIters: number; maxIters: number; budgetMs: number },
): Promise<TimedRuns & { warmupMs: number[] }> {
  const warmupMs: number[] = [];
  for (let i = 0; i < opts.warmup; i++) {
    const t = performance.now();
    await run();
    warmupMs.push(performance.now() - t);
  }
  const lat: number[] = [];
  const start = performance.now();
  while (
    lat.length < opts.maxIters &&
    (lat.length < opts.minIters || performance.now() - start < opts.budgetMs)
  ) {
    const t = performance.now();
    await run();
    lat.push(performance.now() - t);
  }
  const sum = lat.reduce((a, b) => a + b, 0);
  return {
    iters: lat.length,
    p50ms: pct(lat, 0.5),
    p99ms: pct(lat, 0.99),
    meanMs: sum / lat.length,
    imgPerS: (batch * lat.length) / (sum / 1000),
    warmupMs,
  };
}

function batchFeeds(
  all: Record<string, PlainTensor>,
  batch: number,
  queries: number,
): Record<string, PlainTensor> {
  const feeds: Record<string, PlainTensor> = {};
  for (const [name, t] of Object.entries(all)) {
    const rows = name === 'pixel_values' ? batch : batch * queries;
    feeds[name] = sliceDim0(t, 0, rows);
  }
  return feeds;
}

/**
 * The prepared float32 feeds as the session declares them: float16 inputs converted as the adapter's
 * prepare does for such a model (in the workers, outside the timed run).
 */
function asSessionTypes(
  feeds: Record<string, PlainTensor>,
  signature: SessionSignature,
): Record<string, PlainTensor> {
  const types = inputTypesOf(signature);
  return Object.fromEntries(
    Object.entries(feeds).map(([name, t]) => [
      name,
      types[name] === 'float16' && t.type === 'float32'
        ? { type: 'float16' as const, data: toFloat16(t.data as Float32Array), dims: t.dims }
        : t,
    ]),
  );
}

async function bench(args: Args): Promise<void> {
  const modelsDir = need(args, 'models-dir');
  const inputs = need(args, 'inputs');
  const refsDir = need(args, 'refs');
  const out = need(args, 'out');
  const providers = list(args.providers, ['cuda', 'webgpu', 'cpu']) as ProviderName[];
  const variants = list(args.variants, ['fp32', 'fp16']);
  const batches = list(args.batches, ['1', '8', '32']).map(Number);
  const deadline = Date.now() + Number(args['budget-s'] ?? 150) * 1000;
  const iterBudgetMs = Number(args['iter-budget-ms'] ?? 2500);
  const maxRunMs = Number(args['max-run-ms'] ?? 12_000);
  const webgpuBatches = list(args['webgpu-batches'], batches.map(String)).map(Number);
  const cpuBatches = list(args['cpu-batches'], ['1']).map(Number);
  const cpuVariants = list(args['cpu-variants'], ['fp32']);
  const refBatch = Number(args['ref-batch'] ?? 8);
  const result: Record<string, unknown> & { runs: Record<string, unknown>[] } = {
    date: new Date().toISOString(),
    machine: machine(),
    note: 'session.run through inference/backend/onnxBackend.ts (CPU tensors in and out); latency = one run of the whole batch',
    runs: [],
  };
  const save = () => writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);

  // A CUDA context first (tiny test model), so per-session memory excludes it.
  if (providers.includes('cuda')) {
    const before = gpuMemory();
    try {
      const tiny = path.join(ROOT, 'test/fixtures/models/depth-anything-v2-tiny/model.onnx');
      const { session } = await openSession(tiny, 'context', 'cuda');
      await session.run({
        pixel_values: { type: 'float32', data: new Float32Array(3 * 56 * 56), dims: [1, 3, 56, 56] },
      });
      result.cudaContext = { before, after: gpuMemory() };
      await session.release();
    } catch (err) {
      result.cudaContext = { error: (err as Error).message };
      log(`cuda context: ${(err as Error).message}`);
    }
  }

  for (const key of list(args.models, ALL_MODELS)) {
    let all: Record<string, PlainTensor>;
    let queries = 0;
    try {
      const folder = readTensorFolder(path.join(inputs, key));
      all = folder.tensors;
      queries = Number(folder.meta.queries ?? 0);
    } catch {
      log(`${key}: no prepared inputs; skipped`);
      continue;
    }
    let refs: Record<string, PlainTensor> | undefined;
    try {
      refs = readTensorFolder(path.join(refsDir, key)).tensors;
    } catch {
      log(`${key}: no torch reference; accuracy not checked`);
    }
    for (const provider of providers) {
      for (const variant of variants) {
        if (provider === 'cpu' && !cpuVariants.includes(variant)) continue;
        const base = { model: key, variant, provider };
        if (Date.now() > deadline) {
          result.runs.push({ ...base, skipped: 'time budget' });
          continue;
        }
        let m: LoadedSpec;
        try {
          m = await loadFolder(path.join(modelsDir, `${key}-${variant}`));
        } catch (err) {
          result.runs.push({ ...base, error: (err as Error).message });
          continue;
        }
        const memBefore = gpuMemory();
        const t0 = performance.now();
        let session;
        try {
          const opened = await openSession(m.file, m.spec.name, provider);
          session = opened.session;
          checkSignature(m.spec.name, session.signature, createAdapter(m.spec));
        } catch (err) {
          result.runs.push({ ...base, error: `open: ${(err as Error).message}` });
          log(`${key} ${variant} ${provider}: ${(err as Error).message}`);
          continue;
        }
        const openMs = performance.now() - t0;
        const entry: Record<string, unknown> & { batches: Record<string, unknown>[] } = {
          ...base,
          openMs,
          batches: [],
        };
        result.runs.push(entry);
        let lastMs = 0;
        let lastBatch = 1;
        for (const b of provider === 'cpu' ? cpuBatches : provider === 'webgpu' ? webgpuBatches : batches) {
          if (Date.now() > deadline) {
            entry.batches.push({ batch: b, skipped: 'time budget' });
            continue;
          }
          if (lastMs * (b / lastBatch) > maxRunMs) {
            entry.batches.push({
              batch: b,
              skipped: `one run would take ~${Math.round((lastMs * b) / lastBatch)} ms`,
            });
            continue;
          }
          const feeds = asSessionTypes(batchFeeds(all, b, queries), session.signature);
          try {
            const slow = provider !== 'cuda';
            const timed = await timeRuns(() => session.run(feeds), b, {
              warmup: slow ? 1 : 2,
              minIters: slow ? 2 : 5,
              maxIters: 200,
              budgetMs: iterBudgetMs,
            });
            const mem = gpuMemory();
            const row: Record<string, unknown> = {
              batch: b,
              ...timed,
              gpuMemory: mem,
              sessionMemMiB: memoryDelta(memBefore, mem),
            };
            if (refs && b === refBatch) {
              const outs = await session.run(feeds);
              row.accuracy = Object.fromEntries(
                Object.entries(refs).map(([name, ref]) => [name, compare(outs[name], ref)]),
              );
              row.accuracyPass = Object.values(
                row.accuracy as Record<string, { relL2: number; finite: boolean }>,
              ).every((a) => a.finite && a.relL2 <= MAX_REL_ERR);
            }
            entry.batches.push(row);
            lastMs = timed.p50ms;
            lastBatch = b;
            log(
              `${key} ${variant} ${provider} b${b}: ${timed.imgPerS.toFixed(1)} img/s, p50 ${timed.p50ms.toFixed(2)} ms, ` +
                `p99 ${timed.p99ms.toFixed(2)} ms, first ${timed.warmupMs[0]?.toFixed(0)} ms, mem ${String(row.sessionMemMiB)} MiB` +
                (row.accuracy ? `, acc ${JSON.stringify(row.accuracy)}` : ''),
            );
          } catch (err) {
            entry.batches.push({ batch: b, error: (err as Error).message.slice(0, 400) });
            log(`${key} ${variant} ${provider} b${b}: ${(err as Error).message.slice(0, 200)}`);
            break;
          }
          save();
        }
        // Accuracy when the reference batch was not among the timed ones (cpu: batch 1 only).
        if (
          refs &&
          (provider !== 'cpu' || args['cpu-accuracy']) &&
          !entry.batches.some((r) => r.accuracy) &&
          Date.now() < deadline
        ) {
          try {
            const outs = await session.run(
              asSessionTypes(batchFeeds(all, refBatch, queries), session.signature),
            );
            entry.accuracy = Object.fromEntries(
              Object.entries(refs).map(([name, ref]) => [name, compare(outs[name], ref)]),
            );
          } catch (err) {
            entry.accuracy = { error: (err as Error).message.slice(0, 300) };
          }
        }
        await session.release();
        save();
      }
    }
  }
  save();
}

// ---------------------------------------------------------------------------------------------
// profile: onnxruntime's profiler, kernel time per operator type
// ---------------------------------------------------------------------------------------------

interface ProfileEvent {
  cat: string;
  name: string;
  ts: number;
  dur: number;
  args?: { op_name?: string; provider?: string };
}

export function summarizeProfile(events: ProfileEvent[], lastRuns: number) {
  const runs = events
    .filter((e) => e.cat === 'Session' && e.name === 'model_run')
    .sort((a, b) => a.ts - b.ts);
  const kept = runs.slice(-lastRuns);
  const inKept = (e: ProfileEvent) => kept.some((r) => e.ts >= r.ts && e.ts <= r.ts + r.dur);
  const byOp = new Map<string, { ms: number; nodes: Set<string>; provider: string }>();
  const byNode = new Map<string, { op: string; ms: number }>();
  let kernelUs = 0;
  for (const e of events) {
    if (e.cat !== 'Node' || !e.name.endsWith('_kernel_time') || !inKept(e)) continue;
    const op = e.args?.op_name ?? '?';
    const s = byOp.get(op) ?? { ms: 0, nodes: new Set<string>(), provider: e.args?.provider ?? '' };
    s.ms += e.dur / 1000;
    s.nodes.add(e.name);
    byOp.set(op, s);
    const n = byNode.get(e.name) ?? { op, ms: 0 };
    n.ms += e.dur / 1000;
    byNode.set(e.name, n);
    kernelUs += e.dur;
  }
  const gpuKernels = new Map<string, number>();
  for (const e of events) {
    if (e.cat === 'Kernel' && inKept(e)) gpuKernels.set(e.name, (gpuKernels.get(e.name) ?? 0) + e.dur / 1000);
  }
  const n = Math.max(1, kept.length);
  const runMs = kept.map((r) => r.dur / 1000);
  return {
    runs: kept.length,
    runMsP50: runMs.length ? pct(runMs, 0.5) : undefined,
    kernelMsPerRun: kernelUs / 1000 / n,
    opTypes: [...byOp.entries()]
      .map(([op, s]) => ({
        op,
        provider: s.provider,
        nodes: s.nodes.size,
        msPerRun: s.ms / n,
        share: s.ms / Math.max(kernelUs / 1000, 1e-9),
      }))
      .sort((a, b) => b.msPerRun - a.msPerRun),
    topNodes: [...byNode.entries()]
      .map(([name, s]) => ({ name: name.replace(/_kernel_time$/, ''), op: s.op, msPerRun: s.ms / n }))
      .sort((a, b) => b.msPerRun - a.msPerRun)
      .slice(0, 15),
    gpuKernelsTop: [...gpuKernels.entries()]
      .map(([name, ms]) => ({ name: name.slice(0, 120), msPerRun: ms / n }))
      .sort((a, b) => b.msPerRun - a.msPerRun)
      .slice(0, 15),
  };
}

async function profile(args: Args): Promise<void> {
  const modelsDir = need(args, 'models-dir');
  const inputs = need(args, 'inputs');
  const out = need(args, 'out');
  const key = need(args, 'model');
  const variant = args.variant ?? 'fp16';
  const provider = (args.provider ?? 'cuda') as ProviderName;
  const runs = Number(args.runs ?? 10);
  const dir = args.dir ?? path.join(os.tmpdir(), 'ort-profile');
  mkdirSync(dir, { recursive: true });
  const m = await loadFolder(path.join(modelsDir, `${key}-${variant}`));
  const folder = readTensorFolder(path.join(inputs, key));
  const queries = Number(folder.meta.queries ?? 0);
  const result: Record<string, unknown> = {
    date: new Date().toISOString(),
    model: key,
    variant,
    provider,
    cudaLaunchBlocking: process.env.CUDA_LAUNCH_BLOCKING ?? '0',
    note:
      'onnxruntime enableProfiling; Node events are host-side times of each kernel call. With CUDA_LAUNCH_BLOCKING=1 ' +
      'every launch waits for its kernel, so they are the GPU time of each node (plus launch overhead).',
    batches: [] as unknown[],
  };
  for (const b of list(args.batches, ['32', '1']).map(Number)) {
    const prefix = path.join(dir, `${key}-${variant}-b${b}`);
    // The same session options as onnxBackend.createOn, plus the profiler.
    const session = await ort.InferenceSession.create(m.file, {
      executionProviders: [provider === 'cuda' ? { name: 'cuda', deviceId: 0 } : { name: provider }],
      graphOptimizationLevel: 'all',
      logSeverityLevel: 3,
      enableProfiling: true,
      profileFilePrefix: prefix,
    });
    const feeds: Record<string, ort.Tensor> = {};
    const declared = Object.fromEntries(
      session.inputMetadata.map((v) => [v.name, v.isTensor ? v.type : undefined]),
    );
    for (const [name, t0] of Object.entries(batchFeeds(folder.tensors, b, queries))) {
      const t =
        declared[name] === 'float16' && t0.type === 'float32'
          ? { type: 'float16', data: toFloat16(t0.data as Float32Array), dims: t0.dims }
          : t0;
      feeds[name] = new ort.Tensor(t.type as 'float32', t.data as Float32Array, t.dims);
    }
    const wall: number[] = [];
    for (let i = 0; i < runs + 2; i++) {
      const t = performance.now();
      await session.run(feeds);
      if (i >= 2) wall.push(performance.now() - t);
    }
    session.endProfiling();
    await session.release();
    const file = readdirSync(dir)
      .filter((f) => f.startsWith(path.basename(prefix)) && f.endsWith('.json'))
      .map((f) => path.join(dir, f))
      .sort()
      .pop();
    if (!file) {
      (result.batches as unknown[]).push({ batch: b, error: 'no profile file written' });
      continue;
    }
    const events = JSON.parse(readFileSync(file, 'utf8')) as ProfileEvent[];
    const summary = summarizeProfile(events, runs);
    (result.batches as unknown[]).push({ batch: b, wallMsP50: pct(wall, 0.5), ...summary });
    rmSync(file, { force: true });
    log(
      `profile ${key} ${variant} b${b}: run ${summary.runMsP50?.toFixed(2)} ms, kernels ${summary.kernelMsPerRun.toFixed(2)} ms; ` +
        summary.opTypes
          .slice(0, 8)
          .map((o) => `${o.op} ${(o.share * 100).toFixed(1)}%`)
          .join(', '),
    );
  }
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
}

// ---------------------------------------------------------------------------------------------
// pool: the worker path (prepare, queue, batching, run, post-processing in worker threads)
// ---------------------------------------------------------------------------------------------

async function pool(args: Args): Promise<void> {
  const modelsDir = need(args, 'models-dir');
  const images = readImages(need(args, 'images'));
  const out = need(args, 'out');
  const key = need(args, 'model');
  const variant = args.variant ?? 'fp16';
  const provider = (args.provider ?? 'cuda') as ProviderName;
  const perWorker = Number(args['requests-per-worker'] ?? 32);
  const minRequests = Number(args.requests ?? 64);
  const deadline = Date.now() + Number(args['budget-s'] ?? 60) * 1000;
  const m = await loadFolder(path.join(modelsDir, `${key}-${variant}`));
  const opts = optionsFor(m.spec);
  const copy = (img: RgbImage): RgbImage => ({ ...img, data: img.data.slice() });
  const result: Record<string, unknown> & { configs: unknown[] } = {
    date: new Date().toISOString(),
    model: key,
    variant,
    provider,
    requestsPerWorker: perWorker,
    minRequests,
    imageSizes: [...new Set(images.map((i) => `${i.width}x${i.height}`))],
    note: 'all requests submitted at once; img/s = requests / wall time; worker ms per image from pool.stats',
    configs: [],
  };
  for (const cfg of list(args.configs, ['1x8', '4x8', '8x8', '4x32'])) {
    const [workers, maxBatch] = cfg.split('x').map(Number);
    const requests = Math.max(minRequests, perWorker * workers);
    if (Date.now() > deadline) {
      result.configs.push({ workers, maxBatch, skipped: 'time budget' });
      continue;
    }
    const t0 = performance.now();
    let started;
    try {
      started = await WorkerPool.start({
        models: [{ spec: m.spec, dir: m.dir, file: m.file }],
        workers,
        provider,
        maxQueue: 100_000,
        maxBatch,
        maxWaitMs: 5,
        timeoutMs: 600_000,
        workerScript: path.join(__dirname, 'poolWorker.js'),
      });
    } catch (err) {
      result.configs.push({ workers, maxBatch, error: (err as Error).message.slice(0, 300) });
      continue;
    }
    const { pool: p } = started;
    const startMs = performance.now() - t0;
    try {
      // Warm-up: every worker sees a full batch and a single image (each shape is tuned once).
      await Promise.all(
        Array.from({ length: workers * maxBatch * 2 }, (_, i) =>
          p.run(m.spec.name, copy(images[i % images.length]), opts),
        ),
      );
      for (let i = 0; i < workers; i++) await p.run(m.spec.name, copy(images[i % images.length]), opts);
      // Sequential requests: batch-1 latency through the whole worker path.
      const seq: number[] = [];
      for (let i = 0; i < 20; i++) {
        const t = performance.now();
        await p.run(m.spec.name, copy(images[i % images.length]), opts);
        seq.push(performance.now() - t);
      }
      const before = { ...p.stats };
      const lat: number[] = [];
      const t1 = performance.now();
      await Promise.all(
        Array.from({ length: requests }, (_, i) => {
          const t = performance.now();
          return p
            .run(m.spec.name, copy(images[i % images.length]), opts)
            .then(() => lat.push(performance.now() - t));
        }),
      );
      const seconds = (performance.now() - t1) / 1000;
      const items = p.stats.items - before.items;
      const row = {
        workers,
        maxBatch,
        requests,
        startMs,
        imgPerS: requests / seconds,
        seconds,
        latencyP50ms: pct(lat, 0.5),
        latencyP99ms: pct(lat, 0.99),
        sequentialP50ms: pct(seq, 0.5),
        sequentialP99ms: pct(seq, 0.99),
        modelRuns: p.stats.batches - before.batches,
        workerMsPerImage: {
          prepare: (p.stats.prepare - before.prepare) / items,
          run: (p.stats.run - before.run) / items,
          finish: (p.stats.finish - before.finish) / items,
        },
        gpuMemory: gpuMemory(),
      };
      result.configs.push(row);
      log(
        `pool ${key} ${variant} ${provider} ${workers} workers x batch ${maxBatch}: ${row.imgPerS.toFixed(1)} img/s, ` +
          `sequential p50 ${row.sequentialP50ms.toFixed(1)} ms, worker ms/img ${JSON.stringify(row.workerMsPerImage)}`,
      );
    } catch (err) {
      result.configs.push({ workers, maxBatch, error: (err as Error).message.slice(0, 300) });
    } finally {
      await p.close();
    }
    writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  }
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
}

async function main(): Promise<void> {
  const { cmd, args } = parseArgs(process.argv.slice(2));
  switch (cmd) {
    case 'prep':
      return prep(args);
    case 'bench':
      return bench(args);
    case 'profile':
      return profile(args);
    case 'pool':
      return pool(args);
    case 'report':
      return writeReport(need(args, 'dir'), args.out);
    default:
      throw new Error('usage: gpu.bench.js prep|bench|profile|pool|report [--options] (see the header)');
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
