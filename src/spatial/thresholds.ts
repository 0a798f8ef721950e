/**
 * The one table of spatial thresholds. Every geometric predicate reads its cut-offs from here, every
 * relation's evidence repeats the values it was decided with, and a build's provenance stores the whole
 * resolved table, so a stored graph can be re-derived at query time with other numbers. The box*
 * entries say how a box-only object's own surface is found among its box's pixels (boxSurface.ts);
 * they apply when statistics are measured from a depth map.
 *
 * Most thresholds are fractions of a size that belongs to the objects (their width, height, depth range)
 * or to the scene (the depth span: nearest near bound to farthest far bound over all objects with depth).
 * That keeps them meaningful for RELATIVE depth, whose scale is arbitrary. Only near/far are absolute,
 * and they are applied only to METRIC depth.
 */

import { UserInputError } from '../errors/errors';

interface ThresholdSpec {
  readonly default: number;
  readonly min: number;
  readonly max: number;
  /** What the number is a fraction or amount of; shown in errors and docs. */
  readonly unit: string;
  readonly description: string;
}

export const THRESHOLD_SPECS = {
  coversTolerance: {
    default: 0,
    min: 0,
    max: Number.MAX_VALUE,
    unit: 'depth unit',
    description:
      "Algorithm 1 widening: A covers B iff a0 < b0 + t and a1 > b1 - t and A's range is longer than B's. " +
      '0 is the paper exactly.',
  },
  coversBoxOnly: {
    // A box-only object's range holds ground or wall contiguous with it in depth, so it "covers" its
    // neighbours: box-only covers precision 0.22-0.47 against 0.99 with masks, and no measured feature
    // told the true ones from the false ones (EVALUATION.md).
    default: 0,
    min: 0,
    max: 1,
    unit: 'switch (0 or 1)',
    description:
      'covers / covered by for a pair with an object whose depth was measured from its box (no mask): 0 never ' +
      "claims it (the box's range is not the object's own surface alone), 1 decides it by Algorithm 1 like any other pair.",
  },
  frontMaxOverlap: {
    default: 0.5,
    min: 0,
    max: 1,
    unit: 'fraction of the shorter depth range',
    description:
      'Ranges that overlap by more than this never give in front of / behind: heavy overlap is not clear-cut.',
  },
  frontMinGap: {
    // Visible depth ranges of touching objects (a box on a cabinet, faces 2 cm apart) are separated by
    // a sliver; such a sliver is noise, not order (EVALUATION.md).
    default: 0.02,
    min: 0,
    max: 1,
    unit: "fraction of the farther object's near depth",
    description:
      'in front of / behind by separated ranges: the gap between the ranges must exceed this. ' +
      '0 accepts any gap.',
  },
  frontMedianMargin: {
    default: 0.1,
    min: 0,
    max: 1,
    unit: 'fraction of the scene depth span',
    description:
      'Overlapping (but not heavily) ranges give in front of / behind when their medians differ by more than this.',
  },
  lateralMargin: {
    default: 0.5,
    min: 0,
    max: 100,
    unit: 'fraction of the mean object width',
    description: 'left of / right of: centroid x (or box centre x) must differ by more than this.',
  },
  verticalMargin: {
    // 0.9 rather than 0.5: the centroid is that of the *visible* pixels, and a partly hidden object's
    // visible centre sits well off its true one (0.38 of its height in the synthetic evaluation), so
    // a smaller margin reads occlusion as height (EVALUATION.md).
    default: 0.9,
    min: 0,
    max: 100,
    unit: 'fraction of the mean object height',
    description: 'above / below and over: centroid y (or box centre y) must differ by more than this.',
  },
  contactMargin: {
    default: 0.2,
    min: 0,
    max: 100,
    unit: 'fraction of the mean object height',
    description:
      "on: A's bottom within this of B's top; over: A's bottom above B's top by more than this; " +
      "in: A's bottom below B's top by more than this.",
  },
  supportMinOverlap: {
    default: 0.5,
    min: 0,
    max: 1,
    unit: "fraction of A's width",
    description: 'on / over: horizontal overlap of A with B must be at least this.',
  },
  inMinInside: {
    default: 0.9,
    min: 0,
    max: 1,
    unit: "fraction of A's mask (or box) area",
    description: "in: at least this much of A must lie inside B's box.",
  },
  inMaxAreaRatio: {
    default: 0.8,
    min: 0,
    max: 1,
    unit: "A's box area / B's box area",
    description: 'in: A must be this much smaller than B, so near-duplicate boxes are not "in" each other.',
  },
  inDepthTolerance: {
    default: 0.1,
    min: 0,
    max: 100,
    unit: "fraction of B's depth range length",
    description: "in: A's depth range may stick out of B's by this much at either end.",
  },
  besideMaxMedianDiff: {
    default: 0.1,
    min: 0,
    max: 1,
    unit: 'fraction of the scene depth span',
    description: 'beside: depth ranges overlap and medians differ by at most this.',
  },
  besideMaxGap: {
    default: 0.5,
    min: 0,
    max: 100,
    unit: 'fraction of the mean object width',
    description: 'beside: horizontal gap between the objects at most this.',
  },
  besideMinVerticalOverlap: {
    default: 0.3,
    min: 0,
    max: 1,
    unit: 'fraction of the shorter object height',
    description: 'beside: vertical overlap at least this.',
  },
  besideMaxHorizontalOverlap: {
    default: 0.3,
    min: 0,
    max: 1,
    unit: 'fraction of the narrower object width',
    description: 'beside: horizontal overlap at most this (more overlap means one is in front of the other).',
  },
  occludeMinOverlap: {
    default: 0.05,
    min: 0,
    max: 1,
    unit: "fraction of B's box area",
    description: "occludes: A (its mask, else its box) must cover at least this much of B's box.",
  },
  nearDistance: {
    default: 1,
    min: 0,
    max: Number.MAX_VALUE,
    unit: 'meters',
    description: 'near: 3D gap between the objects at most this (metric depth only).',
  },
  farDistance: {
    default: 3,
    min: 0,
    max: Number.MAX_VALUE,
    unit: 'meters',
    description: 'far: 3D gap between the objects at least this (metric depth only).',
  },
  // Box-only objects (no mask): how their own surface is found among the pixels of the box
  // (boxSurface.ts). They apply when depth is measured from a depth map; a stored graph keeps the
  // statistics it was built with.
  boxSurfaceGap: {
    default: 0.03,
    min: 1 / 2048,
    max: 1,
    unit: 'fraction of depth',
    description:
      'box-only objects: depths are binned with ceil(1 / this) bins per octave (a bin is half to all of this, ' +
      'relative); a run of non-empty bins is one surface, an empty bin separates two.',
  },
  boxSurfaceMinLead: {
    default: 1.5,
    min: 1,
    max: 1000,
    unit: "times the runner-up surface's samples",
    description:
      "box-only objects: the most populous surface in the box is the object's only when it holds at least this many " +
      'times the samples of the next one; else no surface dominates and every sample no other object explains is ' +
      "kept (method 'box-mixed': a wide range, so no depth order is claimed).",
  },
  boxExclusiveMinShare: {
    default: 0.2,
    min: 0,
    max: 1,
    unit: "fraction of the box's samples",
    description:
      "box-only objects: the preliminary surface is found among the samples inside no other object's box or mask when " +
      'at least this share of the samples are such; else among the samples that no object measured before it ' +
      'explains.',
  },
  boxSurfaceMinShare: {
    default: 0.05,
    min: 0,
    max: 1,
    unit: "fraction of the box's samples",
    description:
      'box-only objects: when the objects measured before it explain all but less than this share of the samples, ' +
      "the object is at a neighbour's depth and its surface is found among all its samples.",
  },
  boxSurfaceSeparation: {
    default: 0.03,
    min: 0,
    max: 10,
    unit: 'fraction of the larger median depth',
    description:
      "box-only objects: another object's surface takes samples inside its box only when the two surfaces' medians " +
      'differ by more than this (objects at the same depth keep their shared pixels).',
  },
  boxSurfaceTolerance: {
    default: 0.02,
    min: 0,
    max: 10,
    unit: "fraction of the other object's median depth",
    description:
      "box-only objects: a sample is another object's when it lies within that object's surface extent widened by " +
      "this, and is relatively closer to its median than to this object's.",
  },
  // Occluded edges (edgeOcclusion.ts): whether the visible part of an object settles its vertical extent.
  edgeHiddenGap: {
    // Where an object meets its support the depth beyond its edge continues from the object's; an
    // occluder in heavy-occlusion scenes stands 0-1 m in front (EVALUATION.md).
    default: 0.05,
    min: 0,
    max: 1,
    unit: "fraction of the object's near depth",
    description:
      "a pixel just beyond an object's bottom or top edge hides the object when its depth is nearer than the object's " +
      'near bound by more than this (plus twice the pixel noise) and no object holding it reaches back to the ' +
      "object's median depth; measurement only, recorded as evidence hiddenBelow / hiddenAbove.",
  },
  edgeHiddenMinShare: {
    // 1: only an edge hidden on every probed column; lower shares cost several per cent of above / below
    // recall with masks for little precision (EVALUATION.md, engine 1.4.0).
    default: 1,
    min: 0,
    max: 2,
    unit: "fraction of the edge's probed columns",
    description:
      "above / below and over are not claimed when the upper object's bottom edge or the lower object's top edge " +
      "is hidden on at least this share of its columns: the visible part does not settle the object's height. " +
      'A value above 1 turns the rule off.',
  },
  // Pixel noise of the depth map (depthNoise.ts): taken out of every object's [p5, p95] when the map
  // shows it. Measurement only, like the box-surface thresholds: a stored graph keeps its ranges.
  depthNoiseMin: {
    // A noise-free rendered or model depth map estimates below 0.1% (its surfaces' slope between
    // adjacent pixels); 5% pixel noise estimates at 5% (EVALUATION.md).
    default: 0.005,
    min: 0,
    max: Number.MAX_VALUE,
    unit: 'relative standard deviation',
    description:
      "pixel noise (independent from pixel to pixel) estimated from adjacent pixels' depth differences is taken out " +
      "of the objects' depth ranges when it is at least this; a larger value than any map shows (e.g. 1) turns it off.",
  },
  depthNoiseMargin: {
    default: 3,
    min: 0,
    max: 1000,
    unit: 'standard errors',
    description:
      'depth ranges with pixel noise taken out keep this many standard errors of their p5 / p95 (which shrink with ' +
      "the object's sample count), so ranges of few samples stay wide.",
  },
  frontNoiseMargin: {
    default: 1,
    min: 0,
    max: 1000,
    unit: 'standard errors',
    description:
      "in front of / behind by separated ranges under pixel noise: the gap must also exceed this many of both ranges' " +
      'standard errors (0 without pixel noise).',
  },
  coversNoiseMargin: {
    // With the noise-free spreads of engine 1.5.0, on 500 scenes per world with 5% noise, masks, covers
    // precision / recall (standard, heavy occlusion, wall): 1: 0.41 / 0.42, 0.47 / 0.43, 0.31 / 0.36;
    // 1.25: 0.49 / 0.36, 0.57 / 0.37, 0.36 / 0.29; 1.5: 0.55 / 0.33, 0.67 / 0.34, 0.45 / 0.25. of the three, 1.25
    // is the largest that keeps every recall above engine 1.2.0's 0.27 / 0.28 / 0.25 (EVALUATION.md).
    default: 1.25,
    min: 0,
    max: 1000,
    unit: 'standard errors',
    description:
      "covers under pixel noise: the outer object's noise-free range (median -+ its spreads) must enclose the inner " +
      "one's by this many of both ranges' standard errors (0 without pixel noise, where it is Algorithm 1 exactly).",
  },
} as const satisfies Record<string, ThresholdSpec>;

export type ThresholdName = keyof typeof THRESHOLD_SPECS;
export type Thresholds = Readonly<Record<ThresholdName, number>>;

const THRESHOLD_NAMES = Object.keys(THRESHOLD_SPECS) as ThresholdName[];

export const DEFAULT_THRESHOLDS: Thresholds = Object.freeze(
  Object.fromEntries(THRESHOLD_NAMES.map((name) => [name, THRESHOLD_SPECS[name].default])) as Record<
    ThresholdName,
    number
  >,
);

export function isThresholdName(name: string): name is ThresholdName {
  return Object.prototype.hasOwnProperty.call(THRESHOLD_SPECS, name);
}

/**
 * Defaults overlaid with `overrides`. Unknown names and numbers outside a threshold's range are refused
 * rather than ignored: a typo in a threshold name would otherwise silently run with the default.
 */
export function resolveThresholds(
  overrides?: Readonly<Record<string, unknown>>,
  path = 'thresholds',
): Thresholds {
  if (overrides === undefined) return DEFAULT_THRESHOLDS;
  if (typeof overrides !== 'object' || overrides === null || Array.isArray(overrides)) {
    throw new UserInputError('must be an object of threshold names to numbers', path);
  }
  const resolved: Record<ThresholdName, number> = { ...DEFAULT_THRESHOLDS };
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    if (!isThresholdName(name)) {
      throw new UserInputError(
        `unknown threshold; known thresholds are ${THRESHOLD_NAMES.join(', ')}`,
        `${path}.${name}`,
      );
    }
    const spec: ThresholdSpec = THRESHOLD_SPECS[name];
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new UserInputError(`must be a finite number (${spec.unit})`, `${path}.${name}`);
    }
    if (value < spec.min || value > spec.max) {
      throw new UserInputError(
        `must be between ${spec.min} and ${spec.max} (${spec.unit}); got ${value}`,
        `${path}.${name}`,
      );
    }
    resolved[name] = value;
  }
  if (resolved.nearDistance >= resolved.farDistance) {
    throw new UserInputError(
      `must be greater than nearDistance (${resolved.nearDistance}); got ${resolved.farDistance}`,
      `${path}.farDistance`,
    );
  }
  return Object.freeze(resolved);
}

/**
 * Threshold overrides as given (by a caller at query time), checked like a build's: only the names
 * given, each known and within its range. Throws UserInputError naming `path.name`.
 */
export function resolveThresholdOverrides(
  overrides: Readonly<Record<string, unknown>>,
  path = 'thresholds',
): Partial<Thresholds> {
  const resolved = resolveThresholds(overrides, path);
  const out: Partial<Record<ThresholdName, number>> = {};
  for (const name of Object.keys(overrides)) if (isThresholdName(name)) out[name] = resolved[name];
  return out;
}
