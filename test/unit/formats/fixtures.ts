import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FormatError } from '../../../src/formats/formatError';
import type { ImportResult } from '../../../src/formats/importTypes';

export const FIXTURES = path.resolve(__dirname, '../../fixtures/formats');

export function fixture(name: string): unknown {
  return JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8'));
}

/** The one failure whose item starts with `item`, with its message. */
export function failureOf(result: ImportResult, item: string): string {
  const matches = result.failures.filter((f) => f.item.startsWith(item));
  if (matches.length !== 1) {
    throw new Error(
      `expected one failure for ${item}; got ${JSON.stringify(result.failures.map((f) => f.item))}`,
    );
  }
  expect(matches[0].error).toBeInstanceOf(FormatError);
  return matches[0].error.message;
}

/** The FormatError message `fn` throws. */
export function formatErrorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(FormatError);
    return (err as FormatError).message;
  }
  throw new Error('expected a FormatError');
}
