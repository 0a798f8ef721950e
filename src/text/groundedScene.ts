/**
 * Grounded text -> a scene graph ready for the pipeline, for both readers of the format: the
 * `grounded` importer (annotations, strict) and the MLLM backend (a model's reply, lenient). On top of
 * the parser (grounded.ts): a box that converts to no area in the image (it lies in the padding, or
 * is a line) is dropped with its relations, predicates take their canonical spelling (aliases meet:
 * "next to" and "beside" are one), and a triplet repeated after that is kept once.
 */

import type { ImageRef, RelationSource, SceneGraph } from '../scenegraph/sceneGraph.types';
import { normalizePredicate } from '../spatial/predicateNames';
import {
  parsedToSceneGraph,
  parseGroundedText,
  type GroundedWarning,
  type ParseGroundedOptions,
} from './grounded';

export const NO_AREA_WARNING = 'box with no area in the image (it lies in the padding, or is a line) dropped';

export interface GroundedScene {
  scene: SceneGraph;
  /** Parser warnings (lenient mode) and dropped boxes, in text order. */
  warnings: GroundedWarning[];
}

export function readGroundedScene(
  text: string,
  image: ImageRef,
  source: RelationSource,
  options: ParseGroundedOptions = {},
): GroundedScene {
  const parsed = parseGroundedText(text, image.width, image.height, options);
  const scene = parsedToSceneGraph(parsed, image, source);
  const warnings = [...parsed.warnings];
  const empty = new Set<string>();
  const objects = scene.objects.filter((o, k) => {
    if (o.box[0] < o.box[2] && o.box[1] < o.box[3]) return true;
    warnings.push({ message: NO_AREA_WARNING, offset: parsed.objects[k].offset });
    empty.add(o.key);
    return false;
  });
  const seen = new Set<string>();
  const relations = (scene.relations ?? [])
    .filter((rel) => !empty.has(rel.subject) && !empty.has(rel.object))
    .map((rel) => ({ ...rel, predicate: normalizePredicate(rel.predicate) }))
    .filter((rel) => {
      const id = `${rel.subject}|${rel.predicate}|${rel.object}`;
      if (seen.has(id)) return false;
      seen.add(id);
      return true;
    });
  warnings.sort((a, b) => a.offset - b.offset);
  return { scene: { ...scene, objects, relations }, warnings };
}
