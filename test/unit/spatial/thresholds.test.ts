import { UserInputError } from '../../../src/errors/errors';
import { DEFAULT_THRESHOLDS, resolveThresholds, THRESHOLD_SPECS } from '../../../src/spatial/thresholds';

describe('resolveThresholds', () => {
  it('has a documented default for every threshold', () => {
    for (const spec of Object.values(THRESHOLD_SPECS)) {
      expect(spec.description.length).toBeGreaterThan(10);
      expect(spec.default).toBeGreaterThanOrEqual(spec.min);
      expect(spec.default).toBeLessThanOrEqual(spec.max);
    }
    expect(resolveThresholds()).toBe(DEFAULT_THRESHOLDS);
    expect(DEFAULT_THRESHOLDS.coversTolerance).toBe(0);
  });

  it('overlays overrides', () => {
    const t = resolveThresholds({ lateralMargin: 1, nearDistance: 0.5 });
    expect(t.lateralMargin).toBe(1);
    expect(t.nearDistance).toBe(0.5);
    expect(t.frontMaxOverlap).toBe(DEFAULT_THRESHOLDS.frontMaxOverlap);
  });

  it('refuses unknown names, non-numbers and out-of-range values, naming the field', () => {
    expect(() => resolveThresholds({ lateralMarign: 1 })).toThrow(
      /thresholds\.lateralMarign: unknown threshold; known thresholds are coversTolerance/,
    );
    expect(() => resolveThresholds({ lateralMargin: '1' })).toThrow(
      /thresholds\.lateralMargin: must be a finite number/,
    );
    expect(() => resolveThresholds({ lateralMargin: NaN })).toThrow(UserInputError);
    expect(() => resolveThresholds({ frontMaxOverlap: 1.5 })).toThrow(
      /thresholds\.frontMaxOverlap: must be between 0 and 1/,
    );
    expect(() => resolveThresholds({ coversTolerance: -1 })).toThrow(/coversTolerance/);
    expect(() => resolveThresholds({ nearDistance: 5 })).toThrow(
      /thresholds\.farDistance: must be greater than nearDistance/,
    );
    expect(() => resolveThresholds([] as never)).toThrow(/thresholds: must be an object/);
  });
});
