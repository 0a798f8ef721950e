import { UserInputError } from '../errors/errors';

/**
 * Opaque Relay cursors: the sort key of the last row seen, base64url-encoded JSON with a kind tag so
 * a cursor from one connection is refused by another instead of silently skipping rows.
 */
export function encodeCursor(kind: string, key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify([kind, ...key])).toString('base64url');
}

/** The order a cursor kind names ('front.SCORE.DESC' -> 'SCORE DESC'; a bare kind: the default order). */
function orderName(kind: string): string {
  const rest = kind.split('.').slice(1);
  return rest.length ? rest.join(' ').toUpperCase() : 'the default order';
}

export function decodeCursor(
  kind: string,
  cursor: string,
  arity: number,
  path = 'after',
): (string | number)[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new UserInputError('is not a cursor returned by this connection', path);
  }
  if (
    Array.isArray(parsed) &&
    typeof parsed[0] === 'string' &&
    parsed[0] !== kind &&
    parsed[0].split('.')[0] === kind.split('.')[0]
  ) {
    // The same connection in another order: its key would skip or repeat rows here.
    throw new UserInputError(
      `is a cursor of another order (${orderName(parsed[0])}), not of ${orderName(kind)}: pass it with the ` +
        'orderBy it came from, or start again without after',
      path,
    );
  }
  if (
    !Array.isArray(parsed) ||
    parsed[0] !== kind ||
    parsed.length !== arity + 1 ||
    !parsed.slice(1).every((v) => typeof v === 'string' || typeof v === 'number')
  ) {
    throw new UserInputError('is not a cursor returned by this connection', path);
  }
  return parsed.slice(1) as (string | number)[];
}

export const MAX_PAGE_SIZE = 100;

export function checkPageSize(first: number, path = 'first'): number {
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw new UserInputError(`must be an integer from 1 to ${MAX_PAGE_SIZE}; got ${first}`, path);
  }
  return first;
}
