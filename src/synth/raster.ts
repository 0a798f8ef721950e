import type { PinholeCamera, SynthObject } from './synth.types';

/**
 * Ray casting into a z-buffer. Each pixel's ray goes through the pixel centre (u + 0.5, v + 0.5)
 * with direction ((u + 0.5 - cx) / fx, (v + 0.5 - cy) / fy, 1): because its z component is 1, the ray
 * parameter t of a hit *is* the depth along the optical axis (not the ray length), which is what the
 * depth map stores.
 *
 * Objects are cast one at a time and only the pixels inside the projection of each object's 3D
 * bounding box are tested, so cost is the sum of the objects' screen areas, not pixels x objects.
 * Casting is separate from committing, so the layout can ask what an object would look like (how many
 * pixels it would show, how many it would take from whom) before keeping it. Each committed object's
 * per-pixel hit depths, hidden ones included, are kept, so occlusion between any two objects can be
 * counted exactly afterwards.
 */

export const SKY = -1;
export const GROUND = -2;
/** A vertical wall facing the camera (plane z = wallZ), when the scene has one. */
export const WALL = -3;

// Per-pixel code reads Math functions and NaN/Infinity through module constants. In a vm context
// (jest runs tests in one) every global lookup goes through an interceptor, which made these loops
// about 100x slower there; module constants are plain local bindings everywhere.
const { abs, max, sign, sqrt } = Math;
const MISS = Number.NaN;
const NONE = Number.POSITIVE_INFINITY;

/** Direction towards the light (up, left, and from behind the camera); normalised below. */
const LIGHT = normalise([-0.35, -1, -0.45]);
const AMBIENT = 0.35;

export interface ObjectHits {
  /** Inclusive top-left pixel of the tested rectangle and its size. */
  x0: number;
  y0: number;
  w: number;
  h: number;
  /** Depth of the object's surface along each pixel ray in the rectangle, row-major; NaN = ray misses. */
  t: Float64Array;
  /** Lambert shading of the surface at each hit. */
  shade: Float32Array;
}

export interface Coverage {
  /** Pixels the object would show. */
  shown: number;
  /** Pixels it would take from each object (uid) showing there now. */
  taken: Map<number, number>;
}

export class Raster {
  readonly width: number;
  readonly height: number;
  /** Nearest depth per pixel; the ground plane where the ray reaches it, Infinity for sky. */
  readonly zbuf: Float64Array;
  /** What each pixel shows: an object uid, GROUND or SKY. */
  readonly ids: Int32Array;
  /** Lambert shading factor of the visible surface (objects only). */
  readonly shade: Float32Array;
  /** Committed objects' hits, by uid. */
  readonly hits = new Map<number, ObjectHits>();
  /** Pixels each committed object shows, by uid. */
  readonly shown = new Map<number, number>();

  /**
   * `wallZ`: a wall, the plane z = wallZ, closes the scene; every ray has z direction 1, so it hits
   * the wall at depth wallZ, and the wall shows wherever the ground is farther or there would be sky.
   */
  constructor(
    private readonly camera: PinholeCamera,
    readonly wallZ?: number,
  ) {
    const { width, height, fy, cy, heightM } = camera;
    this.width = width;
    this.height = height;
    this.zbuf = new Float64Array(width * height);
    this.ids = new Int32Array(width * height);
    this.shade = new Float32Array(width * height);
    const wall = wallZ ?? NONE;
    for (let v = 0; v < height; v++) {
      const b = (v + 0.5 - cy) / fy;
      const groundT = b > 0 ? heightM / b : NONE;
      const behind = groundT < wall ? groundT : wall;
      const id = groundT < wall ? GROUND : wallZ !== undefined ? WALL : SKY;
      this.zbuf.fill(behind, v * width, (v + 1) * width);
      this.ids.fill(id, v * width, (v + 1) * width);
    }
  }

  /** Casts the object's pixel rays; changes nothing. */
  cast(o: SynthObject): ObjectHits {
    const rect = this.screenRect(o);
    if (!rect) return { x0: 0, y0: 0, w: 0, h: 0, t: new Float64Array(0), shade: new Float32Array(0) };
    const [x0, y0, x1, y1] = rect;
    const w = x1 - x0 + 1;
    const h = y1 - y0 + 1;
    const t = new Float64Array(w * h);
    const shade = new Float32Array(w * h);
    const { fx, fy, cx, cy } = this.camera;
    const hit = HIT[o.shape];
    const n: Normal = [0, 0, 0];
    for (let v = y0, k = 0; v <= y1; v++) {
      const b = (v + 0.5 - cy) / fy;
      for (let u = x0; u <= x1; u++, k++) {
        const depth = hit(o, (u + 0.5 - cx) / fx, b, n);
        t[k] = depth;
        if (depth === depth) {
          const lambert = n[0] * LIGHT[0] + n[1] * LIGHT[1] + n[2] * LIGHT[2];
          shade[k] = AMBIENT + (1 - AMBIENT) * max(0, lambert);
        }
      }
    }
    return { x0, y0, w, h, t, shade };
  }

  /** What committing these hits would do; changes nothing. */
  coverage(hits: ObjectHits): Coverage {
    const taken = new Map<number, number>();
    let shown = 0;
    this.forEachWin(hits, (p) => {
      shown++;
      const id = this.ids[p];
      if (id >= 0) taken.set(id, (taken.get(id) ?? 0) + 1);
    });
    return { shown, taken };
  }

  commit(uid: number, hits: ObjectHits): void {
    let shown = 0;
    this.forEachWin(hits, (p, k) => {
      shown++;
      const id = this.ids[p];
      if (id >= 0) this.shown.set(id, (this.shown.get(id) ?? 0) - 1);
      this.zbuf[p] = hits.t[k];
      this.ids[p] = uid;
      this.shade[p] = hits.shade[k];
    });
    this.shown.set(uid, shown);
    this.hits.set(uid, hits);
  }

  /** Calls `fn(pixel, rect index)` for each pixel where the hit is nearer than what is shown now. */
  private forEachWin(hits: ObjectHits, fn: (p: number, k: number) => void): void {
    for (let y = 0, k = 0; y < hits.h; y++) {
      const row = (hits.y0 + y) * this.width + hits.x0;
      for (let x = 0; x < hits.w; x++, k++) {
        if (hits.t[k] < this.zbuf[row + x]) fn(row + x, k);
      }
    }
  }

  /**
   * Pixel rectangle [x0, y0, x1, y1] (inclusive) whose pixel centres cover the projection of the
   * object's 3D bounding box; undefined when it is entirely outside the image. Objects are always in
   * front of the camera (z >= 3 m), so the projection of the box corners bounds the object.
   */
  private screenRect(o: SynthObject): [number, number, number, number] | undefined {
    const { fx, fy, cx, cy, width, height } = this.camera;
    let uMin = Infinity;
    let uMax = -Infinity;
    let vMin = Infinity;
    let vMax = -Infinity;
    for (const sx of [-1, 1]) {
      for (const sy of [-1, 1]) {
        for (const sz of [-1, 1]) {
          const z = o.center[2] + sz * o.half[2];
          const u = (fx * (o.center[0] + sx * o.half[0])) / z + cx;
          const v = (fy * (o.center[1] + sy * o.half[1])) / z + cy;
          uMin = Math.min(uMin, u);
          uMax = Math.max(uMax, u);
          vMin = Math.min(vMin, v);
          vMax = Math.max(vMax, v);
        }
      }
    }
    // Pixel u is tested when its centre u + 0.5 lies in [uMin, uMax]; one pixel of slack for rounding.
    const x0 = Math.max(0, Math.ceil(uMin - 0.5) - 1);
    const x1 = Math.min(width - 1, Math.floor(uMax - 0.5) + 1);
    const y0 = Math.max(0, Math.ceil(vMin - 0.5) - 1);
    const y1 = Math.min(height - 1, Math.floor(vMax - 0.5) + 1);
    return x0 > x1 || y0 > y1 ? undefined : [x0, y0, x1, y1];
  }
}

type Normal = [number, number, number];
/** Depth of the first hit of ray t * (a, b, 1) with the object, NaN when it misses; writes the outward normal. */
type HitFn = (o: SynthObject, a: number, b: number, normal: Normal) => number;

const hitBox: HitFn = (o, a, b, n) => {
  const [cx, cy, cz] = o.center;
  const [hx, hy, hz] = o.half;
  // Slabs; the ray's z direction is +1, so it always enters through the front face z = cz - hz.
  let tNear = cz - hz;
  let tFar = cz + hz;
  let axis = 2;
  if (a !== 0) {
    let t0 = (cx - hx) / a;
    let t1 = (cx + hx) / a;
    if (t0 > t1) [t0, t1] = [t1, t0];
    if (t0 > tNear) {
      tNear = t0;
      axis = 0;
    }
    if (t1 < tFar) tFar = t1;
  } else if (abs(cx) > hx) return MISS;
  if (b !== 0) {
    let t0 = (cy - hy) / b;
    let t1 = (cy + hy) / b;
    if (t0 > t1) [t0, t1] = [t1, t0];
    if (t0 > tNear) {
      tNear = t0;
      axis = 1;
    }
    if (t1 < tFar) tFar = t1;
  } else if (abs(cy) > hy) return MISS;
  if (tNear > tFar || tNear <= 0) return MISS;
  n[0] = axis === 0 ? -sign(a) : 0;
  n[1] = axis === 1 ? -sign(b) : 0;
  n[2] = axis === 2 ? -1 : 0;
  return tNear;
};

const hitSphere: HitFn = (o, a, b, n) => {
  const [cx, cy, cz] = o.center;
  const r = o.half[0];
  const qa = a * a + b * b + 1;
  const qb = a * cx + b * cy + cz;
  const qc = cx * cx + cy * cy + cz * cz - r * r;
  const disc = qb * qb - qa * qc;
  if (disc < 0) return MISS;
  const t = (qb - sqrt(disc)) / qa;
  if (t <= 0) return MISS;
  n[0] = (t * a - cx) / r;
  n[1] = (t * b - cy) / r;
  n[2] = (t - cz) / r;
  return t;
};

const hitCylinder: HitFn = (o, a, b, n) => {
  const [cx, cy, cz] = o.center;
  const r = o.half[0];
  const yTop = cy - o.half[1];
  const yBottom = cy + o.half[1];
  let best = NONE;
  const qa = a * a + 1;
  const qb = a * cx + cz;
  const qc = cx * cx + cz * cz - r * r;
  const disc = qb * qb - qa * qc;
  if (disc >= 0) {
    const t = (qb - sqrt(disc)) / qa;
    const y = t * b;
    if (t > 0 && y >= yTop && y <= yBottom) {
      best = t;
      n[0] = (t * a - cx) / r;
      n[1] = 0;
      n[2] = (t - cz) / r;
    }
  }
  if (b !== 0) {
    // A ray going down (b > 0) can only enter through the top cap, one going up through the bottom.
    const yCap = b > 0 ? yTop : yBottom;
    const t = yCap / b;
    if (t > 0 && t < best) {
      const dx = t * a - cx;
      const dz = t - cz;
      if (dx * dx + dz * dz <= r * r) {
        best = t;
        n[0] = 0;
        n[1] = b > 0 ? -1 : 1;
        n[2] = 0;
      }
    }
  }
  return best === NONE ? MISS : best;
};

const HIT: Record<SynthObject['shape'], HitFn> = { box: hitBox, sphere: hitSphere, cylinder: hitCylinder };

function normalise(v: Normal): Normal {
  const l = Math.hypot(v[0], v[1], v[2]);
  return [v[0] / l, v[1] / l, v[2] / l];
}
