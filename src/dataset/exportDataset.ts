/**
 * The SpaceSGG data engine over the store: every stored image (or those a filter selects), in image-id
 * order, through the one generator (`generateTrainingData` + `toLlavaRecords`, as `scenegraph text`
 * runs it on files), written record by record.
 *
 * Memory is bounded by the page size: one page of scene graphs and the records made from them are
 * held at a time, and the sink is awaited (backpressure) before the next page is read. Output is
 * deterministic: images in id order, and the same graph and seed give the same records as `text`.
 */

import path from 'node:path';
import type { Database } from '../db/database';
import { UserInputError } from '../errors/errors';
import { hasScheme } from '../pipeline/localFiles';
import { exportPage, type ExportFilter } from '../store/export.store';
import type { QaFormat } from '../text/qa';
import { toLlavaRecords, type LlavaRecord } from '../text/llava';
import type { Seed } from '../text/random';
import { generateTrainingData, type TrainingKind } from '../text/trainingData';
import { DATASET_LIMITS } from './datasetLimits';

export interface RecordSink {
  write(record: LlavaRecord): Promise<void>;
}

export interface DatasetExportOptions {
  filter: ExportFilter;
  seed: Seed;
  kinds: readonly TrainingKind[];
  grounded: boolean;
  maxQa: number;
  qaFormat: QaFormat;
  pageSize?: number;
  /** Image URIs under this folder are written relative to it (LLaVA's `image` is relative to an image folder). */
  imageRoot?: string;
  /** Called after each page: images done so far (tests count pages with it; the CLI draws progress). */
  onPage?: (done: { images: number; records: number }) => void;
}

export interface DatasetExportResult {
  images: number;
  records: number;
  pages: number;
  failures: string[];
}

function imageField(uri: string, root: string | undefined): string {
  if (!root || hasScheme(uri) || !path.isAbsolute(uri)) return uri;
  const relative = path.relative(root, uri);
  return relative.startsWith('..') || path.isAbsolute(relative) ? uri : relative.split(path.sep).join('/');
}

export async function exportDataset(
  db: Database,
  sink: RecordSink,
  options: DatasetExportOptions,
): Promise<DatasetExportResult> {
  const pageSize = options.pageSize ?? DATASET_LIMITS.defaultPageSize;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > DATASET_LIMITS.maxPageSize) {
    throw new UserInputError(`must be an integer from 1 to ${DATASET_LIMITS.maxPageSize}`, 'pageSize');
  }
  const root = options.imageRoot ? path.resolve(options.imageRoot) : undefined;
  const result: DatasetExportResult = { images: 0, records: 0, pages: 0, failures: [] };
  let after: string | undefined;
  do {
    const page = await exportPage(db, options.filter, pageSize, after);
    result.pages++;
    for (const { id, scene } of page.scenes) {
      let records: LlavaRecord[];
      try {
        const data = generateTrainingData(scene, {
          seed: options.seed,
          kinds: options.kinds,
          grounded: options.grounded,
          maxQa: options.maxQa,
          qaFormat: options.qaFormat,
        });
        records = toLlavaRecords(data, { image: imageField(scene.image.uri, root) });
      } catch (err) {
        if (!(err instanceof UserInputError)) throw err;
        result.failures.push(`image ${id} (${scene.image.uri}): ${err.message}`);
        continue;
      }
      for (const record of records) await sink.write(record);
      result.images++;
      result.records += records.length;
    }
    after = page.next;
    options.onPage?.({ images: result.images + result.failures.length, records: result.records });
  } while (after !== undefined);
  return result;
}
