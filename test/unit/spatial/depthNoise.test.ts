import fc from 'fast-check';
import type { SceneGraph, SceneObject } from '../../../src/scenegraph/sceneGraph.types';
import { toDepthMap, type DepthMap } from '../../../src/spatial/depthMap';
import {
  denoiseHalfWidth,
  estimatePixelNoise,
  noiseFreeSpreads,
  noisyHalfWidth,
  PERCENTILE_SE_FACTOR,
  rangeStandardError,
} from '../../../src/spatial/depthNoise';
import { buildSceneGraph, relationsFromStoredGeometry } from '../../../src/spatial/engine';
import { generateScene } from '../../../src/synth/generateScene';
import { Prng } from '../../../src/synth/prng';

const W = 160;
const H = 120;

/** Standard normal deviates (Box-Muller on a seeded stream). */
function gaussians(seed: number): () => number {
  const rng = new Prng(seed);
  return () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
}

/** A wall at 9 m, a face at 5.0 m (columns 20..70) and one at 5.3 m (columns 90..140), rows 20..100. */
function twoFaces(noise: number, seed = 1): DepthMap {
  const g = gaussians(seed);
  const raw = new Float32Array(W * H);
  for (let v = 0; v < H; v++) {
    for (let u = 0; u < W; u++) {
      let z = 9;
      if (v >= 20 && v < 100 && u >= 20 && u < 70) z = 5;
      if (v >= 20 && v < 100 && u >= 90 && u < 140) z = 5.3;
      raw[v * W + u] = z * (1 + noise * g());
    }
  }
  return toDepthMap(raw, W, H, { unit: 'meters' });
}

const FACES: SceneGraph = {
  version: 1,
  image: { uri: 'file:///faces.png', width: W, height: H },
  objects: [
    { key: 'near', label: 'box', box: [20, 20, 70, 100], mask: [[20, 20, 70, 20, 70, 100, 20, 100]] },
    { key: 'far', label: 'box', box: [90, 20, 140, 100], mask: [[90, 20, 140, 20, 140, 100, 90, 100]] },
  ],
};

function relationSet(scene: SceneGraph): string[] {
  return (scene.relations ?? []).map((r) => `${r.subject} ${r.predicate} ${r.object}`);
}

describe('estimatePixelNoise', () => {
  it('finds no noise in noise-free maps: planes, ramps and depth edges', () => {
    expect(estimatePixelNoise(twoFaces(0))).toBe(0);
    const ramp = Float32Array.from({ length: W * H }, (_, p) => 2 + (p % W) * 0.01);
    expect(estimatePixelNoise(toDepthMap(ramp, W, H, { unit: 'meters' }))).toBeLessThan(0.005);
  });

  it('recovers the relative standard deviation of independent pixel noise', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.005, max: 0.2, noNaN: true }),
        fc.integer({ min: 1, max: 1e6 }),
        (s, seed) => {
          const estimate = estimatePixelNoise(twoFaces(s, seed));
          // ~8k pairs: the MAD estimate is within a few per cent; the depth edges add a little.
          expect(Math.abs(estimate - s) / s).toBeLessThan(0.08);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('skips invalid pixels and gives 0 without enough valid pairs', () => {
    const sparse = new Float32Array(W * H).fill(Number.NaN);
    for (let u = 0; u < 20; u++) sparse[u] = 3;
    expect(estimatePixelNoise({ width: W, height: H, data: sparse, unit: 'METERS' })).toBe(0);
    expect(
      estimatePixelNoise({ width: 1, height: 5, data: new Float32Array(5).fill(2), unit: 'METERS' }),
    ).toBe(0);
  });
});

describe('denoiseHalfWidth', () => {
  const args = fc.record({
    h: fc.double({ min: 0, max: 5, noNaN: true }),
    m: fc.double({ min: 0.1, max: 100, noNaN: true }),
    n: fc.integer({ min: 1, max: 5000 }),
    s: fc.double({ min: 0, max: 0.3, noNaN: true }),
    k: fc.double({ min: 0, max: 10, noNaN: true }),
  });

  it('is within [0, h], the identity without noise, and never grows with more samples', () => {
    fc.assert(
      fc.property(args, ({ h, m, n, s, k }) => {
        const d = denoiseHalfWidth(h, m, n, s, k);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThanOrEqual(h);
        expect(denoiseHalfWidth(h, m, n, 0, k)).toBe(h);
        expect(denoiseHalfWidth(h, m, n * 4, s, k)).toBeLessThanOrEqual(d * (1 + 1e-12));
      }),
    );
  });

  it('takes out more with more noise, but keeps the margin of standard errors, which grows with the noise', () => {
    fc.assert(
      fc.property(args, ({ h, m, n, s, k }) => {
        // The quadrature step alone (no margin) never widens with more noise.
        expect(denoiseHalfWidth(h, m, n, s * 1.5, 0)).toBeLessThanOrEqual(
          denoiseHalfWidth(h, m, n, s, 0) * (1 + 1e-12),
        );
        // With a margin the range never falls below that many standard errors (up to h): where the
        // noise explains the whole spread, more noise means a less certain p5 / p95 and a wider range.
        const margin = (k * PERCENTILE_SE_FACTOR * s * m) / Math.sqrt(n);
        // (Up to rounding; far below any depth, squares of subnormal widths round to zero.)
        expect(denoiseHalfWidth(h, m, n, s, k)).toBeGreaterThanOrEqual(
          Math.min(h, margin) * (1 - 1e-12) - 1e-300,
        );
      }),
    );
  });

  it('widens again with more noise once the noise explains the whole spread', () => {
    // h = 1 at median 10; s = 0.1 puts the noise's half-width (1.64) past h, so only the margin is left.
    const narrow = denoiseHalfWidth(1, 10, 400, 0.1, 2);
    const wide = denoiseHalfWidth(1, 10, 400, 0.15, 2);
    expect(narrow).toBeCloseTo((2 * PERCENTILE_SE_FACTOR * 0.1 * 10) / 20, 12);
    expect(wide).toBeGreaterThan(narrow);
  });

  it('undoes the noise of a known half-width, plus the margin of standard errors', () => {
    fc.assert(
      fc.property(args, ({ h, m, n, s, k }) => {
        const widened = noisyHalfWidth(h, m, s);
        // Quadrature loses digits when h is tiny against the noise: compare on the scale of both.
        const tolerance = 1e-6 * (h + s * m + 1e-3);
        expect(Math.abs(denoiseHalfWidth(widened, m, n, s, 0) - h)).toBeLessThan(tolerance);
        const margin = (k * PERCENTILE_SE_FACTOR * s * m) / Math.sqrt(n);
        const expected = Math.min(widened, h + margin);
        expect(Math.abs(denoiseHalfWidth(widened, m, n, s, k) - expected)).toBeLessThan(tolerance);
      }),
    );
  });

  it('uses the standard error of a Gaussian 95th percentile', () => {
    // sqrt(0.05 * 0.95) / phi(1.645)
    expect(PERCENTILE_SE_FACTOR).toBeCloseTo(2.113, 3);
  });
});

describe('depth ranges under pixel noise', () => {
  it('orders two faces 6% apart in depth under 5% pixel noise, as without noise', () => {
    expect(relationSet(buildSceneGraph(FACES, twoFaces(0)))).toContain('near in front of far');
    const noisy = buildSceneGraph(FACES, twoFaces(0.05));
    expect(relationSet(noisy)).toContain('near in front of far');
    const near = noisy.objects[0];
    expect(near.evidence).toMatchObject({ method: 'mask', depthNoise: expect.closeTo(0.05, 2) });
    // The face is flat: with the noise taken out its range is a few per cent of its depth wide (the
    // sampling error of p5 / p95 and the margin), not the noise's +-8%.
    expect(near.depth!.p95 - near.depth!.p5).toBeLessThan(0.25);
    expect(near.depth!.p5).toBeLessThanOrEqual(5);
    expect(near.depth!.p95).toBeGreaterThanOrEqual(5);
    // min and max stay the samples' own.
    expect(near.depth!.max - near.depth!.min).toBeGreaterThan(0.5);
  });

  it('keeps the noisy ranges when the correction is turned off, and then claims no order', () => {
    const off = buildSceneGraph(FACES, twoFaces(0.05), { thresholds: { depthNoiseMin: 1 } });
    expect(off.objects[0].evidence).not.toHaveProperty('depthNoise');
    expect(off.objects[0].depth!.p95 - off.objects[0].depth!.p5).toBeGreaterThan(0.6);
    expect(relationSet(off)).not.toContain('near in front of far');
  });

  it('measures box-only objects the same way', () => {
    const boxes: SceneGraph = { ...FACES, objects: FACES.objects.map(({ mask: _mask, ...o }) => o) };
    const noisy = buildSceneGraph(boxes, twoFaces(0.05));
    expect(noisy.objects[0].evidence).toMatchObject({
      method: 'box-surface',
      depthNoise: expect.closeTo(0.05, 2),
    });
    expect(relationSet(noisy)).toContain('near in front of far');
  });
});

describe('rangeStandardError', () => {
  it('is the percentile standard error of the measured noise, and 0 without it', () => {
    expect(rangeStandardError(undefined, 10)).toBe(0);
    expect(rangeStandardError({ method: 'mask', samples: 400 }, 10)).toBe(0);
    expect(rangeStandardError({ method: 'mask', samples: 400, depthNoise: 0.05 }, 10)).toBeCloseTo(
      (PERCENTILE_SE_FACTOR * 0.05 * 10) / 20,
      12,
    );
    // Box-only objects count the samples they kept.
    expect(rangeStandardError({ samples: 400, kept: 100, depthNoise: 0.05 }, 10)).toBeCloseTo(
      (PERCENTILE_SE_FACTOR * 0.05 * 10) / 10,
      12,
    );
  });
});

describe('stored geometry with pixel noise', () => {
  it('re-derives exactly the relations of the build (the evidence is part of the stored geometry)', () => {
    const built = buildSceneGraph(FACES, twoFaces(0.05));
    const geometry = (built.relations ?? []).filter((r) => r.source === 'GEOMETRY');
    expect(relationsFromStoredGeometry(built.image, built.objects)).toEqual(geometry);
  });

  it("claims covers only when the outer range encloses the inner one by the ranges' standard errors", () => {
    const object = (key: string, p5: number, p95: number, samples: number): SceneObject => ({
      key,
      label: 'box',
      box: [0, 0, 10, 10] as [number, number, number, number],
      depth: { min: p5 - 1, p5, p50: (p5 + p95) / 2, p95, max: p95 + 1, unit: 'METERS' as const },
      centroid: [0, 0, (p5 + p95) / 2] as [number, number, number],
      extent: [1, 1, p95 - p5] as [number, number, number],
      evidence: { method: 'mask', samples, depthNoise: 0.05 },
    });
    const image = { width: 10, height: 10 };
    const covers = (outer: SceneObject, inner: SceneObject): boolean =>
      relationsFromStoredGeometry(image, [outer, inner]).some((r) => r.predicate === 'covers');
    // Inner 9.9-10.1; standard errors: 2.113 * 0.05 * 10 / sqrt(n) = 0.024 at n = 2000, 0.33 at n = 10.
    expect(covers(object('outer', 9.5, 10.5, 2000), object('inner', 9.9, 10.1, 2000))).toBe(true);
    expect(covers(object('outer', 9.5, 10.5, 10), object('inner', 9.9, 10.1, 2000))).toBe(false);
    const clean = (o: SceneObject): SceneObject => ({ ...o, evidence: { method: 'mask', samples: 10 } });
    expect(covers(clean(object('outer', 9.5, 10.5, 10)), clean(object('inner', 9.9, 10.1, 2000)))).toBe(true);
  });
});

describe('noiseFreeSpreads', () => {
  /** n samples of median + a side's uniform spread, with multiplicative pixel noise s. */
  function samples(
    n: number,
    median: number,
    below: number,
    above: number,
    s: number,
    seed: number,
  ): Float64Array {
    const g = gaussians(seed);
    const rng = new Prng(seed + 1);
    return Float64Array.from({ length: n }, (_, i) => {
      const z = i % 2 === 0 ? median - below * rng.next() : median + above * rng.next();
      return z * (1 + s * g());
    });
  }

  it('is [0, 0] without noise or samples', () => {
    expect(noiseFreeSpreads([9, 10, 11], 3, 10, 0)).toEqual([0, 0]);
    expect(noiseFreeSpreads([], 0, 10, 0.05)).toEqual([0, 0]);
  });

  it("takes the noise's variance out of each side's semi-variance", () => {
    // A flat face at 10 m under 5% noise (sd 0.5 m): noisy p5 / p95 are 0.82 m off the median, the
    // spreads a small part of that.
    const flat = samples(4000, 10, 0, 0, 0.05, 3);
    const [near0, far0] = noiseFreeSpreads(flat, flat.length, 10, 0.05);
    expect(near0).toBeLessThan(0.25);
    expect(far0).toBeLessThan(0.25);
    // 1 m deep below the median, 0.3 m above: 1.645 sd of each side (1 / sqrt(3) and 0.3 / sqrt(3)),
    // less a little where the noise moves samples across the median.
    const skewed = samples(4000, 10, 1, 0.3, 0.05, 5);
    const [near, far] = noiseFreeSpreads(skewed, skewed.length, 10, 0.05);
    expect(near).toBeGreaterThan(0.8 * (1.645 / Math.sqrt(3)));
    expect(near).toBeLessThan(1.1 * (1.645 / Math.sqrt(3)));
    expect(far).toBeGreaterThan(0.1);
    expect(far).toBeLessThan(0.45);
    expect(near).toBeGreaterThan(2 * far);
  });
});

describe('covers under pixel noise', () => {
  const image = { width: 10, height: 10 };
  const object = (key: string, p5: number, p95: number, spreads?: [number, number]): SceneObject => ({
    key,
    label: 'box',
    box: [0, 0, 10, 10] as [number, number, number, number],
    depth: { min: p5 - 1, p5, p50: 10, p95, max: p95 + 1, unit: 'METERS' as const },
    centroid: [0, 0, 10] as [number, number, number],
    extent: [1, 1, p95 - p5] as [number, number, number],
    evidence: {
      method: 'mask',
      samples: 2000,
      depthNoise: 0.05,
      ...(spreads ? { spreadNear: spreads[0], spreadFar: spreads[1] } : {}),
    },
  });
  const coversOf = (objects: SceneObject[]) =>
    relationsFromStoredGeometry(image, objects).filter((r) => r.predicate === 'covers');

  it("compares the noise-free spreads, not [p5, p95], and records them in the relation's evidence (else [p5, p95])", () => {
    // [p5, p95] of the inner object is as wide as the outer's (the quadrature step left it wide); the
    // spreads say 10 -0.5 / +0.5 against 10 -0.1 / +0.1.
    const outer = object('outer', 9.5, 10.5, [0.5, 0.5]);
    const inner = object('inner', 9.5, 10.5, [0.1, 0.1]);
    const found = coversOf([outer, inner]);
    expect(found.map((r) => `${r.subject} ${r.object}`)).toEqual(['outer inner']);
    expect(found[0].evidence).toMatchObject({
      outerSpreadNear: 9.5,
      outerSpreadFar: 10.5,
      innerSpreadNear: 9.9,
      innerSpreadFar: 10.1,
      coversNoiseMargin: 1.25,
    });
    // Enclosure by 0.4 m at each end; the margin is 1.25 * 2 standard errors (2 * 0.0236 m).
    expect(found[0].evidence!.noiseMargin).toBeCloseTo(
      (1.25 * 2 * PERCENTILE_SE_FACTOR * 0.5) / Math.sqrt(2000),
      9,
    );
    // Spreads that do not enclose by the margin: none (0.4 m at the far end against 0.06 m of margin is
    // enough, 0.02 m at the near end is not).
    expect(coversOf([object('outer', 9.5, 10.5, [0.12, 0.5]), inner])).toEqual([]);
    // Without spreads [p5, p95] is compared; without pixel noise spreads are ignored.
    expect(coversOf([object('outer', 9.5, 10.5), object('inner', 9.5, 10.5)])).toEqual([]);
    const clean = (o: SceneObject, spread: number): SceneObject => ({
      ...o,
      evidence: { method: 'mask', samples: 2000, spreadNear: spread, spreadFar: spread },
    });
    expect(
      coversOf([clean(object('outer', 9.5, 10.5), 0.5), clean(object('inner', 9.5, 10.5), 0.1)]),
    ).toEqual([]);
  });

  it('records the spreads on objects measured under pixel noise only', () => {
    const noisy = buildSceneGraph(FACES, twoFaces(0.05));
    expect(noisy.objects[0].evidence).toMatchObject({
      spreadNear: expect.any(Number),
      spreadFar: expect.any(Number),
    });
    // Flat faces: the spreads are small against the noise's 1.645 * 0.25 m.
    expect(noisy.objects[0].evidence!.spreadNear as number).toBeLessThan(0.15);
    expect(buildSceneGraph(FACES, twoFaces(0)).objects[0].evidence).not.toHaveProperty('spreadNear');
    const minmax = buildSceneGraph(FACES, twoFaces(0.05), { rangeMode: 'minmax' });
    expect(minmax.objects[0].evidence).not.toHaveProperty('spreadNear');
  });

  it('finds a true cover of a synthetic scene under 5% pixel noise, and re-derives it from the stored graph', async () => {
    // Synthetic scene 2 of the evaluation: o1 (a 6.5 m deep object's face, 5.85-6.47 m visible) covers
    // o6 (6.08-6.18 m). With the quadrature ranges the inner one stayed 0.36 m wide and nothing was claimed.
    const { scene, depth } = await generateScene({ seed: 2, objects: 19 });
    const g = gaussians(11);
    const raw = Float32Array.from(depth.data, (z) => (z > 0 ? z * (1 + 0.05 * g()) : 0));
    const built = buildSceneGraph(scene, toDepthMap(raw, depth.width, depth.height, { unit: 'meters' }));
    expect(relationSet(built)).toContain('o1 covers o6');
    const geometry = (built.relations ?? []).filter((r) => r.source === 'GEOMETRY');
    expect(relationsFromStoredGeometry(built.image, built.objects)).toEqual(geometry);
  });
});
