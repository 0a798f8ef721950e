/**
 * The grounded text format of ASMv2 / LLaVA-SpaceSGG (SPEC section 6): object mentions
 * `<ref>label</ref><box>[[x1, y1, x2, y2], ...]</box>` and relations
 * `<pred>predicate</pred><box>[[subject boxes]]</box><box>[[object boxes]]</box>`.
 *
 * Coordinates are integers 0..999 relative to the image padded, centred, to a square of side
 * max(width, height) -- the way LLaVA's "pad" preprocessing sees the picture. One unit is
 * side / 999 pixels, so a round trip pixel -> grounded -> pixel is exact to within side / 1998 px
 * (under 1 px for images up to 1998 px on the long side).
 *
 * Parsing rules (what an MLLM's output is read as):
 * - Tags are matched case-insensitively and may carry whitespace inside the brackets (`< box >`,
 *   `</ ref>`); text outside tags is prose and ignored. A box list is `[[x1, y1, x2, y2], ...]`
 *   (a single `[x1, y1, x2, y2]` is accepted too), with any whitespace.
 * - `<ref>` followed (whitespace only in between) by `<box>` introduces objects with that label; a
 *   `<ref>` with no box after it is an ungrounded mention and yields nothing.
 * - A box never introduced by a `<ref>` (alone, or only inside a `<pred>`) has an unknown label
 *   (`null`; `groundedToSceneGraph` writes UNKNOWN_LABEL).
 * - The same coordinates are the same object, wherever they appear. If two `<ref>`s give one box
 *   different labels, the first label wins.
 * - A `<pred>` must be followed by two box lists (subjects, then objects). A side with one box is
 *   broadcast against every box of the other side; otherwise boxes pair in order. When both sides
 *   have more than one box and the counts differ, the default is an error; `onCountMismatch:
 *   'truncate'` pairs the first min(n, m) instead. Pairs of a box with itself are dropped (a relation
 *   needs two objects) and repeated triplets are kept once.
 * - Anything malformed (unclosed or stray tags, a bad box list, coordinates that are not integers in
 *   0..999 or are inverted) is a UserInputError whose message and `details.offset` give the
 *   character offset in the text. With `onMalformed: 'skip'` (how a model's reply is read: replies
 *   get cut at max_tokens, or drift out of the format) the malformed element is dropped instead, up
 *   to the next `<ref>` or `<pred>`, with a warning saying what and where, and a `<pred>` whose box
 *   counts differ pairs the first min(n, m); what parsed before and after it is kept.
 */

import { UserInputError } from '../errors/errors';
import { normalizePredicate } from './predicates';
import type { Box, ImageRef, RelationSource, SceneGraph, SceneObject } from '../scenegraph/sceneGraph.types';

export type GroundedBox = [x1: number, y1: number, x2: number, y2: number];

/** Largest grounded coordinate; the padded square spans 0..GROUNDED_MAX on both axes. */
export const GROUNDED_MAX = 999;
/** The label `groundedToSceneGraph` gives to boxes that no `<ref>` named. */
export const UNKNOWN_LABEL = 'unknown';
export const MAX_LABEL_LENGTH = 200;
export const MAX_GROUNDED_TEXT_LENGTH = 1_000_000;

// ---------------------------------------------------------------------------------------------------
// Coordinates

interface PaddedFrame {
  side: number;
  padX: number;
  padY: number;
}

function paddedFrame(width: number, height: number): PaddedFrame {
  if (!Number.isFinite(width) || width <= 0)
    throw new UserInputError(`must be a positive number, got ${width}`, 'width');
  if (!Number.isFinite(height) || height <= 0) {
    throw new UserInputError(`must be a positive number, got ${height}`, 'height');
  }
  const side = Math.max(width, height);
  return { side, padX: (side - width) / 2, padY: (side - height) / 2 };
}

const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

/** Pixel box -> grounded integer coordinates (0..999 in the centred, padded square). */
export function toGroundedBox(box: Box, width: number, height: number): GroundedBox {
  const { side, padX, padY } = paddedFrame(width, height);
  if (box.length !== 4 || !box.every(Number.isFinite)) {
    throw new UserInputError(
      `must be four finite numbers [x1, y1, x2, y2], got ${JSON.stringify(box)}`,
      'box',
    );
  }
  const q = (v: number, pad: number): number =>
    clamp(Math.round(((v + pad) / side) * GROUNDED_MAX), 0, GROUNDED_MAX);
  return [q(box[0], padX), q(box[1], padY), q(box[2], padX), q(box[3], padY)];
}

/** Grounded coordinates -> pixel box in the original image (rounded to 0.01 px, clamped to the frame). */
export function fromGroundedBox(coords: GroundedBox, width: number, height: number): Box {
  const { side, padX, padY } = paddedFrame(width, height);
  const problem = groundedBoxProblem(coords);
  if (problem) throw new UserInputError(problem, 'coords');
  const p = (v: number, pad: number, limit: number): number =>
    Math.round(clamp((v / GROUNDED_MAX) * side - pad, 0, limit) * 100) / 100;
  return [
    p(coords[0], padX, width),
    p(coords[1], padY, height),
    p(coords[2], padX, width),
    p(coords[3], padY, height),
  ];
}

function groundedBoxProblem(coords: readonly unknown[]): string | undefined {
  if (coords.length !== 4) return `a box needs 4 coordinates, got ${coords.length}`;
  for (const v of coords) {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > GROUNDED_MAX) {
      return `coordinates must be integers in 0..${GROUNDED_MAX}, got ${JSON.stringify(v)}`;
    }
  }
  const [x1, y1, x2, y2] = coords as number[];
  if (x1 > x2 || y1 > y2) return `box [${coords.join(', ')}] is inverted (needs x1 <= x2 and y1 <= y2)`;
  return undefined;
}

// ---------------------------------------------------------------------------------------------------
// Rendering

const TAG_PATTERN = /<\s*(\/?)\s*(ref|box|pred)\s*>/gi;

function checkTagText(text: string, what: 'label' | 'predicate'): string {
  const clean = text.replace(/\s+/g, ' ').trim();
  if (clean === '') throw new UserInputError('must not be empty', what);
  if (clean.length > MAX_LABEL_LENGTH) {
    throw new UserInputError(`is ${clean.length} characters long; the limit is ${MAX_LABEL_LENGTH}`, what);
  }
  if (new RegExp(TAG_PATTERN.source, 'i').test(clean)) {
    throw new UserInputError(`must not contain <ref>, <box> or <pred> tags: ${JSON.stringify(clean)}`, what);
  }
  return clean;
}

/** `[[x1, y1, x2, y2], ...]` with the spacing ASMv2 emits. */
export function renderBoxList(boxes: readonly GroundedBox[]): string {
  if (boxes.length === 0) throw new UserInputError('needs at least one box', 'boxes');
  for (const b of boxes) {
    const problem = groundedBoxProblem(b);
    if (problem) throw new UserInputError(problem, 'boxes');
  }
  return `[${boxes.map((b) => `[${b.join(', ')}]`).join(', ')}]`;
}

/** `<ref>label</ref><box>[[...]]</box>`; boxes are grounded coordinates (see toGroundedBox). */
export function renderObjectRef(label: string, boxes: readonly GroundedBox[]): string {
  return `<ref>${checkTagText(label, 'label')}</ref><box>${renderBoxList(boxes)}</box>`;
}

/** `<pred>predicate</pred><box>[[subjects]]</box><box>[[objects]]</box>`. */
export function renderRelation(
  predicate: string,
  subjectBoxes: readonly GroundedBox[],
  objectBoxes: readonly GroundedBox[],
): string {
  return `<pred>${checkTagText(predicate, 'predicate')}</pred><box>${renderBoxList(subjectBoxes)}</box><box>${renderBoxList(objectBoxes)}</box>`;
}

// ---------------------------------------------------------------------------------------------------
// Parsing

export interface GroundedObject {
  /** Label from the first `<ref>` naming this box; null when none did. */
  label: string | null;
  /** Pixel box in the original image. */
  box: Box;
  grounded: GroundedBox;
  /** Character offset of the box list where the box first appeared. */
  offset: number;
}

export interface GroundedRelation {
  subjectIndex: number;
  /** Lower-cased, trimmed, whitespace and underscores collapsed to single spaces. */
  predicate: string;
  objectIndex: number;
  /** Character offset of the `<pred>` tag. */
  offset: number;
}

export interface GroundedWarning {
  message: string;
  offset: number;
}

export interface ParsedGroundedText {
  objects: GroundedObject[];
  relations: GroundedRelation[];
  /** What `onMalformed: 'skip'` dropped (always empty otherwise), at most MAX_GROUNDED_WARNINGS. */
  warnings: GroundedWarning[];
}

/** Warnings kept per text; a reply that is garbage throughout should not make a list as long as itself. */
export const MAX_GROUNDED_WARNINGS = 50;

export interface ParseGroundedOptions {
  /** What to do when both sides of a `<pred>` have more than one box and the counts differ. */
  onCountMismatch?: 'error' | 'truncate';
  /** `throw` (default): the first malformed element is an error; `skip`: drop it and warn. */
  onMalformed?: 'throw' | 'skip';
}

type TagName = 'ref' | 'box' | 'pred';

interface Tag {
  name: TagName;
  closing: boolean;
  start: number;
  end: number;
}

function malformed(message: string, offset: number): UserInputError {
  return new UserInputError(`${message} (at offset ${offset})`, 'groundedText', { offset });
}

function scanTags(text: string): Tag[] {
  const tags: Tag[] = [];
  for (const m of text.matchAll(new RegExp(TAG_PATTERN.source, 'gi'))) {
    const start = m.index ?? 0;
    tags.push({
      name: m[2].toLowerCase() as TagName,
      closing: m[1] === '/',
      start,
      end: start + m[0].length,
    });
  }
  return tags;
}

function parseBoxList(content: string, offset: number): GroundedBox[] {
  let trimmed = content.trim();
  if (/^\[\s*-?[\d.]/.test(trimmed)) trimmed = `[${trimmed}]`; // a single box without the outer list
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch {
    throw malformed(
      `box list is not of the form [[x1, y1, x2, y2], ...]: ${JSON.stringify(content.slice(0, 80))}`,
      offset,
    );
  }
  if (!Array.isArray(value) || value.length === 0) throw malformed('box list is empty', offset);
  return value.map((b: unknown) => {
    if (!Array.isArray(b))
      throw malformed(`box list entries must be [x1, y1, x2, y2], got ${JSON.stringify(b)}`, offset);
    const problem = groundedBoxProblem(b);
    if (problem) throw malformed(problem, offset);
    return b as GroundedBox;
  });
}

/** Reads `ASMv2`-style grounded text into objects (pixel boxes) and relations between them. */
export function parseGroundedText(
  text: string,
  width: number,
  height: number,
  options: ParseGroundedOptions = {},
): ParsedGroundedText {
  if (typeof text !== 'string') throw new UserInputError('must be a string', 'groundedText');
  if (text.length > MAX_GROUNDED_TEXT_LENGTH) {
    throw new UserInputError(
      `is ${text.length} characters long; the limit is ${MAX_GROUNDED_TEXT_LENGTH}`,
      'groundedText',
    );
  }
  paddedFrame(width, height);
  const skip = options.onMalformed === 'skip';
  const mismatch = skip ? 'truncate' : (options.onCountMismatch ?? 'error');
  const warnings: GroundedWarning[] = [];
  const warn = (message: string, offset: number): void => {
    if (warnings.length < MAX_GROUNDED_WARNINGS) warnings.push({ message, offset });
  };
  const tags = scanTags(text);
  const objects: GroundedObject[] = [];
  const byCoords = new Map<string, number>();
  const relations: GroundedRelation[] = [];
  const seenTriplets = new Set<string>();

  const objectFor = (box: GroundedBox, label: string | null, offset: number): number => {
    const id = box.join(',');
    const existing = byCoords.get(id);
    if (existing !== undefined) {
      if (objects[existing].label === null && label !== null) objects[existing].label = label;
      return existing;
    }
    objects.push({ label, box: fromGroundedBox(box, width, height), grounded: [...box], offset });
    byCoords.set(id, objects.length - 1);
    return objects.length - 1;
  };

  /** The `<x>...</x>` pair starting at tags[i]: its inner text, or an error naming what is wrong. */
  const element = (i: number, name: TagName): { inner: string; innerStart: number; end: number } => {
    const open = tags[i];
    const close = tags[i + 1];
    if (!close || close.name !== name || !close.closing) {
      throw malformed(
        `<${name}> is not closed by </${name}>${close ? ` before <${close.closing ? '/' : ''}${close.name}>` : ''}`,
        open.start,
      );
    }
    return { inner: text.slice(open.end, close.start), innerStart: open.end, end: close.end };
  };

  /** Index of a `<box>` tag that directly follows position `pos` (only whitespace between), or -1. */
  const boxRightAfter = (i: number, pos: number): number => {
    const t = tags[i];
    if (t && t.name === 'box' && !t.closing && text.slice(pos, t.start).trim() === '') return i;
    return -1;
  };

  let i = 0;
  while (i < tags.length) {
    const at = i;
    try {
      i = step(i);
    } catch (err) {
      if (!skip || !(err instanceof UserInputError)) throw err;
      warn(err.message, tags[at].start);
      // Resume at the next element that can stand on its own.
      i = at + 1;
      while (i < tags.length && (tags[i].closing || tags[i].name === 'box')) i++;
    }
  }
  return { objects, relations, warnings };

  /** Reads the element that starts at tags[i]; returns the index after it. */
  function step(i: number): number {
    const tag = tags[i];
    if (tag.closing) throw malformed(`</${tag.name}> without an opening <${tag.name}>`, tag.start);

    if (tag.name === 'ref') {
      const ref = element(i, 'ref');
      const label = ref.inner.replace(/\s+/g, ' ').trim();
      if (label === '') throw malformed('<ref> has an empty label', tag.start);
      if (label.length > MAX_LABEL_LENGTH) {
        throw malformed(
          `<ref> label is ${label.length} characters long; the limit is ${MAX_LABEL_LENGTH}`,
          tag.start,
        );
      }
      i += 2;
      const b = boxRightAfter(i, ref.end);
      if (b >= 0) {
        const box = element(b, 'box');
        for (const g of parseBoxList(box.inner, box.innerStart)) objectFor(g, label, box.innerStart);
        i += 2;
      }
    } else if (tag.name === 'box') {
      const box = element(i, 'box');
      for (const g of parseBoxList(box.inner, box.innerStart)) objectFor(g, null, box.innerStart);
      i += 2;
    } else {
      const pred = element(i, 'pred');
      const predicate = normalizePredicate(pred.inner);
      if (predicate === '') throw malformed('<pred> has an empty predicate', tag.start);
      i += 2;
      const sides: number[][] = [];
      let pos = pred.end;
      for (let side = 0; side < 2; side++) {
        if (boxRightAfter(i, pos) < 0) {
          throw malformed(
            `<pred>${predicate}</pred> must be followed by two <box> lists (subjects, then objects)`,
            tag.start,
          );
        }
        const box = element(i, 'box');
        sides.push(parseBoxList(box.inner, box.innerStart).map((g) => objectFor(g, null, box.innerStart)));
        pos = box.end;
        i += 2;
      }
      if (skip && sides[0].length > 1 && sides[1].length > 1 && sides[0].length !== sides[1].length) {
        warn(
          `<pred>${predicate}</pred> has ${sides[0].length} subject boxes and ${sides[1].length} object boxes; the first ${Math.min(sides[0].length, sides[1].length)} pairs kept`,
          tag.start,
        );
      }
      for (const [s, o] of pairSides(sides[0], sides[1], mismatch, predicate, tag.start)) {
        const id = `${s}|${predicate}|${o}`;
        if (s === o || seenTriplets.has(id)) continue;
        seenTriplets.add(id);
        relations.push({ subjectIndex: s, predicate, objectIndex: o, offset: tag.start });
      }
    }
    return i;
  }
}

function pairSides(
  subjects: number[],
  objects: number[],
  mismatch: 'error' | 'truncate',
  predicate: string,
  offset: number,
): Array<[number, number]> {
  if (subjects.length === 1) return objects.map((o) => [subjects[0], o]);
  if (objects.length === 1) return subjects.map((s) => [s, objects[0]]);
  if (subjects.length !== objects.length && mismatch === 'error') {
    throw malformed(
      `<pred>${predicate}</pred> has ${subjects.length} subject boxes and ${objects.length} object boxes; ` +
        "with more than one box on both sides the counts must match (or parse with onCountMismatch: 'truncate')",
      offset,
    );
  }
  const n = Math.min(subjects.length, objects.length);
  return Array.from({ length: n }, (_, k): [number, number] => [subjects[k], objects[k]]);
}

// ---------------------------------------------------------------------------------------------------
// To a scene graph

const LEADING_ARTICLE = /^(a|an|the)\s+/i;

/**
 * Grounded text -> scene-graph JSON v1. Objects get keys o1, o2, ... in order of first appearance;
 * a leading article is dropped from labels ("the man" -> "man"); unnamed boxes get UNKNOWN_LABEL.
 * Every relation carries `source`.
 */
export function groundedToSceneGraph(
  text: string,
  image: ImageRef,
  source: RelationSource,
  options: ParseGroundedOptions = {},
): SceneGraph {
  return parsedToSceneGraph(parseGroundedText(text, image.width, image.height, options), image, source);
}

/** The mapping half of groundedToSceneGraph, for callers that parse themselves (and keep the warnings). */
export function parsedToSceneGraph(
  parsed: ParsedGroundedText,
  image: ImageRef,
  source: RelationSource,
): SceneGraph {
  const objects: SceneObject[] = parsed.objects.map((o, k) => ({
    key: `o${k + 1}`,
    label: o.label === null ? UNKNOWN_LABEL : o.label.replace(LEADING_ARTICLE, '') || o.label,
    box: o.box,
  }));
  return {
    version: 1,
    image: { ...image },
    objects,
    relations: parsed.relations.map((r) => ({
      subject: objects[r.subjectIndex].key,
      predicate: r.predicate,
      object: objects[r.objectIndex].key,
      source,
    })),
    provenance: { format: 'grounded-text', coordinateMax: GROUNDED_MAX },
  };
}
