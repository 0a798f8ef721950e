import fc from 'fast-check';
import { UserInputError } from '../../../src/errors/errors';
import {
  INVERSE_DEPTH_FLOOR,
  matchImageSize,
  toDepthMap,
  type DepthMap,
} from '../../../src/spatial/depthMap';

describe('toDepthMap', () => {
  it('applies the scale and marks invalid metric values NaN', () => {
    const map = toDepthMap(new Uint16Array([0, 1000, 2500, 65535]), 2, 2, { unit: 'meters', scale: 0.001 });
    expect(map.unit).toBe('METERS');
    expect(Number.isNaN(map.data[0])).toBe(true);
    expect([...map.data.subarray(1)].map((v) => +v.toFixed(4))).toEqual([1, 2.5, 65.535]);
    const floats = toDepthMap(new Float32Array([NaN, Infinity, -1, 3]), 4, 1, { unit: 'meters' });
    expect([...floats.data].map((v) => (Number.isNaN(v) ? 'x' : v))).toEqual(['x', 'x', 'x', 3]);
  });

  it('keeps 0 as a valid relative depth but not negatives', () => {
    const map = toDepthMap(new Float64Array([0, 0.5, -0.1, NaN]), 2, 2, { unit: 'relative' });
    expect(map.unit).toBe('RELATIVE');
    expect([...map.data].map((v) => (Number.isNaN(v) ? 'x' : v))).toEqual([0, 0.5, 'x', 'x']);
  });

  it('turns inverse depth into relative depth by the reciprocal, nearest pixel = 1', () => {
    const map = toDepthMap(new Float32Array([10, 5, 2.5, 0, -3, NaN]), 3, 2, { unit: 'inverse' });
    expect(map.unit).toBe('RELATIVE');
    expect(map.data[0]).toBe(1);
    expect(map.data[1]).toBe(2);
    expect(map.data[2]).toBe(4);
    // Zero inverse depth (sky) is as far as the floor allows, not infinite.
    expect(map.data[3]).toBeCloseTo(1 / INVERSE_DEPTH_FLOOR);
    expect(Number.isNaN(map.data[4])).toBe(true);
    expect(Number.isNaN(map.data[5])).toBe(true);
  });

  it('reverses the order of inverse depths and ignores the output scale', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0.01, max: 1000, noNaN: true }), { minLength: 2, maxLength: 40 }),
        fc.double({ min: 0.001, max: 1000, noNaN: true }),
        (values, scale) => {
          const raw = Float64Array.from(values);
          const a = toDepthMap(raw, raw.length, 1, { unit: 'inverse' }).data;
          const b = toDepthMap(raw, raw.length, 1, { unit: 'inverse', scale }).data;
          for (let i = 0; i < raw.length; i++) {
            expect(b[i]).toBeCloseTo(a[i], 3);
            for (let j = 0; j < raw.length; j++) {
              // Larger inverse depth = nearer = smaller depth (non-strict only through float32 rounding).
              if (raw[i] > raw[j]) expect(a[i]).toBeLessThanOrEqual(a[j]);
            }
          }
        },
      ),
    );
  });

  it('refuses maps of the wrong length, bad sizes, scales and units', () => {
    expect(() => toDepthMap(new Float32Array(5), 2, 2, { unit: 'meters' })).toThrow(
      /depth: has 5 values but 2x2 needs 4/,
    );
    expect(() => toDepthMap(new Float32Array(0), 0, 0, { unit: 'meters' })).toThrow(UserInputError);
    expect(() => toDepthMap(new Float32Array(4), 2, 2, { unit: 'meters', scale: 0 })).toThrow(/depth\.scale/);
    expect(() => toDepthMap(new Float32Array(4), 2, 2, { unit: 'meters', scale: NaN })).toThrow(
      /depth\.scale/,
    );
    expect(() => toDepthMap(new Float32Array(4), 2, 2, { unit: 'disparity' as never })).toThrow(
      /depth\.unit: unknown unit/,
    );
  });

  it('marks an all-zero inverse map as having no valid depth', () => {
    expect([...toDepthMap(new Float32Array(4), 2, 2, { unit: 'inverse' }).data].every(Number.isNaN)).toBe(
      true,
    );
  });
});

describe('matchImageSize', () => {
  const map = (width: number, height: number, values: number[]): DepthMap => ({
    width,
    height,
    data: Float32Array.from(values),
    unit: 'METERS',
  });

  it('returns a map of the right size unchanged', () => {
    const m = map(2, 1, [1, 2]);
    expect(matchImageSize(m, 2, 1, 'reject')).toBe(m);
  });

  it('resamples bilinearly at pixel centres when the aspect ratio matches', () => {
    const out = matchImageSize(map(2, 2, [0, 1, 2, 3]), 4, 4);
    expect(out.width).toBe(4);
    expect(out.height).toBe(4);
    // Output centre 0.5 maps to source -0.25 (clamped: edge value), 1.5 -> 0.25, 2.5 -> 0.75.
    expect([...out.data.subarray(0, 4)]).toEqual([0, 0.25, 0.75, 1]);
    expect([...out.data.subarray(12, 16)]).toEqual([2, 2.25, 2.75, 3]);
  });

  it('does not spread holes: invalid neighbours are left out and the weights renormalised', () => {
    const out = matchImageSize(map(2, 1, [NaN, 4]), 4, 2);
    expect(Number.isNaN(out.data[0])).toBe(true);
    expect([...out.data.subarray(1, 4)]).toEqual([4, 4, 4]);
  });

  it('can sample nearest instead', () => {
    const out = matchImageSize(map(2, 2, [0, 1, 2, 3]), 4, 4, 'resample', 'nearest');
    expect([...out.data.subarray(0, 4)]).toEqual([0, 0, 1, 1]);
  });

  it('accepts aspect ratios within 1% (a 924x518 map for a 1920x1080 photo)', () => {
    const m: DepthMap = {
      width: 924,
      height: 518,
      data: new Float32Array(924 * 518).fill(2),
      unit: 'METERS',
    };
    const out = matchImageSize(m, 1920, 1080);
    expect(out.data.length).toBe(1920 * 1080);
    expect(out.data[1920 * 540 + 960]).toBe(2);
  });

  it('rejects other aspect ratios, and any mismatch under the reject policy', () => {
    const square: DepthMap = { width: 518, height: 518, data: new Float32Array(518 * 518), unit: 'RELATIVE' };
    expect(() => matchImageSize(square, 1920, 1080)).toThrow(
      /depth: depth map is 518x518 but the image is 1920x1080, and their aspect ratios differ/,
    );
    expect(() => matchImageSize(square, 1036, 1036, 'reject')).toThrow(/allow resampling/);
    expect(() => matchImageSize(square, 1036, 1036, 'reject')).toThrow(UserInputError);
  });
});
