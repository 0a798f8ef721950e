/**
 * Protocol openpsg (R@K / mR@K, graph constraint, mask or box IoU), on fixtures whose numbers are
 * worked out by hand in the comments. Every image is 100x100.
 */
import { rankPredictions } from '../../../src/eval/openpsg';
import { PSG_PREDICATES } from '../../../src/eval/psgPredicates';
import { renderSceneGraphReport } from '../../../src/eval/renderSceneGraphReport';
import { evaluateSceneGraphs } from '../../../src/eval/sceneGraphEval';
import type { OpenPsgReport } from '../../../src/eval/sceneGraphReport.types';
import type { Mask } from '../../../src/scenegraph/sceneGraph.types';
import { columnsRle, graph, handFixture, rectPolygon, type Obj, type Rel } from './fixtures';

const openpsg = (gt: unknown[], pred: unknown[]) =>
  evaluateSceneGraphs(gt, pred, { protocol: 'openpsg' }) as OpenPsgReport;

const same = (v: number) => ({ 20: v, 50: v, 100: v });
const row = (r: OpenPsgReport, predicate: string) => r.predicates.find((p) => p.predicate === predicate);

/** Objects a, b, c, d and o0..o24 with disjoint boxes; predictions reuse the keys in upper case. */
function objects(upper: boolean): Obj[] {
  const k = (s: string) => (upper ? s.toUpperCase() : s);
  const out: Obj[] = [
    [k('a'), 'person', [0, 0, 10, 10]],
    [k('b'), 'horse', [10, 0, 20, 10]],
    [k('c'), 'dog', [20, 0, 30, 10]],
    [k('d'), 'ball', [30, 0, 40, 10]],
  ];
  for (let i = 0; i < 25; i++) out.push([k(`o${i}`), 'thing', [i * 4, 50, i * 4 + 4, 60]]);
  return out;
}
const gtOf = (relations: Rel[]) => [graph('i.jpg', objects(false), relations)];
const predOf = (relations: Rel[]) => [graph('i.jpg', objects(true), relations)];
/** 20 wrong predictions on 20 distinct pairs (O0..O19 over D), all with the same score. */
const twentyOthers = (score: number): Rel[] =>
  Array.from({ length: 20 }, (_, i): Rel => [`O${i}`, 'over', 'D', score]);

describe('evaluateSceneGraphs, protocol openpsg', () => {
  it('reproduces the hand-computed R@K and mR@K on the shared fixture', () => {
    // After the graph constraint one.jpg keeps riding(A,B) 0.9, beside(A,C) 0.7, behind(C,B) 0.6.
    // Per-image recall: one.jpg 2/4 (person riding horse, person beside dog), two.jpg 1/2 (car on road,
    // IoU exactly 0.5), three.jpg 0 (no prediction). R@K = (0.5 + 0.5 + 0) / 3 at every K.
    // Per predicate: riding 0.5, beside 1, in front of 0, on 0.5, sitting on 0 (one image each).
    // mR@K = (0.5 + 1 + 0 + 0.5 + 0) / 56; over the 5 predicates with GT: 2 / 5.
    const { gt, pred } = handFixture();
    const r = openpsg(gt, pred);
    expect(r.protocol).toBe('openpsg');
    for (const k of [20, 50, 100] as const) {
      expect(r.recall[k]).toBeCloseTo(1 / 3, 12);
      expect(r.meanRecall[k]).toBeCloseTo(2 / 56, 12);
      expect(r.meanRecallWithGt[k]).toBeCloseTo(0.4, 12);
    }
    expect(r.predicatesWithGt).toBe(5);
    expect(row(r, 'riding')).toEqual({
      predicate: 'riding',
      psg: true,
      gt: 2,
      images: 1,
      matched: same(1),
      recall: same(0.5),
    });
    expect(row(r, 'sitting on')).toMatchObject({ gt: 1, images: 1, recall: same(0) });
    expect(row(r, 'holding')).toMatchObject({ gt: 0, images: 0, recall: { 20: null, 50: null, 100: null } });
    expect(r.triplets).toEqual({ gt: 7, predicted: 5, afterGraphConstraint: 4 });
    expect(r.predicates.slice(0, 56).map((p) => p.predicate)).toEqual([...PSG_PREDICATES]);
    expect(r.images.predictionsNotInGt).toBe(1);
    expect(r.notes.join('\n')).toContain('51 of them have no GT here and count as 0');
  });

  it('averages recall per image, and each predicate over the images where it occurs (not pooled)', () => {
    // Image p: 1 GT "on", recalled -> 1. Image q: 3 GT "on", none recalled -> 0.
    // R@K = (1 + 0) / 2 = 0.5 (pooled would be 1/4); row "on" = (1 + 0) / 2 = 0.5 (pooled 1/4).
    const objs: Obj[] = [
      ['a', 'cup', [0, 0, 10, 10]],
      ['b', 'table', [0, 50, 100, 100]],
      ['c', 'plate', [20, 0, 30, 10]],
      ['e', 'fork', [40, 0, 50, 10]],
    ];
    const gt = [
      graph('p.jpg', objs, [['a', 'on', 'b']]),
      graph('q.jpg', objs, [
        ['a', 'on', 'b'],
        ['c', 'on', 'b'],
        ['e', 'on', 'b'],
      ]),
    ];
    const pred = [graph('p.jpg', objs, [['a', 'on', 'b', 1]]), graph('q.jpg', objs, [])];
    const r = openpsg(gt, pred);
    expect(r.recall).toEqual(same(0.5));
    expect(row(r, 'on')).toMatchObject({ gt: 4, images: 2, matched: same(1), recall: same(0.5) });
    expect(r.meanRecall[20]).toBeCloseTo(0.5 / 56, 12);
  });

  it('counts GT images without a prediction, or with an empty one, as recall 0', () => {
    const objs: Obj[] = [
      ['a', 'cup', [0, 0, 10, 10]],
      ['b', 'table', [0, 50, 100, 100]],
    ];
    const gt = [
      graph('p.jpg', objs, [['a', 'on', 'b']]),
      graph('q.jpg', objs, [['a', 'on', 'b']]),
      graph('s.jpg', objs, [['a', 'on', 'b']]),
    ];
    const pred = [graph('p.jpg', objs, [['a', 'on', 'b', 1]]), graph('q.jpg', objs, [])];
    const r = openpsg(gt, pred);
    expect(r.recall[100]).toBeCloseTo(1 / 3, 12);
    expect(r.images).toMatchObject({ gt: 3, matched: 2, gtWithoutPrediction: 1 });
  });

  it('ignores GT images without relations in the average', () => {
    const objs: Obj[] = [
      ['a', 'cup', [0, 0, 10, 10]],
      ['b', 'table', [0, 50, 100, 100]],
    ];
    const r = openpsg(
      [graph('p.jpg', objs, [['a', 'on', 'b']]), graph('empty.jpg', objs, [])],
      [graph('p.jpg', objs, [['a', 'on', 'b']])],
    );
    expect(r.recall).toEqual(same(1));
    expect(r.images).toMatchObject({ gt: 2, gtWithTriplets: 1, gtWithoutPrediction: 0 });
  });

  describe('graph constraint', () => {
    it('applies before the cut at K: 25 predicates on one pair take one slot', () => {
      // 25 PSG predicates on (A, B) scored 0.99..0.75, then the right triplet at 0.1. Without the
      // constraint it would be 26th (outside the top 20); with it, second.
      const onePair = PSG_PREDICATES.slice(20, 45).map((p, i): Rel => ['A', p, 'B', 0.99 - i * 0.01]);
      const r = openpsg(
        gtOf([['c', 'playing with', 'd']]),
        predOf([...onePair, ['C', 'playing with', 'D', 0.1]]),
      );
      expect(r.recall).toEqual(same(1));
      expect(r.triplets.afterGraphConstraint).toBe(2);
    });

    it('keeps only the highest-scoring predicate of a pair, so a lower right one is lost', () => {
      const gt = gtOf([['a', 'riding', 'b']]);
      const pred = predOf([
        ['A', 'holding', 'B', 0.9],
        ['A', 'riding', 'B', 0.8],
      ]);
      expect(openpsg(gt, pred).recall).toEqual(same(0));
      // asmv2 takes every predicted triplet:
      expect(evaluateSceneGraphs(gt, pred, { protocol: 'asmv2' })).toMatchObject({ recall: 1 });
    });

    it('keeps the first in file order when a pair has two predicates with the same score', () => {
      const gt = gtOf([['a', 'riding', 'b']]);
      const first = predOf([
        ['A', 'riding', 'B', 0.8],
        ['A', 'holding', 'B', 0.8],
      ]);
      const second = predOf([
        ['A', 'holding', 'B', 0.8],
        ['A', 'riding', 'B', 0.8],
      ]);
      expect(openpsg(gt, first).recall).toEqual(same(1));
      expect(openpsg(gt, second).recall).toEqual(same(0));
    });

    it('treats the two directions of a pair as different pairs', () => {
      const gt = gtOf([['a', 'riding', 'b']]);
      const pred = predOf([
        ['B', 'carrying', 'A', 0.9],
        ['A', 'riding', 'B', 0.5],
      ]);
      expect(openpsg(gt, pred).recall).toEqual(same(1));
    });

    it('collapses duplicate predictions of one triplet into one slot', () => {
      const dups = Array.from({ length: 25 }, (): Rel => ['A', 'riding', 'B', 0.9]);
      const r = openpsg(
        gtOf([['c', 'playing with', 'd']]),
        predOf([...dups, ['C', 'playing with', 'D', 0.1]]),
      );
      expect(r.recall).toEqual(same(1));
      expect(r.triplets).toMatchObject({ predicted: 26, afterGraphConstraint: 2 });
    });
  });

  describe('ranking at K', () => {
    const gt = gtOf([['c', 'playing with', 'd']]);
    it('breaks score ties by file order: the right triplet 21st of 21 equal scores is outside R@20', () => {
      const r = openpsg(gt, predOf([...twentyOthers(0.5), ['C', 'playing with', 'D', 0.5]]));
      expect(r.recall).toEqual({ 20: 0, 50: 1, 100: 1 });
      expect(row(r, 'playing with')?.matched).toEqual({ 20: 0, 50: 1, 100: 1 });
    });
    it('and first of 21 equal scores is inside', () => {
      expect(openpsg(gt, predOf([['C', 'playing with', 'D', 0.5], ...twentyOthers(0.5)])).recall).toEqual(
        same(1),
      );
    });
    it('sorts by score before file order', () => {
      expect(openpsg(gt, predOf([...twentyOthers(0.5), ['C', 'playing with', 'D', 0.51]])).recall).toEqual(
        same(1),
      );
    });
    it('ranks relations without a score as 0, after the scored ones', () => {
      const unscored: Rel = ['C', 'playing with', 'D'];
      expect(openpsg(gt, predOf([unscored, ...twentyOthers(0.01)])).recall).toEqual({ 20: 0, 50: 1, 100: 1 });
    });
    it('never looks past the 100th prediction', () => {
      const many = Array.from({ length: 100 }, (_, i): Rel => [
        `O${i % 25}`,
        PSG_PREDICATES[0],
        i < 25 ? 'D' : i < 50 ? 'A' : i < 75 ? 'B' : 'C',
        0.9,
      ]);
      const r = openpsg(gt, predOf([...many, ['C', 'playing with', 'D', 0.1]]));
      expect(r.triplets.afterGraphConstraint).toBe(101);
      expect(r.recall).toEqual(same(0));
      expect(rankPredictions(graphTriplets(many.length + 1)).ranked).toHaveLength(100);
    });
  });

  describe('mask IoU when both objects have masks, else box IoU', () => {
    // GT person: box = the whole image, mask = the left half (columns 0-49, 5000 px).
    const gtWith = (mask?: Mask) => [
      graph(
        'i.jpg',
        [
          ['p', 'person', [0, 0, 100, 100], mask],
          ['s', 'sky', [0, 0, 100, 10]],
        ],
        [['p', 'in front of', 's']],
      ),
    ];
    const predWith = (mask?: Mask) => [
      graph(
        'i.jpg',
        [
          ['P', 'person', [0, 0, 100, 100], mask],
          ['S', 'sky', [0, 0, 100, 10]],
        ],
        [['P', 'in front of', 'S', 1]],
      ),
    ];
    const left = rectPolygon(0, 0, 50, 100);
    it.each([
      ['the same pixels as RLE (mask IoU 1)', left, columnsRle(0, 50), 1, 1],
      ['the right half (mask IoU 0, box IoU 1)', left, columnsRle(50, 100), 0, 1],
      ['columns 0-24 (mask IoU 2500/5000, exactly 0.5)', left, columnsRle(0, 25), 1, 1],
      ['columns 0-24 less one pixel (2499/5000)', left, { size: [100, 100], counts: [1, 2499, 7500] }, 0, 1],
      ['no mask: box IoU 1', left, undefined, 1, 0],
      ['a mask, but none in the GT: box IoU 1', undefined, columnsRle(50, 100), 1, 0],
    ] as const)('prediction with %s', (_name, gtMask, predMask, recall, maskComparisons) => {
      const r = openpsg(gtWith(gtMask as Mask | undefined), predWith(predMask as Mask | undefined));
      expect(r.recall).toEqual(same(recall));
      expect(r.comparisons.mask).toBe(maskComparisons);
    });
  });

  it('keeps GT predicates outside PSG in R@K and the mean over predicates with GT, not in mR@K', () => {
    const gt = gtOf([
      ['a', 'left of', 'b'],
      ['a', 'on', 'c'],
    ]);
    const pred = predOf([
      ['A', 'left of', 'B', 1],
      ['A', 'on', 'C', 1],
    ]);
    const r = openpsg(gt, pred);
    expect(r.recall).toEqual(same(1));
    expect(r.meanRecall[50]).toBeCloseTo(1 / 56, 12);
    expect(r.meanRecallWithGt).toEqual(same(1));
    expect(row(r, 'left of')).toMatchObject({ psg: false, gt: 1, recall: same(1) });
    expect(r.predicates).toHaveLength(57);
    expect(r.notes.join('\n')).toContain('1 GT predicates are not PSG classes (left of)');
  });

  it('lists predicted predicates absent from the GT', () => {
    const r = openpsg(
      gtOf([['a', 'on', 'b']]),
      predOf([
        ['A', 'on', 'B', 1],
        ['C', 'holding', 'D', 1],
      ]),
    );
    expect(r.predictedNotInGt).toEqual([{ predicate: 'holding', predicted: 1 }]);
  });

  it('keeps panoptic classes apart (unlike asmv2)', () => {
    const gt = [
      graph(
        'i.jpg',
        [
          ['a', 'person', [0, 0, 50, 50]],
          ['w', 'wall-brick', [50, 0, 100, 100]],
        ],
        [['a', 'in front of', 'w']],
      ),
    ];
    const pred = [
      graph(
        'i.jpg',
        [
          ['A', 'person', [0, 0, 50, 50]],
          ['W', 'wall', [50, 0, 100, 100]],
        ],
        [['A', 'in front of', 'W', 1]],
      ),
    ];
    expect(openpsg(gt, pred).recall).toEqual(same(0));
    expect(evaluateSceneGraphs(gt, pred, { protocol: 'asmv2' })).toMatchObject({ recall: 1 });
  });

  it('renders R@K and both mean recalls', () => {
    const { gt, pred } = handFixture();
    const text = renderSceneGraphReport(openpsg(gt, pred));
    expect(text).toContain('protocol openpsg');
    expect(text).toMatch(/^R\s+33\.33\s+33\.33\s+33\.33$/m);
    expect(text).toMatch(/^mR \(56 PSG predicates\)\s+3\.57\s+3\.57\s+3\.57$/m);
    expect(text).toMatch(/^mR \(5 predicates with GT\)\s+40\.00/m);
    expect(text).toContain('(51 PSG predicates without GT not shown; each counts 0 in mR@K)');
  });
});

/** n triplets on distinct pairs, for rankPredictions directly. */
function graphTriplets(n: number) {
  return Array.from({ length: n }, (_, i) => ({
    index: i,
    subject: { key: `s${i}`, index: 0, label: 'x', box: [0, 0, 1, 1] as [number, number, number, number] },
    predicate: 'on',
    object: { key: 'o', index: 1, label: 'y', box: [0, 0, 1, 1] as [number, number, number, number] },
    score: 1,
  }));
}
