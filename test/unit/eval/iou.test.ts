import { boxIou, maskIou, maskPixels, rowSpans } from '../../../src/eval/iou';
import { regionFromMask } from '../../../src/spatial/mask';
import { regionToBitmap } from '../../../src/spatial/pixelRegion';
import type { Mask } from '../../../src/scenegraph/sceneGraph.types';
import { columnsRle, rectPolygon } from './fixtures';

const pixels = (m: Mask) => maskPixels(regionFromMask(m, 100, 100));

describe('boxIou', () => {
  it.each([
    // [a, b, expected], computed by hand: intersection / (area a + area b - intersection)
    [[0, 0, 10, 10], [0, 0, 10, 10], 1],
    [[0, 0, 40, 10], [0, 0, 80, 10], 400 / 800], // exactly 0.5
    [[0, 0, 40, 10], [0, 0, 80.1, 10], 400 / 801], // just below
    [[0, 0, 10, 10], [5, 5, 15, 15], 25 / 175],
    [[0, 0, 10, 10], [10, 0, 20, 10], 0], // touching edges share no area
    [[0, 0, 10, 10], [20, 20, 30, 30], 0],
  ] as const)('%j vs %j = %d', (a, b, expected) => {
    expect(boxIou([...a], [...b])).toBe(expected);
    expect(boxIou([...b], [...a])).toBe(expected);
  });

  it('gives exactly 0.5 for the boundary case (no rounding below the threshold)', () => {
    expect(boxIou([0, 0, 40, 10], [0, 0, 80, 10]) >= 0.5).toBe(true);
    expect(boxIou([0, 0, 40, 10], [0, 0, 80.1, 10]) >= 0.5).toBe(false);
  });
});

describe('maskIou', () => {
  it('transposes RLE column spans (one wrapping into the next column) into row spans, same pixels', () => {
    const region = regionFromMask({ size: [100, 100], counts: [95, 10, 95, 30, 9770] }, 100, 100);
    const rows = rowSpans(region);
    const bitmap = new Uint8Array(100 * 100);
    for (let s = 0; s < rows.length; s += 3)
      for (let u = rows[s + 1]; u < rows[s + 2]; u++) bitmap[rows[s] * 100 + u] = 1;
    expect(bitmap).toEqual(regionToBitmap(region));
  });

  it.each([
    // left half polygon (columns 0-49, 5000 px) against RLE masks, by hand
    ['the same pixels as RLE', columnsRle(0, 50), 1],
    ['the whole image (exactly 0.5)', columnsRle(0, 100), 5000 / 10000],
    ['columns 0-29', columnsRle(0, 30), 3000 / 5000],
    ['the right half', columnsRle(50, 100), 0],
    ['the top half as a polygon', rectPolygon(0, 0, 100, 50), 2500 / 7500],
  ] as const)('left half vs %s', (_name, other, expected) => {
    expect(maskIou(pixels(rectPolygon(0, 0, 50, 100)), pixels(other))).toBeCloseTo(expected, 12);
  });

  it('intersects rows holding several spans each (two parts against one bridging them)', () => {
    // A: columns 0-9 and 20-29 of rows 0-9 (two polygons, 200 px); B: columns 5-24 (200 px).
    // Per row the intersection is 5 + 5 px: 100 in all; union 300.
    const a = pixels([
      ...(rectPolygon(0, 0, 10, 10) as number[][]),
      ...(rectPolygon(20, 0, 30, 10) as number[][]),
    ]);
    const b = pixels(rectPolygon(5, 0, 25, 10));
    expect(maskIou(a, b)).toBeCloseTo(100 / 300, 12);
    expect(maskIou(b, a)).toBeCloseTo(100 / 300, 12);
  });

  it('is 0 for two empty masks', () => {
    const empty = pixels({ size: [100, 100], counts: [10000] });
    expect(maskIou(empty, empty)).toBe(0);
  });
});
