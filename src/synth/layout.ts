import { tanHalfHfov } from './camera';
import type { Prng } from './prng';
import type { PinholeCamera, Rgb, SynthObject, Vec3 } from './synth.types';
import { labelSpec, STACKABLE_LABELS, SYNTH_VOCABULARY, type LabelSpec } from './vocabulary';

/**
 * Places objects in 3D without interpenetration. Objects stand on the ground in "columns": a ground
 * object's axis-aligned footprint (x, z) keeps `clearanceM` from every other ground object's, and a
 * stacked object's footprint lies inside the flat top of the object it rests on, so columns never
 * touch and nothing in a column overlaps (each object's bottom is exactly its supporter's top).
 * Footprints of spheres and cylinders are their bounding squares, which is conservative.
 */
export const LAYOUT_PARAMS = {
  /** Ground objects' footprints lie within these depths (centre-of-object depth is 3..20 m). */
  zNearM: 3,
  zFarM: 20,
  /** Free space between the footprints of two ground objects. */
  clearanceM: 0.05,
  /** Chance that a new object is put on top of an existing one (when one can take it). */
  stackChance: 0.3,
  /** Chance that a new ground object is put behind an existing one, so that occlusion is common. */
  behindChance: 0.3,
  /** Stacks end at this height above the ground. */
  maxStackTopM: 3.2,
  /** Ground objects stay within this fraction of the horizontal field of view. */
  lateralFill: 0.95,
  /** A stacked object keeps this distance from the edge of its supporter's top. */
  topEdgeM: 0.01,
  /** Stacked objects are not shrunk below this half size. */
  minHalfM: 0.05,
  attemptsPerObject: 60,
} as const;

/**
 * Layout variations for evaluations (synth.types.ts SynthScenario, resolved): the standard world is
 * LAYOUT_PARAMS with no wall.
 */
export interface LayoutVariation {
  behindChance: number;
  /** A ground object put behind another keeps at most this much extra gap (m) behind it. */
  behindGapM: number;
  /** Depth of the back wall (m), or undefined for none; ground objects stay clearanceM in front of it. */
  wallZ?: number;
  /** Chance that a ground object is put with its back against the wall (clearanceM from it). */
  againstWallChance: number;
}

export const STANDARD_LAYOUT: LayoutVariation = {
  behindChance: LAYOUT_PARAMS.behindChance,
  behindGapM: 2.5,
  againstWallChance: 0,
};

export class SceneLayout {
  readonly objects: SynthObject[] = [];
  private nextUid = 0;

  constructor(
    private readonly camera: PinholeCamera,
    private readonly rng: Prng,
    private readonly variation: LayoutVariation = STANDARD_LAYOUT,
  ) {}

  /**
   * Proposes one object, on the ground or on top of another, that fits without interpenetration;
   * undefined when no free spot was found. Nothing changes until `accept`.
   */
  propose(): SynthObject | undefined {
    let placed: Omit<SynthObject, 'uid' | 'color'> | undefined;
    if (this.rng.chance(LAYOUT_PARAMS.stackChance)) placed = this.tryStack();
    for (let attempt = 0; !placed && attempt < LAYOUT_PARAMS.attemptsPerObject; attempt++) {
      placed = this.tryGround();
    }
    return placed && { ...placed, uid: this.nextUid, color: randomColor(this.rng) };
  }

  accept(o: SynthObject): void {
    if (o.uid !== this.nextUid) throw new Error('SceneLayout.accept: not the latest proposal');
    this.objects.push(o);
    this.nextUid++;
  }

  private tryGround(): Omit<SynthObject, 'uid' | 'color'> | undefined {
    const rng = this.rng;
    const p = LAYOUT_PARAMS;
    const spec = rng.pick(SYNTH_VOCABULARY);
    const half = spec.sampleHalf(rng);
    const [hw, hh, hd] = half;
    const tanHalf = tanHalfHfov(this.camera) * p.lateralFill;
    const grounds = this.objects.filter((o) => o.supportedBy === null);
    const variation = this.variation;
    const wallZ = variation.wallZ;
    // Ground objects end in front of the wall, if there is one.
    const zFar = wallZ === undefined ? p.zFarM : Math.min(p.zFarM, wallZ - p.clearanceM);
    let x: number;
    let z: number;
    if (grounds.length > 0 && rng.chance(variation.behindChance)) {
      const front = rng.pick(grounds);
      z = front.center[2] + front.half[2] + hd + p.clearanceM + rng.uniform(0, variation.behindGapM);
      x = front.center[0] + rng.uniform(-1, 1) * (front.half[0] + hw);
    } else {
      // Drawn only when the variation asks for it, so that the standard world's stream is unchanged.
      const againstWall =
        wallZ !== undefined && variation.againstWallChance > 0 && rng.chance(variation.againstWallChance);
      z = againstWall ? zFar - hd : rng.uniform(p.zNearM + hd, zFar - hd);
      const limit = (z - hd) * tanHalf - hw;
      if (limit <= 0) return undefined;
      x = rng.uniform(-limit, limit);
    }
    if (z - hd < p.zNearM || z + hd > zFar) return undefined;
    if (Math.abs(x) + hw > (z - hd) * tanHalf) return undefined;
    for (const o of grounds) {
      if (
        Math.abs(x - o.center[0]) < hw + o.half[0] + p.clearanceM &&
        Math.abs(z - o.center[2]) < hd + o.half[2] + p.clearanceM
      ) {
        return undefined;
      }
    }
    return {
      label: spec.label,
      shape: spec.shape,
      center: [x, this.camera.heightM - hh, z],
      half,
      supportedBy: null,
    };
  }

  private tryStack(): Omit<SynthObject, 'uid' | 'color'> | undefined {
    const rng = this.rng;
    const p = LAYOUT_PARAMS;
    const carrying = new Set(this.objects.map((o) => o.supportedBy));
    const ground = this.camera.heightM;
    const candidates = this.objects.filter(
      (o) =>
        labelSpec(o.label).supports &&
        !carrying.has(o.uid) &&
        ground - (o.center[1] - o.half[1]) + 2 * p.minHalfM <= p.maxStackTopM,
    );
    if (candidates.length === 0) return undefined;
    const base = rng.pick(candidates);
    const spec: LabelSpec = rng.pick(STACKABLE_LABELS);
    let half = spec.sampleHalf(rng);

    // Shrink the new object until its footprint fits on the top, then pick an offset that keeps it there.
    let offset: [number, number];
    if (base.shape === 'box') {
      const ax = base.half[0] - p.topEdgeM;
      const az = base.half[2] - p.topEdgeM;
      const fit = Math.min(1, ax / half[0], az / half[2]);
      if (fit < 1) half = scale(half, fit * rng.uniform(0.7, 1));
      offset = [rng.uniform(-1, 1) * (ax - half[0]), rng.uniform(-1, 1) * (az - half[2])];
    } else {
      const radius = base.half[0] - p.topEdgeM;
      const footprint = spec.shape === 'box' ? Math.hypot(half[0], half[2]) : half[0];
      const fit = Math.min(1, radius / footprint);
      if (fit < 1) half = scale(half, fit * rng.uniform(0.7, 1));
      const room = radius - (spec.shape === 'box' ? Math.hypot(half[0], half[2]) : half[0]);
      const angle = rng.uniform(0, 2 * Math.PI);
      const r = Math.sqrt(rng.next()) * Math.max(0, room);
      offset = [r * Math.cos(angle), r * Math.sin(angle)];
    }
    if (Math.min(...half) < p.minHalfM) return undefined;
    const top = base.center[1] - base.half[1];
    if (ground - (top - 2 * half[1]) > p.maxStackTopM) return undefined;
    const center: Vec3 = [base.center[0] + offset[0], top - half[1], base.center[2] + offset[1]];
    return { label: spec.label, shape: spec.shape, center, half, supportedBy: base.uid };
  }
}

function scale(v: Vec3, k: number): Vec3 {
  return [v[0] * k, v[1] * k, v[2] * k];
}

/** Saturated colours, so objects stand out from the grey-brown ground and the pale sky. */
function randomColor(rng: Prng): Rgb {
  const h = rng.next() * 6;
  const s = rng.uniform(0.55, 0.9);
  const v = rng.uniform(0.65, 0.95);
  const i = Math.floor(h);
  const f = h - i;
  const pp = v * (1 - s);
  const q = v * (1 - s * f);
  const t = v * (1 - s * (1 - f));
  const [r, g, b] = [
    [v, t, pp],
    [q, v, pp],
    [pp, v, t],
    [pp, q, v],
    [t, pp, v],
    [v, pp, q],
  ][i % 6];
  return [Math.round(r * 255), Math.round(g * 255), Math.round(b * 255)];
}
