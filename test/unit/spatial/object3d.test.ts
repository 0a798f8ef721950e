import type { DepthMap } from '../../../src/spatial/depthMap';
import type { ResolvedIntrinsics } from '../../../src/spatial/intrinsics';
import { regionFromBox } from '../../../src/spatial/mask';
import { backProject, measureObject, objectFromStoredGeometry } from '../../../src/spatial/object3d';

const K: ResolvedIntrinsics = { fx: 100, fy: 100, cx: 5, cy: 5, source: 'GIVEN' };

function depthMap(width: number, height: number, f: (u: number, v: number) => number): DepthMap {
  const data = new Float32Array(width * height);
  for (let v = 0; v < height; v++) for (let u = 0; u < width; u++) data[v * width + u] = f(u, v);
  return { width, height, data, unit: 'METERS' };
}

describe('back-projection', () => {
  it('uses pixel centres: x = (u + 0.5 - cx) z / fx, y = (v + 0.5 - cy) z / fy', () => {
    const [x, y, z] = backProject(9, 0, 4, K);
    expect(x).toBeCloseTo(0.18);
    expect(y).toBeCloseTo(-0.18);
    expect(z).toBe(4);
    expect(backProject(4.5, 4.5, 3, K)).toEqual([0, 0, 3]);
  });
});

describe('measureObject', () => {
  const box = [0, 0, 10, 10] as [number, number, number, number];

  it('gives median centroid, p5..p95 extent and depth stats of a plane', () => {
    const map = depthMap(10, 10, () => 2);
    const o = measureObject({ key: 'a', box, region: regionFromBox(box, 10, 10, 0) }, map, K);
    expect(o.depth).toEqual({ min: 2, p5: 2, p50: 2, p95: 2, max: 2, unit: 'METERS' });
    expect(o.range).toEqual([2, 2]);
    // x = (u + 0.5 - 5) * 2 / 100 for u = 0..9: -0.09 .. 0.09 in steps of 0.02, ten of each.
    expect(o.centroid![0]).toBeCloseTo(0);
    expect(o.centroid![1]).toBeCloseTo(0);
    expect(o.centroid![2]).toBe(2);
    expect(o.extent![0]).toBeCloseTo(0.18);
    expect(o.extent![1]).toBeCloseTo(0.18);
    expect(o.extent![2]).toBe(0);
  });

  it('computes numpy-style percentiles of z and ignores invalid pixels', () => {
    // Row v has depth v + 1, except column 0 which has no depth.
    const map = depthMap(10, 10, (u, v) => (u === 0 ? NaN : v + 1));
    const o = measureObject({ key: 'a', box, region: regionFromBox(box, 10, 10, 0) }, map, K);
    // 90 valid values: 1..10, nine each. p5: h = 0.05 * 89 = 4.45 -> sorted[4] = 1, sorted[5] = 1.
    expect(o.depth).toEqual({ min: 1, p5: 1, p50: 5.5, p95: 10, max: 10, unit: 'METERS' });
    expect(o.centroid![2]).toBe(5.5);
  });

  it("uses [min, max] and max - min with rangeMode 'minmax'", () => {
    const map = depthMap(10, 10, (u, v) => (v === 9 && u < 3 ? 50 : 2));
    const region = regionFromBox(box, 10, 10, 0);
    const robust = measureObject({ key: 'a', box, region }, map, K);
    const minmax = measureObject({ key: 'a', box, region }, map, K, { rangeMode: 'minmax' });
    // Three background pixels at 50 m: the percentile range ignores them, min/max does not.
    expect(robust.range).toEqual([2, 2]);
    expect(minmax.range).toEqual([2, 50]);
    expect(minmax.extent![2]).toBe(48);
    expect(robust.extent![2]).toBe(0);
  });

  it('samples at most the pixel budget, deterministically', () => {
    const map = depthMap(200, 200, (u, v) => 1 + (u + v) / 100);
    const b: [number, number, number, number] = [0, 0, 200, 200];
    const region = regionFromBox(b, 200, 200, 0);
    const kBig: ResolvedIntrinsics = { fx: 200, fy: 200, cx: 100, cy: 100, source: 'FOV_PRIOR' };
    const all = measureObject({ key: 'a', box: b, region }, map, kBig, { maxPixels: 1e6 });
    const sampled = measureObject({ key: 'a', box: b, region }, map, kBig, { maxPixels: 500 });
    expect(sampled).toEqual(measureObject({ key: 'a', box: b, region }, map, kBig, { maxPixels: 500 }));
    // Centred grid cells: no bias toward the top-left corner.
    expect(sampled.depth!.p50).toBeCloseTo(all.depth!.p50, 1);
    expect(sampled.depth!.p5).toBeCloseTo(all.depth!.p5, 1);
    expect(sampled.depth!.p95).toBeCloseTo(all.depth!.p95, 1);
  });

  it('leaves depth fields absent when no pixel has depth', () => {
    const map = depthMap(10, 10, () => NaN);
    const o = measureObject({ key: 'a', box, region: regionFromBox(box, 10, 10) }, map, K);
    expect(o).toEqual({ key: 'a', box, evidence: { method: 'region', samples: 0 } });
  });

  it('re-reads stored geometry', () => {
    const depth = { min: 1, p5: 2, p50: 3, p95: 4, max: 9, unit: 'RELATIVE' as const };
    const o = objectFromStoredGeometry(
      { key: 'a', label: 'cup', box, depth, centroid: [0, 1, 3], extent: [1, 1, 2] },
      'minmax',
    );
    expect(o.range).toEqual([1, 9]);
    expect(
      objectFromStoredGeometry({ key: 'a', label: 'cup', box, depth }, 'percentile').range,
    ).toBeUndefined();
  });
});
