/**
 * End-to-end image benchmark on this machine's CPU: image files in, scene graphs stored in Neo4j, through
 * the same code as `scenegraph ingest --images` (runPipeline -> storeScenes, images in flight at once,
 * inference in worker threads). Reports images/s end to end and the time per stage (decode, detect,
 * depth, engine, store), and, measured in the same run as a baseline, bare onnxruntime: the same
 * adapters and sessions on the main thread, one image after another, no decode of files, no engine, no
 * store. The ratio says what the pipeline around the models costs or gains (overlap of stages).
 *
 *   npm run bench:pipeline -- [--images 48] [--workers 1] [--concurrency 4] [--threads 0]
 *                             [--depth-model NAME|FOLDER] [--out bench/results/pipeline-DATE.json]
 *
 * Inputs: the four photos of samples/photos, each re-encoded in variants (mirrored, cropped, toned) so
 * that every file is a distinct image for the store. Detector: the bundled coco-centernet. Depth: a
 * registry model if pulled, or a model folder (default: the depth test model; with no network here the
 * real-size Depth Anything V2 Small architecture comes from `scripts/models/make_test_models.py
 * --full-size`, random weights: the same cost as the trained model). Neo4j: the project's local one
 * in .data/bench-pipeline (Bolt port 7689), or NEO4J_URI.
 */

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { loadConfig } from '../src/config/config';
import { connect } from '../src/db/connect';
import { migrate } from '../src/db/migrations';
import { decodeImage } from '../src/io/decodeImage';
import { createLogger } from '../src/log/logger';
import { runPipeline, type StageTimings } from '../src/pipeline/pipeline';
import { startInference } from '../src/pipeline/startInference';
import { storeScenes } from '../src/pipeline/store';
import { inputTypesOf } from '../inference/adapters/adapter';
import { createAdapter } from '../inference/adapters/registry';
import { openSession } from '../inference/backend/onnxBackend';
import { resolveForInference } from '../inference/models/resolve';
import type { ResolvedModel } from '../inference/inferenceService';

const ROOT = path.resolve(__dirname, __dirname.includes(`${path.sep}dist${path.sep}`) ? '../..' : '..');

interface Options {
  images: number;
  workers: number;
  concurrency: number;
  threads: number;
  depthModel: string;
  out?: string;
}

function parseArgs(argv: string[]): Options {
  const get = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const int = (name: string, def: number) => {
    const v = Number(get(name) ?? def);
    if (!Number.isInteger(v) || v < 0) throw new Error(`--${name} must be a non-negative integer`);
    return v;
  };
  return {
    images: int('images', 48),
    workers: int('workers', 1),
    concurrency: int('concurrency', 4),
    threads: int('threads', 0),
    depthModel: get('depth-model') ?? path.join(ROOT, 'test/fixtures/models/depth-anything-v2-tiny'),
    out: get('out'),
  };
}

/** `count` distinct JPEG files from the sample photos: mirrored, cropped and toned variants. */
async function makeInputs(dir: string, count: number): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const photos = ['astronaut', 'chelsea', 'coffee', 'motorcycle'].map((p) =>
    readFileSync(path.join(ROOT, 'samples/photos', `${p}.jpg`)),
  );
  const files: string[] = [];
  for (let i = 0; i < count; i++) {
    const src = photos[i % photos.length];
    const meta = await sharp(src).metadata();
    const k = Math.floor(i / photos.length);
    const crop = Math.min(k * 3, Math.floor(Math.min(meta.width!, meta.height!) / 10));
    let img = sharp(src).extract({
      left: crop,
      top: crop,
      width: meta.width! - 2 * crop,
      height: meta.height! - 2 * crop,
    });
    if (k % 2 === 1) img = img.flop();
    img = img.modulate({ brightness: 1 + ((k % 5) - 2) * 0.02 });
    const file = path.join(dir, `img${String(i).padStart(4, '0')}.jpg`);
    await img.jpeg({ quality: 90 }).toFile(file);
    files.push(file);
  }
  return files;
}

function pct(values: number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

/** Bare onnxruntime on the main thread: decoded pixels -> adapter -> session -> adapter, one at a time. */
async function bareBaseline(
  models: ResolvedModel[],
  pixels: { width: number; height: number; data: Uint8Array }[],
  threads: number,
) {
  const sessions = await Promise.all(
    models.map(async (m) => {
      const { session } = await openSession(m.file, m.spec.name, 'cpu', { intraOpThreads: threads });
      return {
        session,
        adapter: createAdapter(m.spec),
        ctx: { spec: m.spec, dir: m.dir, inputTypes: inputTypesOf(session.signature) },
      };
    }),
  );
  for (const s of sessions) await s.adapter.load?.(s.ctx);
  const once = async (image: { width: number; height: number; data: Uint8Array }) => {
    for (const s of sessions) {
      const p = s.adapter.prepare(image, {}, s.ctx);
      s.adapter.finish(await s.session.run(p.feeds), p.meta, {}, s.ctx);
    }
  };
  await once(pixels[0]); // warm-up, as the pipeline gets one
  const started = performance.now();
  for (const image of pixels) await once(image);
  const seconds = (performance.now() - started) / 1000;
  for (const s of sessions) await s.session.release();
  return { imagesPerSecond: pixels.length / seconds, seconds };
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const dataDir = path.join(ROOT, '.data/bench-pipeline');
  const env = {
    ...process.env,
    DATA_DIR: process.env.DATA_DIR ?? dataDir,
    NEO4J_BOLT_PORT: process.env.NEO4J_BOLT_PORT ?? '7689',
    DEPTH_MODEL: opts.depthModel,
    INFERENCE_PROVIDER: 'cpu',
    INFERENCE_WORKERS: String(opts.workers),
    INFERENCE_THREADS: String(opts.threads),
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  };
  const config = loadConfig(env, ROOT);
  const logger = createLogger(config.logLevel);
  const files = await makeInputs(path.join(dataDir, 'inputs'), opts.images);
  const detector = await resolveForInference(config.inference.detectorModel, config, 'detect');
  const depth = await resolveForInference(opts.depthModel, config, 'depth');
  console.error(
    `${files.length} images; detector ${detector.spec.name}; depth ${depth.spec.name} (${depth.spec.inputSize} px)`,
  );

  // Baseline first, on already decoded pixels.
  const pixels = [];
  for (const f of files) {
    const d = await decodeImage(readFileSync(f));
    pixels.push({ width: d.info.width, height: d.info.height, data: d.rgb });
  }
  const baseline = await bareBaseline([detector, depth], pixels, opts.threads);
  console.error(
    `bare onnxruntime (main thread, sequential): ${baseline.imagesPerSecond.toFixed(2)} images/s`,
  );

  const conn = await connect(config, logger);
  await migrate(conn.db);
  await conn.db.write('bench.clear', (tx) =>
    tx.run('MATCH (i:Image) WHERE i.uri STARTS WITH $dir OPTIONAL MATCH (i)-->(n) DETACH DELETE n, i', {
      dir: path.dirname(files[0]),
    }),
  );
  const inference = await startInference(config, logger);
  // Warm-up: one image through every stage (sessions, JIT), not counted.
  await runPipeline(
    { kind: 'image', bytes: readFileSync(files[0]), uri: 'warmup' },
    { access: { roots: ['/'], baseDir: ROOT }, inference },
  );

  const stages: StageTimings & { store: number } = { decode: 0, detect: 0, depth: 0, engine: 0, store: 0 };
  const latencies: number[] = [];
  let objects = 0;
  let relations = 0;
  let next = 0;
  const started = performance.now();
  const pending: Promise<unknown>[] = [];
  const worker = async () => {
    while (next < files.length) {
      const file = files[next++];
      const t0 = performance.now();
      const r = await runPipeline(
        { kind: 'image', bytes: readFileSync(file), uri: file },
        { access: { roots: ['/'], baseDir: ROOT }, inference, maxPixels: config.images.maxPixels },
      );
      for (const k of ['decode', 'detect', 'depth', 'engine'] as const) stages[k] += r.timings[k];
      const t1 = performance.now();
      await storeScenes(conn.db, [r.scene]);
      stages.store += performance.now() - t1;
      latencies.push(performance.now() - t0);
      objects += r.scene.objects.length;
      relations += r.scene.relations?.length ?? 0;
    }
  };
  for (let i = 0; i < Math.max(1, opts.concurrency); i++) pending.push(worker());
  await Promise.all(pending);
  const seconds = (performance.now() - started) / 1000;
  await inference.close();
  await conn.db.close();
  if (conn.startedLocal && conn.local) await conn.local.stop();

  const n = files.length;
  const result = {
    date: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      model: os.cpus()[0]?.model,
      memGiB: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
    },
    options: opts,
    models: { detector: detector.spec.name, depth: depth.spec.name, depthInputSize: depth.spec.inputSize },
    images: n,
    objectsPerImage: objects / n,
    relationsPerImage: relations / n,
    endToEnd: {
      seconds,
      imagesPerSecond: n / seconds,
      latencyP50ms: pct(latencies, 0.5),
      latencyP99ms: pct(latencies, 0.99),
    },
    stageMsPerImage: Object.fromEntries(Object.entries(stages).map(([k, v]) => [k, v / n])),
    // Inside the workers, both models together: pre-processing, onnxruntime, post-processing.
    workerMsPerImage: {
      prepare: inference.stats.prepare / n,
      run: inference.stats.run / n,
      finish: inference.stats.finish / n,
    },
    batches: inference.stats.batches,
    baseline: { ...baseline, ratio: n / seconds / baseline.imagesPerSecond },
  };
  console.log(JSON.stringify(result, null, 2));
  if (opts.out) writeFileSync(opts.out, `${JSON.stringify(result, null, 2)}\n`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
