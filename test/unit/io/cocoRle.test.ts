import fc from 'fast-check';
import { UserInputError } from '../../../src/errors/errors';
import {
  decodeCocoRle,
  encodeCocoRle,
  encodeLabelMapRle,
  rleCountsFromString,
  rleCountsToString,
} from '../../../src/io/cocoRle';

const maskArb = fc
  .record({ width: fc.integer({ min: 0, max: 9 }), height: fc.integer({ min: 0, max: 9 }) })
  .chain(({ width, height }) =>
    fc
      .uint8Array({ minLength: width * height, maxLength: width * height, max: 1 })
      .map((mask) => ({ width, height, mask })),
  );

describe('encodeCocoRle', () => {
  it('walks columns first and starts with a run of zeros', () => {
    // Row-major 2x3:  0 1 1 / 0 0 1  ->  column-major 0 0 | 1 0 | 1 1
    const mask = Uint8Array.from([0, 1, 1, 0, 0, 1]);
    expect(encodeCocoRle(mask, 3, 2)).toEqual({ size: [2, 3], counts: [2, 1, 1, 2] });
  });

  it('starts with a 0-length run when the first pixel is set, and ends on the last run', () => {
    expect(encodeCocoRle(Uint8Array.from([1, 1, 1, 1]), 2, 2).counts).toEqual([0, 4]);
    expect(encodeCocoRle(new Uint8Array(4), 2, 2).counts).toEqual([4]);
  });

  it('round-trips through decodeCocoRle (property)', () => {
    fc.assert(
      fc.property(maskArb, ({ width, height, mask }) => {
        expect(decodeCocoRle(encodeCocoRle(mask, width, height))).toEqual(mask);
      }),
    );
  });

  it('rejects a mask of the wrong length', () => {
    expect(() => encodeCocoRle(new Uint8Array(5), 2, 2)).toThrow(UserInputError);
  });
});

describe('encodeLabelMapRle', () => {
  it('gives each instance the same RLE as encoding its own binary mask (property)', () => {
    const arb = fc
      .record({ width: fc.integer({ min: 1, max: 8 }), height: fc.integer({ min: 1, max: 8 }) })
      .chain(({ width, height }) =>
        fc
          .array(fc.integer({ min: -2, max: 3 }), { minLength: width * height, maxLength: width * height })
          .map((labels) => ({ width, height, labels: Int32Array.from(labels) })),
      );
    fc.assert(
      fc.property(arb, ({ width, height, labels }) => {
        const rles = encodeLabelMapRle(labels, width, height, 4);
        for (let k = 0; k < 4; k++) {
          const own = encodeCocoRle(
            Uint8Array.from(labels, (l) => (l === k ? 1 : 0)),
            width,
            height,
          );
          expect(rles[k]).toEqual(own);
        }
      }),
    );
  });
});

describe('compressed counts strings', () => {
  it('round-trip any counts (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5_000_000 }), { maxLength: 30 }), (counts) => {
        expect(rleCountsFromString(rleCountsToString(counts))).toEqual(counts);
      }),
    );
  });

  it('decode through decodeCocoRle', () => {
    const mask = Uint8Array.from([0, 1, 1, 0, 0, 1, 1, 1, 0]);
    const { counts } = encodeCocoRle(mask, 3, 3);
    expect(decodeCocoRle({ size: [3, 3], counts: rleCountsToString(counts as number[]) })).toEqual(mask);
  });

  it('reject strings that end mid-value or hold invalid characters', () => {
    expect(() => rleCountsFromString('P')).toThrow(/ends in the middle of a count/); // 'P' = 48 + 32: "more follows"
    expect(() => rleCountsFromString('1 2')).toThrow(/is not valid in a compressed RLE string/);
  });
});

describe('decodeCocoRle', () => {
  it.each([
    [{ size: [2, 2] as [number, number], counts: [1, 2] }, /sum to 3, but size 2x2 has 4 pixels/],
    [{ size: [2, 2] as [number, number], counts: [1, -1, 4] }, /non-negative integers/],
    [{ size: [2, 2] as [number, number], counts: [1.5, 2.5] }, /non-negative integers/],
    [{ size: [-1, 2] as [number, number], counts: [] }, /size must be/],
  ])('rejects %j', (rle, why) => {
    expect(() => decodeCocoRle(rle, 'objects[0].mask')).toThrow(why);
  });
});
