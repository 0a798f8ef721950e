import type { Box, SceneGraph, SceneObject } from '../../src/scenegraph/sceneGraph.types';

/**
 * Small hand-made scenes with depth statistics (metres), each with a unique image URI so tests never
 * collide with each other or with data already in the database.
 */
export function streetScene(tag: string, overrides: Partial<SceneGraph> = {}): SceneGraph {
  return {
    version: 1,
    image: { uri: `test://${tag}/street.jpg`, width: 640, height: 480 },
    objects: [
      obj('p', 'People', [100, 100, 200, 400], 2, 2.4, 0.9),
      obj('c', `car${tag}`, [300, 150, 600, 400], 6, 8, 0.8),
      obj('g', `dog${tag}`, [20, 350, 90, 430], 3, 3.2, 0.7),
    ],
    relations: [{ subject: 'p', predicate: 'walking_with', object: 'g', source: 'ANNOTATION', score: 0.6 }],
    ...overrides,
  };
}

export function d(p5: number, p95: number) {
  return { min: p5 - 0.1, p5, p50: (p5 + p95) / 2, p95, max: p95 + 0.1, unit: 'METERS' as const };
}

/** An object with the stored geometry a built graph has (depth, centroid, extent; pinhole fx = 500). */
export function obj(
  key: string,
  label: string,
  box: Box,
  p5: number,
  p95: number,
  score?: number,
): SceneObject {
  const z = (p5 + p95) / 2;
  const back = (u: number, c: number) => ((u - c) * z) / 500;
  return {
    key,
    label,
    box,
    ...(score === undefined ? {} : { score }),
    depth: d(p5, p95),
    centroid: [back((box[0] + box[2]) / 2, 320), back((box[1] + box[3]) / 2, 240), z],
    extent: [((box[2] - box[0]) * z) / 500, ((box[3] - box[1]) * z) / 500, p95 - p5],
  };
}
