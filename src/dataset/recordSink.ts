/**
 * Streaming writers for LLaVA records. `llava` is one JSON array written element by element, byte for
 * byte what prettyJson would make of the whole array (so `scenegraph text` and `dataset export` files
 * diff cleanly); `llava-jsonl` is one compact record per line. Both wait for the stream to drain
 * before taking the next record, so a slow disk or pipe holds the export back instead of memory
 * filling up.
 */

import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { UserInputError } from '../errors/errors';
import { prettyJson } from '../io/prettyJson';
import type { LlavaRecord } from '../text/llava';
import type { RecordSink } from './exportDataset';

export const DATASET_FORMATS = ['llava', 'llava-jsonl'] as const;
export type DatasetFormat = (typeof DATASET_FORMATS)[number];

export function parseDatasetFormat(text: string, field = '--format'): DatasetFormat {
  if (!(DATASET_FORMATS as readonly string[]).includes(text)) {
    throw new UserInputError(`must be one of ${DATASET_FORMATS.join(', ')}; got "${text}"`, field);
  }
  return text as DatasetFormat;
}

async function put(stream: Writable, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, 'drain');
}

export interface ClosableSink extends RecordSink {
  /** Writes what ends the output (the closing bracket); the stream itself is the caller's to end. */
  finish(): Promise<void>;
}

export function recordSink(stream: Writable, format: DatasetFormat): ClosableSink {
  if (format === 'llava-jsonl') {
    return {
      write: (record) => put(stream, `${JSON.stringify(record)}\n`),
      finish: async () => undefined,
    };
  }
  let count = 0;
  return {
    async write(record: LlavaRecord) {
      // Split on \n only: JSON.stringify escapes \n and \r in strings but not U+2028, which /^/m would match.
      const element = prettyJson(record)
        .trimEnd()
        .split('\n')
        .map((line) => `  ${line}`)
        .join('\n');
      await put(stream, `${count === 0 ? '[\n' : ',\n'}${element}`);
      count++;
    },
    finish: () => put(stream, count === 0 ? '[]\n' : '\n]\n'),
  };
}
