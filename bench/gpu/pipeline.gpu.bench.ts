/**
 * The whole image pipeline on a GPU machine without Neo4j: JPEG files -> decode -> detect -> depth ->
 * spatial engine -> stored records, through the same code as `scenegraph ingest --images`
 * (startInference from configuration, runPipeline, and the record mapping of storeScenes written to
 * JSON Lines files by src/pipeline/recordFile.ts instead of a transaction). Measured in the same run:
 *
 *   models alone   the two sessions (detector, depth model) on the main thread, inputs prepared
 *                  beforehand and stacked to --max-batch: what the GPU does per image with nothing
 *                  around it (CPU tensors in and out, as the product runs);
 *   inference      the service's worker pool on decoded pixels (pre/post-processing in the workers, no
 *                  file reads, no decode, no engine, no records);
 *   end to end     files in, records out; --shards S runs S processes, each with its own service and
 *                  workers/S workers, so that decoding and the engine (main-thread work) use more cores.
 *
 *   node dist/bench/gpu/pipeline.gpu.bench.js --depth-model DIR --out FILE [--records DIR]
 *        [--images 384] [--workers 12] [--max-batch 8] [--concurrency 64] [--shards 1,4]
 *        [--provider cuda] [--inputs DIR]
 *
 * Inputs: square crops of samples/photos re-encoded as JPEG (quality 90), each file distinct; square so
 * that the depth model's input has one shape and batches form (Depth Anything keeps the aspect ratio).
 * Detector: the bundled coco-centernet. Depth: a model folder (scripts/gpu/export_and_torch.py export).
 */

import { fork } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { inputTypesOf } from '../../inference/adapters/adapter';
import { createAdapter } from '../../inference/adapters/registry';
import { openSession } from '../../inference/backend/onnxBackend';
import { concatDim0, type PlainTensor } from '../../inference/backend/tensor';
import type { ResolvedModel } from '../../inference/inferenceService';
import { resolveForInference } from '../../inference/models/resolve';
import { loadConfig, type Config } from '../../src/config/config';
import { decodeImage } from '../../src/io/decodeImage';
import { createLogger } from '../../src/log/logger';
import { runPipeline, type StageTimings } from '../../src/pipeline/pipeline';
import { RecordFile } from '../../src/pipeline/recordFile';
import { startInference } from '../../src/pipeline/startInference';
import { pct } from './tensorFiles';

const ROOT = path.resolve(__dirname, __dirname.includes(`${path.sep}dist${path.sep}`) ? '../../..' : '../..');
const log = (msg: string) => console.error(`[pipeline] ${msg}`);

interface Options {
  images: number;
  workers: number;
  maxBatch: number;
  concurrency: number;
  shards: number[];
  provider: string;
  depthModel: string;
  inputs: string;
  records: string;
  out?: string;
}

function parseArgs(argv: string[]): Options {
  const get = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const int = (name: string, def: number) => {
    const v = Number(get(name) ?? def);
    if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} must be a positive integer`);
    return v;
  };
  const depthModel = get('depth-model');
  if (!depthModel) throw new Error('--depth-model FOLDER is required');
  return {
    images: int('images', 384),
    workers: int('workers', 12),
    maxBatch: int('max-batch', 8),
    concurrency: int('concurrency', 64),
    shards: (get('shards') ?? '1').split(',').map(Number),
    provider: get('provider') ?? 'cuda',
    depthModel: path.resolve(depthModel),
    inputs: path.resolve(get('inputs') ?? path.join(ROOT, '.data/gpu-pipeline/inputs')),
    records: path.resolve(get('records') ?? path.join(ROOT, '.data/gpu-pipeline/records')),
    out: get('out'),
  };
}

/** `count` distinct square JPEGs from the sample photos (offsets, sizes, mirrored, toned). */
async function makeInputs(dir: string, count: number): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const have = readdirSync(dir)
    .filter((f) => f.endsWith('.jpg'))
    .sort();
  if (have.length >= count) return have.slice(0, count).map((f) => path.join(dir, f));
  const photos = ['astronaut', 'chelsea', 'coffee', 'motorcycle'].map((p) =>
    readFileSync(path.join(ROOT, 'samples/photos', `${p}.jpg`)),
  );
  const files: string[] = [];
  for (let i = 0; i < count; i++) {
    const src = photos[i % photos.length];
    const { width = 0, height = 0 } = await sharp(src).metadata();
    const k = Math.floor(i / photos.length);
    const side = Math.min(width, height) - 2 * (k % 60);
    const left = Math.floor(((width - side) * ((k * 37) % 11)) / 10);
    const top = Math.floor(((height - side) * ((k * 53) % 7)) / 6);
    let img = sharp(src).extract({ left, top, width: side, height: side });
    if (k % 2 === 1) img = img.flop();
    img = img.modulate({ brightness: 1 + ((k % 5) - 2) * 0.03 });
    const file = path.join(dir, `img${String(i).padStart(5, '0')}.jpg`);
    await img.jpeg({ quality: 90 }).toFile(file);
    files.push(file);
  }
  return files;
}

function configFor(opts: Options, workers: number): Config {
  return loadConfig(
    {
      ...process.env,
      DATA_DIR: path.join(ROOT, '.data/gpu-pipeline'),
      DEPTH_MODEL: opts.depthModel,
      INFERENCE_PROVIDER: opts.provider,
      INFERENCE_WORKERS: String(workers),
      INFERENCE_MAX_BATCH: String(opts.maxBatch),
      INFERENCE_MAX_QUEUE: '100000',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    },
    ROOT,
  );
}

interface Decoded {
  width: number;
  height: number;
  data: Uint8Array;
}

/** The two sessions alone on the main thread: prepared, stacked inputs; img/s of detector + depth. */
async function modelsAlone(models: ResolvedModel[], pixels: Decoded[], provider: string, batch: number) {
  const out: Record<string, unknown> = {};
  let msPerImage = 0;
  for (const m of models) {
    const { session, provider: ran } = await openSession(m.file, m.spec.name, provider as 'cuda');
    const adapter = createAdapter(m.spec);
    const ctx = { spec: m.spec, dir: m.dir, inputTypes: inputTypesOf(session.signature) };
    await adapter.load?.(ctx);
    const prepared = pixels.slice(0, batch).map((p) => adapter.prepare(p, {}, ctx));
    // A graph with a fixed batch dimension (the bundled detector: 1) takes that many per run.
    const dim0 = session.signature.inputs[0]?.shape[0];
    const per = typeof dim0 === 'number' && dim0 > 0 ? dim0 : batch;
    const feeds: Record<string, PlainTensor>[] = [];
    for (let i = 0; i < batch; i += per) {
      const group = prepared.slice(i, i + per);
      const f: Record<string, PlainTensor> = {};
      for (const name of Object.keys(group[0].feeds)) f[name] = concatDim0(group.map((g) => g.feeds[name]));
      feeds.push(f);
    }
    const round = async () => {
      for (const f of feeds) await session.run(f);
    };
    for (let i = 0; i < 3; i++) await round();
    const lat: number[] = [];
    const t0 = performance.now();
    while (lat.length < 10 || (performance.now() - t0 < 3000 && lat.length < 200)) {
      const t = performance.now();
      await round();
      lat.push(performance.now() - t);
    }
    const ms = lat.reduce((a, b) => a + b, 0) / lat.length / batch;
    msPerImage += ms;
    out[m.spec.name] = {
      provider: ran,
      runBatch: per,
      msPerImage: ms,
      imgPerS: 1000 / ms,
      p50RoundMs: pct(lat, 0.5),
    };
    await session.release();
  }
  return { batch, perModel: out, msPerImage, imgPerS: 1000 / msPerImage };
}

interface EndToEnd {
  images: number;
  seconds: number;
  stageMsPerImage: Record<string, number>;
  latencyP50ms: number;
  latencyP99ms: number;
  objectsPerImage: number;
  recordBytes: number;
  workerMsPerImage: { prepare: number; run: number; finish: number };
  /** Model runs of both models, and the rows added to them to reach a fixed batch size. */
  modelRuns: number;
  paddedRows: number;
  coresBusy: number;
}

/** Files -> runPipeline -> records, `concurrency` images in flight; one service. */
async function endToEnd(
  files: string[],
  opts: Options,
  inference: Awaited<ReturnType<typeof startInference>>,
  recordsFile: string,
): Promise<EndToEnd> {
  const records = await RecordFile.open(recordsFile);
  const stages: StageTimings & { read: number; records: number } = {
    read: 0,
    decode: 0,
    detect: 0,
    depth: 0,
    engine: 0,
    records: 0,
  };
  const latencies: number[] = [];
  let objects = 0;
  let bytes = 0;
  let next = 0;
  const before = { ...inference.stats };
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  const loop = async () => {
    while (next < files.length) {
      const file = files[next++];
      const t0 = performance.now();
      const data = await readFile(file);
      stages.read += performance.now() - t0;
      const r = await runPipeline(
        { kind: 'image', bytes: data, uri: file },
        { access: { roots: [path.dirname(file)], baseDir: ROOT }, inference },
      );
      for (const k of ['decode', 'detect', 'depth', 'engine'] as const) stages[k] += r.timings[k];
      const t1 = performance.now();
      bytes += await records.write([r.scene]);
      stages.records += performance.now() - t1;
      latencies.push(performance.now() - t0);
      objects += r.scene.objects.length;
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, loop));
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  await records.close();
  const n = files.length;
  const s = inference.stats;
  return {
    images: n,
    seconds,
    stageMsPerImage: Object.fromEntries(Object.entries(stages).map(([k, v]) => [k, v / n])),
    latencyP50ms: pct(latencies, 0.5),
    latencyP99ms: pct(latencies, 0.99),
    objectsPerImage: objects / n,
    recordBytes: bytes,
    workerMsPerImage: {
      prepare: (s.prepare - before.prepare) / n,
      run: (s.run - before.run) / n,
      finish: (s.finish - before.finish) / n,
    },
    modelRuns: s.batches - before.batches,
    paddedRows: s.padded - before.padded,
    coresBusy: (cpu.user + cpu.system) / 1e6 / seconds,
  };
}

async function warmUp(files: string[], inference: Awaited<ReturnType<typeof startInference>>, n: number) {
  // Every worker sees full and partial batches of both models (cuDNN tunes each batch size once).
  await Promise.all(
    files
      .slice(0, n)
      .map(async (f) =>
        runPipeline(
          { kind: 'image', bytes: await readFile(f), uri: f },
          { access: { roots: [path.dirname(f)], baseDir: ROOT }, inference },
        ),
      ),
  );
}

/** A child process of --shards: starts its own service, says ready, runs its files on `go`. */
async function shard(): Promise<void> {
  const { opts, files, workers, recordsFile } = JSON.parse(process.argv[3]) as {
    opts: Options;
    files: string[];
    workers: number;
    recordsFile: string;
  };
  const config = configFor(opts, workers);
  const inference = await startInference(config, createLogger('warn'));
  await warmUp(files, inference, Math.min(files.length, workers * opts.maxBatch * 2));
  process.send!({ type: 'ready' });
  await new Promise<void>((resolve) => process.once('message', () => resolve()));
  const result = await endToEnd(
    files,
    { ...opts, concurrency: Math.ceil(opts.concurrency / opts.shards.length) },
    inference,
    recordsFile,
  );
  await inference.close();
  process.send!({ type: 'done', result });
}

async function sharded(files: string[], opts: Options, shards: number) {
  const per = Math.ceil(files.length / shards);
  const workers = Math.max(1, Math.round(opts.workers / shards));
  const children = Array.from({ length: shards }, (_, i) =>
    fork(__filename, [
      'shard',
      JSON.stringify({
        opts: { ...opts, concurrency: Math.ceil(opts.concurrency / shards), shards: [1] },
        files: files.slice(i * per, (i + 1) * per),
        workers,
        recordsFile: path.join(opts.records, `records-${shards}x-${i}.jsonl`),
      }),
    ]),
  );
  const wait = (type: string) =>
    Promise.all(
      children.map(
        (c) =>
          new Promise<EndToEnd | undefined>((resolve, reject) => {
            const onMsg = (m: { type: string; result?: EndToEnd }) => {
              if (m.type === type) {
                c.off('message', onMsg);
                resolve(m.result);
              }
            };
            c.on('message', onMsg);
            c.once('exit', (code) => reject(new Error(`shard exited with code ${code}`)));
          }),
      ),
    );
  await wait('ready');
  const t0 = performance.now();
  const done = wait('done');
  for (const c of children) c.send('go');
  const results = (await done) as EndToEnd[];
  const seconds = (performance.now() - t0) / 1000;
  const n = results.reduce((a, r) => a + r.images, 0);
  const mean = (f: (r: EndToEnd) => number) => results.reduce((a, r) => a + f(r) * r.images, 0) / n;
  return {
    shards,
    workersPerShard: workers,
    images: n,
    seconds,
    imgPerS: n / seconds,
    stageMsPerImage: Object.fromEntries(
      Object.keys(results[0].stageMsPerImage).map((k) => [k, mean((r) => r.stageMsPerImage[k])]),
    ),
    workerMsPerImage: {
      prepare: mean((r) => r.workerMsPerImage.prepare),
      run: mean((r) => r.workerMsPerImage.run),
      finish: mean((r) => r.workerMsPerImage.finish),
    },
    modelRuns: results.reduce((a, r) => a + r.modelRuns, 0),
    paddedRows: results.reduce((a, r) => a + r.paddedRows, 0),
    latencyP50ms: mean((r) => r.latencyP50ms),
    coresBusy: results.reduce((a, r) => a + r.coresBusy * r.seconds, 0) / seconds,
    recordBytes: results.reduce((a, r) => a + r.recordBytes, 0),
  };
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  mkdirSync(opts.records, { recursive: true });
  const files = await makeInputs(opts.inputs, opts.images);
  const config = configFor(opts, opts.workers);
  const logger = createLogger(config.logLevel);
  const detector = await resolveForInference(config.inference.detectorModel, config, 'detect');
  const depth = await resolveForInference(opts.depthModel, config, 'depth');
  log(
    `${files.length} JPEGs; detector ${detector.spec.name}; depth ${depth.spec.name}; provider ${opts.provider}`,
  );

  const pixels: Decoded[] = [];
  for (const f of files.slice(0, Math.max(opts.maxBatch, 8))) {
    const d = await decodeImage(readFileSync(f));
    pixels.push({ width: d.info.width, height: d.info.height, data: d.rgb });
  }
  const result: Record<string, unknown> = {
    date: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model,
      memGiB: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      uvThreadpool: process.env.UV_THREADPOOL_SIZE ?? '4 (default)',
    },
    options: opts,
    models: { detector: detector.spec.name, depth: depth.spec.name },
    imageSizes: [...new Set(pixels.map((p) => `${p.width}x${p.height}`))],
  };
  const save = () => opts.out && writeFileSync(opts.out, `${JSON.stringify(result, null, 2)}\n`);

  const alone = await modelsAlone([detector, depth], pixels, opts.provider, opts.maxBatch);
  result.modelsAlone = alone;
  log(
    `models alone (main thread, batch ${opts.maxBatch}): ${alone.imgPerS.toFixed(1)} img/s ${JSON.stringify(alone.perModel)}`,
  );
  save();

  const inference = await startInference(config, logger);
  let closed = false;
  result.inferenceStarted = { ...inference.started, devices: inference.health().devices };
  await warmUp(files, inference, Math.min(files.length, opts.workers * opts.maxBatch * 2));

  // Inference alone: the service on decoded pixels, all images in flight.
  const decodedAll: Decoded[] = [];
  for (const f of files) {
    const d = await decodeImage(readFileSync(f));
    decodedAll.push({ width: d.info.width, height: d.info.height, data: d.rgb });
  }
  const before = { ...inference.stats };
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    decodedAll.map((img) => Promise.all([inference.detect(img, {}), inference.estimateDepth(img)])),
  );
  const secs = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const n = files.length;
  result.inferenceAlone = {
    images: n,
    seconds: secs,
    imgPerS: n / secs,
    coresBusy: (cpu.user + cpu.system) / 1e6 / secs,
    workerMsPerImage: {
      prepare: (inference.stats.prepare - before.prepare) / n,
      run: (inference.stats.run - before.run) / n,
      finish: (inference.stats.finish - before.finish) / n,
    },
    modelRuns: inference.stats.batches - before.batches,
    paddedRows: inference.stats.padded - before.padded,
  };
  log(`inference alone (${opts.workers} workers): ${(n / secs).toFixed(1)} img/s`);
  save();

  const runs: Record<string, unknown>[] = [];
  result.endToEnd = runs;
  // One process first, on the service already started; then that service is closed (its GPU memory
  // and threads freed) before the sharded runs start their own.
  const order = [...new Set(opts.shards)].sort((a, b) => a - b);
  for (const s of order) {
    if (s > 1 && !closed) {
      await inference.close();
      closed = true;
    }
    try {
      const row: Record<string, unknown> & { imgPerS: number } =
        s === 1
          ? await endToEnd(files, opts, inference, path.join(opts.records, 'records-1x.jsonl')).then((r) => ({
              shards: 1,
              workersPerShard: opts.workers,
              imgPerS: r.images / r.seconds,
              ...r,
            }))
          : await sharded(files, opts, s);
      row.vsModelsAlone = row.imgPerS / alone.imgPerS;
      row.vsInferenceAlone = row.imgPerS / (n / secs);
      runs.push(row);
      log(
        `end to end, ${s} process(es): ${row.imgPerS.toFixed(1)} img/s = ${(row.imgPerS / alone.imgPerS).toFixed(2)}x models alone`,
      );
    } catch (err) {
      runs.push({ shards: s, error: (err as Error).message.slice(0, 400) });
    }
    save();
  }
  if (!closed) await inference.close();
  save();
  console.log(JSON.stringify(result, null, 2));
}

if (require.main === module) {
  const run = process.argv[2] === 'shard' ? shard() : main();
  run.catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
