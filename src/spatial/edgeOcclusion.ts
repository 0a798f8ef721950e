/**
 * Whether an object's visible part settles its vertical extent.
 *
 * The centroid and extent of an object are those of its visible pixels. When a nearer surface hides the
 * object's lower part (a tall cabinet behind a crate shows only its top), the visible centre sits well
 * above the true one, and "above" read from it is wrong however large the margin: a sliver of the top
 * of a cabinet standing on the ground is not above the ball beside it. The depth map shows where this
 * can be: right beyond the object's bottom (or top) edge, the depth jumps to a surface clearly nearer
 * than the object, so the object may continue behind it. Where the object meets its support (the ground,
 * a table top) the depth beyond the edge continues from the object's, with no jump.
 *
 * For each object with depth, over at most EDGE_COLUMNS evenly spaced columns of its box, the pixel just
 * below the box (and just above it) is "hiding" when
 * - it lies outside the image (the frame cuts the object), or
 * - its depth is nearer than the object's near bound (depth p5) by more than `edgeHiddenGap` (plus twice
 *   the depth map's pixel noise, so noise alone does not read as a jump), and no other object that holds
 *   the pixel (its mask, else its box) reaches back to the object's median depth: an object standing on
 *   a table top seen from below is hidden by the table's front edge, but it is within the table's depth
 *   and rests on it, which bounds its hidden part.
 * The shares of hiding columns are recorded in the object's evidence (`hiddenBelow`, `hiddenAbove`).
 * The predicates (predicates.ts) claim no above / below or over where the upper object's bottom or the
 * lower object's top is hidden on at least `edgeHiddenMinShare` of its columns.
 *
 * Deterministic, read-only on the depth map; cost O(objects x EDGE_COLUMNS x overlapping objects).
 */

import type { Intrinsics } from '../scenegraph/sceneGraph.types';
import type { DepthMap } from './depthMap';
import type { Object3d } from './object3d';
import { centreRange, type PixelRegion } from './pixelRegion';
import { regionHas } from './boxSurface';
import type { Thresholds } from './thresholds';

/** Columns probed per edge at most: enough for a share to a few per cent, cheap for 50 objects. */
export const EDGE_COLUMNS = 64;

export interface EdgeInput {
  readonly box: readonly [number, number, number, number];
  readonly mask?: PixelRegion;
}

/**
 * Adds `hiddenBelow` and `hiddenAbove` to the evidence of every measured object (in place; the evidence
 * objects are the measurement's own). The pixel noise is the one the measurement recorded (`depthNoise`).
 */
export function addEdgeEvidence(
  objects: readonly Object3d[],
  inputs: readonly EdgeInput[],
  depth: DepthMap,
  intrinsics: Intrinsics,
  t: Thresholds,
): void {
  const { width, height, data } = depth;
  const n = objects.length;
  const rect = new Int32Array(4 * n);
  for (let i = 0; i < n; i++) {
    const box = inputs[i].box;
    const [u0, u1] = centreRange(box[0], box[2], width);
    const [v0, v1] = centreRange(box[1], box[3], height);
    rect[4 * i] = u0;
    rect[4 * i + 1] = u1;
    rect[4 * i + 2] = v0;
    rect[4 * i + 3] = v1;
  }
  // The objects whose box holds the probed row and overlaps the probed columns: found once per edge.
  const candidates = new Int32Array(n);
  let nCandidates = 0;
  /**
   * For a pixel nearer than the probed object: -1 when an object holding it reaches back to i's depth (i may rest
   * on it: not hiding); else the farthest image row the hidden part can reach past the edge (the far
   * edge of the nearer holders' boxes: what stands behind an object ends no lower, or higher, than
   * it). A nearer pixel that no object holds (the ground seen below a raised object) hides nothing:
   * only objects stand in front of objects.
   */
  const hiding = (u: number, v: number, reach: number, down: boolean): number => {
    let bound = -1;
    let held = false;
    for (let c = 0; c < nCandidates; c++) {
      const j = candidates[c];
      if (u < rect[4 * j] || u >= rect[4 * j + 1]) continue;
      const mask = inputs[j].mask;
      if (mask && !regionHas(mask, u, v)) continue;
      if (objects[j].depth!.p95 >= reach) return -1;
      held = true;
      const edge = down ? rect[4 * j + 3] : rect[4 * j + 2];
      bound = bound < 0 ? edge : down ? Math.max(bound, edge) : Math.min(bound, edge);
    }
    return held ? bound : -1;
  };
  for (let i = 0; i < n; i++) {
    const o = objects[i];
    const evidence = o.evidence as Record<string, number | string | boolean> | undefined;
    if (!o.depth || !evidence) continue;
    const u0 = rect[4 * i];
    const u1 = rect[4 * i + 1];
    const columns = u1 - u0;
    if (columns <= 0) continue;
    const probes = Math.min(EDGE_COLUMNS, columns);
    const noise = typeof evidence.depthNoise === 'number' ? evidence.depthNoise : 0;
    const limit = o.depth.p5 * (1 - t.edgeHiddenGap - 2 * noise);
    const reach = o.depth.p50;
    // The hidden share of one edge and the farthest row its hidden part can reach (NaN: unbounded).
    const edge = (v: number, down: boolean): [share: number, bound: number] => {
      let hidden = 0;
      let bound = down ? v : v + 1;
      nCandidates = 0;
      for (let j = 0; j < n; j++) {
        if (j === i || !objects[j].depth) continue;
        if (v < rect[4 * j + 2] || v >= rect[4 * j + 3] || rect[4 * j] >= u1 || rect[4 * j + 1] <= u0)
          continue;
        candidates[nCandidates++] = j;
      }
      for (let c = 0; c < probes; c++) {
        if (v < 0 || v >= height) {
          hidden++;
          bound = NaN;
          continue;
        }
        const u = u0 + Math.floor(((c + 0.5) * columns) / probes);
        if (!(data[v * width + u] < limit)) continue;
        const b = hiding(u, v, reach, down);
        if (b < 0) continue;
        hidden++;
        bound = down ? Math.max(bound, b) : Math.min(bound, b);
      }
      return [Math.round((hidden / probes) * 1e4) / 1e4, Number.isFinite(bound) ? bound : NaN];
    };
    // Rows to camera-frame y at the object's median depth (pixel edges, as the box's).
    const toY = (row: number): number => ((row - intrinsics.cy) * o.depth!.p50) / intrinsics.fy;
    const [below, lowest] = edge(rect[4 * i + 3], true);
    const [above, highest] = edge(rect[4 * i + 2] - 1, false);
    evidence.hiddenBelow = below;
    if (below > 0 && lowest === lowest) evidence.bottomBoundY = toY(lowest);
    evidence.hiddenAbove = above;
    if (above > 0 && highest === highest) evidence.topBoundY = toY(highest);
  }
}
