/**
 * The synthetic world. Everything is in the camera frame of SPEC section 4 (x right, y down,
 * z forward, metres, origin at the camera centre). The camera is level, so camera y is also the
 * world's vertical: the ground is the plane y = camera height, and "up" is -y.
 */

export type Vec3 = [x: number, y: number, z: number];
export type Rgb = [r: number, g: number, b: number];

/** Axis-aligned box, sphere, or cylinder with a vertical (y) axis. */
export type ShapeKind = 'box' | 'sphere' | 'cylinder';

export interface SynthObject {
  /** Creation counter: stable while objects are added and removed during layout. */
  uid: number;
  label: string;
  shape: ShapeKind;
  /** Geometric centre. */
  center: Vec3;
  /**
   * Half extents along x, y, z: a box's half sizes; (r, r, r) for a sphere; (r, h/2, r) for a
   * cylinder. For all three shapes [center - half, center + half] is the exact 3D extent.
   */
  half: Vec3;
  /** uid of the object this one rests on (its bottom on that object's flat top); null = the ground. */
  supportedBy: number | null;
  color: Rgb;
}

export interface PinholeCamera {
  width: number;
  height: number;
  fx: number;
  fy: number;
  /** Principal point in pixel-edge coordinates: pixel (u, v) spans [u, u+1) and its centre is u + 0.5. */
  cx: number;
  cy: number;
  /** Height of the optical centre above the ground plane, metres. */
  heightM: number;
  hfovDeg: number;
}

/**
 * Variations of the synthetic world for evaluations (generateScene's `scenario`); every field is
 * optional and absent fields keep the standard world, which `{}` is. See SYNTH_SCENARIOS.
 */
export interface SynthScenario {
  /** Chance that a new ground object is put behind an existing one (standard 0.3). */
  behindChance?: number;
  /** Extra gap, at most, between such an object and the one it is put behind, metres (standard 2.5). */
  behindGapM?: number;
  /**
   * A wall facing the camera closes the scene: its depth is drawn uniformly from [nearM, farM] per
   * scene, ground objects stand in front of it, and with `againstChance` a ground object not put
   * behind another is put with its back against the wall (5 cm from it).
   */
  wall?: { nearM: number; farM: number; againstChance?: number };
}
