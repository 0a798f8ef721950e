import { UserInputError } from '../errors/errors';

/**
 * An import or export input that is not what its format says: names the file and the JSON path of
 * the offending value the way the format's own documentation would (`annotations[12].bbox`), so a
 * user can open the file and find it. A UserInputError (code BAD_USER_INPUT, CLI exit code 2).
 */
export class FormatError extends UserInputError {
  constructor(
    message: string,
    readonly file: string | undefined,
    readonly jsonPath: string,
    details: Record<string, unknown> = {},
  ) {
    super(message, [file, jsonPath].filter(Boolean).join(': ') || undefined, {
      ...details,
      file,
      jsonPath,
    });
  }
}

/**
 * Typed access to parsed JSON that throws FormatError naming the path. Importers read every field
 * through one of these, so nothing in a file is trusted to match a TypeScript type.
 */
export class JsonReader {
  constructor(readonly file: string | undefined) {}

  fail(message: string, jsonPath: string, details: Record<string, unknown> = {}): never {
    throw new FormatError(message, this.file, jsonPath, details);
  }

  record(v: unknown, jsonPath: string): Record<string, unknown> {
    if (typeof v !== 'object' || v === null || Array.isArray(v))
      this.fail(`must be an object; got ${describe(v)}`, jsonPath);
    return v as Record<string, unknown>;
  }

  array(v: unknown, jsonPath: string, max?: number): unknown[] {
    if (!Array.isArray(v)) this.fail(`must be an array; got ${describe(v)}`, jsonPath);
    if (max !== undefined && v.length > max)
      this.fail(`has ${v.length} entries; at most ${max} are accepted`, jsonPath);
    return v;
  }

  string(v: unknown, jsonPath: string): string {
    if (typeof v !== 'string') this.fail(`must be a string; got ${describe(v)}`, jsonPath);
    return v;
  }

  /** A string with something other than whitespace in it, trimmed and with whitespace runs collapsed. */
  name(v: unknown, jsonPath: string, maxLength: number): string {
    const s = this.string(v, jsonPath).replace(/\s+/g, ' ').trim();
    if (s === '') this.fail('must be a non-empty string', jsonPath);
    const length = [...s].length;
    if (length > maxLength)
      this.fail(`is ${length} characters long; at most ${maxLength} are allowed`, jsonPath);
    return s;
  }

  number(v: unknown, jsonPath: string): number {
    if (typeof v !== 'number' || !Number.isFinite(v))
      this.fail(`must be a finite number; got ${describe(v)}`, jsonPath);
    return v;
  }

  integer(v: unknown, jsonPath: string, min = -Infinity, max = Infinity): number {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
      const range = min === -Infinity ? '' : max === Infinity ? ` >= ${min}` : ` from ${min} to ${max}`;
      this.fail(`must be an integer${range}; got ${describe(v)}`, jsonPath);
    }
    return v;
  }

  /** Exactly `n` finite numbers. */
  numbers(v: unknown, jsonPath: string, n: number): number[] {
    if (!Array.isArray(v) || v.length !== n || !v.every((x) => typeof x === 'number' && Number.isFinite(x)))
      this.fail(`must be ${n} finite numbers; got ${describe(v)}`, jsonPath);
    return v as number[];
  }

  /** An id as the formats write them: a string or an integer; returned as a string. */
  id(v: unknown, jsonPath: string): string {
    if (typeof v === 'string' && v.trim() !== '') return v;
    if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
    this.fail(`must be an integer or a non-empty string; got ${describe(v)}`, jsonPath);
  }
}

/** A short rendering of a bad value for messages: JSON, cut to 60 characters. */
export function describe(v: unknown): string {
  if (v === undefined) return 'nothing (the field is missing)';
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
