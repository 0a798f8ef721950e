/**
 * Model-only throughput with several sessions on one GPU at once: W worker threads, each with its own
 * onnxruntime-node session (inference/backend/onnxBackend.ts `openSession`, the product's path) running
 * the same prepared batch back to back. onnxruntime-node takes CPU tensors in and out, so one session
 * alternates host copies and GPU work; with several, one session's copies overlap another's kernels (the
 * Node binding offers neither device-resident I/O binding nor CUDA graphs: BENCHMARKS.md).
 *
 *   node dist/bench/gpu/concurrent.bench.js --models-dir DIR --inputs DIR --out FILE
 *        [--model dav2-small] [--variant fp16-mha-io16-sln-nhwc] [--workers 1,2,3,4] [--batches 8,32]
 *        [--seconds 6] [--provider cuda] [--device 0]
 *
 * DIR layouts are scripts/gpu/export_and_torch.py's (`export`) and `gpu.bench.js prep`'s. For each
 * (batch, workers): every worker opens its session and warms up (cuDNN tunes each batch size once),
 * then all start together and run until the time is up; img/s = images finished / wall time of the
 * timed window, and each run's latency is kept for p50 / p99.
 */

import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import './ortOptionsFix';
import { openSession, type ProviderName } from '../../inference/backend/onnxBackend';
import { readManifest } from '../../inference/models/manifest';
import { sliceDim0, type PlainTensor } from '../../inference/backend/tensor';
import { toFloat16 } from '../../inference/preprocess/float16';
import { gpuMemory } from './gpuMemory';
import { pct, readTensorFolder } from './tensorFiles';

interface Job {
  file: string;
  name: string;
  provider: ProviderName;
  deviceId: number;
  inputs: string;
  batch: number;
}

interface WorkerResult {
  runs: number[];
  startMs: number;
  endMs: number;
}

/** The prepared pixel batch as the session declares its input (float16 for an io16 model). */
function feedsFor(inputs: string, batch: number, float16: boolean): Record<string, PlainTensor> {
  const all = readTensorFolder(inputs).tensors;
  const px = sliceDim0(all.pixel_values, 0, batch);
  return {
    pixel_values:
      float16 && px.type === 'float32'
        ? { type: 'float16', data: toFloat16(px.data as Float32Array), dims: px.dims }
        : px,
  };
}

async function workerMain(job: Job): Promise<void> {
  const { session } = await openSession(job.file, job.name, job.provider, { deviceId: job.deviceId });
  const input = session.signature.inputs.find((i) => i.name === 'pixel_values');
  const feeds = feedsFor(job.inputs, job.batch, input?.type === 'float16');
  for (let i = 0; i < 3; i++) await session.run(feeds);
  parentPort!.postMessage({ ready: true });
  parentPort!.once('message', (msg: { untilEpochMs: number }) => {
    void (async () => {
      const runs: number[] = [];
      const startMs = Date.now();
      while (Date.now() < msg.untilEpochMs) {
        const t = performance.now();
        await session.run(feeds);
        runs.push(performance.now() - t);
      }
      const result: WorkerResult = { runs, startMs, endMs: Date.now() };
      await session.release();
      parentPort!.postMessage(result);
    })();
  });
}

function parseArgs(argv: string[]): Record<string, string> {
  const args: Record<string, string> = {};
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith('--') || argv[i + 1] === undefined) throw new Error(`bad argument ${argv[i]}`);
    args[argv[i].slice(2)] = argv[i + 1];
  }
  return args;
}

async function runConfig(job: Job, workers: number, seconds: number) {
  const threads = Array.from({ length: workers }, () => new Worker(__filename, { workerData: job }));
  const failed = new Promise<never>((_, reject) => {
    for (const w of threads) w.once('error', reject);
  });
  const ready = threads.map((w) => new Promise<void>((resolve) => w.once('message', () => resolve())));
  await Promise.race([Promise.all(ready), failed]);
  const memory = gpuMemory();
  const results = threads.map((w) => new Promise<WorkerResult>((resolve) => w.once('message', resolve)));
  const until = Date.now() + seconds * 1000;
  for (const w of threads) w.postMessage({ untilEpochMs: until });
  const done = await Promise.race([Promise.all(results), failed]);
  await Promise.all(threads.map((w) => w.terminate()));
  const start = Math.min(...done.map((r) => r.startMs));
  const end = Math.max(...done.map((r) => r.endMs));
  const lat = done.flatMap((r) => r.runs);
  const images = lat.length * job.batch;
  return {
    workers,
    batch: job.batch,
    runs: lat.length,
    imgPerS: images / ((end - start) / 1000),
    p50ms: pct(lat, 0.5),
    p99ms: pct(lat, 0.99),
    gpuMemory: memory,
  };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const need = (k: string) => {
    if (!args[k]) throw new Error(`--${k} is required (see the header of bench/gpu/concurrent.bench.ts)`);
    return args[k];
  };
  const key = args.model ?? 'dav2-small';
  const variant = args.variant ?? 'fp16-mha-io16-sln-nhwc';
  const dir = path.join(need('models-dir'), `${key}-${variant}`);
  const read = await readManifest(dir);
  if (read.kind !== 'ok') throw new Error(read.kind === 'missing' ? `${dir}: no model.json` : read.reason);
  const model = read.manifest.files.find((f) => f.role === 'model')!;
  const workersList = (args.workers ?? '1,2,3,4').split(',').map(Number);
  const batches = (args.batches ?? '8,32').split(',').map(Number);
  const seconds = Number(args.seconds ?? 6);
  const out = need('out');
  const result = {
    date: new Date().toISOString(),
    model: key,
    variant,
    provider: args.provider ?? 'cuda',
    seconds,
    note: 'W worker threads, one session each, the same prepared batch back to back; img/s = images / wall time',
    configs: [] as unknown[],
  };
  for (const batch of batches) {
    for (const workers of workersList) {
      const job: Job = {
        file: path.join(dir, model.path),
        name: read.manifest.name,
        provider: (args.provider ?? 'cuda') as ProviderName,
        deviceId: Number(args.device ?? 0),
        inputs: path.join(need('inputs'), key),
        batch,
      };
      try {
        const row = await runConfig(job, workers, seconds);
        result.configs.push(row);
        console.log(
          `[node] concurrent ${key} ${variant} b${batch} x${workers} sessions: ${row.imgPerS.toFixed(1)} img/s, ` +
            `run p50 ${row.p50ms.toFixed(2)} ms, p99 ${row.p99ms.toFixed(2)} ms`,
        );
      } catch (err) {
        result.configs.push({ workers, batch, error: (err as Error).message });
        console.log(`[node] concurrent ${key} ${variant} b${batch} x${workers}: ${(err as Error).message}`);
      }
      writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
    }
  }
}

if (isMainThread) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
} else {
  void workerMain(workerData as Job);
}
