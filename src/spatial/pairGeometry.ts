/**
 * The geometry the predicate rules work with: each object reduced to numbers (box, depth range,
 * centroid +- extent / 2), and the interval arithmetic between two of them. Everything is read from
 * what a SceneObject stores, so a stored graph re-derives the same relations.
 */

import type { Box } from '../scenegraph/sceneGraph.types';
import type { Object3d } from './object3d';
import { rangeStandardError } from './depthNoise';
import type { PixelRegion } from './pixelRegion';

/**
 * One object with everything the rules read, precomputed once per scene. A class with every field set
 * in the constructor, so all instances share one shape and the pair loop's property reads stay fast
 * (object spreads with this many fields made V8 fall back to slow dictionary lookups).
 */
export class Placed {
  readonly key: string;
  readonly box: Box;
  readonly mask: PixelRegion | undefined;
  readonly boxArea: number;
  readonly boxCx: number;
  readonly boxCy: number;
  readonly boxW: number;
  readonly boxH: number;
  readonly has3d: boolean;
  readonly metric: boolean;
  readonly near: number;
  readonly far: number;
  readonly median: number;
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
  readonly loX: number;
  readonly hiX: number;
  readonly loY: number;
  readonly hiY: number;
  /** Standard error of near / far when pixel noise was taken out of the range (depthNoise.ts), else 0. */
  readonly rangeSe: number;
  /**
   * The range covers compares: under pixel noise with the noise-free spreads recorded (evidence
   * `spreadNear` / `spreadFar`, object3d.recordSpreads), median -+ those; else near / far.
   */
  readonly coversNear: number;
  readonly coversFar: number;
  /** Shares of the bottom / top edge that a nearer surface hides (edgeOcclusion.ts; 0 when not recorded). */
  /**
   * Depth measured from a box, not a mask (evidence method 'box-surface', 'box-mixed' or 'region'); an
   * object whose depth was supplied without that record is not.
   */
  readonly boxMeasured: boolean;
  readonly hiddenBelow: number;
  readonly hiddenAbove: number;
  /** How far down (up) the hidden bottom (top) can reach, camera-frame y; NaN: unbounded or not recorded. */
  readonly bottomBoundY: number;
  readonly topBoundY: number;

  constructor(o: Object3d) {
    const [x1, y1, x2, y2] = o.box;
    this.key = o.key;
    this.box = o.box;
    this.mask = o.mask;
    this.boxArea = (x2 - x1) * (y2 - y1);
    this.boxCx = (x1 + x2) / 2;
    this.boxCy = (y1 + y2) / 2;
    this.boxW = x2 - x1;
    this.boxH = y2 - y1;
    const { depth, range, centroid, extent } = o;
    const full = depth !== undefined && range !== undefined && centroid !== undefined && extent !== undefined;
    this.has3d = full;
    this.metric = full && depth.unit === 'METERS';
    this.near = full ? range[0] : 0;
    this.far = full ? range[1] : 0;
    this.median = full ? depth.p50 : 0;
    this.x = full ? centroid[0] : 0;
    this.y = full ? centroid[1] : 0;
    this.w = full ? extent[0] : 0;
    this.h = full ? extent[1] : 0;
    this.loX = this.x - this.w / 2;
    this.hiX = this.x + this.w / 2;
    this.loY = this.y - this.h / 2;
    this.hiY = this.y + this.h / 2;
    this.rangeSe = full ? rangeStandardError(o.evidence, depth.p50) : 0;
    const spreadNear = o.evidence?.spreadNear;
    const spreadFar = o.evidence?.spreadFar;
    const spreads = this.rangeSe > 0 && typeof spreadNear === 'number' && typeof spreadFar === 'number';
    this.coversNear = spreads ? this.median - spreadNear : this.near;
    this.coversFar = spreads ? this.median + spreadFar : this.far;
    const method = o.evidence?.method;
    this.boxMeasured = method === 'box-surface' || method === 'box-mixed' || method === 'region';
    const below = o.evidence?.hiddenBelow;
    const above = o.evidence?.hiddenAbove;
    this.hiddenBelow = full && typeof below === 'number' ? below : 0;
    this.hiddenAbove = full && typeof above === 'number' ? above : 0;
    const lowest = o.evidence?.bottomBoundY;
    const highest = o.evidence?.topBoundY;
    this.bottomBoundY = typeof lowest === 'number' ? lowest : NaN;
    this.topBoundY = typeof highest === 'number' ? highest : NaN;
  }
}

export function overlapLength(a0: number, a1: number, b0: number, b1: number): number {
  return Math.max(0, Math.min(a1, b1) - Math.max(a0, b0));
}

export function gapLength(a0: number, a1: number, b0: number, b1: number): number {
  return Math.max(0, Math.max(a0, b0) - Math.min(a1, b1));
}

/** Overlap as a fraction of the shorter interval; a zero-length interval counts as fully overlapped when inside. */
export function overlapOfShorter(a0: number, a1: number, b0: number, b1: number): number {
  const shorter = Math.min(a1 - a0, b1 - b0);
  if (shorter <= 0) return a0 <= b1 && b0 <= a1 ? 1 : 0;
  return overlapLength(a0, a1, b0, b1) / shorter;
}

/** Fraction of [a0, a1] that [b0, b1] overlaps. */
export function overlapOfFirst(a0: number, a1: number, b0: number, b1: number): number {
  if (a1 - a0 <= 0) return a0 >= b0 && a0 <= b1 ? 1 : 0;
  return overlapLength(a0, a1, b0, b1) / (a1 - a0);
}

export function boxIntersectionArea(a: Box, b: Box): number {
  return overlapLength(a[0], a[2], b[0], b[2]) * overlapLength(a[1], a[3], b[1], b[3]);
}

/** 0.5 at the threshold, 1 once the margin past it reaches `scale`. */
export function marginScore(excess: number, scale: number): number {
  if (!(scale > 0)) return excess > 0 ? 1 : 0.5;
  return 0.5 + 0.5 * Math.min(1, Math.max(0, excess / scale));
}

export function rangesIntersect(a: Placed, b: Placed): boolean {
  return a.near <= b.far && b.near <= a.far;
}
