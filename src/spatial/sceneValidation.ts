/**
 * Checks a scene graph before the engine touches it. Scene graphs arrive from JSON files, GraphQL and
 * importers, so nothing is trusted to match its TypeScript type: each check names the offending field
 * the way the user wrote it (`objects[3].box`) and says what would be accepted. The first problem found
 * is reported.
 *
 * Masks are checked where they are decoded (engine.ts, through mask.ts) with the same paths.
 */

import { UserInputError } from '../errors/errors';
import type { SceneGraph } from '../scenegraph/sceneGraph.types';
import { normalizePredicate } from './predicateNames';

/** Longest label (and predicate) accepted, in characters (code points). They are names, not descriptions. */
export const MAX_LABEL_LENGTH = 200;

const RELATION_SOURCES = ['GEOMETRY', 'MODEL', 'ANNOTATION', 'HUMAN'] as const;
const DEPTH_UNITS = ['METERS', 'RELATIVE'] as const;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

function checkScore(score: unknown, path: string): void {
  if (score !== undefined && (!isFiniteNumber(score) || score < 0 || score > 1)) {
    throw new UserInputError(`must be a number in [0, 1]; got ${String(score)}`, path);
  }
}

function checkVec3(v: unknown, path: string, nonNegative: boolean): void {
  if (
    !Array.isArray(v) ||
    v.length !== 3 ||
    !v.every(isFiniteNumber) ||
    (nonNegative && v.some((c) => c < 0))
  ) {
    throw new UserInputError(
      `must be 3 finite${nonNegative ? ', non-negative' : ''} numbers; got ${JSON.stringify(v)}`,
      path,
    );
  }
}

function checkStoredDepth(depth: unknown, path: string): void {
  if (!isRecord(depth)) throw new UserInputError('must be an object {min, p5, p50, p95, max, unit}', path);
  const order = ['min', 'p5', 'p50', 'p95', 'max'] as const;
  for (const name of order) {
    if (!isFiniteNumber(depth[name]))
      throw new UserInputError(`must be a finite number; got ${String(depth[name])}`, `${path}.${name}`);
  }
  for (let i = 1; i < order.length; i++) {
    if ((depth[order[i]] as number) < (depth[order[i - 1]] as number)) {
      throw new UserInputError(`must be >= ${order[i - 1]}`, `${path}.${order[i]}`);
    }
  }
  if (!(DEPTH_UNITS as readonly unknown[]).includes(depth.unit)) {
    throw new UserInputError(
      `must be one of ${DEPTH_UNITS.join(', ')}; got ${JSON.stringify(depth.unit)}`,
      `${path}.unit`,
    );
  }
}

function checkBox(box: unknown, width: number, height: number, path: string): void {
  if (!Array.isArray(box) || box.length !== 4) {
    throw new UserInputError(`must be [x1, y1, x2, y2]; got ${JSON.stringify(box)}`, path);
  }
  if (!box.every(isFiniteNumber))
    throw new UserInputError(`must be 4 finite numbers; got ${JSON.stringify(box)}`, path);
  const [x1, y1, x2, y2] = box as number[];
  if (!(x1 < x2) || !(y1 < y2)) {
    throw new UserInputError(
      `is inverted or empty: need x1 < x2 and y1 < y2; got ${JSON.stringify(box)}`,
      path,
    );
  }
  if (x1 < 0 || y1 < 0 || x2 > width || y2 > height) {
    throw new UserInputError(
      `is outside the ${width}x${height} image: need 0 <= x1, 0 <= y1, x2 <= ${width}, y2 <= ${height}; got ${JSON.stringify(box)}`,
      path,
    );
  }
}

/** Throws UserInputError for the first invalid field; returns normally for a scene the engine can build. */
export function validateSceneInput(scene: unknown): asserts scene is SceneGraph {
  if (!isRecord(scene)) throw new UserInputError('must be a scene-graph object');
  if (scene.version !== 1)
    throw new UserInputError(`must be 1; got ${JSON.stringify(scene.version)}`, 'version');
  const image = scene.image;
  if (!isRecord(image)) throw new UserInputError('must be an object {uri, width, height}', 'image');
  for (const name of ['width', 'height'] as const) {
    const v = image[name];
    if (!Number.isInteger(v) || (v as number) <= 0) {
      throw new UserInputError(`must be a positive integer; got ${String(v)}`, `image.${name}`);
    }
  }
  const width = image.width as number;
  const height = image.height as number;

  if (!Array.isArray(scene.objects)) throw new UserInputError('must be an array', 'objects');
  const firstIndexOfKey = new Map<string, number>();
  scene.objects.forEach((object: unknown, i) => {
    const path = `objects[${i}]`;
    if (!isRecord(object)) throw new UserInputError('must be an object', path);
    const key = object.key;
    if (typeof key !== 'string' || key.length === 0) {
      throw new UserInputError(`must be a non-empty string; got ${JSON.stringify(key)}`, `${path}.key`);
    }
    const first = firstIndexOfKey.get(key);
    if (first !== undefined) {
      throw new UserInputError(
        `duplicate key ${JSON.stringify(key)} (also objects[${first}].key); keys must be unique`,
        `${path}.key`,
      );
    }
    firstIndexOfKey.set(key, i);
    const label = object.label;
    if (typeof label !== 'string' || label.trim().length === 0) {
      throw new UserInputError('must be a non-empty string', `${path}.label`);
    }
    const length = [...label].length;
    if (length > MAX_LABEL_LENGTH) {
      throw new UserInputError(
        `is ${length} characters long; at most ${MAX_LABEL_LENGTH} are allowed`,
        `${path}.label`,
      );
    }
    checkBox(object.box, width, height, `${path}.box`);
    checkScore(object.score, `${path}.score`);
    if (object.depth !== undefined) checkStoredDepth(object.depth, `${path}.depth`);
    if (object.centroid !== undefined) checkVec3(object.centroid, `${path}.centroid`, false);
    if (object.extent !== undefined) checkVec3(object.extent, `${path}.extent`, true);
  });

  if (scene.relations === undefined) return;
  if (!Array.isArray(scene.relations)) throw new UserInputError('must be an array', 'relations');
  scene.relations.forEach((relation: unknown, k) => {
    const path = `relations[${k}]`;
    if (!isRecord(relation)) throw new UserInputError('must be an object', path);
    for (const end of ['subject', 'object'] as const) {
      const ref = relation[end];
      if (typeof ref !== 'string' || !firstIndexOfKey.has(ref)) {
        throw new UserInputError(
          `refers to ${JSON.stringify(ref)}, which is not the key of any object`,
          `${path}.${end}`,
        );
      }
    }
    if (relation.subject === relation.object) {
      throw new UserInputError('subject and object are the same object', path);
    }
    if (typeof relation.predicate !== 'string' || normalizePredicate(relation.predicate) === '') {
      throw new UserInputError('must be a non-empty string', `${path}.predicate`);
    }
    if ([...relation.predicate].length > MAX_LABEL_LENGTH) {
      throw new UserInputError(`is longer than ${MAX_LABEL_LENGTH} characters`, `${path}.predicate`);
    }
    if (!(RELATION_SOURCES as readonly unknown[]).includes(relation.source)) {
      throw new UserInputError(
        `must be one of ${RELATION_SOURCES.join(', ')}; got ${JSON.stringify(relation.source)}`,
        `${path}.source`,
      );
    }
    checkScore(relation.score, `${path}.score`);
    if (relation.evidence !== undefined && !isRecord(relation.evidence)) {
      throw new UserInputError(
        'must be an object of names to numbers, strings or booleans',
        `${path}.evidence`,
      );
    }
  });
}
