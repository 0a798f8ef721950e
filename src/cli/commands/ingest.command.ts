import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { ConfigError, loadConfig, type Config } from '../../config/config';
import { connect } from '../../db/connect';
import type { Database } from '../../db/database';
import { migrate } from '../../db/migrations';
import { AppError, UserInputError } from '../../errors/errors';
import { listSceneFiles, readSceneFile } from '../../ingest/sceneFiles';
import { sha256Hex } from '../../io/decodeImage';
import { createLogger } from '../../log/logger';
import { cliFileAccess } from '../../pipeline/cliAccess';
import { inputKeyFor } from '../../pipeline/inputKey';
import { hasScheme } from '../../pipeline/localFiles';
import { listImageFiles } from '../../pipeline/imageFiles';
import {
  runPipeline,
  type ImageSource,
  type PipelineOptions,
  type StageTimings,
} from '../../pipeline/pipeline';
import { startInference } from '../../pipeline/startInference';
import { storeScenes } from '../../pipeline/store';
import type { SceneGraph } from '../../scenegraph/sceneGraph.types';
import { DEFAULT_WRITERS, MAX_WRITERS, storedInputKeys, type IngestStatus } from '../../store/ingest.store';
import { imageIdFor } from '../../store/storedScene';
import { parseDepthOptions } from './build.command';
import { parsePositiveInt, parseQueries, parseThresholds } from '../options';
import { importFiles } from '../../formats/importFiles';
import type { ImportResult } from '../../formats/importTypes';
import type { MllmBackend } from '../../mllm/mllmBackend';
import { configuredMllm } from '../../mllm/mllmConfig';
import { addFormatOptions, formatImportOptions, parseFormat, type FormatOptions } from './import.command';

interface IngestOptions extends Partial<FormatOptions> {
  scenes?: string;
  images?: string;
  batch: string;
  writers?: string;
  concurrency?: string;
  thresholds?: string;
  queries?: string;
  depth?: string;
  depthUnit?: string;
  depthScale?: string;
  mllm?: boolean;
}

/** Warnings printed at the end of a run; the rest are counted. */
const MAX_PRINTED_WARNINGS = 100;

/**
 * Scene files name their image and depth map relative to themselves (`image.png`); stored graphs must
 * point at the files wherever the command was run from, so relative paths become absolute.
 */
function absolutiseUris(input: unknown, dir: string): void {
  const scene = input as { image?: { uri?: unknown }; depth?: { uri?: unknown } };
  for (const ref of [scene.image, scene.depth]) {
    if (ref && typeof ref.uri === 'string' && !hasScheme(ref.uri) && !path.isAbsolute(ref.uri)) {
      ref.uri = path.resolve(dir, ref.uri);
    }
  }
}

/** The MLLM backend from MLLM_* (src/mllm/mllmConfig.ts); refuses to start without an endpoint. */
export function mllmFromConfig(config: Config): MllmBackend {
  const backend = configuredMllm(config);
  if (!backend) {
    throw new ConfigError([
      {
        variable: 'MLLM_URL',
        message: 'is required by --mllm (with MLLM_MODEL), e.g. http://127.0.0.1:8000/v1',
      },
    ]);
  }
  return backend;
}

/** Counts, failures and a progress bar shared by both kinds of input. */
class Progress {
  readonly counts: Record<IngestStatus | 'skipped', number> = {
    created: 0,
    replaced: 0,
    unchanged: 0,
    skipped: 0,
  };
  readonly failures: string[] = [];
  readonly warnings: string[] = [];
  warningCount = 0;
  readonly stages: StageTimings = { decode: 0, detect: 0, depth: 0, engine: 0 };
  objects = 0;
  relations = 0;
  noDepth = 0;
  private readonly started = process.hrtime.bigint();
  private readonly bar: SingleBar;

  constructor(
    readonly total: number,
    unit: string,
  ) {
    this.bar = new SingleBar(
      {
        format: `ingest [{bar}] {value}/{total} ${unit} | {rate} ${unit}/s | {failed} failed`,
        hideCursor: true,
        noTTYOutput: true,
        notTTYSchedule: 5000,
        stream: process.stderr,
      },
      Presets.shades_classic,
    );
    this.bar.start(total, 0, { rate: '0', failed: 0 });
  }

  get seconds(): number {
    return Number(process.hrtime.bigint() - this.started) / 1e9;
  }

  private processed = 0;

  /** One more file handled (stored, queued for the next batch, skipped or failed). */
  tick(): void {
    this.processed++;
    this.bar.increment(1, {
      rate: (this.processed / Math.max(this.seconds, 1e-9)).toFixed(1),
      failed: this.failures.length,
    });
  }

  stop(): void {
    this.bar.stop();
  }
}

/**
 * Collects built graphs and stores them a batch at a time (each batch in `writers` transactions at
 * once). A full batch is written while the next one is built; batches are written in order, one at a
 * time.
 */
class BatchWriter {
  private pending: SceneGraph[] = [];
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Database,
    private readonly size: number,
    private readonly writers: number,
    private readonly progress: Progress,
  ) {}

  async add(scene: SceneGraph): Promise<void> {
    this.pending.push(scene);
    if (this.pending.length >= this.size) await this.startBatch();
  }

  /** Writes what is pending and waits for every batch. */
  async flush(): Promise<void> {
    await this.startBatch();
    await this.writing;
  }

  /**
   * Queues the pending graphs to be written after the batches before them, and resolves once the
   * batch just before is stored (its error is thrown here), so building runs at most one batch ahead.
   */
  private startBatch(): Promise<void> {
    const previous = this.writing;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return previous;
    const current = previous.then(() => this.write(batch));
    // Observed by a later startBatch or flush; until then its failure is not an unhandled rejection.
    current.catch(() => undefined);
    this.writing = current;
    return previous;
  }

  private async write(batch: SceneGraph[]): Promise<void> {
    for (const r of await storeScenes(this.db, batch, { writers: this.writers }))
      this.progress.counts[r.status]++;
    for (const s of batch) {
      this.progress.objects += s.objects.length;
      this.progress.relations += s.relations?.length ?? 0;
    }
  }
}

/** One scene graph through the pipeline (validation, engine) into the batch writer. */
async function buildAndAdd(
  writer: BatchWriter,
  input: unknown,
  roots: string[],
  baseDir: string,
  thresholds: ReturnType<typeof parseThresholds>,
): Promise<void> {
  const { scene } = await runPipeline(
    { kind: 'scene', input },
    { access: { roots, baseDir }, build: thresholds ? { thresholds } : undefined },
  );
  await writer.add(scene);
}

async function ingestSceneFiles(
  target: string,
  opts: IngestOptions,
  config: Config,
  db: Database,
): Promise<Progress> {
  const thresholds = parseThresholds(opts.thresholds, '--thresholds');
  const batchSize = parsePositiveInt(opts.batch, '--batch', 10000);
  const files = await listSceneFiles(target);
  if (files.length === 0) throw new UserInputError(`no *.json files under ${target}`, '--scenes');
  const root = path.resolve(target);
  const sceneRoot = files.length === 1 && files[0] === root ? path.dirname(root) : root;
  const progress = new Progress(files.length, 'files');
  const writer = new BatchWriter(db, batchSize, parseWriters(opts), progress);
  try {
    for (const file of files) {
      try {
        const input = await readSceneFile(file);
        if (input === undefined) {
          progress.counts.skipped++;
        } else {
          absolutiseUris(input, path.dirname(file));
          await buildAndAdd(
            writer,
            input,
            [sceneRoot, ...config.ingestRoots],
            path.dirname(file),
            thresholds,
          );
        }
      } catch (err) {
        if (!(err instanceof UserInputError)) throw err;
        progress.failures.push(`${path.relative(process.cwd(), file)}: ${err.message}`);
      }
      progress.tick();
    }
    await writer.flush();
  } finally {
    progress.stop();
  }
  return progress;
}

/** `--scenes` in another format (--format): converted by the importers, then stored like scene files. */
async function ingestImportedFiles(
  result: ImportResult & { files: number },
  target: string,
  opts: IngestOptions,
  config: Config,
  db: Database,
): Promise<Progress> {
  const thresholds = parseThresholds(opts.thresholds, '--thresholds');
  const batchSize = parsePositiveInt(opts.batch, '--batch', 10000);
  for (const w of result.warnings) process.stderr.write(`scenegraph: warning: ${w}\n`);
  const root = path.resolve(target);
  const sceneRoot = result.files === 1 && (await fs.stat(root)).isFile() ? path.dirname(root) : root;
  const progress = new Progress(result.scenes.length + result.failures.length, 'images');
  const writer = new BatchWriter(db, batchSize, parseWriters(opts), progress);
  try {
    for (const f of result.failures) {
      progress.failures.push(f.error.message);
      progress.tick();
    }
    for (const { from, scene } of result.scenes) {
      try {
        await buildAndAdd(writer, scene, [sceneRoot, ...config.ingestRoots], sceneRoot, thresholds);
      } catch (err) {
        if (!(err instanceof UserInputError)) throw err;
        progress.failures.push(`${from}: ${err.message}`);
      }
      progress.tick();
    }
    await writer.flush();
  } finally {
    progress.stop();
  }
  return progress;
}

async function ingestImageFiles(
  target: string,
  opts: IngestOptions,
  config: Config,
  db: Database,
  logger: ReturnType<typeof createLogger>,
): Promise<Progress> {
  const thresholds = parseThresholds(opts.thresholds, '--thresholds');
  const batchSize = parsePositiveInt(opts.batch, '--batch', 10000);
  const queries = parseQueries(opts.queries, '--queries');
  const depth = parseDepthOptions(opts);
  const files = await listImageFiles(target, '--images');
  if (depth && files.length !== 1) {
    throw new UserInputError(
      'a depth map belongs to one image: give --images a single file with it',
      '--depth',
    );
  }
  const concurrency = parsePositiveInt(
    opts.concurrency ?? String(defaultInFlight(config)),
    '--concurrency',
    MAX_IN_FLIGHT,
  );
  const mllm = opts.mllm ? mllmFromConfig(config) : undefined;
  const inference = await startInference(config, logger, { depth: depth === undefined });
  const pipelineOpts = (file: string): PipelineOptions => ({
    access: cliFileAccess(path.dirname(file)),
    build: thresholds ? { thresholds } : undefined,
    inference,
    mllm,
    maxPixels: config.images.maxPixels,
  });
  const progress = new Progress(files.length, 'images');
  const writer = new BatchWriter(db, batchSize, parseWriters(opts), progress);
  try {
    // Files stored before under the same key (same bytes, models and settings) are skipped unread by the models.
    let next = 0;
    const worker = async () => {
      while (next < files.length) {
        const file = files[next++];
        try {
          const bytes = await fs.readFile(file).catch(() => {
            throw new UserInputError(`cannot read ${file}`, '--images');
          });
          const source: ImageSource = {
            kind: 'image',
            bytes,
            uri: file,
            queries,
            depth,
            depthField: '--depth',
          };
          const sha256 = sha256Hex(bytes);
          const key = inputKeyFor(source, sha256, pipelineOpts(file));
          const id = imageIdFor({
            version: 1,
            image: { uri: file, width: 1, height: 1, sha256 },
            objects: [],
          });
          if ((await storedInputKeys(db, [id])).get(id) === key) {
            progress.counts.unchanged++;
          } else {
            const result = await runPipeline(source, pipelineOpts(file));
            for (const k of Object.keys(progress.stages) as (keyof StageTimings)[])
              progress.stages[k] += result.timings[k];
            if (result.depth === 'absent') progress.noDepth++;
            for (const w of result.warnings) {
              if (progress.warnings.length < MAX_PRINTED_WARNINGS)
                progress.warnings.push(`${path.relative(process.cwd(), file)}: ${w}`);
              progress.warningCount++;
            }
            await writer.add(result.scene);
          }
        } catch (err) {
          if (!(err instanceof UserInputError)) throw err;
          progress.failures.push(`${path.relative(process.cwd(), file)}: ${err.message}`);
        }
        progress.tick();
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, files.length) }, worker));
    await writer.flush();
  } finally {
    progress.stop();
    await inference.close();
  }
  return progress;
}

function parseWriters(opts: IngestOptions): number {
  return opts.writers === undefined
    ? DEFAULT_WRITERS
    : parsePositiveInt(opts.writers, '--writers', MAX_WRITERS);
}

/** Most images `ingest --images` keeps in flight (decoded pixels are held while they wait). */
const MAX_IN_FLIGHT = 512;

/**
 * Enough images in flight to fill every worker's batches twice over: each image waits for the
 * detector, then the depth model, so fewer leave the GPU workers idle between batches (on the H200,
 * 16 workers: 64 in flight gave 41.5 images/s end to end, 256 gave 104.6; BENCHMARKS.md).
 */
export function defaultInFlight(config: Config): number {
  return Math.min(MAX_IN_FLIGHT, Math.max(2, 2 * config.inference.workers * config.inference.maxBatch));
}

export function registerIngestCommand(program: Command): void {
  const command = program
    .command('ingest')
    .description(
      'Store scene graphs in Neo4j, from scene-graph JSON files or from images (detector + depth model); idempotent: re-running stores nothing twice',
    )
    .option('--scenes <path>', 'a scene-graph JSON file or a folder of them')
    .option(
      '--images <path>',
      'an image, a folder of images (searched recursively), or a .txt list of image paths',
    )
    .option('--batch <n>', 'images stored together (split into transactions of whole images)', '100')
    .option('--writers <n>', `transactions written at once (1 to ${MAX_WRITERS}; default ${DEFAULT_WRITERS})`)
    .option(
      '--concurrency <n>',
      `images in flight at once with --images (default: 2 x INFERENCE_WORKERS x INFERENCE_MAX_BATCH, at most ${MAX_IN_FLIGHT})`,
    )
    .option('--thresholds <json>', 'spatial threshold overrides for scenes the engine builds')
    .option(
      '--queries <list>',
      'comma-separated text queries for an open-vocabulary detector (with --images)',
    )
    .option('--depth <file>', 'a depth map for a single --images file (instead of the depth model)')
    .option('--depth-unit <unit>', 'meters | relative | inverse (with --depth)')
    .option('--depth-scale <s>', 'multiplier for raw depth values (with --depth)')
    .option(
      '--mllm',
      'with --images: objects and relations from the MLLM endpoint (MLLM_URL, MLLM_MODEL) instead of the detector',
    )
    .option(
      '--format <format>',
      'read --scenes as coco | labelme | psg | vg | grounded annotations (see `scenegraph import`)',
    );
  addFormatOptions(command).action(async (opts: IngestOptions) => {
    if ((opts.scenes === undefined) === (opts.images === undefined)) {
      throw new UserInputError(
        'give exactly one of --scenes <path> or --images <path>',
        opts.scenes ? '--images' : '--scenes',
      );
    }
    if (opts.scenes && (opts.queries || opts.depth || opts.concurrency || opts.mllm)) {
      throw new UserInputError(
        'works with --images',
        opts.queries ? '--queries' : opts.depth ? '--depth' : opts.concurrency ? '--concurrency' : '--mllm',
      );
    }
    if (opts.mllm && opts.queries) throw new UserInputError('is for the detector, not --mllm', '--queries');
    if (opts.format !== undefined && opts.scenes === undefined)
      throw new UserInputError('reads --scenes <path> in that format', '--format');
    const formatOnly = (['imageRoot', 'imageData', 'crowd', 'relationSource'] as const).find(
      (k) => opts[k] !== undefined,
    );
    if (opts.format === undefined && formatOnly)
      throw new UserInputError(
        'works with --format',
        `--${formatOnly.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`,
      );
    parsePositiveInt(opts.batch, '--batch', 10000);
    parseWriters(opts);
    // Annotations are converted before any database work, so a malformed file changes nothing.
    const format = opts.format === undefined ? undefined : parseFormat(opts.format);
    const imported = format
      ? await importFiles(format, opts.scenes!, formatImportOptions(format, opts as FormatOptions))
      : undefined;
    const config = loadConfig();
    if (opts.mllm) mllmFromConfig(config); // a missing endpoint stops the run before any database work
    const logger = createLogger(config.logLevel);
    const conn = await connect(config, logger);
    let progress: Progress;
    try {
      await migrate(conn.db);
      progress = imported
        ? await ingestImportedFiles(imported, opts.scenes!, opts, config, conn.db)
        : opts.scenes
          ? await ingestSceneFiles(opts.scenes, opts, config, conn.db)
          : await ingestImageFiles(opts.images!, opts, config, conn.db, logger);
    } finally {
      await conn.db.close();
    }
    const { counts } = progress;
    const secs = progress.seconds;
    const images = counts.created + counts.replaced + counts.unchanged;
    process.stdout.write(
      `ingested ${images} images (${counts.created} created, ${counts.replaced} replaced, ${counts.unchanged} unchanged), ` +
        `${progress.objects} objects, ${progress.relations} relations in ${secs.toFixed(1)} s: ` +
        `${(images / secs).toFixed(1)} images/s, ${(progress.objects / secs).toFixed(0)} objects/s` +
        (counts.skipped ? `; skipped ${counts.skipped} JSON files that are not scene graphs` : '') +
        '\n',
    );
    if (opts.images) {
      const s = progress.stages;
      process.stdout.write(
        `stage time (summed over images): decode ${(s.decode / 1000).toFixed(2)} s, detect ${(s.detect / 1000).toFixed(2)} s, ` +
          `depth ${(s.depth / 1000).toFixed(2)} s, engine ${(s.engine / 1000).toFixed(2)} s` +
          (progress.noDepth
            ? `; ${progress.noDepth} images without depth (no depth model pulled: scenegraph models pull ${config.inference.depthModel ?? 'depth-anything-v2-small'}), stored with 2D relations`
            : '') +
          '\n',
      );
    }
    if (conn.startedLocal)
      process.stdout.write('the local Neo4j keeps running (`scenegraph db stop` stops it)\n');
    for (const w of progress.warnings) process.stderr.write(`scenegraph: warning: ${w}\n`);
    if (progress.warningCount > progress.warnings.length)
      process.stderr.write(`scenegraph: ${progress.warningCount - progress.warnings.length} more warnings\n`);
    if (progress.failures.length > 0) {
      for (const f of progress.failures) process.stderr.write(`scenegraph: ${f}\n`);
      throw new AppError(
        'BAD_USER_INPUT',
        `${progress.failures.length} of ${progress.total} files were not ingested`,
      );
    }
  });
}
