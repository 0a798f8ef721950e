import { gaussianBlur, resample, resampleImage } from '../../../../inference/preprocess/resample';
import { padToSquare, toChw } from '../../../../inference/preprocess/tensorize';
import { depthInputSize } from '../../../../inference/adapters/depthAnything';

describe('resample', () => {
  const ramp = Float32Array.from({ length: 8 }, (_, i) => i * 10); // 8x1, one channel

  it('keeps a constant image constant in every convention and filter', () => {
    const flat = new Float32Array(6 * 4).fill(7);
    for (const convention of ['pil', 'torch', 'ndimage'] as const) {
      for (const filter of ['bilinear', 'bicubic'] as const) {
        const out = resample(flat, 6, 4, 1, 11, 3, { filter, convention });
        for (const v of out) expect(v).toBeCloseTo(7, 5);
      }
    }
  });

  it('upsamples a ramp linearly between pixel centres (torch, align_corners=False)', () => {
    const out = resample(ramp, 8, 1, 1, 16, 1, { filter: 'bilinear', convention: 'torch' });
    // Output pixel 3 centre maps to input x = (3 + 0.5) / 2 - 0.5 = 1.25 -> 12.5.
    expect(out[3]).toBeCloseTo(12.5, 5);
    // Left border clamps: x = -0.25 reads pixel 0.
    expect(out[0]).toBeCloseTo(0, 5);
  });

  it('mirrors at the border in the ndimage convention', () => {
    const out = resample(ramp, 8, 1, 1, 16, 1, { filter: 'bilinear', convention: 'ndimage' });
    // x = -0.25: 0.75 * v[0] + 0.25 * v[mirror(-1) = 1] = 2.5.
    expect(out[0]).toBeCloseTo(2.5, 5);
  });

  it('averages over the covered pixels when Pillow shrinks (antialiasing)', () => {
    const out = resample(ramp, 8, 1, 1, 2, 1, { filter: 'bilinear', convention: 'pil' });
    // Scale 4 widens the triangle to +-4 input pixels around the centre x = 2 (taps 0..5, weights
    // .625 .875 .875 .625 .375 .125 / 3.5), cut at the left border: 66.25 / 3.5.
    expect(out[0]).toBeCloseTo(66.25 / 3.5, 4);
    expect(out[1]).toBeCloseTo(178.75 / 3.5, 4);
  });

  it('rounds and clips per pass in uint8 mode, as Pillow does for 8-bit images', () => {
    const src = Uint8Array.from([0, 255, 0, 255]);
    const out = resample(src, 4, 1, 1, 7, 1, { filter: 'bicubic', convention: 'pil', uint8: true });
    for (const v of out) {
      expect(Number.isInteger(v)).toBe(true);
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(255);
    }
  });

  it('resizes every channel of an interleaved image independently', () => {
    const rgb = new Float32Array(4 * 4 * 3);
    for (let i = 0; i < 16; i++) rgb.set([1, 2, 3], i * 3);
    const out = resample(rgb, 4, 4, 3, 3, 5, { filter: 'bicubic', convention: 'pil' });
    expect(Array.from(out.slice(0, 3)).map((v) => Math.round(v * 1000) / 1000)).toEqual([1, 2, 3]);
  });
});

describe('resampleImage (padding and toChw fused into the resize)', () => {
  const norm = { rescale: 1 / 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };
  const rgb = (w: number, h: number) => Uint8Array.from({ length: w * h * 3 }, (_, i) => (i * 97 + 13) % 256);
  const same = (a: Float32Array, b: Float32Array) =>
    a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

  it.each([
    [7, 5, 9, 4, 'bicubic', 'pil', true],
    [5, 9, 3, 3, 'bilinear', 'pil', false],
    [6, 4, 11, 7, 'bilinear', 'ndimage', false],
    [6, 4, 3, 8, 'bicubic', 'torch', false],
  ] as const)(
    '%ix%i -> %ix%i (%s, %s): the same bits as the steps one after the other',
    (w, h, ow, oh, filter, convention, uint8) => {
      const src = rgb(w, h);
      const opts = { filter, convention, uint8 };
      const steps = toChw(resample(src, w, h, 3, ow, oh, opts), ow, oh, norm);
      expect(same(resampleImage(src, w, h, 3, ow, oh, { ...opts, toChw: norm }), steps)).toBe(true);
      const padded = padToSquare(src, w, h, 114);
      const viaCopy = resample(padded.data, padded.side, padded.side, 3, ow, oh, opts);
      expect(same(resampleImage(src, w, h, 3, ow, oh, { ...opts, padSquare: 114 }), viaCopy)).toBe(true);
    },
  );

  it('refuses a buffer of the wrong length and the fused options on other than RGB', () => {
    expect(() =>
      resample(new Uint8Array(5), 2, 1, 3, 1, 1, { filter: 'bilinear', convention: 'pil' }),
    ).toThrow(/5 values for 2x1x3/);
    expect(() =>
      resampleImage(new Float32Array(4), 2, 2, 1, 1, 1, {
        filter: 'bilinear',
        convention: 'pil',
        toChw: norm,
      }),
    ).toThrow(/need RGB/);
  });
});

describe('gaussianBlur', () => {
  it('preserves the mass of an impulse away from the border and smooths it symmetrically', () => {
    const img = new Float32Array(15 * 15);
    img[7 * 15 + 7] = 81;
    const out = gaussianBlur(img, 15, 15, 1, 1, 1);
    const sum = out.reduce((a, b) => a + b, 0);
    expect(sum).toBeCloseTo(81, 3);
    const at = (x: number, y: number) => out[y * 15 + x];
    expect(at(6, 7)).toBeCloseTo(at(8, 7), 6);
    expect(at(7, 6)).toBeCloseTo(at(6, 7), 6);
    expect(at(7, 7) / 81).toBeCloseTo(1 / (2 * Math.PI), 2);
  });

  it('reflects about the edge pixel at the border (scipy mode mirror)', () => {
    // One row [0, 10, 0, 0, 0, 0]: pixel 0 reads pixel 1 at offsets +1 and -1 (mirror(-1) = 1), so it
    // gets twice the offset-1 weight (with 'reflect', -1 would read pixel 0 instead).
    const img = Float32Array.from([0, 10, 0, 0, 0, 0]);
    const out = gaussianBlur(img, 6, 1, 1, 1, 0);
    const w = [0, 1, 2, 3, 4].map((k) => Math.exp(-0.5 * k * k));
    const norm = w[0] + 2 * (w[1] + w[2] + w[3] + w[4]);
    expect(out[0]).toBeCloseTo((20 * w[1]) / norm, 5);
  });
});

describe('tensorize', () => {
  it('normalises into planar CHW', () => {
    const hwc = [255, 0, 51, 0, 255, 102];
    const out = toChw(hwc, 2, 1, { rescale: 1 / 255, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] });
    expect(Array.from(out).map((v) => Math.round(v * 100) / 100)).toEqual([1, -1, -1, 1, -0.6, -0.2]);
  });

  it('pads right and bottom to a square', () => {
    const { data, side } = padToSquare([1, 2, 3, 4, 5, 6], 2, 1, 9);
    expect(side).toBe(2);
    expect(Array.from(data)).toEqual([1, 2, 3, 4, 5, 6, 9, 9, 9, 9, 9, 9]);
  });
});

describe('depthInputSize (DPTImageProcessor keep_aspect_ratio, multiple of 14)', () => {
  it.each([
    [600, 400, 518, { width: 518, height: 350 }],
    [400, 600, 518, { width: 350, height: 518 }],
    [518, 518, 518, { width: 518, height: 518 }],
    [1920, 1080, 518, { width: 924, height: 518 }],
    [80, 60, 56, { width: 70, height: 56 }],
  ])('%ix%i -> %i', (w, h, target, expected) => {
    expect(depthInputSize(w, h, target)).toEqual(expected);
  });
});
