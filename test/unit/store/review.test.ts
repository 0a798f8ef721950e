import { parseStorePred } from '../../../src/cli/commands/eval.command';
import { evaluateSceneGraphs } from '../../../src/eval/sceneGraphEval';
import type { Asmv2Report } from '../../../src/eval/sceneGraphReport.types';
import type { SceneGraph } from '../../../src/scenegraph/sceneGraph.types';
import {
  checkReviewerName,
  groundTruthScene,
  parseRelationId,
  predictionScene,
  PREDICTION_SOURCES,
  type ReviewedImage,
} from '../../../src/store/review.store';
import type { ReviewRow } from '../../../src/store/rows';

const IMG = 'abc123';
const scene: SceneGraph = {
  version: 1,
  image: { uri: 'test://review/street.jpg', width: 640, height: 480 },
  objects: [
    { key: 'p', label: 'person', box: [100, 100, 200, 400] },
    { key: 'c', label: 'car', box: [300, 150, 600, 400] },
    { key: 'g', label: 'dog', box: [20, 350, 90, 430] },
  ],
  relations: [
    { subject: 'p', predicate: 'walking with', object: 'g', source: 'ANNOTATION' },
    { subject: 'p', predicate: 'holding', object: 'g', source: 'HUMAN' },
    { subject: 'p', predicate: 'riding', object: 'c', source: 'MODEL', score: 0.4 },
    { subject: 'p', predicate: 'in front of', object: 'c', source: 'GEOMETRY', score: 0.9 },
    { subject: 'g', predicate: 'left of', object: 'c', source: 'GEOMETRY', score: 0.8 },
  ],
};

function review(
  s: string,
  predicate: string,
  o: string,
  source: string,
  verdict: 'CONFIRMED' | 'REJECTED',
): ReviewRow {
  const subjectId = `${IMG}:${s}`;
  const objectId = `${IMG}:${o}`;
  return {
    relationId: `${subjectId}|${predicate}|${objectId}|${source}`,
    imageId: IMG,
    subjectId,
    objectId,
    predicate,
    source,
    verdict,
    reviewer: 'ann',
    reviewerKeyId: null,
    at: '2026-01-01T00:00:00.000Z',
  };
}

const image: ReviewedImage = {
  id: IMG,
  scene,
  reviews: [
    review('p', 'in front of', 'c', 'GEOMETRY', 'CONFIRMED'),
    // Confirmed, but the engine no longer derives it: still ground truth, and a miss for the predictions.
    review('g', 'in front of', 'c', 'GEOMETRY', 'CONFIRMED'),
    review('g', 'left of', 'c', 'GEOMETRY', 'REJECTED'),
    review('p', 'walking with', 'g', 'ANNOTATION', 'CONFIRMED'),
    review('p', 'holding', 'g', 'HUMAN', 'CONFIRMED'),
    // Its object was replaced by a later ingest.
    review('p', 'near', 'x', 'GEOMETRY', 'CONFIRMED'),
  ],
};

describe('reviewed relations as ground truth', () => {
  it('keeps confirmed reviews of present objects, whatever their source, and counts the others', () => {
    const { scene: gt, dropped } = groundTruthScene(image);
    expect(dropped).toBe(1);
    expect(gt.objects).toBe(scene.objects);
    expect(gt.relations!.map((r) => `${r.subject} ${r.predicate} ${r.object} ${r.source}`)).toEqual([
      'p in front of c GEOMETRY',
      'g in front of c GEOMETRY',
      'p walking with g ANNOTATION',
      'p holding g HUMAN',
    ]);
  });

  it('predictions are the store relations of the prediction sources only', () => {
    const pred = predictionScene(scene, PREDICTION_SOURCES);
    expect(pred.relations!.map((r) => r.predicate)).toEqual(['riding', 'in front of', 'left of']);
    expect(scene.relations).toHaveLength(5); // not mutated
  });

  it('scores the store against the reviewed relations with the eval library (values by hand)', () => {
    const gt = groundTruthScene(image).scene;
    const pred = predictionScene(scene, PREDICTION_SOURCES);
    const report = evaluateSceneGraphs([gt], [pred], { protocol: 'asmv2' }) as Asmv2Report;
    // GT: in front of x2 (one predicted), walking with x1, holding x1 (neither from GEOMETRY/MODEL).
    expect(report.triplets).toEqual({ gt: 4, predicted: 3 });
    expect(report.recall).toBeCloseTo(1 / 4, 10);
    // Mean over the GT's predicates: (1/2 + 0 + 0) / 3.
    expect(report.meanRecall).toBeCloseTo(1 / 6, 10);
    const row = (p: string) => report.predicates.find((r) => r.predicate === p);
    expect(row('in front of')).toMatchObject({ gt: 2, matched: 1, recall: 0.5 });
    expect(row('holding')).toMatchObject({ gt: 1, matched: 0, recall: 0 });
    expect(report.predictedNotInGt.map((r) => r.predicate).sort()).toEqual(['left of', 'riding']);
  });
});

describe('review input checks', () => {
  it('parses relation ids and refuses malformed ones naming the field', () => {
    expect(parseRelationId('a:p|on|a:c|GEOMETRY', 'id')).toEqual({
      subjectId: 'a:p',
      predicate: 'on',
      objectId: 'a:c',
      source: 'GEOMETRY',
    });
    expect(() => parseRelationId('a:p|on|a:c', 'id')).toThrow(/^id: is not a relation id/);
    expect(() => parseRelationId('a:p||a:c|GEOMETRY', 'id')).toThrow(/^id: /);
  });

  it('bounds reviewer names', () => {
    expect(checkReviewerName('  Ann  ', 'reviewer')).toBe('Ann');
    expect(() => checkReviewerName('   ', 'reviewer')).toThrow(/^reviewer: must not be empty/);
    expect(() => checkReviewerName('x'.repeat(201), 'reviewer')).toThrow(/^reviewer: must be at most 200/);
    expect(() => checkReviewerName('a\nb', 'reviewer')).toThrow(/control characters/);
  });

  it('reads --pred store and store:SOURCES', () => {
    expect(parseStorePred('store')).toEqual(['GEOMETRY', 'MODEL']);
    expect(parseStorePred('store:geometry')).toEqual(['GEOMETRY']);
    expect(parseStorePred('preds/')).toBeUndefined();
    expect(() => parseStorePred('store:robots')).toThrow(/^--pred: /);
  });
});
