/**
 * mulberry32 with the raw seed as its state: the benchmarks' seeded generator. Kept apart from
 * src/synth's Prng (which mixes its seed first) so recorded benchmark data stays reproducible.
 */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
