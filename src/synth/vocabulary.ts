import type { Prng } from './prng';
import type { ShapeKind, Vec3 } from './synth.types';

/**
 * What the generator can place: everyday names mapped to one of three primitives, with size ranges
 * in metres. `supports`: has a flat top that can carry another object. `stackable`: small enough to
 * be put on one.
 */
export interface LabelSpec {
  label: string;
  shape: ShapeKind;
  supports: boolean;
  stackable: boolean;
  /** Samples half extents (see SynthObject.half). */
  sampleHalf(rng: Prng): Vec3;
}

const boxHalf =
  (w: [number, number], h: [number, number], d: [number, number]) =>
  (rng: Prng): Vec3 => [
    rng.uniform(w[0], w[1]) / 2,
    rng.uniform(h[0], h[1]) / 2,
    rng.uniform(d[0], d[1]) / 2,
  ];
const sphereHalf =
  (r: [number, number]) =>
  (rng: Prng): Vec3 => {
    const radius = rng.uniform(r[0], r[1]);
    return [radius, radius, radius];
  };
const cylinderHalf =
  (r: [number, number], h: [number, number]) =>
  (rng: Prng): Vec3 => {
    const radius = rng.uniform(r[0], r[1]);
    return [radius, rng.uniform(h[0], h[1]) / 2, radius];
  };

export const SYNTH_VOCABULARY: readonly LabelSpec[] = [
  {
    label: 'box',
    shape: 'box',
    supports: true,
    stackable: true,
    sampleHalf: boxHalf([0.25, 0.7], [0.2, 0.6], [0.25, 0.7]),
  },
  {
    label: 'crate',
    shape: 'box',
    supports: true,
    stackable: true,
    sampleHalf: (rng) => {
      const s = rng.uniform(0.4, 0.9);
      return [
        (s * rng.uniform(0.9, 1.1)) / 2,
        (s * rng.uniform(0.9, 1.1)) / 2,
        (s * rng.uniform(0.9, 1.1)) / 2,
      ];
    },
  },
  {
    label: 'cabinet',
    shape: 'box',
    supports: true,
    stackable: false,
    sampleHalf: boxHalf([0.6, 1.4], [1.0, 2.0], [0.4, 0.7]),
  },
  { label: 'ball', shape: 'sphere', supports: false, stackable: true, sampleHalf: sphereHalf([0.1, 0.35]) },
  {
    label: 'boulder',
    shape: 'sphere',
    supports: false,
    stackable: false,
    sampleHalf: sphereHalf([0.4, 0.8]),
  },
  {
    label: 'barrel',
    shape: 'cylinder',
    supports: true,
    stackable: false,
    sampleHalf: cylinderHalf([0.25, 0.4], [0.8, 1.2]),
  },
  {
    label: 'bucket',
    shape: 'cylinder',
    supports: true,
    stackable: true,
    sampleHalf: cylinderHalf([0.12, 0.22], [0.2, 0.4]),
  },
  {
    label: 'pillar',
    shape: 'cylinder',
    supports: false,
    stackable: false,
    sampleHalf: cylinderHalf([0.15, 0.3], [2.0, 3.0]),
  },
];

export const STACKABLE_LABELS: readonly LabelSpec[] = SYNTH_VOCABULARY.filter((s) => s.stackable);

export function labelSpec(label: string): LabelSpec {
  const spec = SYNTH_VOCABULARY.find((s) => s.label === label);
  if (!spec) throw new Error(`unknown synthetic label '${label}'`);
  return spec;
}
