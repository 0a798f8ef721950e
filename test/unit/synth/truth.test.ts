import type { Occlusion } from '../../../src/synth/occlusion';
import type { SynthObject, Vec3 } from '../../../src/synth/synth.types';
import { computeTruthRelations, TRUTH_THRESHOLDS, type TruthItem } from '../../../src/synth/truth';
import type { TruthPredicate, TruthStatus, VisibleDepth } from '../../../src/synth/truth.types';

let uid = 0;
function obj(center: Vec3, half: Vec3, supportedBy: number | null = null): SynthObject {
  return { uid: uid++, label: 'box', shape: 'box', center, half, supportedBy, color: [1, 2, 3] };
}
function item(key: string, o: SynthObject, depth?: Partial<VisibleDepth>): TruthItem {
  const near = o.center[2] - o.half[2];
  const far = o.center[2] + o.half[2];
  return {
    key,
    object: o,
    visibleDepth: { min: near, p5: near, p50: (near + far) / 2, p95: far, max: far, ...depth },
  };
}
function noOcclusion(n: number): Occlusion {
  return { n, hidden: new Int32Array(n * n), nearer: new Uint8Array(n * n) };
}

/** Status of one triplet in computeTruthRelations' output. */
function statusOf(
  items: TruthItem[],
  s: string,
  p: TruthPredicate,
  o: string,
  occ = noOcclusion(items.length),
): TruthStatus {
  const { relations, ambiguous } = computeTruthRelations(items, occ);
  const hit = (t: { subject: string; predicate: string; object: string }) =>
    t.subject === s && t.predicate === p && t.object === o;
  if (relations.some(hit)) return 'TRUE';
  if (ambiguous.some(hit)) return 'AMBIGUOUS';
  return 'FALSE';
}

const GROUND_Y = 1.5;
const onGround = (x: number, z: number, half: Vec3) => obj([x, GROUND_Y - half[1], z], half);

describe('in front of / behind', () => {
  it('is TRUE only with a clear gap between full z extents, and FALSE at equal depth or behind', () => {
    const a = item('a', onGround(0, 5, [0.3, 0.3, 0.3]));
    const far = item('far', onGround(2, 8, [0.3, 0.3, 0.3]));
    const close = item('close', onGround(2, 5.65, [0.3, 0.3, 0.3])); // gap 0.05 < 0.1 m
    const level = item('level', onGround(2, 5.02, [0.3, 0.3, 0.3]));
    const items = [a, far, close, level];
    expect(statusOf(items, 'a', 'in front of', 'far')).toBe('TRUE');
    expect(statusOf(items, 'far', 'behind', 'a')).toBe('TRUE');
    expect(statusOf(items, 'far', 'in front of', 'a')).toBe('FALSE');
    expect(statusOf(items, 'a', 'in front of', 'close')).toBe('AMBIGUOUS');
    expect(statusOf(items, 'a', 'in front of', 'level')).toBe('FALSE');
    expect(statusOf(items, 'level', 'in front of', 'a')).toBe('FALSE');
  });

  it('needs a larger gap farther away (2% of depth)', () => {
    const a = item('a', onGround(0, 18, [0.3, 0.3, 0.3]));
    const b = item('b', onGround(2, 18.9, [0.3, 0.3, 0.3])); // gap 0.3 m < 2% of 18.45 m
    expect(statusOf([a, b], 'a', 'in front of', 'b')).toBe('AMBIGUOUS');
  });
});

describe('left of / above', () => {
  it('needs separated extents; a big centre difference with overlap is AMBIGUOUS', () => {
    const a = item('a', onGround(-2, 5, [0.5, 0.5, 0.5]));
    const b = item('b', onGround(0, 5, [0.5, 0.5, 0.5]));
    const wide = item('wide', onGround(1.5, 9, [1.5, 0.5, 0.5])); // x from 0 to 3, overlapping b's
    const items = [a, b, wide];
    expect(statusOf(items, 'a', 'left of', 'b')).toBe('TRUE');
    expect(statusOf(items, 'b', 'right of', 'a')).toBe('TRUE');
    expect(statusOf(items, 'b', 'left of', 'a')).toBe('FALSE');
    expect(statusOf(items, 'b', 'left of', 'wide')).toBe('AMBIGUOUS');
  });

  it('calls a tall object beside a short one neither above nor clearly not above', () => {
    const tall = item('tall', onGround(0, 5, [0.3, 1.0, 0.3]));
    const short = item('short', onGround(2, 5, [0.3, 0.2, 0.3]));
    expect(statusOf([tall, short], 'tall', 'above', 'short')).toBe('AMBIGUOUS');
    expect(statusOf([tall, short], 'short', 'above', 'tall')).toBe('FALSE');
  });
});

describe('on / under', () => {
  it('follows the support relation, with a transitive stack AMBIGUOUS', () => {
    const base = onGround(0, 5, [0.5, 0.5, 0.5]);
    const mid = obj([0, base.center[1] - 0.5 - 0.2, 5], [0.3, 0.2, 0.3], base.uid);
    const top = obj([0, mid.center[1] - 0.2 - 0.1, 5], [0.1, 0.1, 0.1], mid.uid);
    const items = [item('base', base), item('mid', mid), item('top', top)];
    expect(statusOf(items, 'mid', 'on', 'base')).toBe('TRUE');
    expect(statusOf(items, 'base', 'under', 'mid')).toBe('TRUE');
    expect(statusOf(items, 'top', 'on', 'base')).toBe('AMBIGUOUS');
    expect(statusOf(items, 'base', 'on', 'mid')).toBe('FALSE');
    // Resting on counts as above (touching extents).
    expect(statusOf(items, 'mid', 'above', 'base')).toBe('TRUE');
    expect(statusOf(items, 'base', 'below', 'mid')).toBe('TRUE');
  });
});

describe('covers (Algorithm 1 on visible depth)', () => {
  const big = (d: Partial<VisibleDepth>) => item('big', onGround(0, 6, [1, 1, 1]), d);
  const small = (d: Partial<VisibleDepth>) => item('small', onGround(3, 6, [0.2, 0.2, 0.2]), d);

  it('is TRUE when both [min, max] and [p5, p95] strictly enclose, with the margin', () => {
    const items = [
      big({ min: 5, p5: 5.1, p50: 5.5, p95: 6.5, max: 6.6 }),
      small({ min: 5.5, p5: 5.6, p50: 5.7, p95: 5.8, max: 5.9 }),
    ];
    expect(statusOf(items, 'big', 'covers', 'small')).toBe('TRUE');
    expect(statusOf(items, 'small', 'covered by', 'big')).toBe('TRUE');
    expect(statusOf(items, 'small', 'covers', 'big')).toBe('FALSE');
  });

  it('is AMBIGUOUS when an end is within the margin or the two ranges disagree', () => {
    const edge = [
      big({ min: 5, p5: 5.1, p50: 5.5, p95: 6.5, max: 6.6 }),
      small({ min: 5.5, p5: 5.6, p50: 5.7, p95: 5.8, max: 6.58 }),
    ];
    expect(statusOf(edge, 'big', 'covers', 'small')).toBe('AMBIGUOUS');
    const disagree = [
      big({ min: 5, p5: 5.65, p50: 5.7, p95: 6.5, max: 6.6 }),
      small({ min: 5.5, p5: 5.55, p50: 5.7, p95: 5.8, max: 5.9 }),
    ];
    expect(statusOf(disagree, 'big', 'covers', 'small')).toBe('AMBIGUOUS');
  });
});

describe('occludes', () => {
  it('is TRUE from 10 hidden pixels, AMBIGUOUS below or when a third object hides the overlap, else FALSE', () => {
    const items = [
      item('a', onGround(0, 5, [0.3, 0.3, 0.3])),
      item('b', onGround(0.1, 8, [0.3, 0.3, 0.3])),
      item('c', onGround(5, 9, [0.3, 0.3, 0.3])),
    ];
    const occ = noOcclusion(3);
    occ.hidden[0 * 3 + 1] = TRUTH_THRESHOLDS.occludesMinPixels;
    occ.nearer[0 * 3 + 1] = 1;
    occ.hidden[2 * 3 + 1] = 3;
    occ.nearer[2 * 3 + 1] = 1;
    occ.nearer[1 * 3 + 2] = 1; // b before c somewhere, but hidden there by a third object
    expect(statusOf(items, 'a', 'occludes', 'b', occ)).toBe('TRUE');
    expect(statusOf(items, 'c', 'occludes', 'b', occ)).toBe('AMBIGUOUS');
    expect(statusOf(items, 'b', 'occludes', 'c', occ)).toBe('AMBIGUOUS');
    expect(statusOf(items, 'b', 'occludes', 'a', occ)).toBe('FALSE');
  });
});

describe('summary', () => {
  it('counts every ordered pair once per predicate', () => {
    const items = [
      item('a', onGround(0, 5, [0.3, 0.3, 0.3])),
      item('b', onGround(2, 9, [0.3, 0.3, 0.3])),
      item('c', onGround(-2, 12, [0.5, 0.5, 0.5])),
    ];
    const { summary, relations, ambiguous } = computeTruthRelations(items, noOcclusion(3));
    for (const s of Object.values(summary)) expect(s.true + s.false + s.ambiguous).toBe(6);
    const total = Object.values(summary).reduce((n, s) => n + s.true, 0);
    expect(total).toBe(relations.length);
    expect(Object.values(summary).reduce((n, s) => n + s.ambiguous, 0)).toBe(ambiguous.length);
  });
});
