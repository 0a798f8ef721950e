import type { Relation, SceneGraph, SceneObject } from '../../../src/scenegraph/sceneGraph.types';

const depth = (p5: number, p95: number): SceneObject['depth'] => ({
  min: p5 - 0.05,
  p5,
  p50: (p5 + p95) / 2,
  p95,
  max: p95 + 0.05,
  unit: 'METERS',
});

const rel = (subject: string, predicate: string, object: string): Relation => ({
  subject,
  predicate,
  object,
  source: 'GEOMETRY',
});

/**
 * A small room: a cup on a table, a chair behind the cup, a lamp at the back, a wall covering all.
 * Layers (Algorithm 2): cup (+ table, wall), chair (+ table, wall), lamp (+ wall).
 */
export function roomGraph(): SceneGraph {
  return {
    version: 1,
    image: { uri: 'file:///data/room.jpg', width: 640, height: 480 },
    objects: [
      {
        key: 'cup',
        label: 'cup',
        box: [300, 260, 340, 300],
        depth: depth(1.0, 1.2),
        centroid: [0.1, 0.2, 1.1],
        layer: 0,
      },
      {
        key: 'table',
        label: 'table',
        box: [150, 250, 500, 470],
        depth: depth(0.9, 2.5),
        centroid: [0.2, 0.5, 1.7],
        layer: 0,
      },
      {
        key: 'chair',
        label: 'chair',
        box: [50, 200, 180, 460],
        depth: depth(2.0, 2.3),
        centroid: [-0.9, 0.4, 2.1],
        layer: 1,
      },
      {
        key: 'lamp',
        label: 'lamp',
        box: [480, 60, 560, 300],
        depth: depth(3.0, 3.3),
        centroid: [1.2, -0.5, 3.1],
        layer: 2,
      },
      {
        key: 'wall',
        label: 'wall',
        box: [0, 0, 640, 300],
        depth: depth(0.5, 4.0),
        centroid: [0, -0.6, 3.5],
        layer: 0,
      },
    ],
    layers: [
      { index: 0, basic: 'cup', members: ['cup', 'table', 'wall'] },
      { index: 1, basic: 'chair', members: ['chair', 'table', 'wall'] },
      { index: 2, basic: 'lamp', members: ['lamp', 'wall'] },
    ],
    relations: [
      rel('cup', 'on', 'table'),
      rel('cup', 'in front of', 'chair'),
      rel('cup', 'in front of', 'lamp'),
      rel('chair', 'in front of', 'lamp'),
      rel('lamp', 'behind', 'cup'),
      rel('chair', 'left of', 'cup'),
      rel('lamp', 'right of', 'chair'),
      rel('cup', 'above', 'chair'),
      rel('lamp', 'above', 'table'),
      rel('table', 'covers', 'cup'),
      rel('table', 'covers', 'chair'),
      rel('wall', 'covers', 'cup'),
      rel('wall', 'covers', 'chair'),
      rel('wall', 'covers', 'lamp'),
      rel('table', 'occludes', 'chair'),
    ],
  };
}

export { rel };
