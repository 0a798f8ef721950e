/**
 * How inference throughput grows with the number of GPUs on one host: Depth Anything V2 through the
 * project's own worker pool (inference/pool/workerPool.ts, real inference.worker.js, onnxruntime-node's
 * CUDA provider) on 1, 2, 4, ... of the GPUs found (inference/pool/gpuDevices.ts), k workers per GPU.
 *
 *   node dist/bench/gpu/scaling.bench.js --models-dir DIR --images DIR --out FILE
 *        [--model dav2-small] [--variant fp16] [--gpus 1,2,4,8] [--workers-per-gpu 8[,14]] [--max-batch 8]
 *        [--requests-per-gpu 256] [--provider cuda] [--budget-s 240]
 *
 * DIR layouts are scripts/gpu/export_and_torch.py's (`export`: DIR/KEY-VARIANT/model.json; `images`:
 * square crops as raw RGB, so every request prepares to one input shape and batches form). For each GPU
 * count N: start the pool on devices 0..N-1, warm every worker up (cuDNN tunes each new batch size
 * once), then submit N x requests-per-gpu requests at once; images/s = requests / wall time;
 * scaling efficiency = images/s at N / (N x images/s at 1). The pool's pre- and post-processing run in
 * its worker threads on the CPU, so the report also gives the process's CPU time per wall second
 * (cores busy): near the core count means the CPUs, not the GPUs, set the pace.
 */

import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RgbImage } from '../../inference/adapters/adapter';
import type { ProviderName } from '../../inference/backend/onnxBackend';
import { readManifest } from '../../inference/models/manifest';
import { findGpus } from '../../inference/pool/gpuDevices';
import { WorkerPool, type DeviceStatus } from '../../inference/pool/workerPool';
import { pct, readImages } from './tensorFiles';

type Args = Record<string, string>;

function parseArgs(argv: string[]): Args {
  const args: Args = {};
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith('--')) throw new Error(`unexpected argument ${argv[i]}`);
    args[argv[i].slice(2)] = argv[i + 1];
  }
  return args;
}

function need(args: Args, name: string): string {
  const v = args[name];
  if (v === undefined) throw new Error(`--${name} is required`);
  return v;
}

const log = (msg: string) => console.error(`[scaling] ${msg}`);

export interface ScalingRow {
  gpus: number;
  workersPerGpu: number;
  workers: number;
  requests?: number;
  imgPerS?: number;
  /** imgPerS / (gpus x the 1-GPU imgPerS of the same run). */
  efficiency?: number;
  seconds?: number;
  startS?: number;
  latencyP50ms?: number;
  latencyP99ms?: number;
  /** Process CPU seconds (all threads) per wall second while the requests ran. */
  coresBusy?: number;
  workerMsPerImage?: { prepare: number; run: number; finish: number };
  modelRuns?: number;
  devices?: Pick<DeviceStatus, 'id' | 'state' | 'served'>[];
  /** Memory in use per GPU after the run (nvidia-smi, all processes). */
  gpuUsedMiB?: number[];
  skipped?: string;
  error?: string;
}

/** Efficiency of each row against the 1-GPU row with as many workers per GPU; rows without a rate stay. */
export function withEfficiency(rows: ScalingRow[]): ScalingRow[] {
  return rows.map((r) => {
    const single = rows.find(
      (x) => x.gpus === 1 && x.workersPerGpu === r.workersPerGpu && x.imgPerS !== undefined,
    )?.imgPerS;
    return single && r.imgPerS !== undefined ? { ...r, efficiency: r.imgPerS / (r.gpus * single) } : r;
  });
}

/** GPU counts to measure: the ones asked for that this host has, or 1, 2, 4, ... up to all of them. */
export function gpuCounts(found: number, asked?: string): number[] {
  if (asked && asked !== 'all') {
    const want = asked.split(',').map(Number);
    const bad = want.filter((n) => !Number.isInteger(n) || n < 1);
    if (bad.length) throw new Error(`--gpus takes GPU counts, e.g. 1,2,4 (got ${asked})`);
    return want.filter((n) => n <= Math.max(1, found));
  }
  const counts: number[] = [];
  for (let n = 1; n < found; n *= 2) counts.push(n);
  counts.push(Math.max(1, found));
  return [...new Set(counts)];
}

async function measure(
  n: number,
  k: number,
  args: { spec: Awaited<ReturnType<typeof loadModel>>; images: RgbImage[]; provider: ProviderName },
  opts: { maxBatch: number; perGpu: number },
): Promise<ScalingRow> {
  const { spec: m, images, provider } = args;
  const workers = n * k;
  const copy = (img: RgbImage): RgbImage => ({ ...img, data: img.data.slice() });
  const t0 = performance.now();
  const { pool } = await WorkerPool.start({
    models: [m],
    workers,
    provider,
    deviceIds: Array.from({ length: n }, (_, i) => i),
    maxQueue: 1_000_000,
    maxBatch: opts.maxBatch,
    maxWaitMs: 5,
    timeoutMs: 600_000,
  });
  const startS = (performance.now() - t0) / 1000;
  try {
    const name = m.spec.name;
    // Warm-up: bursts that give every worker full and partial batches, then single requests.
    for (let round = 0; round < 2; round++) {
      await Promise.all(
        Array.from({ length: workers * opts.maxBatch + k }, (_, i) =>
          pool.run(name, copy(images[i % images.length])),
        ),
      );
    }
    await Promise.all(
      Array.from({ length: workers }, (_, i) => pool.run(name, copy(images[i % images.length]))),
    );
    const requests = n * opts.perGpu;
    const inputs = Array.from({ length: requests }, (_, i) => copy(images[i % images.length]));
    const before = { ...pool.stats };
    const servedBefore = pool.devices().map((d) => d.served);
    const lat: number[] = [];
    const cpu0 = process.cpuUsage();
    const t1 = performance.now();
    await Promise.all(
      inputs.map((img) => {
        const t = performance.now();
        return pool.run(name, img).then(() => lat.push(performance.now() - t));
      }),
    );
    const seconds = (performance.now() - t1) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const items = pool.stats.items - before.items;
    return {
      gpus: n,
      workersPerGpu: k,
      workers,
      requests,
      imgPerS: requests / seconds,
      seconds,
      startS,
      latencyP50ms: pct(lat, 0.5),
      latencyP99ms: pct(lat, 0.99),
      coresBusy: (cpu.user + cpu.system) / 1e6 / seconds,
      workerMsPerImage: {
        prepare: (pool.stats.prepare - before.prepare) / items,
        run: (pool.stats.run - before.run) / items,
        finish: (pool.stats.finish - before.finish) / items,
      },
      modelRuns: pool.stats.batches - before.batches,
      devices: pool
        .devices()
        .map((d, i) => ({ id: d.id, state: d.state, served: d.served - servedBefore[i] })),
      gpuUsedMiB: gpuUsedMiB(),
    };
  } finally {
    await pool.close();
  }
}

function gpuUsedMiB(): number[] | undefined {
  try {
    const text = execFileSync('nvidia-smi', ['--query-gpu=memory.used', '--format=csv,noheader,nounits'], {
      encoding: 'utf8',
      timeout: 10_000,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return text.trim().split('\n').map(Number);
  } catch {
    return undefined;
  }
}

async function loadModel(dir: string) {
  const read = await readManifest(dir);
  if (read.kind !== 'ok') throw new Error(read.kind === 'missing' ? `${dir}: no model.json` : read.reason);
  const model = read.manifest.files.find((f) => f.role === 'model')!;
  return { spec: read.manifest, dir, file: path.join(dir, model.path) };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const out = need(args, 'out');
  const key = args.model ?? 'dav2-small';
  const variant = args.variant ?? 'fp16';
  const provider = (args.provider ?? 'cuda') as ProviderName;
  const ks = (args['workers-per-gpu'] ?? '8').split(',').map(Number);
  const maxBatch = Number(args['max-batch'] ?? 8);
  const perGpu = Number(args['requests-per-gpu'] ?? 256);
  const deadline = Date.now() + Number(args['budget-s'] ?? 240) * 1000;
  const inventory = findGpus();
  log(`GPUs found (${inventory.source}): ${inventory.names.length} ${JSON.stringify(inventory.names)}`);
  const counts = gpuCounts(inventory.ids.length, args.gpus);
  const model = await loadModel(path.join(need(args, 'models-dir'), `${key}-${variant}`));
  const images = readImages(need(args, 'images'));
  const result = {
    date: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model,
      memGiB: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      onnxruntimeNode: (require('onnxruntime-node/package.json') as { version: string }).version,
    },
    gpus: inventory,
    model: model.spec.name,
    variant,
    provider,
    workersPerGpu: ks,
    maxBatch,
    requestsPerGpu: perGpu,
    imageSizes: [...new Set(images.map((i) => `${i.width}x${i.height}`))],
    note: 'all requests submitted at once; efficiency = img/s / (GPUs x the 1-GPU img/s of this run)',
    rows: [] as ScalingRow[],
  };
  const save = () => writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  for (const k of ks) {
    for (const n of counts) {
      const row = { gpus: n, workersPerGpu: k, workers: n * k };
      if (Date.now() > deadline) {
        result.rows.push({ ...row, skipped: 'time budget' });
        continue;
      }
      try {
        result.rows.push(await measure(n, k, { spec: model, images, provider }, { maxBatch, perGpu }));
      } catch (err) {
        result.rows.push({ ...row, error: (err as Error).message.slice(0, 400) });
      }
      result.rows = withEfficiency(result.rows);
      const r = result.rows[result.rows.length - 1];
      log(
        r.imgPerS !== undefined
          ? `${n} GPU(s), ${r.workers} workers: ${r.imgPerS.toFixed(1)} img/s, efficiency ${r.efficiency?.toFixed(3)}, ` +
              `cores busy ${r.coresBusy?.toFixed(1)}, worker ms/img ${JSON.stringify(r.workerMsPerImage)}`
          : `${n} GPU(s): ${r.error ?? r.skipped}`,
      );
      save();
    }
  }
  save();
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
