import { UserInputError } from '../../../src/errors/errors';
import { createRng } from '../../../src/text/random';

describe('createRng', () => {
  const draw = (seed: number | string) => {
    const rng = createRng(seed);
    return Array.from({ length: 20 }, () => rng.next());
  };

  it('repeats exactly for a seed and differs between seeds', () => {
    expect(draw(42)).toEqual(draw(42));
    expect(draw('room.jpg')).toEqual(draw('room.jpg'));
    expect(draw(42)).not.toEqual(draw(43));
    expect(draw(42)).not.toEqual(draw('42'));
  });

  it('gives independent forks that do not depend on draws from the parent', () => {
    const a = createRng(1);
    const b = createRng(1);
    b.next();
    b.next();
    expect(a.fork('qa').next()).toBe(b.fork('qa').next());
    expect(a.fork('qa').next()).not.toBe(a.fork('conv').next());
  });

  it('draws in range, roughly uniformly', () => {
    const rng = createRng(7);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 4000; i++) counts[rng.int(4)]++;
    for (const c of counts) expect(c).toBeGreaterThan(850);
    const shuffled = rng.shuffle([1, 2, 3, 4, 5]);
    expect([...shuffled].sort()).toEqual([1, 2, 3, 4, 5]);
    expect(rng.sample([1, 2, 3], 5)).toHaveLength(3);
  });

  it('fails on misuse', () => {
    expect(() => createRng(NaN)).toThrow(UserInputError);
    expect(() => createRng(1).pick([])).toThrow(RangeError);
    expect(() => createRng(1).int(0)).toThrow(RangeError);
  });
});
