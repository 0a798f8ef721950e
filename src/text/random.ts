/**
 * Seeded pseudo-random numbers for the text generators. Every choice a generator makes (which pair to
 * ask about, which template, the order of multiple-choice options) goes through one `Rng`, so the same
 * graph and seed always produce byte-identical training data, on any machine and Node version.
 *
 * The generator is sfc32 (small fast counter), seeded through a 128-bit string hash. It is not
 * cryptographic; it only has to be fast, well-distributed and reproducible. `Math.random` is never used.
 */

import { UserInputError } from '../errors/errors';

export type Seed = number | string;

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** One element, uniformly. Throws on an empty list: a generator that picks from nothing has a bug. */
  pick<T>(items: readonly T[]): T;
  /** A shuffled copy (Fisher-Yates); the input is left alone. */
  shuffle<T>(items: readonly T[]): T[];
  /** `k` distinct elements in random order (all of them when k >= length). */
  sample<T>(items: readonly T[], k: number): T[];
  /** An independent stream derived from this seed and a name, so adding draws in one generator does not
   * shift the choices of another. */
  fork(name: string): Rng;
}

/** cyrb128: four 32-bit hashes of a string, used as sfc32's initial state. */
function hash128(text: string): [number, number, number, number] {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

function seedText(seed: Seed): string {
  if (typeof seed === 'number') {
    if (!Number.isFinite(seed))
      throw new UserInputError(`must be a finite number or a string, got ${seed}`, 'seed');
    return `n:${seed}`;
  }
  return `s:${seed}`;
}

export function createRng(seed: Seed): Rng {
  return fromState(seedText(seed));
}

function fromState(stateText: string): Rng {
  let [a, b, c, d] = hash128(stateText);
  const next = (): number => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  // Discard the first outputs: sfc32 mixes poorly for a few rounds after seeding.
  for (let i = 0; i < 12; i++) next();

  const int = (n: number): number => {
    if (!Number.isInteger(n) || n <= 0) throw new RangeError(`Rng.int needs a positive integer, got ${n}`);
    return Math.floor(next() * n);
  };
  const shuffle = <T>(items: readonly T[]): T[] => {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = int(i + 1);
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  };
  return {
    next,
    int,
    pick: <T>(items: readonly T[]): T => {
      if (items.length === 0) throw new RangeError('Rng.pick called with an empty list');
      return items[int(items.length)];
    },
    shuffle,
    sample: <T>(items: readonly T[], k: number): T[] => shuffle(items).slice(0, Math.max(0, k)),
    fork: (name: string): Rng => fromState(`${stateText}/${name}`),
  };
}
