import { createWriteStream, promises as fs } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { Command } from 'commander';
import { Presets, SingleBar } from 'cli-progress';
import { loadConfig } from '../../config/config';
import { connect } from '../../db/connect';
import { AppError, UserInputError } from '../../errors/errors';
import { createLogger } from '../../log/logger';
import { DATASET_LIMITS } from '../../dataset/datasetLimits';
import { exportDataset, type DatasetExportResult } from '../../dataset/exportDataset';
import { DATASET_FORMATS, parseDatasetFormat, recordSink } from '../../dataset/recordSink';
import { parseWhere } from '../../dataset/where';
import { countExportImages } from '../../store/export.store';
import { parsePositiveInt, parseQaFormat, parseSeed, parseTrainingKinds } from '../options';

interface DatasetExportOptions {
  format: string;
  kinds: string;
  where: string[];
  seed: string;
  grounded: boolean;
  maxQa: string;
  qaFormat: string;
  pageSize: string;
  imageRoot?: string;
  out?: string;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** Writes to `out` through a temporary file renamed at the end, so a failed run leaves no half file. */
async function withOutput<T>(out: string | undefined, body: (stream: Writable) => Promise<T>): Promise<T> {
  if (out === undefined) return body(process.stdout);
  const target = path.resolve(out);
  await fs.mkdir(path.dirname(target), { recursive: true });
  const partial = `${target}.partial-${process.pid}`;
  const stream = createWriteStream(partial);
  try {
    const result = await body(stream);
    stream.end();
    await once(stream, 'finish');
    await fs.rename(partial, target);
    return result;
  } catch (err) {
    stream.destroy();
    await fs.rm(partial, { force: true });
    throw err;
  }
}

export function registerDatasetCommand(program: Command): void {
  const dataset = program
    .command('dataset')
    .description('Training data from the store: the SpaceSGG data engine over stored scene graphs');
  dataset
    .command('export')
    .description(
      'Write LLaVA conversation records (SpaceSGG Desc, QA, Conv with grounded tags) for stored images, streaming, in image-id order',
    )
    .option('--format <f>', `${DATASET_FORMATS.join(' | ')} (a JSON array, or one record per line)`, 'llava')
    .option('--kinds <list>', 'comma-separated subset of desc,qa,conv', 'desc,qa,conv')
    .option(
      '--where <conditions>',
      'only images where all hold: label=L, predicate=P, source=S, uri-prefix=U (comma-separated; repeatable)',
      collect,
      [],
    )
    .option('--seed <n>', 'seed: the same store and seed give the same output', '1')
    .option('--no-grounded', 'plain text instead of <ref>/<box>/<pred> tags')
    .option('--max-qa <n>', 'most QA items per image', '12')
    .option('--qa-format <f>', 'open | choice (single choice, A-D, as eval-qa scores) | both', 'open')
    .option('--page-size <n>', 'images read per query', String(DATASET_LIMITS.defaultPageSize))
    .option('--image-root <dir>', 'write image paths under this folder relative to it')
    .option('--out <file>', 'write here (atomically) instead of stdout')
    .action(async (opts: DatasetExportOptions) => {
      const format = parseDatasetFormat(opts.format);
      const kinds = parseTrainingKinds(opts.kinds, '--kinds');
      const seed = parseSeed(opts.seed, '--seed');
      const maxQa = Number(opts.maxQa);
      if (!Number.isInteger(maxQa) || maxQa < 0)
        throw new UserInputError('must be an integer >= 0', '--max-qa');
      const qaFormat = parseQaFormat(opts.qaFormat, '--qa-format');
      const pageSize = parsePositiveInt(opts.pageSize, '--page-size', DATASET_LIMITS.maxPageSize);
      const filter = parseWhere(opts.where);

      const config = loadConfig();
      const logger = createLogger(config.logLevel);
      const conn = await connect(config, logger);
      let result: DatasetExportResult;
      const started = performance.now();
      try {
        const total = await countExportImages(conn.db, filter);
        const bar = new SingleBar(
          {
            format: 'dataset export [{bar}] {value}/{total} images | {records} records',
            hideCursor: true,
            noTTYOutput: true,
            notTTYSchedule: 5000,
            stream: process.stderr,
          },
          Presets.shades_classic,
        );
        bar.start(total, 0, { records: 0 });
        try {
          result = await withOutput(opts.out, async (stream) => {
            const sink = recordSink(stream, format);
            const r = await exportDataset(conn.db, sink, {
              filter,
              seed,
              kinds,
              grounded: opts.grounded,
              maxQa,
              qaFormat,
              pageSize,
              imageRoot: opts.imageRoot,
              onPage: (done) => bar.update(Math.min(done.images, total), { records: done.records }),
            });
            await sink.finish();
            return r;
          });
        } finally {
          bar.stop();
        }
      } finally {
        await conn.db.close();
      }
      const secs = (performance.now() - started) / 1000;
      process.stderr.write(
        `exported ${result.records} records from ${result.images} images in ${result.pages} pages, ${secs.toFixed(1)} s` +
          (opts.out ? ` to ${opts.out}` : '') +
          '\n',
      );
      if (result.failures.length > 0) {
        for (const f of result.failures) process.stderr.write(`scenegraph: ${f}\n`);
        throw new AppError('BAD_USER_INPUT', `${result.failures.length} images gave no records`);
      }
    });
}
