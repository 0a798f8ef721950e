import sharp from 'sharp';
import { UserInputError } from '../../../src/errors/errors';
import { decodeCocoRle } from '../../../src/io/cocoRle';
import type { CocoRle } from '../../../src/scenegraph/sceneGraph.types';
import {
  generateScene,
  renderSynthScene,
  SYNTH_SCENARIOS,
  type SynthScene,
} from '../../../src/synth/generateScene';
import type { SynthTruth, TruthPredicate } from '../../../src/synth/truth.types';

const W = 640;
const H = 480;

let crowded: SynthScene;
let crowdedMs: number;
beforeAll(async () => {
  await generateScene({ seed: 99, objects: 5 }); // warm the JIT before timing
  const t0 = performance.now();
  crowded = await generateScene({ seed: 2024, objects: 100 });
  crowdedMs = performance.now() - t0;
});

function masksOf(scene: SynthScene): Uint8Array[] {
  return scene.scene.objects.map((o) => decodeCocoRle(o.mask as CocoRle));
}

function statusOf(
  truth: SynthTruth,
  s: string,
  p: TruthPredicate,
  o: string,
): 'TRUE' | 'AMBIGUOUS' | 'FALSE' {
  const same = (t: { subject: string; predicate: string; object: string }) =>
    t.subject === s && t.predicate === p && t.object === o;
  if (truth.relations.some(same)) return 'TRUE';
  if (truth.ambiguous.some(same)) return 'AMBIGUOUS';
  return 'FALSE';
}

describe('generateScene: counts and options', () => {
  it.each([
    [1, 2],
    [2, 7],
    [3, 25],
    [4, 60],
  ])('seed %i gives exactly %i listed objects', (seed, k) => {
    const r = renderSynthScene({ seed, objects: k });
    expect(r.objects).toHaveLength(k);
    expect(r.truth.objects.map((o) => o.key)).toEqual(r.objects.map((o) => o.key));
    expect(new Set(r.objects.map((o) => o.key)).size).toBe(k);
  });

  it('lists 100 objects in a 640x480 scene well under a second', () => {
    expect(crowded.scene.objects).toHaveLength(100);
    expect(crowdedMs).toBeLessThan(1000);
  });

  it.each([
    [{ seed: 1, objects: 0 }, /^objects: must be an integer from 1 to 100, got 0/],
    [{ seed: 1, objects: 101 }, /^objects: /],
    [{ seed: 1, objects: 2.5 }, /^objects: /],
    [{ seed: 1.5, objects: 3 }, /^seed: must be a safe integer/],
    [{ seed: NaN, objects: 3 }, /^seed: /],
    [{ seed: 1, objects: 3, width: 8 }, /^width: must be an integer from 32 to 4096/],
    [{ seed: 1, objects: 3, height: 5000 }, /^height: /],
    [{ seed: 1, objects: 3, minVisiblePixels: 0 }, /^minVisiblePixels: /],
  ])('rejects %j', (options, why) => {
    expect(() => renderSynthScene(options)).toThrow(why);
  });

  it('fails with a UserInputError, not fewer objects, when the objects cannot all be seen', () => {
    let error: unknown;
    try {
      renderSynthScene({ seed: 1, objects: 100, width: 48, height: 36 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UserInputError);
    expect((error as Error).message).toMatch(
      /could not fit 100 objects with >= 30 visible pixels each into 48x36/,
    );
  });

  it('fills scene.json the way the pipeline expects', () => {
    const s = crowded.scene;
    expect(s.version).toBe(1);
    expect(s.image).toMatchObject({ uri: 'image.png', width: W, height: H });
    expect(s.image.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(s.depth).toEqual({ uri: 'depth.npy', unit: 'meters' });
    expect(s.intrinsics).toEqual({
      fx: expect.closeTo(554.256, 3),
      fy: expect.closeTo(554.256, 3),
      cx: 320,
      cy: 240,
      source: 'GIVEN',
    });
    expect(s.relations).toBeUndefined();
    for (const o of s.objects) {
      expect(o.score).toBe(1);
      expect(Object.keys(o).sort()).toEqual(['box', 'key', 'label', 'mask', 'score']);
    }
  });
});

describe('generateScene: masks, boxes and depth', () => {
  // Per-pixel checks count failures and assert once: an expect() per pixel would take seconds.
  it('gives boxes inside the frame and tight to their masks, masks disjoint and >= 30 pixels', () => {
    const owner = new Int32Array(W * H).fill(-1);
    let shared = 0;
    masksOf(crowded).forEach((mask, i) => {
      let [x1, y1, x2, y2] = [W, H, -1, -1];
      let n = 0;
      for (let p = 0; p < mask.length; p++) {
        if (!mask[p]) continue;
        if (owner[p] !== -1) shared++;
        owner[p] = i;
        n++;
        const x = p % W;
        const y = (p - x) / W;
        if (x < x1) x1 = x;
        if (x > x2) x2 = x;
        if (y < y1) y1 = y;
        if (y > y2) y2 = y;
      }
      const { box } = crowded.scene.objects[i];
      expect(box).toEqual([x1, y1, x2 + 1, y2 + 1]);
      expect(box[0]).toBeGreaterThanOrEqual(0);
      expect(box[1]).toBeGreaterThanOrEqual(0);
      expect(box[2]).toBeLessThanOrEqual(W);
      expect(box[3]).toBeLessThanOrEqual(H);
      expect(n).toBe(crowded.truth.objects[i].visiblePixels);
      expect(n).toBeGreaterThanOrEqual(30);
    });
    expect(shared).toBe(0);
  });

  it('stores at mask pixels a depth within the object true z extent, the ground elsewhere, 0 for sky', () => {
    const depth = crowded.depth.data;
    const fy = crowded.truth.camera.fy;
    const covered = new Uint8Array(W * H);
    const bad: string[] = [];
    masksOf(crowded).forEach((mask, i) => {
      const { key, zRange, visibleDepth } = crowded.truth.objects[i];
      const lo = Math.max(zRange[0], visibleDepth.min) - 1e-5;
      const hi = Math.min(zRange[1], visibleDepth.max) + 1e-5;
      for (let p = 0; p < mask.length; p++) {
        if (!mask[p]) continue;
        covered[p] = 1;
        if (!(depth[p] >= lo && depth[p] <= hi))
          bad.push(`${key} at ${p}: ${depth[p]} not in [${lo}, ${hi}]`);
      }
    });
    for (let p = 0; p < W * H; p++) {
      if (covered[p]) continue;
      const b = ((p - (p % W)) / W + 0.5 - 240) / fy;
      const expected = b > 0 ? 1.5 / b : 0;
      if (Math.abs(depth[p] - expected) > 1e-6 * expected)
        bad.push(`background at ${p}: ${depth[p]}, expected ${expected}`);
    }
    expect(bad.slice(0, 5)).toEqual([]);
  });

  it('encodes the RGB it returns, with sky, ground and objects told apart', async () => {
    const { data, info } = await sharp(crowded.image).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, info.channels]).toEqual([W, H, 3]);
    expect(
      Buffer.compare(data, Buffer.from(crowded.rgb.buffer, crowded.rgb.byteOffset, crowded.rgb.length)),
    ).toBe(0);
    const depth = crowded.depth.data;
    let sky = 0;
    let notBlue = 0;
    for (let p = 0; p < W * H; p++) {
      if (depth[p] !== 0) continue;
      sky++;
      if (crowded.rgb[p * 3 + 2] <= crowded.rgb[p * 3] + 20) notBlue++;
    }
    expect(notBlue).toBe(0);
    expect(sky).toBeGreaterThan(1000);
  });
});

describe('generateScene: 3D layout and truth', () => {
  it('places no two objects inside each other', () => {
    const objs = crowded.truth.objects;
    for (let i = 0; i < objs.length; i++) {
      for (let j = i + 1; j < objs.length; j++) {
        const overlap = [0, 1, 2].map(
          (k) =>
            Math.min(objs[i].center[k] + objs[i].size[k] / 2, objs[j].center[k] + objs[j].size[k] / 2) -
            Math.max(objs[i].center[k] - objs[i].size[k] / 2, objs[j].center[k] - objs[j].size[k] / 2),
        );
        expect(Math.min(...overlap)).toBeLessThanOrEqual(1e-5);
      }
    }
  });

  it('puts every object on the ground or on another object, at 3..20 m', () => {
    const byKey = new Map(crowded.truth.objects.map((o) => [o.key, o]));
    for (const o of crowded.truth.objects) {
      const bottom = o.center[1] + o.size[1] / 2;
      if (o.restsOn === 'ground') {
        expect(bottom).toBeCloseTo(1.5, 5);
        expect(o.zRange[0]).toBeGreaterThanOrEqual(3);
        expect(o.zRange[1]).toBeLessThanOrEqual(20);
      } else {
        const base = byKey.get(o.restsOn);
        expect(base).toBeDefined();
        expect(bottom).toBeCloseTo(base!.center[1] - base!.size[1] / 2, 5);
      }
    }
  });

  it('asserts "on" exactly for stacked objects, with under and above to match', () => {
    const stacked = crowded.truth.objects.filter((o) => o.restsOn !== 'ground');
    expect(stacked.length).toBeGreaterThan(5);
    for (const o of stacked) {
      expect(statusOf(crowded.truth, o.key, 'on', o.restsOn)).toBe('TRUE');
      expect(statusOf(crowded.truth, o.restsOn, 'under', o.key)).toBe('TRUE');
      expect(statusOf(crowded.truth, o.key, 'above', o.restsOn)).toBe('TRUE');
    }
    const on = crowded.truth.relations.filter((r) => r.predicate === 'on');
    expect(on).toHaveLength(stacked.length);
  });

  it('states every inverse predicate the same way, and never both directions of a relation', () => {
    const t = crowded.truth;
    const key = (s: string, p: string, o: string) => `${s}|${p}|${o}`;
    const trueSet = new Set(t.relations.map((r) => key(r.subject, r.predicate, r.object)));
    const ambiguousSet = new Set(t.ambiguous.map((r) => key(r.subject, r.predicate, r.object)));
    const inverses: [TruthPredicate, TruthPredicate][] = [
      ['in front of', 'behind'],
      ['left of', 'right of'],
      ['above', 'below'],
      ['on', 'under'],
      ['covers', 'covered by'],
    ];
    const bad: string[] = [];
    for (const [p, q] of inverses) {
      expect(t.summary[p]).toEqual(t.summary[q]);
      for (const r of t.relations.filter((x) => x.predicate === p)) {
        if (!trueSet.has(key(r.object, q, r.subject))) bad.push(`no ${key(r.object, q, r.subject)}`);
        if (trueSet.has(key(r.object, p, r.subject))) bad.push(`both ways: ${key(r.subject, p, r.object)}`);
      }
      for (const r of t.ambiguous.filter((x) => x.predicate === p)) {
        if (!ambiguousSet.has(key(r.object, q, r.subject)))
          bad.push(`not ambiguous: ${key(r.object, q, r.subject)}`);
      }
    }
    expect(bad.slice(0, 5)).toEqual([]);
  });

  it('has covers facts that satisfy Algorithm 1 on the visible depth ranges', () => {
    const byKey = new Map(crowded.truth.objects.map((o) => [o.key, o]));
    for (const r of crowded.truth.relations.filter((x) => x.predicate === 'covers')) {
      const a = byKey.get(r.subject)!.visibleDepth;
      const b = byKey.get(r.object)!.visibleDepth;
      expect(a.min < b.min && a.max > b.max).toBe(true);
      expect(a.p5 < b.p5 && a.p95 > b.p95).toBe(true);
    }
  });

  it('only lets an object occlude one that it is not behind', () => {
    const occludes = crowded.truth.relations.filter((r) => r.predicate === 'occludes');
    expect(occludes.length).toBeGreaterThan(10);
    const byKey = new Map(crowded.truth.objects.map((o) => [o.key, o]));
    for (const r of occludes) {
      expect(statusOf(crowded.truth, r.subject, 'behind', r.object)).not.toBe('TRUE');
      expect(byKey.get(r.subject)!.zRange[0]).toBeLessThan(byKey.get(r.object)!.zRange[1]);
    }
  });

  it('makes every predicate of the list occur in a crowded scene', () => {
    for (const p of crowded.truth.predicates) expect(crowded.truth.summary[p].true).toBeGreaterThan(0);
  });
});

describe('generateScene: scenarios', () => {
  it('leaves the standard world as it is without a scenario, or with an empty one', () => {
    const plain = renderSynthScene({ seed: 31, objects: 12 });
    const empty = renderSynthScene({ seed: 31, objects: 12, scenario: {} });
    expect(JSON.stringify(empty.truth)).toBe(JSON.stringify(plain.truth));
    expect(Buffer.from(empty.depth.data.buffer).equals(Buffer.from(plain.depth.data.buffer))).toBe(true);
    expect(plain.truth.generator.scenario).toBeUndefined();
  });

  it('puts a wall behind every object instead of the sky, and records it', async () => {
    const s = await generateScene({ seed: 8, objects: 15, scenario: SYNTH_SCENARIOS.wall });
    const wallZ = s.truth.generator.wallZ!;
    expect(wallZ).toBeGreaterThanOrEqual(10);
    expect(wallZ).toBeLessThanOrEqual(21);
    expect(s.truth.generator.scenario).toEqual(SYNTH_SCENARIOS.wall);
    expect(s.scene.provenance).toMatchObject({ scenario: SYNTH_SCENARIOS.wall, wallZ });
    // No sky: every pixel has depth, and none is beyond the wall.
    let atWall = 0;
    let nearest = Infinity;
    let farthest = 0;
    for (const z of s.depth.data) {
      nearest = Math.min(nearest, z);
      farthest = Math.max(farthest, z);
      if (Math.abs(z - wallZ) < 1e-4) atWall++;
    }
    expect(nearest).toBeGreaterThan(0);
    expect(farthest).toBeLessThanOrEqual(wallZ + 1e-4);
    expect(atWall).toBeGreaterThan(0);
    // Ground objects end 5 cm in front of it (and within the standard 20 m), and some stand right there.
    const back = Math.min(20, wallZ - 0.05);
    for (const o of s.truth.objects) expect(o.zRange[1]).toBeLessThanOrEqual(back + 1e-6);
    const against = s.truth.objects.filter(
      (o) => o.restsOn === 'ground' && Math.abs(o.zRange[1] - back) < 2e-6,
    );
    expect(against.length).toBeGreaterThan(0);
    // Same seed and scenario, same scene.
    const again = await generateScene({ seed: 8, objects: 15, scenario: SYNTH_SCENARIOS.wall });
    expect(again.image.equals(s.image)).toBe(true);
  });

  it('hides more of the objects with heavy occlusion', () => {
    const occluded = (scenario: object | undefined) => {
      let hidden = 0;
      for (let seed = 1; seed <= 8; seed++) {
        const r = renderSynthScene({ seed, objects: 20, ...(scenario ? { scenario } : {}) });
        hidden += r.truth.summary.occludes.true;
      }
      return hidden;
    };
    expect(occluded(SYNTH_SCENARIOS['heavy-occlusion'])).toBeGreaterThan(occluded(undefined));
  });

  it('shows sky without a wall, and none with one', () => {
    const sky = (scenario?: object) => {
      const r = renderSynthScene({ seed: 4, objects: 3, ...(scenario ? { scenario } : {}) });
      return r.depth.data.filter((z) => z === 0).length; // depth 0 is sky
    };
    expect(sky()).toBeGreaterThan(0);
    expect(sky(SYNTH_SCENARIOS.wall)).toBe(0);
  });

  it.each([
    [{ behindChance: 1.5 }, /^scenario\.behindChance: must be a number from 0 to 1/],
    [{ behindGapM: -1 }, /^scenario\.behindGapM: /],
    [{ wall: { nearM: 2, farM: 10 } }, /^scenario\.wall: needs 5 <= nearM <= farM <= 1000/],
    [{ wall: { nearM: 12, farM: 10 } }, /^scenario\.wall: /],
    [{ wall: { nearM: 10, farM: 12, againstChance: 2 } }, /^scenario\.wall\.againstChance: /],
  ])('rejects scenario %j', (scenario, why) => {
    expect(() => renderSynthScene({ seed: 1, objects: 3, scenario })).toThrow(why);
  });
});
