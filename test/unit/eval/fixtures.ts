import type { Box, Mask, Relation, SceneGraph } from '../../../src/scenegraph/sceneGraph.types';

/** [key, label, box, mask?] */
export type Obj = [key: string, label: string, box: Box, mask?: Mask];
/** [subject, predicate, object, score?] */
export type Rel = [subject: string, predicate: string, object: string, score?: number];

/** A 100x100 scene graph; `sha256` only when given. */
export function graph(
  uri: string,
  objects: Obj[],
  relations: Rel[],
  image: { sha256?: string; width?: number; height?: number } = {},
): SceneGraph {
  return {
    version: 1,
    image: { uri, width: image.width ?? 100, height: image.height ?? 100, sha256: image.sha256 },
    objects: objects.map(([key, label, box, mask]) => ({ key, label, box, ...(mask ? { mask } : {}) })),
    relations: relations.map(([subject, predicate, object, score]): Relation => ({
      subject,
      predicate,
      object,
      source: 'ANNOTATION',
      ...(score !== undefined ? { score } : {}),
    })),
  };
}

/** Uncompressed COCO RLE of a 100x100 mask holding columns [u0, u1) entirely. */
export function columnsRle(u0: number, u1: number): Mask {
  const counts = [u0 * 100, (u1 - u0) * 100];
  if (u1 < 100) counts.push((100 - u1) * 100);
  return { size: [100, 100], counts };
}

/** Polygon of the rectangle [x1, x2) x [y1, y2): holds exactly the pixels with centres inside. */
export function rectPolygon(x1: number, y1: number, x2: number, y2: number): Mask {
  return [[x1, y1, x2, y1, x2, y2, x1, y2]];
}

/**
 * GT, 3 images, 7 triplets:
 *   one.jpg  person riding horse, dog riding horse, person beside dog, dog in front of horse
 *   two.jpg  car on road, cup on road
 *   three.jpg person sitting on bench          (no prediction at all)
 * Predictions:
 *   one.jpg  "people" riding "horses" (twice: a duplicate), person "next to" dog (alias of beside),
 *            dog behind horse (wrong predicate; "behind" is not in the GT)
 *   two.jpg  car on road, the car's box [0,0,50,100] against the GT's [0,0,50,50]: IoU exactly 0.5
 *   four.jpg (not in the GT)
 * Recalled: person riding horse, person beside dog, car on road = 3 of 7.
 * Per predicate: riding 1/2, beside 1/1, in front of 0/1, on 1/2, sitting on 0/1.
 * Recall = 3/7; mean Recall = (0.5 + 1 + 0 + 0.5 + 0) / 5 = 0.4.
 */
export function handFixture() {
  const gt = [
    graph(
      'one.jpg',
      [
        ['a', 'person', [0, 0, 40, 100]],
        ['b', 'horse', [40, 0, 100, 100]],
        ['c', 'dog', [0, 0, 20, 20]],
      ],
      [
        ['a', 'riding', 'b'],
        ['c', 'riding', 'b'],
        ['a', 'beside', 'c'],
        ['c', 'in front of', 'b'],
      ],
    ),
    graph(
      'two.jpg',
      [
        ['x', 'car', [0, 0, 50, 50]],
        ['y', 'road', [0, 50, 100, 100]],
        ['z', 'cup', [60, 0, 80, 20]],
      ],
      [
        ['x', 'on', 'y'],
        ['z', 'on', 'y'],
      ],
    ),
    graph(
      'three.jpg',
      [
        ['m', 'person', [0, 0, 50, 50]],
        ['n', 'bench', [0, 50, 100, 100]],
      ],
      [['m', 'sitting on', 'n']],
    ),
  ];
  const pred = [
    graph(
      'one.jpg',
      [
        ['A', 'People', [0, 0, 40, 100]],
        ['B', 'horses', [40, 0, 100, 100]],
        ['C', 'dog', [0, 0, 20, 20]],
      ],
      [
        ['A', 'riding', 'B', 0.9],
        ['A', 'riding', 'B', 0.8],
        ['A', 'next_to', 'C', 0.7],
        ['C', 'behind', 'B', 0.6],
      ],
    ),
    graph(
      'two.jpg',
      [
        ['X', 'car', [0, 0, 50, 100]],
        ['Y', 'road', [0, 50, 100, 100]],
      ],
      [['X', 'on', 'Y', 0.5]],
    ),
    graph(
      'four.jpg',
      [
        ['P', 'person', [0, 0, 10, 10]],
        ['Q', 'car', [10, 10, 20, 20]],
      ],
      [['P', 'on', 'Q', 1]],
    ),
  ];
  return { gt, pred };
}
