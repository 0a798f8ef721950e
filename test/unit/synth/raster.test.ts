import { makeCamera } from '../../../src/synth/camera';
import { GROUND, Raster, SKY, WALL } from '../../../src/synth/raster';
import type { ShapeKind, SynthObject, Vec3 } from '../../../src/synth/synth.types';

const camera = makeCamera(640, 480);
const obj = (uid: number, shape: ShapeKind, center: Vec3, half: Vec3): SynthObject => ({
  uid,
  label: shape,
  shape,
  center,
  half,
  supportedBy: null,
  color: [200, 10, 10],
});

/** Depth the raster's ray through the centre of pixel (u, v) gets for the object; NaN = miss. */
function depthAt(o: SynthObject, u: number, v: number): number {
  const r = new Raster(camera);
  const hits = r.cast(o);
  const x = u - hits.x0;
  const y = v - hits.y0;
  if (x < 0 || y < 0 || x >= hits.w || y >= hits.h) return NaN;
  return hits.t[y * hits.w + x];
}

/** Pixel whose centre ray passes through camera-frame point p. */
function pixelOf([x, y, z]: Vec3): [number, number] {
  return [Math.floor((camera.fx * x) / z + camera.cx), Math.floor((camera.fy * y) / z + camera.cy)];
}

describe('Raster', () => {
  it('closes the scene with a wall where the ground would be farther or there would be sky', () => {
    const r = new Raster(camera, 12);
    expect(r.ids[0]).toBe(WALL);
    expect(r.zbuf[0]).toBe(12);
    expect(r.ids[239 * 640]).toBe(WALL);
    // The ground is nearer than 12 m from the row where 1.5 / b < 12, b = (v + 0.5 - 240) / fy.
    const firstGroundRow = Math.ceil(240 - 0.5 + (1.5 * camera.fy) / 12);
    expect(r.ids[(firstGroundRow - 1) * 640]).toBe(WALL);
    expect(r.ids[firstGroundRow * 640]).toBe(GROUND);
    expect(r.zbuf[firstGroundRow * 640]).toBeLessThan(12);
  });

  it('uses a level 60 degree camera: horizon in the middle row, ground below, sky above', () => {
    expect(camera.fx).toBeCloseTo(320 / Math.tan(Math.PI / 6), 9);
    const r = new Raster(camera);
    expect(r.ids[239 * 640]).toBe(SKY);
    expect(r.zbuf[239 * 640]).toBe(Infinity);
    expect(r.ids[240 * 640]).toBe(GROUND);
    // Row 479's centre ray drops 239.5 / fy per metre forward, so it meets the ground 1.5 m down at:
    expect(r.zbuf[479 * 640 + 17]).toBeCloseTo((1.5 * camera.fy) / 239.5, 9);
  });

  it('gives z along the optical axis (not ray length) for a box front face', () => {
    const box = obj(1, 'box', [1, 0.5, 6], [0.5, 0.5, 0.5]);
    const [u, v] = pixelOf([0.9, 0.4, 5.5]);
    expect(depthAt(box, u, v)).toBeCloseTo(5.5, 9);
  });

  it('hits a sphere at its near pole and misses beside it', () => {
    const ball = obj(2, 'sphere', [0, 0, 8], [1, 1, 1]);
    const [u, v] = pixelOf([0, 0, 8]);
    expect(depthAt(ball, u, v)).toBeCloseTo(7, 3);
    const [u2, v2] = pixelOf([1.2, 0, 8]);
    expect(depthAt(ball, u2, v2)).toBeNaN();
  });

  it('hits a cylinder on its side and, seen from above, on its top cap', () => {
    const barrel = obj(3, 'cylinder', [0, 1, 5], [0.4, 0.5, 0.4]);
    const [u, v] = pixelOf([0, 1, 4.6]);
    expect(depthAt(barrel, u, v)).toBeCloseTo(4.6, 3);
    // A pixel whose ray meets the top cap plane (y = 0.5) behind the axis: there z = 0.5 / b exactly.
    const [ut, vt] = pixelOf([0, 0.5, 5.2]);
    const b = (vt + 0.5 - camera.cy) / camera.fy;
    expect(depthAt(barrel, ut, vt)).toBeCloseTo(0.5 / b, 9);
    expect(0.5 / b).toBeGreaterThan(5);
  });

  it('keeps the nearer surface and counts what a new object would take', () => {
    const r = new Raster(camera);
    const back = obj(1, 'box', [0, 1, 10], [1, 0.5, 0.5]);
    const front = obj(2, 'box', [0, 1.2, 6], [0.3, 0.3, 0.3]);
    r.commit(back.uid, r.cast(back));
    const before = r.shown.get(1)!;
    const hits = r.cast(front);
    const { shown, taken } = r.coverage(hits);
    r.commit(front.uid, hits);
    expect(r.shown.get(2)).toBe(shown);
    expect(r.shown.get(1)).toBe(before - (taken.get(1) ?? 0));
    expect(taken.get(1)).toBeGreaterThan(0);
    // Committing a hidden object changes nothing.
    const hidden = obj(3, 'box', [0, 1.2, 12], [0.1, 0.1, 0.1]);
    expect(r.coverage(r.cast(hidden)).shown).toBe(0);
  });
});
