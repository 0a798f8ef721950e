import { clampBox, iou, nonMaxSuppression } from '../../../inference/postprocess/nms';
import { concatDim0, sliceDim0 } from '../../../inference/backend/tensor';

describe('iou', () => {
  it('is 1 for equal boxes, 0 for disjoint or touching ones, and exact for a half overlap', () => {
    expect(iou([0, 0, 10, 10], [0, 0, 10, 10])).toBe(1);
    expect(iou([0, 0, 10, 10], [10, 0, 20, 10])).toBe(0);
    expect(iou([0, 0, 10, 10], [5, 0, 15, 10])).toBeCloseTo(50 / 150, 10);
  });
});

describe('nonMaxSuppression', () => {
  const d = (label: string, score: number, x: number) => ({
    label,
    score,
    box: [x, 0, x + 10, 10] as [number, number, number, number],
  });

  it('keeps the best of overlapping boxes of one label, and boxes of other labels', () => {
    const kept = nonMaxSuppression(
      [d('cat', 0.5, 1), d('cat', 0.9, 0), d('dog', 0.4, 0), d('cat', 0.3, 50)],
      0.5,
      10,
    );
    expect(kept).toEqual([d('cat', 0.9, 0), d('dog', 0.4, 0), d('cat', 0.3, 50)]);
  });

  it('breaks score ties by input order and caps the count', () => {
    const kept = nonMaxSuppression([d('a', 0.5, 0), d('b', 0.5, 0), d('c', 0.5, 0)], 0.5, 2);
    expect(kept.map((k) => k.label)).toEqual(['a', 'b']);
  });
});

describe('clampBox', () => {
  it('clamps to the image and drops boxes with nothing left', () => {
    expect(clampBox([-5, -5, 20, 20], 10, 8)).toEqual([0, 0, 10, 8]);
    expect(clampBox([12, 0, 20, 5], 10, 8)).toBeUndefined();
  });
});

describe('tensor stacking', () => {
  it('stacks along dimension 0 and slices back', () => {
    const a = { type: 'float32' as const, data: Float32Array.from([1, 2]), dims: [1, 2] };
    const b = { type: 'float32' as const, data: Float32Array.from([3, 4, 5, 6]), dims: [2, 2] };
    const s = concatDim0([a, b]);
    expect(s.dims).toEqual([3, 2]);
    expect(Array.from(sliceDim0(s, 1, 2).data as Float32Array)).toEqual([3, 4, 5, 6]);
    expect(() => concatDim0([a, { ...b, dims: [1, 4], data: Float32Array.from([1, 2, 3, 4]) }])).toThrow(
      /cannot stack/,
    );
  });
});
