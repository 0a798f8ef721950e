/**
 * Algorithm 2 of LLaVA-SpaceSGG: depth layers.
 *
 * Basic objects are those that cover no other object (covers.ts). They are sorted by depth, nearest
 * first, and each starts a layer; the layer of basic object A holds A and every object that covers A,
 * so a large object (a table, a wall) can sit in several layers.
 *
 * "By depth" here: near bound of the range ascending, then far bound ascending, then key in code-unit
 * order (not localeCompare, whose order depends on the machine's locale). Members are listed basic
 * first, then the covering objects in the same order. The authors' public code orders layers by key
 * strings instead; we follow the paper.
 *
 * Every object with a range belongs to at least one layer when the tolerance is 0 (strict enclosure is
 * transitive, so every non-basic object covers some basic one). With a tolerance the widened relation
 * need not be transitive, and an object that covers only non-basic objects belongs to no layer; its
 * `layerOf` entry is then absent.
 */

import type { Layer } from '../scenegraph/sceneGraph.types';
import { coverMatrix, type DepthInterval } from './covers';

export interface KeyedRange {
  /** Unique among the ranges. */
  readonly key: string;
  readonly range: DepthInterval;
}

export interface LayerResult {
  readonly layers: Layer[];
  /** Index of the first (nearest) layer each key appears in. */
  readonly layerOf: Map<string, number>;
}

export function compareByDepth(a: KeyedRange, b: KeyedRange): number {
  return a.range[0] - b.range[0] || a.range[1] - b.range[1] || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

export function computeLayers(ranges: readonly KeyedRange[], tolerance = 0): LayerResult {
  const n = ranges.length;
  const order = ranges.map((_, i) => i).sort((i, j) => compareByDepth(ranges[i], ranges[j]));
  const matrix = coverMatrix(
    ranges.map((r) => r.range),
    tolerance,
  );
  const layers: Layer[] = [];
  const layerOf = new Map<string, number>();
  for (const b of order) {
    let coversAny = false;
    for (let j = 0; j < n && !coversAny; j++) coversAny = matrix[b * n + j] === 1;
    if (coversAny) continue;
    const index = layers.length;
    const members = [ranges[b].key];
    for (const i of order) if (matrix[i * n + b] === 1) members.push(ranges[i].key);
    for (const key of members) if (!layerOf.has(key)) layerOf.set(key, index);
    layers.push({ index, basic: ranges[b].key, members });
  }
  return { layers, layerOf };
}
