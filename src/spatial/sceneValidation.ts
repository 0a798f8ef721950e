/**
 * Checks a scene graph before the engine touches it. Scene graphs arrive from JSON files, GraphQL and
 * importers, so nothing is trusted to match its TypeScript type: each check names the offending field
 * the way the user wrote it (`objects[3].box`) and says what would be accepted. The first problem found
 * is reported.
 *
 * Everything a stored graph is read back with is checked here, because a graph that was built already
 * (provenance.engine is the engine's) is stored without running the engine: layers, object layers,
 * masks (decoded once by mask.ts, after their point counts are bounded), thresholds and URIs.
 * Bounds come from SCENE_LIMITS (src/scenegraph/sceneLimits.ts) and are checked before the work they
 * bound; the nesting depth first, before anything recursive walks the input.
 */

import { UserInputError } from '../errors/errors';
import { MAX_LABEL_LENGTH } from '../labels/normalizeLabel';
import { checkJsonDepth } from '../scenegraph/jsonInput';
import type { SceneGraph } from '../scenegraph/sceneGraph.types';
import { SCENE_LIMITS } from '../scenegraph/sceneLimits';
import { regionFromMask } from './mask';
import { normalizePredicate } from './predicateNames';
import { resolveThresholds } from './thresholds';

export { MAX_LABEL_LENGTH };

const RELATION_SOURCES = ['GEOMETRY', 'MODEL', 'ANNOTATION', 'HUMAN'] as const;
const DEPTH_UNITS = ['METERS', 'RELATIVE'] as const;
const DEPTH_INPUT_UNITS = ['meters', 'relative', 'inverse'] as const;
const INTRINSICS_SOURCES = ['GIVEN', 'EXIF', 'FOV_PRIOR'] as const;
const RANGE_MODES = ['percentile', 'minmax'] as const;
const SHA256 = /^[0-9a-fA-F]{64}$/;
/** C0 and C1 control characters (NUL, tab, newline, ESC, ...), U+FFFD (what invalid UTF-8 decodes to). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// eslint-disable-next-line no-control-regex
const FORBIDDEN_IN_NAMES = /[\u0000-\u001f\u007f-\u009f\ufffd]/u;

function oneOf<T extends string>(v: unknown, allowed: readonly T[], path: string): void {
  if (!(allowed as readonly unknown[]).includes(v)) {
    throw new UserInputError(`must be one of ${allowed.join(', ')}; got ${JSON.stringify(v)}`, path);
  }
}

/**
 * A label, predicate, key or URI: a string, well-formed UTF-16 (no lone surrogate), no control
 * character or U+FFFD, non-blank, at most `max` code points.
 */
function checkName(v: unknown, path: string, max: number = SCENE_LIMITS.maxNameLength): asserts v is string {
  if (typeof v !== 'string' || v.trim().length === 0) {
    throw new UserInputError(`must be a non-empty string; got ${JSON.stringify(v) ?? String(v)}`, path);
  }
  // Cheap bound first: a string of more than 2 * max UTF-16 units has more than max code points.
  const length = v.length > 2 * max ? v.length : [...v].length;
  if (length > max) {
    throw new UserInputError(`is ${length} characters long; at most ${max} are allowed`, path);
  }
  if (LONE_SURROGATE.test(v)) {
    throw new UserInputError('contains a lone UTF-16 surrogate (not valid Unicode text)', path);
  }
  const bad = FORBIDDEN_IN_NAMES.exec(v);
  if (bad) {
    const code = bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    throw new UserInputError(
      `contains U+${code}${code === 'FFFD' ? ' (the replacement character: the text was not valid UTF-8)' : ' (a control character)'} at position ${bad.index}`,
      path,
    );
  }
}

function checkEvidence(v: unknown, path: string): void {
  if (!isRecord(v)) {
    throw new UserInputError('must be an object of names to numbers, strings or booleans', path);
  }
  for (const [name, value] of Object.entries(v)) {
    if (typeof value === 'string' || typeof value === 'boolean' || isFiniteNumber(value)) continue;
    throw new UserInputError(
      `must be a finite number, a string or a boolean; got ${JSON.stringify(value) ?? String(value)}`,
      `${path}.${name}`,
    );
  }
}

/** Point counts first (polygon filling costs rows x points), then the decode itself (mask.ts). */
function checkMask(mask: unknown, width: number, height: number, path: string): number {
  let points = 0;
  if (Array.isArray(mask)) {
    mask.forEach((polygon: unknown, j) => {
      if (!Array.isArray(polygon)) {
        throw new UserInputError('must be a flat [x1, y1, x2, y2, ...] list of numbers', `${path}[${j}]`);
      }
      const n = Math.floor(polygon.length / 2);
      if (n > SCENE_LIMITS.maxPolygonPoints) {
        throw new UserInputError(
          `has ${n} points; at most ${SCENE_LIMITS.maxPolygonPoints} per polygon are accepted (simplify the outline)`,
          `${path}[${j}]`,
        );
      }
      points += n;
      if (points > SCENE_LIMITS.maxMaskPointsPerObject) {
        throw new UserInputError(
          `has more than ${SCENE_LIMITS.maxMaskPointsPerObject} points in all; at most that many per object are accepted`,
          path,
        );
      }
    });
  } else if (!isRecord(mask)) {
    throw new UserInputError('must be a COCO RLE {size, counts} or a list of polygons', path);
  } else if (typeof mask.counts === 'string' && mask.counts.length > 2 * width * height + 16) {
    throw new UserInputError('is longer than any RLE of an image this size', `${path}.counts`);
  }
  regionFromMask(mask as Parameters<typeof regionFromMask>[0], width, height, path);
  return points;
}

function checkLayers(scene: Record<string, unknown>, keys: ReadonlyMap<string, number>): Set<number> {
  const indices = new Set<number>();
  if (scene.layers === undefined) return indices;
  if (!Array.isArray(scene.layers)) throw new UserInputError('must be an array', 'layers');
  if (scene.layers.length > keys.size) {
    throw new UserInputError(
      `has ${scene.layers.length} layers for ${keys.size} objects; each layer starts at a different object`,
      'layers',
    );
  }
  scene.layers.forEach((layer: unknown, i) => {
    const path = `layers[${i}]`;
    if (!isRecord(layer)) throw new UserInputError('must be an object {index, basic, members}', path);
    if (!Number.isSafeInteger(layer.index) || (layer.index as number) < 0) {
      throw new UserInputError(
        `must be a non-negative integer; got ${JSON.stringify(layer.index) ?? String(layer.index)}`,
        `${path}.index`,
      );
    }
    if (indices.has(layer.index as number)) {
      throw new UserInputError(`duplicate layer index ${String(layer.index)}`, `${path}.index`);
    }
    indices.add(layer.index as number);
    if (typeof layer.basic !== 'string' || !keys.has(layer.basic)) {
      throw new UserInputError(
        `refers to ${JSON.stringify(layer.basic) ?? String(layer.basic)}, which is not the key of any object`,
        `${path}.basic`,
      );
    }
    if (!Array.isArray(layer.members)) {
      throw new UserInputError('must be an array of object keys (the basic object first)', `${path}.members`);
    }
    if (layer.members.length > keys.size) {
      throw new UserInputError(`has more members than the scene has objects`, `${path}.members`);
    }
    const seen = new Set<string>();
    layer.members.forEach((m: unknown, k) => {
      if (typeof m !== 'string' || !keys.has(m)) {
        throw new UserInputError(
          `refers to ${JSON.stringify(m) ?? String(m)}, which is not the key of any object`,
          `${path}.members[${k}]`,
        );
      }
      if (seen.has(m)) throw new UserInputError(`lists ${JSON.stringify(m)} twice`, `${path}.members[${k}]`);
      seen.add(m);
    });
    if (!seen.has(layer.basic)) {
      throw new UserInputError(
        `must include the basic object ${JSON.stringify(layer.basic)}`,
        `${path}.members`,
      );
    }
  });
  return indices;
}

function checkImage(image: unknown, maxPixels: number): { width: number; height: number } {
  if (!isRecord(image)) throw new UserInputError('must be an object {uri, width, height}', 'image');
  checkName(image.uri, 'image.uri', SCENE_LIMITS.maxUriLength);
  for (const name of ['width', 'height'] as const) {
    const v = image[name];
    if (!Number.isSafeInteger(v) || (v as number) <= 0) {
      throw new UserInputError(
        `must be a positive integer; got ${JSON.stringify(v) ?? String(v)}`,
        `image.${name}`,
      );
    }
  }
  const width = image.width as number;
  const height = image.height as number;
  if (width * height > maxPixels) {
    throw new UserInputError(
      `${width}x${height} = ${width * height} pixels is over the limit of ${maxPixels} pixels`,
      'image',
    );
  }
  if (image.sha256 !== undefined && (typeof image.sha256 !== 'string' || !SHA256.test(image.sha256))) {
    throw new UserInputError(
      `must be 64 hexadecimal digits; got ${JSON.stringify(image.sha256) ?? String(image.sha256)}`,
      'image.sha256',
    );
  }
  return { width, height };
}

function checkDepthRef(depth: unknown): void {
  if (!isRecord(depth)) throw new UserInputError('must be an object {uri, unit, scale?}', 'depth');
  checkName(depth.uri, 'depth.uri', SCENE_LIMITS.maxUriLength);
  oneOf(depth.unit, DEPTH_INPUT_UNITS, 'depth.unit');
  if (depth.scale !== undefined && (!isFiniteNumber(depth.scale) || depth.scale <= 0)) {
    throw new UserInputError(`must be a positive number; got ${String(depth.scale)}`, 'depth.scale');
  }
}

function checkIntrinsics(v: unknown): void {
  if (!isRecord(v)) throw new UserInputError('must be an object {fx, fy, cx, cy}', 'intrinsics');
  for (const name of ['fx', 'fy', 'cx', 'cy'] as const) {
    if (!isFiniteNumber(v[name]) || ((name === 'fx' || name === 'fy') && v[name] <= 0)) {
      throw new UserInputError(
        `must be a finite${name.startsWith('f') ? ', positive' : ''} number; got ${String(v[name])}`,
        `intrinsics.${name}`,
      );
    }
  }
  if (v.source !== undefined) oneOf(v.source, INTRINSICS_SOURCES, 'intrinsics.source');
}

/** What the store reads back from provenance: the build's thresholds and range mode. */
function checkProvenance(v: unknown): void {
  if (!isRecord(v)) throw new UserInputError('must be an object', 'provenance');
  if (v.thresholds !== undefined)
    resolveThresholds(v.thresholds as Record<string, unknown>, 'provenance.thresholds');
  if (v.rangeMode !== undefined) oneOf(v.rangeMode, RANGE_MODES, 'provenance.rangeMode');
  if (v.inputKey !== undefined && typeof v.inputKey !== 'string') {
    throw new UserInputError('must be a string', 'provenance.inputKey');
  }
}

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

export interface SceneValidationOptions {
  /** Largest width x height the scene's image may have (default SCENE_LIMITS.maxImagePixels). */
  maxPixels?: number;
}

/** Throws UserInputError for the first invalid field; returns normally for a scene the engine can build. */
export function validateSceneInput(
  scene: unknown,
  options: SceneValidationOptions = {},
): asserts scene is SceneGraph {
  if (!isRecord(scene)) throw new UserInputError('must be a scene-graph object');
  checkJsonDepth(scene);
  if (scene.version !== 1)
    throw new UserInputError(`must be 1; got ${JSON.stringify(scene.version)}`, 'version');
  const { width, height } = checkImage(scene.image, options.maxPixels ?? SCENE_LIMITS.maxImagePixels);
  if (scene.depth !== undefined) checkDepthRef(scene.depth);
  if (scene.intrinsics !== undefined) checkIntrinsics(scene.intrinsics);
  if (scene.provenance !== undefined) checkProvenance(scene.provenance);

  if (!Array.isArray(scene.objects)) throw new UserInputError('must be an array', 'objects');
  if (scene.objects.length > SCENE_LIMITS.maxObjectsPerImage) {
    throw new UserInputError(
      `has ${scene.objects.length} objects; at most ${SCENE_LIMITS.maxObjectsPerImage} per image are accepted`,
      'objects',
    );
  }
  const firstIndexOfKey = new Map<string, number>();
  scene.objects.forEach((object: unknown, i) => {
    const path = `objects[${i}]`;
    if (!isRecord(object)) throw new UserInputError('must be an object', path);
    const key = object.key;
    checkName(key, `${path}.key`);
    const first = firstIndexOfKey.get(key);
    if (first !== undefined) {
      throw new UserInputError(
        `duplicate key ${JSON.stringify(key)} (also objects[${first}].key); keys must be unique`,
        `${path}.key`,
      );
    }
    firstIndexOfKey.set(key, i);
    checkName(object.label, `${path}.label`);
    checkBox(object.box, width, height, `${path}.box`);
    checkScore(object.score, `${path}.score`);
    if (object.depth !== undefined) checkStoredDepth(object.depth, `${path}.depth`);
    if (object.centroid !== undefined) checkVec3(object.centroid, `${path}.centroid`, false);
    if (object.extent !== undefined) checkVec3(object.extent, `${path}.extent`, true);
    if (object.evidence !== undefined) checkEvidence(object.evidence, `${path}.evidence`);
  });
  // Masks after every object's cheap checks, and bounded per image before any is decoded.
  let maskPoints = 0;
  scene.objects.forEach((object: Record<string, unknown>, i) => {
    if (!Array.isArray(object.mask)) return;
    for (const polygon of object.mask as unknown[])
      if (Array.isArray(polygon)) maskPoints += polygon.length / 2;
    if (maskPoints > SCENE_LIMITS.maxMaskPointsPerImage) {
      throw new UserInputError(
        `the masks up to this one have ${Math.floor(maskPoints)} points; at most ${SCENE_LIMITS.maxMaskPointsPerImage} per image are accepted`,
        `objects[${i}].mask`,
      );
    }
  });
  scene.objects.forEach((object: Record<string, unknown>, i) => {
    if (object.mask !== undefined) checkMask(object.mask, width, height, `objects[${i}].mask`);
  });

  const layerIndices = checkLayers(scene, firstIndexOfKey);
  scene.objects.forEach((object: Record<string, unknown>, i) => {
    if (object.layer === undefined) return;
    const path = `objects[${i}].layer`;
    if (!Number.isSafeInteger(object.layer) || (object.layer as number) < 0) {
      throw new UserInputError(
        `must be a non-negative integer (a layer index); got ${JSON.stringify(object.layer) ?? String(object.layer)}`,
        path,
      );
    }
    if (scene.layers !== undefined && !layerIndices.has(object.layer as number)) {
      throw new UserInputError(`names layer ${String(object.layer)}, which is not in layers`, path);
    }
  });

  if (scene.relations === undefined) return;
  if (!Array.isArray(scene.relations)) throw new UserInputError('must be an array', 'relations');
  if (scene.relations.length > SCENE_LIMITS.maxRelationsPerImage) {
    throw new UserInputError(
      `has ${scene.relations.length} relations; at most ${SCENE_LIMITS.maxRelationsPerImage} per image are accepted`,
      'relations',
    );
  }
  scene.relations.forEach((relation: unknown, k) => {
    const path = `relations[${k}]`;
    if (!isRecord(relation)) throw new UserInputError('must be an object', path);
    for (const end of ['subject', 'object'] as const) {
      const ref = relation[end];
      if (typeof ref !== 'string' || !firstIndexOfKey.has(ref)) {
        throw new UserInputError(
          `refers to ${JSON.stringify(ref) ?? String(ref)}, which is not the key of any object`,
          `${path}.${end}`,
        );
      }
    }
    if (relation.subject === relation.object) {
      throw new UserInputError('subject and object are the same object', path);
    }
    checkName(relation.predicate, `${path}.predicate`);
    if (normalizePredicate(relation.predicate) === '') {
      throw new UserInputError('must be a non-empty string', `${path}.predicate`);
    }
    oneOf(relation.source, RELATION_SOURCES, `${path}.source`);
    checkScore(relation.score, `${path}.score`);
    if (relation.evidence !== undefined) checkEvidence(relation.evidence, `${path}.evidence`);
  });
}
