import { renderSynthScene } from '../../../src/synth/generateScene';
import { scoreAgainstTruth, truthLookup } from '../../../src/synth/truthScore';

const { truth } = renderSynthScene({ seed: 5, objects: 30 });
const byPredicate = (p: string) => truth.relations.filter((r) => r.predicate === p);

describe('truthLookup', () => {
  it('reads the closed world: listed TRUE, listed AMBIGUOUS, the rest FALSE, outsiders undefined', () => {
    const lookup = truthLookup(truth);
    const t = truth.relations[0];
    expect(lookup(t.subject, t.predicate, t.object)).toBe('TRUE');
    const a = truth.ambiguous[0];
    expect(lookup(a.subject, a.predicate, a.object)).toBe('AMBIGUOUS');
    expect(lookup(t.object, 'in_front_of', t.subject)).toBeDefined();
    expect(lookup('o1', 'holding', 'o2')).toBeUndefined();
    expect(lookup('o1', 'on', 'o1')).toBeUndefined();
    expect(lookup('o1', 'on', 'nobody')).toBeUndefined();
  });
});

describe('scoreAgainstTruth', () => {
  it('gives precision and recall 1 for the truth itself', () => {
    const score = scoreAgainstTruth(truth, truth.relations);
    for (const p of truth.predicates) {
      const s = score.predicates[p];
      expect(s.falsePositives).toBe(0);
      expect(s.falseNegatives).toBe(0);
      if (truth.summary[p].true > 0) expect([s.precision, s.recall]).toEqual([1, 1]);
      else expect([s.precision, s.recall]).toEqual([null, null]);
    }
    expect(score.unscored).toBe(0);
  });

  it('counts FALSE predictions against precision, ignores AMBIGUOUS ones, and misses against recall', () => {
    const front = byPredicate('in front of');
    const half = front.slice(0, Math.ceil(front.length / 2));
    // Reversing a TRUE "in front of" gives a FALSE one.
    const wrong = half
      .slice(0, 3)
      .map((r) => ({ subject: r.object, predicate: 'in front of', object: r.subject }));
    const ambiguous = truth.ambiguous.filter((r) => r.predicate === 'in front of').slice(0, 2);
    const predicted = [...half, ...wrong, ...ambiguous, ...half.slice(0, 4)]; // duplicates count once
    const s = scoreAgainstTruth(truth, predicted).predicates['in front of'];
    expect(s.truePositives).toBe(half.length);
    expect(s.falsePositives).toBe(wrong.length);
    expect(s.ignored).toBe(ambiguous.length);
    expect(s.falseNegatives).toBe(front.length - half.length);
    expect(s.precision).toBeCloseTo(half.length / (half.length + wrong.length), 12);
    expect(s.recall).toBeCloseTo(half.length / front.length, 12);
  });

  it('normalises predicate spelling and sets aside triplets outside the closed world', () => {
    const r = byPredicate('left of')[0];
    const score = scoreAgainstTruth(truth, [
      { subject: r.subject, predicate: 'Left_Of', object: r.object },
      { subject: r.subject, predicate: 'holding', object: r.object },
      { subject: 'ghost', predicate: 'on', object: r.object },
    ]);
    expect(score.predicates['left of'].truePositives).toBe(1);
    expect(score.unscored).toBe(2);
  });
});
