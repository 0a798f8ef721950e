import fc from 'fast-check';
import { quantilesInPlace } from '../../../src/spatial/quantiles';

/** numpy's "linear" percentile on a sorted copy. */
function reference(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const h = p * (sorted.length - 1);
  const k = Math.floor(h);
  return k + 1 < sorted.length ? sorted[k] + (h - k) * (sorted[k + 1] - sorted[k]) : sorted[k];
}

describe('quantilesInPlace', () => {
  it('matches sorting, with ties, sorted and reversed runs', () => {
    const values = fc.oneof(
      fc.array(fc.integer({ min: -5, max: 5 }), { minLength: 1, maxLength: 300 }),
      fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 300 }),
      fc.integer({ min: 1, max: 2000 }).map((n) => Array.from({ length: n }, (_, i) => i)),
      fc.integer({ min: 1, max: 2000 }).map((n) => Array.from({ length: n }, (_, i) => n - i)),
    );
    const ps = fc
      .uniqueArray(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 6 })
      .map((a) => a.sort((x, y) => x - y));
    fc.assert(
      fc.property(values, ps, (vs, sortedPs) => {
        const got = quantilesInPlace(Float64Array.from(vs), vs.length, sortedPs);
        sortedPs.forEach((p, i) => expect(got[i]).toBeCloseTo(reference(vs, p), 6));
      }),
      { numRuns: 300 },
    );
  });

  it('gives p5, p50, p95 of 0..100', () => {
    const values = Float64Array.from({ length: 101 }, (_, i) => 100 - i);
    expect(quantilesInPlace(values, 101, [0.05, 0.5, 0.95])).toEqual([5, 50, 95]);
  });
});
