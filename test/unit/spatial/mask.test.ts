import fc from 'fast-check';
import { UserInputError } from '../../../src/errors/errors';
import {
  DEFAULT_BOX_MARGIN,
  decodeRleCounts,
  regionFromBox,
  regionFromMask,
  regionFromPolygons,
  regionFromRle,
} from '../../../src/spatial/mask';
import { countInBox, makeRegion, regionToBitmap, samplePixels } from '../../../src/spatial/pixelRegion';

/** Row-major bitmap as strings, one per row, '#' = set: easy to read in a failing test. */
function picture(bitmap: Uint8Array, width: number): string[] {
  const rows: string[] = [];
  for (let i = 0; i < bitmap.length; i += width)
    rows.push([...bitmap.subarray(i, i + width)].map((b) => (b ? '#' : '.')).join(''));
  return rows;
}

/** pycocotools rleToString, transcribed: the encoder the decoder must invert. */
function encodeCounts(counts: number[]): string {
  let s = '';
  for (let i = 0; i < counts.length; i++) {
    let x = counts[i];
    if (i > 2) x -= counts[i - 2];
    let more = true;
    while (more) {
      let c = x & 0x1f;
      x >>= 5;
      more = c & 0x10 ? x !== -1 : x !== 0;
      if (more) c |= 0x20;
      s += String.fromCharCode(c + 48);
    }
  }
  return s;
}

describe('COCO RLE', () => {
  // Counts [40, 35, 5, 3, 17] on a 10x10 image, encoded by hand with pycocotools' algorithm:
  //   40 -> groups 8 (more: 8|32 = 40 -> 'X'), 1 -> '1'           => "X1"
  //   35 -> 3|32 = 35 -> 'S', 1 -> '1'                            => "S1"
  //    5 -> '5'
  //    3 -> delta from counts[1]: 3 - 35 = -32 -> group 0 (more: 32 -> 'P'), then -1 & 31 = 31 -> 'O'
  //         (bit 0x10 set and the rest is -1: sign, stop)         => "PO"
  //   17 -> delta from counts[2]: 17 - 5 = 12 -> '<'
  const ENCODED = 'X1S15PO<';

  it('decodes a hand-made compressed string, deltas and negative groups included', () => {
    expect(decodeRleCounts(ENCODED)).toEqual([40, 35, 5, 3, 17]);
    expect(encodeCounts([40, 35, 5, 3, 17])).toBe(ENCODED);
  });

  it('lays runs out column by column', () => {
    const region = regionFromRle({ size: [10, 10], counts: ENCODED }, 10, 10);
    // Pixels 40..74 (columns 4, 5, 6 and rows 0-4 of column 7) and 80..82 (rows 0-2 of column 8).
    expect(picture(regionToBitmap(region), 10)).toEqual([
      '....#####.',
      '....#####.',
      '....#####.',
      '....####..',
      '....####..',
      '....###...',
      '....###...',
      '....###...',
      '....###...',
      '....###...',
    ]);
    expect(region.pixelCount).toBe(38);
    expect(region.orientation).toBe('columns');
  });

  it('reads the uncompressed counts array the same way, on a non-square image', () => {
    // 3 rows x 4 columns; foreground at column-major positions 2..4 (col 0 row 2, col 1 rows 0-1).
    const region = regionFromRle({ size: [3, 4], counts: [2, 3, 7] }, 4, 3);
    expect(picture(regionToBitmap(region), 4)).toEqual(['.#..', '.#..', '#...']);
  });

  it('round-trips any counts through the pycocotools encoding', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 3_000_000 }), { maxLength: 30 }), (counts) => {
        expect(decodeRleCounts(encodeCounts(counts))).toEqual(counts);
      }),
    );
  });

  it('refuses masks that do not fit the image, with the path', () => {
    const bad = (rle: unknown) => () => regionFromMask(rle as never, 10, 10, 'objects[2].mask');
    expect(bad({ size: [10, 12], counts: [120] })).toThrow(/objects\[2\]\.mask\.size: .*\[10, 10\]/);
    expect(bad({ size: [10, 10], counts: [50, 40] })).toThrow(
      /objects\[2\]\.mask\.counts: runs add up to 90/,
    );
    expect(bad({ size: [10, 10], counts: [50, -1, 51] })).toThrow(UserInputError);
    expect(bad({ size: [10, 10], counts: 'X1S15PO' })).toThrow(/add up/);
    expect(bad({ size: [10, 10], counts: 'X' })).toThrow(/ends in the middle/);
    expect(bad({ size: [10, 10], counts: 'X1 S' })).toThrow(/not valid/);
    expect(bad({ size: [10, 10], counts: 7 })).toThrow(/run lengths or a compressed/);
    expect(bad('nope')).toThrow(/COCO RLE/);
  });
});

describe('polygon rasterisation (pixel centres, even-odd, union of polygons)', () => {
  it('fills the pixels whose centres are inside', () => {
    const region = regionFromPolygons([[1, 1, 4, 1, 4, 3, 1, 3]], 6, 4);
    expect(picture(regionToBitmap(region), 6)).toEqual(['......', '.###..', '.###..', '......']);
  });

  it('fills a triangle', () => {
    const region = regionFromPolygons([[0, 0, 6, 0, 0, 6]], 6, 6);
    // Centre (u + 0.5, v + 0.5) is inside when u + v + 1 < 6.
    expect(picture(regionToBitmap(region), 6)).toEqual([
      '#####.',
      '####..',
      '###...',
      '##....',
      '#.....',
      '......',
    ]);
  });

  it('leaves doubly wound parts of one outline empty (even-odd) but unites separate polygons', () => {
    // One outline going around the 1..5 square, then around 2..4 again: the inner square is wound twice.
    const twice = [1, 1, 5, 1, 5, 5, 1, 5, 1, 1, 2, 2, 4, 2, 4, 4, 2, 4, 2, 2];
    expect(picture(regionToBitmap(regionFromPolygons([twice], 6, 6)), 6)).toEqual([
      '......',
      '.####.',
      '.#..#.',
      '.#..#.',
      '.####.',
      '......',
    ]);
    const overlapping = regionFromPolygons(
      [
        [0, 0, 3, 0, 3, 2, 0, 2],
        [2, 0, 5, 0, 5, 2, 2, 2],
      ],
      6,
      2,
    );
    expect(picture(regionToBitmap(overlapping), 6)).toEqual(['#####.', '#####.']);
    expect(overlapping.pixelCount).toBe(10);
  });

  it('clips to the image and refuses malformed polygons', () => {
    expect(regionFromPolygons([[-5, -5, 20, -5, 20, 20, -5, 20]], 3, 2).pixelCount).toBe(6);
    expect(() => regionFromPolygons([[0, 0, 1, 1]], 4, 4, 'objects[0].mask')).toThrow(
      /objects\[0\]\.mask\[0\]: .*at least 3 points/,
    );
    expect(() => regionFromPolygons([[0, 0, 1, 1, 2]], 4, 4)).toThrow(UserInputError);
    expect(() => regionFromPolygons([[0, 0, 1, NaN, 2, 2]], 4, 4, 'm')).toThrow(/m\[0\]: coordinate 3/);
  });
});

describe('box regions', () => {
  it('keeps the whole box by default, and shrinks it by a margin per side', () => {
    expect(DEFAULT_BOX_MARGIN).toBe(0);
    expect(regionFromBox([0, 0, 10, 10], 20, 20).pixelCount).toBe(100);
    const region = regionFromBox([0, 0, 10, 10], 20, 20, 0.1);
    // [1, 1, 9, 9]: pixels 1..8 in each direction.
    expect(region.pixelCount).toBe(64);
    expect(countInBox(region, [1, 1, 9, 9])).toBe(64);
    expect(countInBox(region, [0, 0, 2, 20])).toBe(8);
  });

  it('takes another margin, and never comes back empty', () => {
    expect(regionFromBox([0, 0, 10, 10], 20, 20, 0).pixelCount).toBe(100);
    expect(regionFromBox([0, 0, 10, 10], 20, 20, 0.25).pixelCount).toBe(25);
    // Shrunk to [3.6, 4.0) in x, which holds no pixel centre: the whole box, column 3.
    expect(regionFromBox([3.3, 0, 4.3, 10], 20, 20, 0.3).pixelCount).toBe(10);
    // Thinner than a pixel centre: the pixel under the centre.
    const sliver = regionFromBox([3.6, 3.6, 3.9, 3.9], 20, 20);
    expect(sliver.pixelCount).toBe(1);
    expect([...samplePixels(sliver, 10)]).toEqual([3, 3]);
  });
});

describe('deterministic sampling', () => {
  it('keeps every pixel within budget, and a spread-out grid beyond it', () => {
    const region = regionFromBox([0, 0, 100, 100], 100, 100, 0);
    expect(samplePixels(region, 10_000).length / 2).toBe(10_000);
    const sample = samplePixels(region, 1000);
    const n = sample.length / 2;
    expect(n).toBeLessThanOrEqual(1000);
    expect(n).toBeGreaterThan(500);
    const columns = new Set<number>();
    const rows = new Set<number>();
    for (let i = 0; i < sample.length; i += 2) {
      columns.add(sample[i]);
      rows.add(sample[i + 1]);
    }
    // Every 4th column of every 4th row. A plain stride of 10 would take every row but only every 10th column.
    expect(columns.size).toBe(25);
    expect(rows.size).toBe(25);
    expect(samplePixels(region, 1000)).toEqual(sample);
  });

  it('picks the same pixels from a mask in columns as from the same pixels in rows', () => {
    const columns = regionFromRle({ size: [40, 30], counts: [100, 700, 37, 100, 263] }, 30, 40);
    // The same pixels as row spans, read off the bitmap.
    const bitmap = regionToBitmap(columns);
    const spans: number[] = [];
    for (let v = 0; v < 40; v++) {
      for (let u = 0; u < 30; u++) {
        if (bitmap[v * 30 + u] && (u === 0 || !bitmap[v * 30 + u - 1])) {
          let end = u;
          while (end < 30 && bitmap[v * 30 + end]) end++;
          spans.push(v, u, end);
        }
      }
    }
    const rows = makeRegion(30, 40, 'rows', spans);
    expect(rows.pixelCount).toBe(columns.pixelCount);
    const asSorted = (s: Int32Array) => {
      const keys: string[] = [];
      for (let i = 0; i < s.length; i += 2) keys.push(`${s[i]},${s[i + 1]}`);
      return keys.sort();
    };
    for (const budget of [50, 200, 10_000]) {
      expect(asSorted(samplePixels(columns, budget))).toEqual(asSorted(samplePixels(rows, budget)));
    }
  });

  it('falls back to a stride for regions too thin for the grid', () => {
    const line = regionFromBox([3, 0, 4, 100], 10, 100, 0);
    const sample = samplePixels(line, 10);
    expect(sample.length / 2).toBe(10);
    expect([...sample.filter((_, i) => i % 2 === 0)]).toEqual(Array(10).fill(3));
  });
});
