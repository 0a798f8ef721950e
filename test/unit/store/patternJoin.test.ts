import { checkVariables, joinPatterns, type TripletPattern } from '../../../src/store/patternJoin';
import type { RelationRow } from '../../../src/store/rows';

const rel = (
  s: string,
  predicate: string,
  o: string,
  score: number | null = 0.9,
  source = 'GEOMETRY',
): RelationRow => ({
  id: `i:${s}|${predicate}|i:${o}|${source}`,
  imageId: 'i',
  subjectId: `i:${s}`,
  objectId: `i:${o}`,
  predicate,
  score,
  source,
  evidence: null,
  provenance: null,
});

// Two balls: b1 is on the box, b2 is left of the pillar; only b3 does both.
const labels = new Map([
  ['i:b1', 'ball'],
  ['i:b2', 'ball'],
  ['i:b3', 'ball'],
  ['i:x', 'box'],
  ['i:p', 'pillar'],
]);
const split = [rel('b1', 'on', 'x', 0.9), rel('b2', 'left of', 'p', 0.8)];
const onBoxLeftOfPillar = (v?: string): TripletPattern[] => [
  { subject: 'ball', subjectVar: v, predicate: 'on', object: 'box' },
  { subject: 'ball', subjectVar: v, predicate: 'left of', object: 'pillar' },
];

describe('joinPatterns', () => {
  it('matches unbound patterns each on its own (two different balls)', () => {
    const r = joinPatterns('i', split, labels, onBoxLeftOfPillar());
    expect(r?.score).toBeCloseTo(1.7);
    expect(r?.bindings.size).toBe(0);
  });

  it('a shared variable needs one object to hold both patterns', () => {
    expect(joinPatterns('i', split, labels, onBoxLeftOfPillar('b'))).toBeUndefined();
    const both = [...split, rel('b3', 'on', 'x', 0.5), rel('b3', 'left of', 'p', 0.6)];
    const r = joinPatterns('i', both, labels, onBoxLeftOfPillar('b'))!;
    expect(r.score).toBeCloseTo(1.1);
    expect(r.bindings.get('b')).toBe('i:b3');
    expect(r.matches.map((m) => m.subjectId)).toEqual(['i:b3', 'i:b3']);
  });

  it('picks the best consistent binding, not the best relation per pattern', () => {
    const rels = [
      rel('b1', 'on', 'x', 1),
      rel('b2', 'on', 'x', 0.4),
      rel('b2', 'left of', 'p', 0.4),
      rel('b1', 'left of', 'p', 0.1),
    ];
    const r = joinPatterns('i', rels, labels, onBoxLeftOfPillar('b'))!;
    expect(r.bindings.get('b')).toBe('i:b1');
    expect(r.score).toBeCloseTo(1.1);
  });

  it('different variables stand for different objects', () => {
    const rels = [rel('b1', 'left of', 'b2'), rel('b2', 'left of', 'b3')];
    const chain: TripletPattern[] = [
      { subjectVar: 'a', predicate: 'left of', objectVar: 'b' },
      { subjectVar: 'b', predicate: 'left of', objectVar: 'c' },
    ];
    expect(joinPatterns('i', rels, labels, chain)?.bindings).toEqual(
      new Map([
        ['a', 'i:b1'],
        ['b', 'i:b2'],
        ['c', 'i:b3'],
      ]),
    );
    const loop: TripletPattern[] = [
      { subjectVar: 'a', predicate: 'left of', objectVar: 'b' },
      { subjectVar: 'b', predicate: 'left of', objectVar: 'c' },
      { subjectVar: 'c', predicate: 'left of', objectVar: 'a' },
    ];
    expect(joinPatterns('i', rels, labels, loop)).toBeUndefined();
  });

  it('filters by minScore and source per pattern', () => {
    const rels = [rel('b1', 'on', 'x', 0.3), rel('b2', 'on', 'x', null, 'HUMAN')];
    expect(joinPatterns('i', rels, labels, [{ predicate: 'on', minScore: 0.5 }])).toBeUndefined();
    expect(joinPatterns('i', rels, labels, [{ predicate: 'on', source: 'HUMAN' }])?.score).toBe(1);
    expect(
      joinPatterns('i', rels, labels, [{ predicate: 'on', source: 'GEOMETRY', minScore: 0.3 }])?.score,
    ).toBeCloseTo(0.3);
  });
});

describe('checkVariables', () => {
  it('refuses one variable at both ends of a pattern, or with two labels', () => {
    expect(() => checkVariables([{ subjectVar: 'a', predicate: 'on', objectVar: 'a' }])).toThrow(
      /same variable/,
    );
    expect(() =>
      checkVariables([
        { subject: 'ball', subjectVar: 'a', predicate: 'on' },
        { subject: 'box', subjectVar: 'a', predicate: 'on' },
      ]),
    ).toThrow(/one object has one label/);
    expect(() => checkVariables(onBoxLeftOfPillar('b'))).not.toThrow();
  });
});
