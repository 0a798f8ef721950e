/**
 * Scene-graph JSON v1 -> scene-graph JSON v1, validated and normalised: the checks ingest applies
 * (a file that exports is a file that ingests), members in the schema's order with unknown members
 * dropped, predicates in canonical spelling (normalizePredicate), and a repeated relation (same
 * subject, predicate, object and source) kept once. Everything the schema defines is kept.
 */

import type { Relation, SceneGraph, SceneObject } from '../scenegraph/sceneGraph.types';
import { normalizePredicate } from '../spatial/predicateNames';
import { checkImportedScene } from './importScene';

function pick<T extends object>(from: T, keys: ReadonlyArray<keyof T>): T {
  const out = {} as T;
  for (const k of keys) if (from[k] !== undefined) out[k] = from[k];
  return out;
}

const OBJECT_KEYS: ReadonlyArray<keyof SceneObject> = [
  'key',
  'label',
  'box',
  'score',
  'mask',
  'depth',
  'centroid',
  'extent',
  'layer',
  'evidence',
];
const RELATION_KEYS: ReadonlyArray<keyof Relation> = [
  'subject',
  'predicate',
  'object',
  'score',
  'source',
  'evidence',
];
const SCENE_KEYS: ReadonlyArray<keyof SceneGraph> = [
  'version',
  'image',
  'intrinsics',
  'depth',
  'objects',
  'layers',
  'relations',
  'provenance',
];

/** Throws FormatError (naming `file` and the field) for a scene ingest would refuse. */
export function exportSceneGraph(input: unknown, file?: string): SceneGraph {
  checkImportedScene(input as SceneGraph, file, '$');
  const scene = input as SceneGraph;
  const seen = new Set<string>();
  const relations = scene.relations
    ?.map((r) => pick({ ...r, predicate: normalizePredicate(r.predicate) }, RELATION_KEYS))
    .filter((r) => {
      const id = `${r.subject}|${r.predicate}|${r.object}|${r.source}`;
      if (seen.has(id)) return false;
      seen.add(id);
      return true;
    });
  return pick(
    {
      ...scene,
      image: pick(scene.image, ['uri', 'width', 'height', 'sha256']),
      objects: scene.objects.map((o) => pick(o, OBJECT_KEYS)),
      relations,
    },
    SCENE_KEYS,
  );
}
