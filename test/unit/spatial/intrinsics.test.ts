import { DEFAULT_FOV_DEGREES, resolveIntrinsics } from '../../../src/spatial/intrinsics';

describe('resolveIntrinsics', () => {
  it('uses supplied numbers first', () => {
    const k = resolveIntrinsics({
      given: { fx: 500, fy: 510, cx: 320, cy: 240 },
      exifFocalLength35mm: 26,
      width: 640,
      height: 480,
    });
    expect(k).toEqual({ fx: 500, fy: 510, cx: 320, cy: 240, source: 'GIVEN' });
  });

  it('derives the focal length from the 35 mm equivalent by the diagonal', () => {
    // 3:2 image: the diagonal rule and the width rule agree: f35 / 36 * width.
    const k = resolveIntrinsics({ exifFocalLength35mm: 36, width: 3000, height: 2000 });
    expect(k.source).toBe('EXIF');
    expect(k.fx).toBeCloseTo(3000);
    expect(k.fy).toBe(k.fx);
    expect([k.cx, k.cy]).toEqual([1500, 1000]);
  });

  it('uses a focal length in mm only with the sensor width', () => {
    expect(resolveIntrinsics({ exifFocalLengthMm: 4.2, width: 4000, height: 3000 }).source).toBe('FOV_PRIOR');
    const k = resolveIntrinsics({ exifFocalLengthMm: 4.2, sensorWidthMm: 5.6, width: 4000, height: 3000 });
    expect(k.source).toBe('EXIF');
    expect(k.fx).toBeCloseTo(3000);
  });

  it('treats zero EXIF values as absent', () => {
    expect(resolveIntrinsics({ exifFocalLength35mm: 0, width: 100, height: 100 }).source).toBe('FOV_PRIOR');
  });

  it('falls back to a 60 degree prior across the longer side, never fx = 1.5 * width', () => {
    expect(DEFAULT_FOV_DEGREES).toBe(60);
    const landscape = resolveIntrinsics({ width: 1920, height: 1080 });
    expect(landscape.source).toBe('FOV_PRIOR');
    expect(landscape.fx).toBeCloseTo(960 / Math.tan(Math.PI / 6));
    expect(landscape.fx).not.toBeCloseTo(1.5 * 1920);
    const portrait = resolveIntrinsics({ width: 1080, height: 1920 });
    expect(portrait.fx).toBeCloseTo(landscape.fx);
    expect(resolveIntrinsics({ width: 100, height: 100, fovDegrees: 90 }).fx).toBeCloseTo(50);
  });

  it('refuses bad supplied intrinsics and fields of view, naming the field', () => {
    expect(() => resolveIntrinsics({ given: { fx: 0, fy: 1, cx: 0, cy: 0 }, width: 10, height: 10 })).toThrow(
      /intrinsics\.fx/,
    );
    expect(() =>
      resolveIntrinsics({ given: { fx: 1, fy: 1, cx: NaN, cy: 0 }, width: 10, height: 10 }),
    ).toThrow(/intrinsics\.cx/);
    expect(() => resolveIntrinsics({ width: 10, height: 10, fovDegrees: 180 })).toThrow(/fovDegrees/);
    expect(() => resolveIntrinsics({ width: 10.5, height: 10 })).toThrow(/image/);
  });
});
