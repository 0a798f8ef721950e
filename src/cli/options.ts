import { promises as fs } from 'node:fs';
import { UserInputError } from '../errors/errors';
import { parseJsonText } from '../scenegraph/jsonInput';
import { MAX_QUERIES } from '../../inference/adapters/owlv2';
import { QA_FORMATS, type QaFormat } from '../text/qa';
import { TRAINING_KINDS, type TrainingKind } from '../text/trainingData';

/** Option parsers shared by the commands, each naming the option in its errors. */

export function parseThresholds(
  text: string | undefined,
  option: string,
): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    v = undefined;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new UserInputError('must be a JSON object, e.g. \'{"frontMaxOverlap": 0.3}\'', option);
  }
  return v as Record<string, unknown>;
}

export function parseQueries(text: string | undefined, option: string): string[] | undefined {
  if (text === undefined) return undefined;
  const queries = text
    .split(',')
    .map((q) => q.trim())
    .filter(Boolean);
  if (queries.length === 0) throw new UserInputError('must name at least one query', option);
  if (queries.length > MAX_QUERIES) throw new UserInputError(`at most ${MAX_QUERIES} queries`, option);
  return queries;
}

export function parsePositiveInt(text: string, option: string, max: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > max)
    throw new UserInputError(`must be an integer from 1 to ${max}`, option);
  return n;
}

/** A JSON file named by an option: UTF-8, no repeated member names, bounded nesting (jsonInput.ts). */
export async function readJsonFile(file: string, option: string): Promise<unknown> {
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(file);
  } catch {
    throw new UserInputError(`cannot read ${file}`, option);
  }
  return parseJsonText(bytes, option, file);
}

export function parseSeed(text: string, option: string): number {
  const seed = Number(text);
  if (!Number.isInteger(seed)) throw new UserInputError(`must be an integer; got "${text}"`, option);
  return seed;
}

export function parseTrainingKinds(text: string, option: string): TrainingKind[] {
  const kinds = text.split(',').map((k) => k.trim()) as TrainingKind[];
  const bad = kinds.find((k) => !TRAINING_KINDS.includes(k));
  if (bad !== undefined)
    throw new UserInputError(`unknown kind "${bad}"; use ${TRAINING_KINDS.join(', ')}`, option);
  return kinds;
}

export function parseQaFormat(text: string, option: string): QaFormat {
  if (!(QA_FORMATS as readonly string[]).includes(text))
    throw new UserInputError(`must be one of ${QA_FORMATS.join(', ')}; got "${text}"`, option);
  return text as QaFormat;
}
