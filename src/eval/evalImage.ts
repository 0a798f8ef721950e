/**
 * One scene graph prepared for scoring: validated, its relations turned into triplets with normalised
 * labels and predicates, and its masks decoded on first use (most objects are never compared by mask).
 *
 * Scene graphs arrive from files, so each is checked with the engine's own validation and every error is
 * re-addressed to where the graph came from (`gt.json: [3].objects[2].box`).
 */

import { UserInputError } from '../errors/errors';
import type { Box, Mask, SceneGraph, SceneObject } from '../scenegraph/sceneGraph.types';
import { regionFromMask } from '../spatial/mask';
import { normalizePredicate } from '../spatial/predicateNames';
import { validateSceneInput } from '../spatial/sceneValidation';
import { EVAL_LIMITS } from './evalLimits';
import { evalLabel, type LabelMode } from './evalLabels';
import { maskPixels, type MaskPixels } from './iou';

export interface EvalObject {
  key: string;
  /** Index in the graph's objects, for error paths. */
  index: number;
  label: string;
  box: Box;
  mask?: Mask;
}

export interface Triplet {
  /** Index of the relation in the graph's `relations`; ties in score keep this order. */
  index: number;
  subject: EvalObject;
  predicate: string;
  object: EvalObject;
  /** The relation's score; 0 when it has none (so unscored relations rank last, in file order). */
  score: number;
}

export interface EvalImage {
  source: string;
  graph: SceneGraph;
  triplets: Triplet[];
  /** The object's mask as row spans, decoded once. Only called for objects that have a mask. */
  mask(object: EvalObject): MaskPixels;
}

/** `source` + a path inside it: "gt.json: objects[2]" or, inside an array file, "gt.json: [3].objects[2]". */
export function joinPath(source: string, path: string | undefined): string {
  if (!path) return source;
  return source.endsWith(']') ? `${source}.${path}` : `${source}: ${path}`;
}

/** Re-throws a UserInputError with its path prefixed by `source`; other errors pass unchanged. */
export function withSource<T>(source: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (!(err instanceof UserInputError)) throw err;
    const path = typeof err.details.path === 'string' ? err.details.path : undefined;
    const reason = path ? err.message.slice(path.length + 2) : err.message;
    throw new UserInputError(reason, joinPath(source, path));
  }
}

export function prepareImage(input: unknown, source: string, labels: LabelMode): EvalImage {
  withSource(source, () => validateSceneInput(input));
  const graph = input as SceneGraph;
  const relations = graph.relations ?? [];
  if (relations.length > EVAL_LIMITS.maxTripletsPerImage) {
    throw new UserInputError(
      `has ${relations.length} relations; at most ${EVAL_LIMITS.maxTripletsPerImage} per image are evaluated`,
      joinPath(source, 'relations'),
    );
  }
  const objects = new Map<string, EvalObject>();
  graph.objects.forEach((o: SceneObject, index) => {
    objects.set(o.key, { key: o.key, index, label: evalLabel(o.label, labels), box: o.box, mask: o.mask });
  });
  const triplets = relations.map((r, index) => ({
    index,
    subject: objects.get(r.subject) as EvalObject,
    predicate: normalizePredicate(r.predicate),
    object: objects.get(r.object) as EvalObject,
    score: r.score ?? 0,
  }));
  const decoded = new Map<string, MaskPixels>();
  const { width, height } = graph.image;
  return {
    source,
    graph,
    triplets,
    mask(object) {
      let pixels = decoded.get(object.key);
      if (pixels === undefined) {
        const mask = object.mask as Mask;
        pixels = withSource(source, () =>
          maskPixels(regionFromMask(mask, width, height, `objects[${object.index}].mask`)),
        );
        decoded.set(object.key, pixels);
      }
      return pixels;
    },
  };
}
