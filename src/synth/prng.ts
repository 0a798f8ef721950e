/**
 * Seeded pseudo-random numbers for the synthetic scene generator. mulberry32: 32-bit state, passes
 * the statistical tests that matter for layout sampling, and is deterministic across platforms
 * because it only uses 32-bit integer arithmetic (Math.imul). Never Math.random: the same seed must
 * give byte-identical scenes.
 */
export class Prng {
  private state: number;

  /** Any safe integer is a valid seed; its high and low 32-bit halves are both mixed in. */
  constructor(seed: number) {
    const lo = seed >>> 0;
    const hi = Math.floor(seed / 2 ** 32) >>> 0;
    this.state = mix32(lo ^ mix32(hi + 0x9e3779b9));
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform in [min, max). */
  uniform(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** Uniform integer in [min, max] (both inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('Prng.pick: empty list');
    return items[Math.floor(this.next() * items.length)];
  }
}

/** A 32-bit avalanche (the murmur3 finaliser), so nearby seeds start far apart. */
function mix32(x: number): number {
  let h = x | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
