/**
 * Protocol asmv2, on fixtures whose numbers are worked out by hand in the comments. Every image is
 * 100x100.
 */
import { evaluateSceneGraphs } from '../../../src/eval/sceneGraphEval';
import type { Asmv2Report } from '../../../src/eval/sceneGraphReport.types';
import { renderSceneGraphReport } from '../../../src/eval/renderSceneGraphReport';
import { columnsRle, graph, handFixture, rectPolygon } from './fixtures';

const asmv2 = (gt: unknown[], pred: unknown[]) =>
  evaluateSceneGraphs(gt, pred, { protocol: 'asmv2' }) as Asmv2Report;

describe('evaluateSceneGraphs, protocol asmv2', () => {
  it('reproduces the hand-computed Recall and mean Recall', () => {
    const { gt, pred } = handFixture();
    const r = asmv2(gt, pred);
    expect(r.protocol).toBe('asmv2');
    expect(r.recall).toBeCloseTo(3 / 7, 12);
    expect(r.meanRecall).toBeCloseTo(0.4, 12);
    expect(r.predicates).toEqual([
      { predicate: 'on', gt: 2, matched: 1, recall: 0.5 },
      { predicate: 'riding', gt: 2, matched: 1, recall: 0.5 },
      { predicate: 'beside', gt: 1, matched: 1, recall: 1 },
      { predicate: 'in front of', gt: 1, matched: 0, recall: 0 },
      { predicate: 'sitting on', gt: 1, matched: 0, recall: 0 },
    ]);
    expect(r.triplets).toEqual({ gt: 7, predicted: 5 });
    expect(r.images).toEqual({
      gt: 3,
      gtWithTriplets: 3,
      predictions: 3,
      matched: 2,
      gtWithoutPrediction: 1,
      predictionsNotInGt: 1,
    });
    // "behind" was predicted but never occurs in the GT: reported, and outside mean Recall.
    expect(r.predictedNotInGt).toEqual([{ predicate: 'behind', predicted: 1 }]);
  });

  it('counts a GT image without a prediction as all missed (its predicate stays in mean Recall)', () => {
    const { gt, pred } = handFixture();
    const withThree = [
      ...pred,
      graph(
        'three.jpg',
        [
          ['m', 'person', [0, 0, 50, 50]],
          ['n', 'bench', [0, 50, 100, 100]],
        ],
        [['m', 'sitting on', 'n']],
      ),
    ];
    const r = asmv2(gt, withThree);
    expect(r.recall).toBeCloseTo(4 / 7, 12);
    expect(r.meanRecall).toBeCloseTo((0.5 + 1 + 0 + 0.5 + 1) / 5, 12);
    expect(r.images.gtWithoutPrediction).toBe(0);
  });

  it('does not let duplicate predictions recall a GT triplet twice', () => {
    const gt = [
      graph(
        'i.jpg',
        [
          ['a', 'person', [0, 0, 50, 50]],
          ['b', 'horse', [50, 50, 100, 100]],
        ],
        [['a', 'riding', 'b']],
      ),
    ];
    const pred = [
      graph(
        'i.jpg',
        [
          ['A', 'person', [0, 0, 50, 50]],
          ['A2', 'person', [0, 0, 50, 50]],
          ['B', 'horse', [50, 50, 100, 100]],
        ],
        [
          ['A', 'riding', 'B'],
          ['A', 'riding', 'B'],
          ['A2', 'riding', 'B'],
        ],
      ),
    ];
    const r = asmv2(gt, pred);
    expect(r.predicates).toEqual([{ predicate: 'riding', gt: 1, matched: 1, recall: 1 }]);
    expect(r.recall).toBe(1);
  });

  it('lets one prediction recall two GT triplets on overlapping objects, as the reference code does', () => {
    // Two GT people with the same box: one predicted triplet matches both GT triplets.
    const gt = [
      graph(
        'i.jpg',
        [
          ['a1', 'person', [0, 0, 50, 50]],
          ['a2', 'person', [0, 0, 50, 50]],
          ['b', 'horse', [50, 50, 100, 100]],
        ],
        [
          ['a1', 'riding', 'b'],
          ['a2', 'riding', 'b'],
        ],
      ),
    ];
    const pred = [
      graph(
        'i.jpg',
        [
          ['A', 'person', [0, 0, 50, 50]],
          ['B', 'horse', [50, 50, 100, 100]],
        ],
        [['A', 'riding', 'B']],
      ),
    ];
    expect(asmv2(gt, pred).recall).toBe(1);
  });

  describe('IoU threshold (inclusive)', () => {
    const gt = [
      graph(
        'i.jpg',
        [
          ['a', 'cup', [0, 0, 40, 10]],
          ['b', 'table', [0, 50, 100, 100]],
        ],
        [['a', 'on', 'b']],
      ),
    ];
    const predWith = (
      cupBox: [number, number, number, number],
      tableBox: [number, number, number, number] = [0, 50, 100, 100],
    ) => [
      graph(
        'i.jpg',
        [
          ['A', 'cup', cupBox],
          ['B', 'table', tableBox],
        ],
        [['A', 'on', 'B']],
      ),
    ];
    it('matches at IoU exactly 0.5 (400 / 800)', () => {
      expect(asmv2(gt, predWith([0, 0, 80, 10])).recall).toBe(1);
    });
    it('does not match just below (400 / 801)', () => {
      expect(asmv2(gt, predWith([0, 0, 80.1, 10])).recall).toBe(0);
    });
    it('needs both boxes: a good subject with an object box at IoU 0.25 is no match', () => {
      // table [0,50,100,100] (5000) vs [0,75,100,100] (2500): IoU 2500 / 5000 = 0.5 -> match;
      // vs [0,87.5,100,100] (1250): 1250 / 5000 = 0.25 -> no match.
      expect(asmv2(gt, predWith([0, 0, 40, 10], [0, 75, 100, 100])).recall).toBe(1);
      expect(asmv2(gt, predWith([0, 0, 40, 10], [0, 87.5, 100, 100])).recall).toBe(0);
    });
  });

  it('compares boxes only, even when both sides have masks', () => {
    // Same boxes (IoU 1), disjoint masks (IoU 0): asmv2 matches (openpsg would not; see openpsg.test.ts).
    const gt = [
      graph(
        'i.jpg',
        [
          ['a', 'person', [0, 0, 100, 100], rectPolygon(0, 0, 50, 100)],
          ['b', 'sky', [0, 0, 100, 20]],
        ],
        [['a', 'in front of', 'b']],
      ),
    ];
    const pred = [
      graph(
        'i.jpg',
        [
          ['A', 'person', [0, 0, 100, 100], columnsRle(50, 100)],
          ['B', 'sky', [0, 0, 100, 20]],
        ],
        [['A', 'in front of', 'B']],
      ),
    ];
    expect(asmv2(gt, pred).recall).toBe(1);
  });

  it('normalises labels (plurals, synonyms, panoptic stuff names) and predicates (aliases, spelling)', () => {
    const gt = [
      graph(
        'i.jpg',
        [
          ['a', 'person', [0, 0, 50, 50]],
          ['b', 'tree-merged', [50, 0, 100, 50]],
          ['c', 'dining table', [0, 50, 100, 100]],
        ],
        [
          ['a', 'in front of', 'b'],
          ['a', 'beside', 'c'],
          ['c', 'on', 'b'],
        ],
      ),
    ];
    const pred = [
      graph(
        'i.jpg',
        [
          ['A', 'Men', [0, 0, 50, 50]],
          ['B', 'trees', [50, 0, 100, 50]],
          ['C', 'tables', [0, 50, 100, 100]],
        ],
        [
          ['A', 'in_front_of', 'B'],
          ['A', 'Next To', 'C'],
          ['C', 'on top of', 'B'],
        ],
      ),
    ];
    const r = asmv2(gt, pred);
    expect(r.recall).toBe(1);
    // A different label or predicate is no match, however close the boxes.
    const wrong = [
      graph(
        'i.jpg',
        [
          ['A', 'dog', [0, 0, 50, 50]],
          ['B', 'tree', [50, 0, 100, 50]],
        ],
        [['A', 'in front of', 'B']],
      ),
    ];
    expect(asmv2(gt, wrong).recall).toBe(0);
  });

  it('renders a table that names the protocol and the numbers', () => {
    const { gt, pred } = handFixture();
    const text = renderSceneGraphReport(asmv2(gt, pred));
    expect(text).toContain('protocol asmv2');
    expect(text).toMatch(/riding\s+2\s+1\s+50\.00/);
    expect(text).toContain('Recall 42.86   mean Recall 40.00 (over 5 predicates in the GT)');
    expect(text).toContain('behind (1)');
  });
});
