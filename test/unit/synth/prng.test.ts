import { Prng } from '../../../src/synth/prng';

describe('Prng', () => {
  it('repeats its sequence for a seed and differs between neighbouring seeds', () => {
    const seq = (seed: number) =>
      Array.from(
        { length: 8 },
        (
          (r) => () =>
            r.next()
        )(new Prng(seed)),
      );
    expect(seq(42)).toEqual(seq(42));
    expect(seq(42)).not.toEqual(seq(43));
    expect(seq(2 ** 40)).not.toEqual(seq(0)); // the high half of the seed counts
    expect(seq(-1)).not.toEqual(seq(2 ** 32 - 1));
  });

  it('stays in range and is roughly uniform', () => {
    const r = new Prng(7);
    const bins = new Array(10).fill(0);
    for (let i = 0; i < 20000; i++) {
      const x = r.next();
      expect(x >= 0 && x < 1).toBe(true);
      bins[Math.floor(x * 10)]++;
    }
    for (const b of bins) expect(Math.abs(b - 2000)).toBeLessThan(200);
    for (let i = 0; i < 1000; i++) {
      const k = r.int(3, 5);
      expect([3, 4, 5]).toContain(k);
    }
    expect(() => r.pick([])).toThrow(/empty/);
  });
});
