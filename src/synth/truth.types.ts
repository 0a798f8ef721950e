import type { CanonicalPredicate } from '../spatial/predicateNames';
import type { ShapeKind, SynthScenario, Vec3 } from './synth.types';

/**
 * truth.json, version 1: the ground truth of a synthetic scene, decided from its 3D layout.
 *
 * Closed world over `objects` x `predicates` x `objects`: for every subject != object (keys from
 * `objects`, which are exactly scene.json's objects) and every predicate in `predicates`, the triplet
 * is TRUE if it is in `relations`, AMBIGUOUS if it is in `ambiguous`, and FALSE otherwise. FALSE is
 * left implicit because it is most of the 11 x n x (n - 1) triplets (about 100k for 100 objects).
 *
 * Per-predicate evaluation of a predicted graph (see truthScore.ts): a predicted triplet is a true
 * positive when TRUE, a false positive when FALSE, and ignored when AMBIGUOUS (or outside the
 * closed world); recall is over the TRUE triplets only.
 */

export const TRUTH_PREDICATES = [
  'in front of',
  'behind',
  'left of',
  'right of',
  'above',
  'below',
  'on',
  'under',
  'covers',
  'covered by',
  'occludes',
] as const satisfies readonly CanonicalPredicate[];
export type TruthPredicate = (typeof TRUTH_PREDICATES)[number];

export type TruthStatus = 'TRUE' | 'FALSE' | 'AMBIGUOUS';

export interface TruthTriplet {
  subject: string;
  predicate: TruthPredicate;
  object: string;
}

/** Depth (z, metres) of the object's visible surface over its visible pixels; percentiles interpolate linearly, as numpy's. */
export interface VisibleDepth {
  min: number;
  p5: number;
  p50: number;
  p95: number;
  max: number;
}

export interface TruthObject {
  key: string;
  label: string;
  shape: ShapeKind;
  /** Geometric centre in the camera frame (x right, y down, z forward), metres. */
  center: Vec3;
  /** Full 3D size along x, y, z (the object's exact axis-aligned extent). */
  size: Vec3;
  /** Full z extent [near, far]. */
  zRange: [number, number];
  visibleDepth: VisibleDepth;
  visiblePixels: number;
  /** What the object stands on: 'ground' or the key of the object it rests on. */
  restsOn: string;
}

export interface TruthThresholds {
  /** "in front of" is TRUE when the full z extents are separated by at least max(abs, rel x mean centre depth). */
  frontGapM: number;
  frontGapRel: number;
  /** "left of"/"right of" TRUE: x extents separated by at least this (0: touching counts). */
  lateralGapM: number;
  /** "above"/"below" TRUE: y extents separated by at least this (0: resting on counts). */
  verticalGapM: number;
  /**
   * in front of / left of / above and their inverses are FALSE when the subject's centre is not ahead
   * of the object's in the predicate's direction by more than this fraction of their mean size on
   * that axis; in between TRUE and FALSE is AMBIGUOUS.
   */
  sameCentreFraction: number;
  /** Algorithm 1 margin at both ends of the range: max(abs, rel x mean visible median depth). */
  coversMarginM: number;
  coversMarginRel: number;
  /** "occludes" TRUE when the subject hides at least this many of the object's pixels. */
  occludesMinPixels: number;
  /** Every object shows at least this many pixels (the generator rejects placements that would not). */
  minVisiblePixels: number;
}

export interface SynthTruth {
  version: 1;
  generator: {
    name: 'scenegraph-synth';
    seed: number;
    objects: number;
    width: number;
    height: number;
    /** Only for a variation of the standard world (generateScene's `scenario`). */
    scenario?: SynthScenario;
    /** The back wall's depth (m), when the scenario has one. */
    wallZ?: number;
  };
  camera: { fx: number; fy: number; cx: number; cy: number; heightM: number; hfovDeg: number };
  thresholds: TruthThresholds;
  predicates: TruthPredicate[];
  objects: TruthObject[];
  /** Every TRUE triplet. */
  relations: TruthTriplet[];
  /** Every AMBIGUOUS triplet: evaluations skip these. */
  ambiguous: TruthTriplet[];
  /** Per predicate, how many ordered pairs are TRUE, FALSE and AMBIGUOUS. */
  summary: Record<TruthPredicate, { true: number; false: number; ambiguous: number }>;
}
