/**
 * Untrusted JSON on its way in. Two concerns JSON.parse leaves open:
 *
 * - Nesting depth. V8's JSON.parse is iterative, but everything after it that walks a value by
 *   recursion (hashing, JSON.stringify, the GraphQL scalar) overflows the stack on a value nested
 *   thousands deep and fails as an internal error. `checkJsonDepth` walks a value without recursion
 *   and refuses it past SCENE_LIMITS.maxJsonDepth, naming where.
 * - Text that JSON.parse accepts but reads in a way the writer may not have meant: invalid UTF-8
 *   (Node decodes it to U+FFFD) and duplicate member names (the last one silently wins).
 *   `parseJsonText` refuses both for files read from disk, where the bytes are ours to check.
 *   GraphQL request bodies are parsed by the HTTP layer with JSON.parse (last member wins); the
 *   scene-graph validation then refuses U+FFFD in names, which is what invalid UTF-8 decodes to.
 */

import { UserInputError } from '../errors/errors';
import { SCENE_LIMITS } from './sceneLimits';

type Step = string | number;

function pathOf(root: string, steps: readonly Step[]): string {
  let out = root;
  for (const s of steps) {
    if (typeof s === 'number') out += `[${s}]`;
    else out += /^[A-Za-z_$][\w$]*$/.test(s) ? (out ? `.${s}` : s) : `[${JSON.stringify(s)}]`;
  }
  return out;
}

/**
 * Throws UserInputError (field: where the limit is passed, under `root`) when `value` nests arrays
 * and objects deeper than `maxDepth` (the root container is depth 1). Iterative: safe on any depth.
 */
export function checkJsonDepth(
  value: unknown,
  root = '',
  maxDepth: number = SCENE_LIMITS.maxJsonDepth,
): void {
  interface Frame {
    value: unknown;
    depth: number;
    parent: Frame | undefined;
    step: Step | undefined;
  }
  const stack: Frame[] = [{ value, depth: 1, parent: undefined, step: undefined }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    const v = frame.value;
    if (typeof v !== 'object' || v === null) continue;
    if (frame.depth > maxDepth) {
      const steps: Step[] = [];
      for (let f: Frame | undefined = frame; f?.step !== undefined; f = f.parent) steps.unshift(f.step);
      throw new UserInputError(
        `is nested more than ${maxDepth} arrays/objects deep; at most ${maxDepth} levels are accepted`,
        pathOf(root, steps) || undefined,
        { maxDepth },
      );
    }
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) {
        const item: unknown = v[i];
        if (typeof item === 'object' && item !== null)
          stack.push({ value: item, depth: frame.depth + 1, parent: frame, step: i });
      }
    } else {
      for (const [k, item] of Object.entries(v as Record<string, unknown>)) {
        if (typeof item === 'object' && item !== null)
          stack.push({ value: item, depth: frame.depth + 1, parent: frame, step: k });
      }
    }
  }
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Byte offset of the first invalid UTF-8 sequence (for the error message). */
function firstInvalidUtf8(bytes: Uint8Array): number {
  // Binary search over prefixes would mis-report a sequence cut by the cut point; a linear decode of
  // growing chunks on code-point boundaries is simple and only runs on failure.
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    const len =
      b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
    if (len === 0 || i + len > bytes.length) return i;
    try {
      UTF8.decode(bytes.subarray(i, i + len));
    } catch {
      return i;
    }
    i += len;
  }
  return -1;
}

/**
 * Parses JSON read from a file: the bytes must be UTF-8, the text valid JSON, no object may repeat
 * a member name and nesting stays within SCENE_LIMITS.maxJsonDepth. `field` names the file or option
 * in errors (the error's path adds the member for a duplicate or too deep a value); `subject`, when
 * given, starts the message (`--input` as the field, the file name as the subject).
 */
export function parseJsonText(bytes: Uint8Array | string, field: string, subject?: string): unknown {
  const what = subject ? `${subject} ` : '';
  let text: string;
  if (typeof bytes === 'string') {
    text = bytes;
  } else {
    try {
      text = UTF8.decode(bytes);
    } catch {
      throw new UserInputError(
        `${what}is not valid UTF-8 (first bad byte at offset ${firstInvalidUtf8(bytes)})`,
        field,
      );
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new UserInputError(`${what}is not valid JSON (${(err as Error).message})`, field);
  }
  scanMembers(text, field, what);
  return parsed;
}

/**
 * One pass over text JSON.parse has accepted: tracks the open containers, refuses a repeated member
 * name within one object and nesting past the limit. Strings are skipped by their escapes; only member
 * names are decoded.
 */
function scanMembers(text: string, field: string, what: string): void {
  interface Container {
    names: Set<string> | undefined;
    expectName: boolean;
    /** The member name or index being read in this container. */
    step: Step | undefined;
  }
  const stack: Container[] = [];
  const where = (): string => {
    const steps = stack.flatMap((c) => (c.step === undefined ? [] : [c.step]));
    return `${field} at ${pathOf('', steps) || '(root)'}`;
  };
  const max = SCENE_LIMITS.maxJsonDepth;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      let j = i + 1;
      let escaped = false;
      for (; j < text.length; j++) {
        const d = text.charCodeAt(j);
        if (d === 0x5c /* \ */) {
          escaped = true;
          j++;
        } else if (d === 0x22) break;
      }
      const top = stack[stack.length - 1];
      if (top?.names && top.expectName) {
        const name = escaped ? (JSON.parse(text.slice(i, j + 1)) as string) : text.slice(i + 1, j);
        top.step = name;
        if (top.names.has(name)) {
          throw new UserInputError(
            `${what}repeats the member name ${JSON.stringify(name)}; each name may appear once per object`,
            where(),
          );
        }
        top.names.add(name);
        top.expectName = false;
      }
      i = j;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (stack.length >= max) {
        throw new UserInputError(
          `${what}is nested more than ${max} arrays/objects deep; at most ${max} levels are accepted`,
          where(),
          { maxDepth: max },
        );
      }
      const isObject = c === 0x7b;
      stack.push({
        names: isObject ? new Set() : undefined,
        expectName: isObject,
        step: isObject ? undefined : 0,
      });
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
    } else if (c === 0x2c /* , */) {
      const top = stack[stack.length - 1];
      if (top.names) top.expectName = true;
      else top.step = (top.step as number) + 1;
    }
  }
}
