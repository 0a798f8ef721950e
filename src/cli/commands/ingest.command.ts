import path from 'node:path';
import { Command } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { loadConfig } from '../../config/config';
import { connect } from '../../db/connect';
import { migrate } from '../../db/migrations';
import { AppError, UserInputError } from '../../errors/errors';
import { prepareScene } from '../../ingest/prepareScene';
import { listSceneFiles, readSceneFile } from '../../ingest/sceneFiles';
import { createLogger } from '../../log/logger';
import { ingestImages, IngestStatus } from '../../store/ingest.store';
import { StoredImage, toStoredImage } from '../../store/storedScene';

interface IngestOptions {
  scenes: string;
  batch: string;
  thresholds?: string;
}

function parseThresholds(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  try {
    const v = JSON.parse(text) as unknown;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
    return v as Record<string, unknown>;
  } catch {
    throw new UserInputError('must be a JSON object, e.g. \'{"frontMaxOverlap": 0.3}\'', '--thresholds');
  }
}

/**
 * Scene files name their image and depth map relative to themselves (`image.png`); stored graphs must
 * point at the files wherever the command was run from, so relative paths become absolute.
 */
function absolutiseUris(input: unknown, dir: string): void {
  const scene = input as { image?: { uri?: unknown }; depth?: { uri?: unknown } };
  for (const ref of [scene.image, scene.depth]) {
    if (
      ref &&
      typeof ref.uri === 'string' &&
      !/^[a-z][a-z0-9+.-]*:/i.test(ref.uri) &&
      !path.isAbsolute(ref.uri)
    ) {
      ref.uri = path.resolve(dir, ref.uri);
    }
  }
}

export function registerIngestCommand(program: Command): void {
  program
    .command('ingest')
    .description(
      'Store scene-graph JSON files (a file, or every *.json below a folder) in Neo4j; idempotent: re-running stores nothing twice',
    )
    .requiredOption('--scenes <path>', 'a scene-graph JSON file or a folder of them')
    .option('--batch <n>', 'images per transaction', '100')
    .option('--thresholds <json>', 'spatial threshold overrides for scenes the engine builds')
    .action(async (opts: IngestOptions) => {
      const batchSize = Number(opts.batch);
      if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10000) {
        throw new UserInputError('must be an integer from 1 to 10000', '--batch');
      }
      const thresholds = parseThresholds(opts.thresholds);
      const config = loadConfig();
      const logger = createLogger(config.logLevel);
      const files = await listSceneFiles(opts.scenes);
      if (files.length === 0) throw new UserInputError(`no *.json files under ${opts.scenes}`, '--scenes');
      const root = path.resolve(opts.scenes);
      const sceneRoot = files.length === 1 && files[0] === root ? path.dirname(root) : root;

      const conn = await connect(config, logger);
      const counts: Record<IngestStatus, number> = { created: 0, replaced: 0, unchanged: 0 };
      const failures: string[] = [];
      let skipped = 0;
      let objects = 0;
      let relations = 0;
      const started = process.hrtime.bigint();
      const bar = new SingleBar(
        {
          format: 'ingest [{bar}] {value}/{total} files | {rate} images/s | {failed} failed',
          hideCursor: true,
          noTTYOutput: true,
          notTTYSchedule: 5000,
          stream: process.stderr,
        },
        Presets.shades_classic,
      );
      try {
        await migrate(conn.db);
        bar.start(files.length, 0, { rate: '0', failed: 0 });
        let pending: StoredImage[] = [];
        let done = 0;
        const flush = async () => {
          if (pending.length === 0) return;
          for (const r of await ingestImages(conn.db, pending)) counts[r.status]++;
          for (const p of pending) {
            objects += p.objects.length;
            relations += p.relations.length;
          }
          done += pending.length;
          pending = [];
        };
        for (const file of files) {
          try {
            const input = await readSceneFile(file);
            if (input === undefined) {
              skipped++;
            } else {
              absolutiseUris(input, path.dirname(file));
              const scene = await prepareScene(input, {
                roots: [sceneRoot, ...config.ingestRoots],
                baseDir: path.dirname(file),
                build: thresholds ? { thresholds } : undefined,
              });
              pending.push(toStoredImage(scene, new Date().toISOString()));
              if (pending.length >= batchSize) await flush();
            }
          } catch (err) {
            if (!(err instanceof UserInputError)) throw err;
            failures.push(`${path.relative(process.cwd(), file)}: ${err.message}`);
          }
          const secs = Number(process.hrtime.bigint() - started) / 1e9;
          bar.increment(1, {
            rate: ((done + pending.length) / Math.max(secs, 1e-9)).toFixed(1),
            failed: failures.length,
          });
        }
        await flush();
      } finally {
        bar.stop();
        await conn.db.close();
      }
      const secs = Number(process.hrtime.bigint() - started) / 1e9;
      const images = counts.created + counts.replaced + counts.unchanged;
      process.stdout.write(
        `ingested ${images} images (${counts.created} created, ${counts.replaced} replaced, ${counts.unchanged} unchanged), ` +
          `${objects} objects, ${relations} relations in ${secs.toFixed(1)} s: ` +
          `${(images / secs).toFixed(1)} images/s, ${(objects / secs).toFixed(0)} objects/s` +
          (skipped ? `; skipped ${skipped} JSON files that are not scene graphs` : '') +
          '\n',
      );
      if (conn.startedLocal) {
        process.stdout.write('the local Neo4j keeps running (`scenegraph db stop` stops it)\n');
      }
      if (failures.length > 0) {
        for (const f of failures) process.stderr.write(`scenegraph: ${f}\n`);
        throw new AppError('BAD_USER_INPUT', `${failures.length} of ${files.length} files were not ingested`);
      }
    });
}
