import { UserInputError } from '../errors/errors';
import type { NewApiKey } from './apiKey.store';
import { parseRole } from './roles';

export const MAX_KEY_NAME_LENGTH = 100;
/** Highest per-key rate accepted, requests per minute (the same bound as AUTH_RATE_LIMIT). */
export const MAX_KEY_RATE_PER_MINUTE = 1_000_000;
const KEY_ID_PATTERN = /^[0-9a-f]{12}$/;

/** A key to create, from command-line text; each error names its option. */
export function parseNewApiKey(opts: { name: string; role: string; rate?: string }): NewApiKey {
  const name = opts.name.trim();
  if (name.length === 0 || name.length > MAX_KEY_NAME_LENGTH)
    throw new UserInputError(`must be 1 to ${MAX_KEY_NAME_LENGTH} characters`, '--name');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name))
    throw new UserInputError('must not contain control characters', '--name');
  const role = parseRole(opts.role, '--role');
  let ratePerMinute: number | undefined;
  if (opts.rate !== undefined) {
    ratePerMinute = Number(opts.rate);
    if (!Number.isInteger(ratePerMinute) || ratePerMinute < 1 || ratePerMinute > MAX_KEY_RATE_PER_MINUTE)
      throw new UserInputError(
        `must be requests per minute, an integer from 1 to ${MAX_KEY_RATE_PER_MINUTE}`,
        '--rate',
      );
  }
  return { name, role, ratePerMinute };
}

/** A key's public id as `keys list` shows it (the 12 hex digits after `sgk_`). */
export function parseKeyId(text: string, field: string): string {
  const id = text.trim().toLowerCase();
  if (!KEY_ID_PATTERN.test(id))
    throw new UserInputError(
      `must be a key id of 12 hex digits, as \`keys list\` shows; got "${text}"`,
      field,
    );
  return id;
}
