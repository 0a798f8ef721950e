import { UnreachableCaseError } from '../errors/errors';
import type { Occlusion } from './occlusion';
import type { SynthObject } from './synth.types';
import {
  TRUTH_PREDICATES,
  type TruthPredicate,
  type TruthStatus,
  type TruthThresholds,
  type TruthTriplet,
  type VisibleDepth,
} from './truth.types';

/**
 * Ground-truth spatial relations from the exact 3D layout. Each rule has a TRUE zone (clear-cut),
 * a FALSE zone (clearly not), and an AMBIGUOUS band between them, so that truth asserts nothing a
 * careful annotator could dispute, and evaluation can ignore the band.
 *
 * - in front of / behind: the full z extents (not just the visible parts: an annotator judges whole
 *   objects), separated by a gap that grows with distance.
 * - left of / right of, above / below: x (resp. y, down) extents separated; that is, centres apart by
 *   more than the mean size. Touching counts, so an object resting on another is above it.
 * - on / under: the layout's support relation. One level only; a ball on a crate on a cabinet is
 *   AMBIGUOUS "on" the cabinet.
 * - covers / covered by: Algorithm 1 on the visible depth ranges (exact surface depth at the visible
 *   pixel centres), with a margin at both ends, decided on both [min, max] and [p5, p95]; TRUE or
 *   FALSE only when both ranges agree.
 * - occludes: from the render, see occlusion.ts.
 */

export const TRUTH_THRESHOLDS: TruthThresholds = {
  frontGapM: 0.1,
  frontGapRel: 0.02,
  lateralGapM: 0,
  verticalGapM: 0,
  sameCentreFraction: 0.1,
  coversMarginM: 0.05,
  coversMarginRel: 0.01,
  occludesMinPixels: 10,
  minVisiblePixels: 30,
};

/** Float slack for contact: a stacked object's bottom equals its supporter's top up to rounding. */
const CONTACT_EPS = 1e-9;

export interface TruthItem {
  key: string;
  object: SynthObject;
  visibleDepth: VisibleDepth;
}

export interface TruthRelations {
  relations: TruthTriplet[];
  ambiguous: TruthTriplet[];
  summary: Record<TruthPredicate, { true: number; false: number; ambiguous: number }>;
}

/** `occlusion` is indexed like `items`. */
export function computeTruthRelations(
  items: readonly TruthItem[],
  occlusion: Occlusion,
  thresholds: TruthThresholds = TRUTH_THRESHOLDS,
): TruthRelations {
  const relations: TruthTriplet[] = [];
  const ambiguous: TruthTriplet[] = [];
  const summary = Object.fromEntries(
    TRUTH_PREDICATES.map((p) => [p, { true: 0, false: 0, ambiguous: 0 }]),
  ) as Record<TruthPredicate, { true: number; false: number; ambiguous: number }>;
  const byUid = new Map(items.map((it) => [it.object.uid, it]));
  const n = items.length;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (i === j) continue;
      const pair: Pair = { a: items[i], b: items[j], i, j };
      for (const predicate of TRUTH_PREDICATES) {
        const status = decide(predicate, pair, occlusion, byUid, thresholds);
        const triplet = { subject: items[i].key, predicate, object: items[j].key };
        if (status === 'TRUE') {
          relations.push(triplet);
          summary[predicate].true++;
        } else if (status === 'AMBIGUOUS') {
          ambiguous.push(triplet);
          summary[predicate].ambiguous++;
        } else summary[predicate].false++;
      }
    }
  }
  return { relations, ambiguous, summary };
}

interface Pair {
  a: TruthItem;
  b: TruthItem;
  i: number;
  j: number;
}

function decide(
  predicate: TruthPredicate,
  pair: Pair,
  occlusion: Occlusion,
  byUid: ReadonlyMap<number, TruthItem>,
  t: TruthThresholds,
): TruthStatus {
  const { a, b } = pair;
  switch (predicate) {
    case 'in front of':
      return inFront(a.object, b.object, t);
    case 'behind':
      return inFront(b.object, a.object, t);
    case 'left of':
      return before(a.object, b.object, 0, t.lateralGapM, t);
    case 'right of':
      return before(b.object, a.object, 0, t.lateralGapM, t);
    case 'above':
      return before(a.object, b.object, 1, t.verticalGapM, t);
    case 'below':
      return before(b.object, a.object, 1, t.verticalGapM, t);
    case 'on':
      return restsOn(a.object, b.object, byUid);
    case 'under':
      return restsOn(b.object, a.object, byUid);
    case 'covers':
      return covers(a.visibleDepth, b.visibleDepth, t);
    case 'covered by':
      return covers(b.visibleDepth, a.visibleDepth, t);
    case 'occludes':
      return occludes(pair, occlusion, t);
    default:
      throw new UnreachableCaseError(predicate);
  }
}

/** Whether a's extent lies before b's along `axis` (x: left of, y: above, z: in front of). */
function before(
  a: SynthObject,
  b: SynthObject,
  axis: 0 | 1 | 2,
  gap: number,
  t: TruthThresholds,
): TruthStatus {
  const aMax = a.center[axis] + a.half[axis];
  const bMin = b.center[axis] - b.half[axis];
  if (bMin - aMax >= gap - CONTACT_EPS) return 'TRUE';
  const meanSize = a.half[axis] + b.half[axis]; // (2 ha + 2 hb) / 2
  if (b.center[axis] - a.center[axis] <= t.sameCentreFraction * meanSize) return 'FALSE';
  return 'AMBIGUOUS';
}

function inFront(a: SynthObject, b: SynthObject, t: TruthThresholds): TruthStatus {
  const meanDepth = (a.center[2] + b.center[2]) / 2;
  return before(a, b, 2, Math.max(t.frontGapM, t.frontGapRel * meanDepth), t);
}

function restsOn(a: SynthObject, b: SynthObject, byUid: ReadonlyMap<number, TruthItem>): TruthStatus {
  if (a.supportedBy === b.uid) return 'TRUE';
  // Further down the same stack: on it, but not directly.
  for (let s = a.supportedBy; s !== null;) {
    if (s === b.uid) return 'AMBIGUOUS';
    const next = byUid.get(s);
    if (!next) break;
    s = next.object.supportedBy;
  }
  return 'FALSE';
}

function covers(a: VisibleDepth, b: VisibleDepth, t: TruthThresholds): TruthStatus {
  const margin = Math.max(t.coversMarginM, (t.coversMarginRel * (a.p50 + b.p50)) / 2);
  const full = algorithm1(a.min, a.max, b.min, b.max, margin);
  const robust = algorithm1(a.p5, a.p95, b.p5, b.p95, margin);
  return full === robust ? full : 'AMBIGUOUS';
}

/** SPEC section 3: A covers B iff a0 < b0 and a1 > b1, here with a margin on each side. */
function algorithm1(a0: number, a1: number, b0: number, b1: number, margin: number): TruthStatus {
  if (a0 < b0 - margin && a1 > b1 + margin) return 'TRUE';
  if (a0 > b0 + margin || a1 < b1 - margin) return 'FALSE';
  return 'AMBIGUOUS';
}

function occludes(pair: Pair, occlusion: Occlusion, t: TruthThresholds): TruthStatus {
  const k = pair.i * occlusion.n + pair.j;
  if (occlusion.hidden[k] >= t.occludesMinPixels) return 'TRUE';
  if (occlusion.hidden[k] === 0 && !occlusion.nearer[k]) return 'FALSE';
  return 'AMBIGUOUS';
}
