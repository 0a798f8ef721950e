/**
 * Geometric predicates (SPEC section 4) between every pair of objects. Camera frame: x right, y down,
 * z forward; "above" means smaller y (image up).
 *
 * Principles:
 * - Clear-cut only. A predicate is emitted when its deciding number is past its threshold
 *   (thresholds.ts), never as a best guess: two objects whose depth ranges overlap heavily get no
 *   in front of / behind at all, and left/right/above/below need a margin relative to the objects' sizes.
 * - Both directions or none. Where a predicate has an inverse (predicateNames.INVERSE_PREDICATE) the
 *   pair gets both relations, with the same score and evidence. Evidence keys name roles ("nearer",
 *   "upper", "container"), not subject/object, so one evidence record reads right from either side.
 * - Scores are in [0.5, 1]: 0.5 just past the threshold, rising with the margin until it saturates (at
 *   a margin as large as the size the threshold is relative to). They rank, they are not probabilities.
 * - Without depth for both objects, only left of / right of / above / below are decided, from the 2D
 *   box centres with margins relative to box sizes. near / far need METRIC depth for both.
 *
 * In 3D each object is an axis-aligned box: centroid +- extent / 2 in x and y, its depth range in z
 * (pairGeometry.ts), all stored on the SceneObject, so stored graphs re-derive the same relations.
 */

import type { Relation } from '../scenegraph/sceneGraph.types';
import { covers } from './covers';
import type { Object3d } from './object3d';
import {
  boxIntersectionArea,
  gapLength,
  marginScore,
  overlapOfFirst,
  overlapOfShorter,
  Placed,
  rangesIntersect,
} from './pairGeometry';
import { countInBox } from './pixelRegion';
import type { CanonicalPredicate } from './predicateNames';
import { INVERSE_PREDICATE } from './predicateNames';
import type { Thresholds } from './thresholds';

type Evidence = Record<string, number | string | boolean>;

/**
 * Evidence is built by a function, once for the relation and once more for its inverse: two fresh
 * object literals are much cheaper than a literal and a spread copy of it (about half the relations'
 * time went into copying evidence), and each relation still owns its evidence object.
 */
interface Finding {
  subject: Placed;
  predicate: CanonicalPredicate;
  object: Placed;
  score: number;
  evidence: () => Evidence;
}

interface DepthOrder {
  nearer: Placed;
  farther: Placed;
  score: number;
  separated: boolean;
  overlapRatio: number;
  medianDiff: number;
  span: number;
  evidence: () => Evidence;
}

/** in front of / behind: separated ranges, or light overlap with medians apart by a margin of the span. */
function depthOrder(a: Placed, b: Placed, t: Thresholds, span: number): DepthOrder | undefined {
  const overlapRatio = overlapOfShorter(a.near, a.far, b.near, b.far);
  if (overlapRatio > t.frontMaxOverlap) return undefined;
  const [nearer, farther] = a.median <= b.median ? [a, b] : [b, a];
  const medianDiff = farther.median - nearer.median;
  // Ranges with pixel noise taken out are known to a few standard errors at each end (0 without noise).
  const unsure = t.frontNoiseMargin * (a.rangeSe + b.rangeSe);
  const separated = farther.near - nearer.far > t.frontMinGap * farther.near + unsure;
  if (!separated && !(medianDiff > t.frontMedianMargin * span)) return undefined;
  const order: DepthOrder = {
    nearer,
    farther,
    score: marginScore(medianDiff, span / 2),
    separated,
    overlapRatio,
    medianDiff,
    span,
    evidence: () => orderEvidence(order, t),
  };
  return order;
}

function orderEvidence(o: DepthOrder, t: Thresholds): Evidence {
  const { nearer, farther } = o;
  return {
    nearer: nearer.key,
    farther: farther.key,
    nearerNear: nearer.near,
    nearerFar: nearer.far,
    nearerMedian: nearer.median,
    fartherNear: farther.near,
    fartherFar: farther.far,
    fartherMedian: farther.median,
    gap: farther.near - nearer.far,
    separated: o.separated,
    overlapRatio: o.overlapRatio,
    medianDiff: o.medianDiff,
    depthSpan: o.span,
    frontMaxOverlap: t.frontMaxOverlap,
    frontMinGap: t.frontMinGap,
    frontMedianMargin: t.frontMedianMargin,
  };
}

/** orderEvidence and the occlusion's numbers after it (a fresh object per call, no spread: see Finding). */
function occludesEvidence(o: DepthOrder, t: Thresholds, usedMask: boolean, coverage: number): Evidence {
  const e = orderEvidence(o, t);
  e.usedMask = usedMask;
  e.coverage = coverage;
  e.occludeMinOverlap = t.occludeMinOverlap;
  return e;
}

/**
 * covers: Algorithm 1 on the ranges. Under pixel noise the ranges compared are each object's median -+
 * its noise-free spreads (evidence `spreadNear` / `spreadFar`: semi-variances less the noise's,
 * depthNoise.noiseFreeSpreads), and the outer range must enclose the inner one by `coversNoiseMargin`
 * of both objects' standard errors (0 without pixel noise: the paper's rule on [p5, p95] exactly).
 * Without the margin a small object whose few samples keep it wide would "cover" larger ones.
 * Pairs with an object whose depth was measured from its box (no mask) get no covers unless
 * `coversBoxOnly` is 1: a box's range also holds the ground or wall next to the object, which no rule
 * found separates (EVALUATION.md).
 */
function coverFinding(outer: Placed, inner: Placed, t: Thresholds): Finding | undefined {
  if (t.coversBoxOnly < 1 && (outer.boxMeasured || inner.boxMeasured)) return undefined;
  const sure = t.coversNoiseMargin * (outer.rangeSe + inner.rangeSe);
  const o0 = outer.coversNear;
  const o1 = outer.coversFar;
  const i0 = inner.coversNear;
  const i1 = inner.coversFar;
  if (!covers([o0 + sure, o1 - sure], [i0, i1], t.coversTolerance)) return undefined;
  const margin = Math.min(i0 - o0, o1 - i1) + t.coversTolerance;
  const noisy = outer.rangeSe > 0 || inner.rangeSe > 0;
  return {
    subject: outer,
    predicate: 'covers',
    object: inner,
    score: marginScore(margin, (o1 - o0) / 2),
    evidence: () => {
      const e: Evidence = {
        outer: outer.key,
        inner: inner.key,
        outerNear: outer.near,
        outerFar: outer.far,
        innerNear: inner.near,
        innerFar: inner.far,
        coversTolerance: t.coversTolerance,
      };
      if (noisy) {
        // The ranges compared under pixel noise and the enclosure they had to clear.
        e.outerSpreadNear = o0;
        e.outerSpreadFar = o1;
        e.innerSpreadNear = i0;
        e.innerSpreadFar = i1;
        e.noiseMargin = sure;
        e.coversNoiseMargin = t.coversNoiseMargin;
      }
      return e;
    },
  };
}

function lateral(a: Placed, b: Placed, t: Thresholds, use3d: boolean): Finding | undefined {
  const ax = use3d ? a.x : a.boxCx;
  const bx = use3d ? b.x : b.boxCx;
  const meanWidth = use3d ? (a.w + b.w) / 2 : (a.boxW + b.boxW) / 2;
  const threshold = t.lateralMargin * meanWidth;
  const dx = Math.abs(bx - ax);
  if (!(dx > threshold)) return undefined;
  const [left, right] = ax < bx ? [a, b] : [b, a];
  return {
    subject: left,
    predicate: 'left of',
    object: right,
    score: marginScore(dx - threshold, meanWidth),
    evidence: () => ({
      mode: use3d ? '3d' : '2d',
      left: left.key,
      right: right.key,
      leftX: Math.min(ax, bx),
      rightX: Math.max(ax, bx),
      dx,
      meanWidth,
      lateralMargin: t.lateralMargin,
    }),
  };
}

/**
 * Whether "upper is higher than lower" still holds by the vertical margin when the hidden parts reach as
 * far as they can (edgeOcclusion.ts): the upper object's bottom down to its recorded bound, the lower
 * object's top up to its bound, with the heights growing alike. An edge hidden on at least
 * `edgeHiddenMinShare` of its columns without a bound (cut by the image, or by a surface no object
 * explains) leaves it open. Objects whose edges are not hidden are decided as before.
 */
function heightSettled(upper: Placed, lower: Placed, t: Thresholds): boolean {
  const upperTop = upper.loY;
  let upperBottom = upper.hiY;
  let lowerTop = lower.loY;
  const lowerBottom = lower.hiY;
  const hiddenBelow = upper.hiddenBelow >= t.edgeHiddenMinShare;
  const hiddenAbove = lower.hiddenAbove >= t.edgeHiddenMinShare;
  if (!hiddenBelow && !hiddenAbove) return true;
  if (hiddenBelow) {
    if (!(upper.bottomBoundY === upper.bottomBoundY)) return false;
    upperBottom = Math.max(upperBottom, upper.bottomBoundY);
  }
  if (hiddenAbove) {
    if (!(lower.topBoundY === lower.topBoundY)) return false;
    lowerTop = Math.min(lowerTop, lower.topBoundY);
  }
  const dy = (lowerTop + lowerBottom) / 2 - (upperTop + upperBottom) / 2;
  const meanHeight = (upperBottom - upperTop + lowerBottom - lowerTop) / 2;
  return dy > t.verticalMargin * meanHeight;
}

function vertical(a: Placed, b: Placed, t: Thresholds, use3d: boolean): Finding | undefined {
  const ay = use3d ? a.y : a.boxCy;
  const by = use3d ? b.y : b.boxCy;
  const meanHeight = use3d ? (a.h + b.h) / 2 : (a.boxH + b.boxH) / 2;
  const threshold = t.verticalMargin * meanHeight;
  const dy = Math.abs(by - ay);
  if (!(dy > threshold)) return undefined;
  const [upper, lower] = ay < by ? [a, b] : [b, a];
  if (use3d && !heightSettled(upper, lower, t)) return undefined;
  return {
    subject: upper,
    predicate: 'above',
    object: lower,
    score: marginScore(dy - threshold, meanHeight),
    evidence: () => ({
      mode: use3d ? '3d' : '2d',
      upper: upper.key,
      lower: lower.key,
      upperY: Math.min(ay, by),
      lowerY: Math.max(ay, by),
      dy,
      meanHeight,
      verticalMargin: t.verticalMargin,
    }),
  };
}

/**
 * on / over / in for the ordered pair (s, o); they exclude each other through the contact gap between
 * s's bottom and o's top: within tolerance is on, clear above is over, sunk below o's top is in (an
 * apple in a bowl, not a cup on a table, whose box is inside the table's box too).
 */
function support(s: Placed, o: Placed, t: Thresholds): Finding | undefined {
  const meanHeight = (s.h + o.h) / 2;
  const contactTolerance = t.contactMargin * meanHeight;
  // > 0: s's bottom is above o's top (y grows downward).
  const contactGap = o.loY - s.hiY;
  const depthOverlap = rangesIntersect(s, o);
  const horizontalOverlap = overlapOfFirst(s.loX, s.hiX, o.loX, o.hiX);
  if (depthOverlap && horizontalOverlap >= t.supportMinOverlap) {
    if (s.y < o.y && Math.abs(contactGap) <= contactTolerance) {
      return {
        subject: s,
        predicate: 'on',
        object: o,
        score: contactTolerance > 0 ? 1 - (0.5 * Math.abs(contactGap)) / contactTolerance : 1,
        evidence: () => ({
          top: s.key,
          support: o.key,
          topBottomY: s.hiY,
          supportTopY: o.loY,
          contactGap,
          contactTolerance,
          horizontalOverlap,
          contactMargin: t.contactMargin,
          supportMinOverlap: t.supportMinOverlap,
        }),
      };
    }
    const dy = o.y - s.y;
    const aboveThreshold = t.verticalMargin * meanHeight;
    if (dy > aboveThreshold && contactGap > contactTolerance && heightSettled(s, o, t)) {
      return {
        subject: s,
        predicate: 'over',
        object: o,
        score: marginScore(contactGap - contactTolerance, meanHeight),
        evidence: () => ({
          upper: s.key,
          lower: o.key,
          dy,
          verticalMargin: t.verticalMargin,
          contactGap,
          contactTolerance,
          horizontalOverlap,
          contactMargin: t.contactMargin,
          supportMinOverlap: t.supportMinOverlap,
        }),
      };
    }
  }

  if (contactGap >= -contactTolerance) return undefined;
  const insideFraction = s.mask
    ? s.mask.pixelCount > 0
      ? countInBox(s.mask, o.box) / s.mask.pixelCount
      : 0
    : boxIntersectionArea(s.box, o.box) / s.boxArea;
  const areaRatio = s.boxArea / o.boxArea;
  const depthTolerance = t.inDepthTolerance * (o.far - o.near);
  const depthWithin = s.near >= o.near - depthTolerance && s.far <= o.far + depthTolerance;
  if (insideFraction < t.inMinInside || areaRatio > t.inMaxAreaRatio || !depthWithin) return undefined;
  return {
    subject: s,
    predicate: 'in',
    object: o,
    score: t.inMinInside < 1 ? 0.5 + (0.5 * (insideFraction - t.inMinInside)) / (1 - t.inMinInside) : 1,
    evidence: () => ({
      inner: s.key,
      container: o.key,
      usedMask: s.mask !== undefined,
      insideFraction,
      areaRatio,
      innerNear: s.near,
      innerFar: s.far,
      containerNear: o.near,
      containerFar: o.far,
      depthTolerance,
      contactGap,
      contactTolerance,
      inMinInside: t.inMinInside,
      inMaxAreaRatio: t.inMaxAreaRatio,
      inDepthTolerance: t.inDepthTolerance,
    }),
  };
}

function beside(a: Placed, b: Placed, t: Thresholds, span: number): Finding | undefined {
  if (!rangesIntersect(a, b)) return undefined;
  const medianDiff = Math.abs(a.median - b.median);
  if (medianDiff > t.besideMaxMedianDiff * span) return undefined;
  const verticalOverlap = overlapOfShorter(a.loY, a.hiY, b.loY, b.hiY);
  if (verticalOverlap < t.besideMinVerticalOverlap) return undefined;
  const horizontalOverlap = overlapOfShorter(a.loX, a.hiX, b.loX, b.hiX);
  if (horizontalOverlap > t.besideMaxHorizontalOverlap) return undefined;
  const meanWidth = (a.w + b.w) / 2;
  const maxGap = t.besideMaxGap * meanWidth;
  const horizontalGap = gapLength(a.loX, a.hiX, b.loX, b.hiX);
  if (horizontalGap > maxGap) return undefined;
  return {
    subject: a,
    predicate: 'beside',
    object: b,
    score: maxGap > 0 ? 1 - (0.5 * horizontalGap) / maxGap : 1,
    evidence: () => ({
      medianDiff,
      depthSpan: span,
      verticalOverlap,
      horizontalOverlap,
      horizontalGap,
      meanWidth,
      besideMaxMedianDiff: t.besideMaxMedianDiff,
      besideMinVerticalOverlap: t.besideMinVerticalOverlap,
      besideMaxHorizontalOverlap: t.besideMaxHorizontalOverlap,
      besideMaxGap: t.besideMaxGap,
    }),
  };
}

/** occludes: the nearer object (clear-cut depth order) covers part of the farther one's box in 2D. */
function occludes(order: DepthOrder, t: Thresholds): Finding | undefined {
  const { nearer, farther } = order;
  const covered = nearer.mask
    ? countInBox(nearer.mask, farther.box)
    : boxIntersectionArea(nearer.box, farther.box);
  const coverage = covered / farther.boxArea;
  if (!(coverage >= t.occludeMinOverlap) || coverage === 0) return undefined;
  return {
    subject: nearer,
    predicate: 'occludes',
    object: farther,
    score: (order.score + marginScore(coverage - t.occludeMinOverlap, 1 - t.occludeMinOverlap)) / 2,
    evidence: () => occludesEvidence(order, t, nearer.mask !== undefined, coverage),
  };
}

/**
 * near / far from the gap between the objects' 3D boxes (0 when they intersect). The boxes are the
 * robust ones (centroid +- extent / 2, depth range), so the gap measures the distance between the bulk
 * of the two point sets; the exact nearest-point distance would be decided by single stray edge pixels
 * and cost O(n * m) per pair.
 */
function distance(a: Placed, b: Placed, t: Thresholds): Finding | undefined {
  const gx = gapLength(a.loX, a.hiX, b.loX, b.hiX);
  const gy = gapLength(a.loY, a.hiY, b.loY, b.hiY);
  const gz = gapLength(a.near, a.far, b.near, b.far);
  const gap = Math.hypot(gx, gy, gz);
  const evidence = (): Evidence => ({
    distance: gap,
    nearDistance: t.nearDistance,
    farDistance: t.farDistance,
  });
  if (gap <= t.nearDistance) {
    const score = t.nearDistance > 0 ? 1 - (0.5 * gap) / t.nearDistance : 1;
    return { subject: a, predicate: 'near', object: b, score, evidence };
  }
  if (gap >= t.farDistance) {
    return {
      subject: a,
      predicate: 'far',
      object: b,
      score: marginScore(gap - t.farDistance, t.farDistance),
      evidence,
    };
  }
  return undefined;
}

function emit(out: Relation[], f: Finding | undefined, predicates?: ReadonlySet<string>): void {
  if (!f) return;
  const inverse = INVERSE_PREDICATE[f.predicate];
  if (predicates && !predicates.has(f.predicate)) {
    if (inverse && predicates.has(inverse)) pushInverse(out, f, inverse);
    return;
  }
  out.push({
    subject: f.subject.key,
    predicate: f.predicate,
    object: f.object.key,
    score: f.score,
    source: 'GEOMETRY',
    evidence: f.evidence(),
  });
  if (inverse && (!predicates || predicates.has(inverse))) pushInverse(out, f, inverse);
}

function pushInverse(out: Relation[], f: Finding, inverse: string): void {
  out.push({
    subject: f.object.key,
    predicate: inverse,
    object: f.subject.key,
    score: f.score,
    source: 'GEOMETRY',
    evidence: f.evidence(),
  });
}

/** Nearest near bound to farthest far bound over the objects with depth: the scale of "a margin of the scene". */
export function depthSpan(objects: readonly Object3d[]): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (const o of objects) {
    if (!o.range) continue;
    lo = Math.min(lo, o.range[0]);
    hi = Math.max(hi, o.range[1]);
  }
  return hi > lo ? hi - lo : 0;
}

/**
 * All geometric relations among `objects`, pair by pair in input order (i < j), each rule in a fixed
 * order, so the output is deterministic. Keys must be unique.
 */
export function computeRelations(
  objects: readonly Object3d[],
  thresholds: Thresholds,
  keepPair?: (a: string, b: string) => boolean,
  predicates?: ReadonlySet<string>,
): Relation[] {
  // Only the objects of a kept pair are placed; the span reads every object's range all the same.
  const placed: (Placed | undefined)[] = new Array<Placed | undefined>(objects.length);
  const place = (i: number): Placed => (placed[i] ??= new Placed(objects[i]));
  const span = depthSpan(objects);
  const wanted = rulesWanted(predicates);
  const out: Relation[] = [];
  for (let i = 0; i < objects.length; i++) {
    for (let j = i + 1; j < objects.length; j++) {
      // Each pair's relations depend only on the two objects (and the image-wide depth span), so
      // leaving pairs out changes nothing for the others.
      if (keepPair && !keepPair(objects[i].key, objects[j].key) && !keepPair(objects[j].key, objects[i].key))
        continue;
      const a = place(i);
      const b = place(j);
      const use3d = a.has3d && b.has3d;
      if (use3d) {
        const order = wanted.order ? depthOrder(a, b, thresholds, span) : undefined;
        if (order) {
          emit(
            out,
            {
              subject: order.nearer,
              predicate: 'in front of',
              object: order.farther,
              score: order.score,
              evidence: order.evidence,
            },
            predicates,
          );
        }
        if (wanted.covers)
          emit(out, coverFinding(a, b, thresholds) ?? coverFinding(b, a, thresholds), predicates);
        if (order) emit(out, occludes(order, thresholds), predicates);
        if (wanted.lateral) emit(out, lateral(a, b, thresholds, true), predicates);
        if (wanted.vertical) emit(out, vertical(a, b, thresholds, true), predicates);
        if (wanted.support) {
          emit(out, support(a, b, thresholds), predicates);
          emit(out, support(b, a, thresholds), predicates);
        }
        if (wanted.beside) emit(out, beside(a, b, thresholds, span), predicates);
        if (wanted.distance && a.metric && b.metric) emit(out, distance(a, b, thresholds), predicates);
      } else {
        if (wanted.lateral) emit(out, lateral(a, b, thresholds, false), predicates);
        if (wanted.vertical) emit(out, vertical(a, b, thresholds, false), predicates);
      }
    }
  }
  return out;
}

/**
 * The predicates each rule of computeRelations can emit (an inverse comes with its predicate):
 * with a `predicates` filter, a rule none of whose predicates is wanted is not run at all. occludes
 * is decided from the depth order, so it needs the order rule.
 */
const RULE_PREDICATES = {
  order: ['in front of', 'occludes'],
  covers: ['covers'],
  lateral: ['left of'],
  vertical: ['above'],
  support: ['on', 'over', 'in'],
  beside: ['beside'],
  distance: ['near', 'far'],
} as const satisfies Record<string, readonly CanonicalPredicate[]>;

type Rule = keyof typeof RULE_PREDICATES;

function rulesWanted(predicates: ReadonlySet<string> | undefined): Record<Rule, boolean> {
  const wanted = {} as Record<Rule, boolean>;
  for (const [rule, emitted] of Object.entries(RULE_PREDICATES) as [Rule, readonly CanonicalPredicate[]][]) {
    wanted[rule] =
      !predicates ||
      emitted.some((p) => {
        const inverse = INVERSE_PREDICATE[p];
        return predicates.has(p) || (inverse !== undefined && predicates.has(inverse));
      });
  }
  return wanted;
}
