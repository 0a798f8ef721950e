import { deriveImageRelations, withEvidence, type DerivationInput } from '../../../src/store/relations.store';

function object(
  key: string,
  label: string,
  box: number[],
  depth: number,
): DerivationInput['objects'][number] {
  return {
    id: `img:${key}`,
    key,
    label,
    box,
    depthMin: depth - 1,
    depthP5: depth - 0.8,
    depthP50: depth,
    depthP95: depth + 0.8,
    depthMax: depth + 1,
    depthUnit: 'RELATIVE',
    centroid: [(box[0] + box[2]) / 200, (box[1] + box[3]) / 200, depth],
    extent: [(box[2] - box[0]) / 100, (box[3] - box[1]) / 100, 1.6],
    position: null,
    mask: null,
  };
}

const input: DerivationInput = {
  imageId: 'img',
  width: 640,
  height: 480,
  thresholds: {},
  rangeMode: 'percentile',
  rule: 'spatial-engine@test',
  provenance: null,
  objects: [
    object('o1', 'person', [40, 100, 200, 460], 2),
    object('o2', 'car', [180, 200, 520, 420], 6),
    object('o3', 'tree', [500, 20, 630, 400], 9),
  ],
  semantic: [
    {
      id: 'img:o1|riding|img:o2|MODEL',
      imageId: 'img',
      subjectId: 'img:o1',
      objectId: 'img:o2',
      predicate: 'riding',
      score: 0.7,
      source: 'MODEL',
      evidence: null,
      provenance: null,
    },
  ],
};

describe('deriveImageRelations', () => {
  const all = deriveImageRelations(input);

  it('derives the geometric relations, merged with the semantic ones in id order', () => {
    for (const p of ['left of', 'right of', 'in front of', 'behind']) {
      expect(all.some((r) => r.source === 'GEOMETRY' && r.predicate === p)).toBe(true);
    }
    expect(all.some((r) => r.predicate === 'riding')).toBe(true);
    expect(all.map((r) => r.id)).toEqual([...all.map((r) => r.id)].sort());
    expect(all.filter((r) => r.source === 'GEOMETRY').every((r) => r.evidence !== null)).toBe(true);
  });

  it('keeps only the rows keepRow accepts, otherwise the same rows, evidence serialised for them', () => {
    const seen: (string | null)[] = [];
    const keep = (r: (typeof all)[number]) => {
      seen.push(r.evidence);
      return r.predicate === 'left of' || r.source === 'MODEL';
    };
    const kept = deriveImageRelations(input, { keepRow: keep });
    expect(kept).toEqual(all.filter((r) => r.predicate === 'left of' || r.source === 'MODEL'));
    expect(kept.length).toBeGreaterThan(1);
    expect(kept.length).toBeLessThan(all.length);
    // keepRow decides before the evidence is serialised (semantic rows carry theirs as stored)
    expect(seen.filter((e) => e !== null)).toEqual([]);
  });

  it('emits only the given geometric predicates, an inverse on its own, semantic rows whatever theirs', () => {
    for (const wanted of [
      ['right of'],
      ['left of'],
      ['left of', 'right of'],
      ['in front of'],
      ['behind'],
      ['near', 'far'],
    ]) {
      const set = new Set(wanted);
      const kept = deriveImageRelations(input, { predicates: set });
      expect(kept).toEqual(all.filter((r) => r.source !== 'GEOMETRY' || set.has(r.predicate)));
    }
    expect(
      deriveImageRelations(input, { predicates: new Set(['right of']) }).filter(
        (r) => r.source === 'GEOMETRY',
      ).length,
    ).toBe(3);
  });

  it('defers evidence until withEvidence, which serialises what a full derivation would have', () => {
    const deferred = deriveImageRelations(input, { deferEvidence: true });
    expect(deferred.map((r) => ({ ...r, evidence: null }))).toEqual(
      all.map((r) => ({ ...r, evidence: null })),
    );
    expect(deferred.filter((r) => r.source === 'GEOMETRY').every((r) => r.evidence === null)).toBe(true);
    expect(deferred.map(withEvidence)).toEqual(all);
    // reviewed rows keep theirs too (deriveImageRelations copies them to attach the review)
    const review = {
      relationId: all[0].id,
      imageId: 'img',
      subjectId: all[0].subjectId,
      objectId: all[0].objectId,
      predicate: all[0].predicate,
      source: all[0].source,
      verdict: 'CONFIRMED' as const,
      reviewer: 'ana',
      reviewerKeyId: null,
      at: '2026-01-01T00:00:00.000Z',
    };
    const reviewed = { ...input, reviews: new Map([[review.relationId, review]]) };
    expect(deriveImageRelations(reviewed, { deferEvidence: true }).map(withEvidence)).toEqual(
      deriveImageRelations(reviewed),
    );
  });
});
