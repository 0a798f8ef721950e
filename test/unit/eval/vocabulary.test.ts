import { evalLabel } from '../../../src/eval/evalLabels';
import { isPsgPredicate, PSG_PREDICATES } from '../../../src/eval/psgPredicates';
import { normalizePredicate } from '../../../src/spatial/predicateNames';

describe('PSG_PREDICATES', () => {
  it("holds PSG's 56 classes, each once, starting and ending as the dataset does", () => {
    expect(PSG_PREDICATES).toHaveLength(56);
    expect(new Set(PSG_PREDICATES).size).toBe(56);
    expect(PSG_PREDICATES.slice(0, 6)).toEqual(['over', 'in front of', 'beside', 'on', 'in', 'attached to']);
    expect(PSG_PREDICATES[55]).toBe('leaning on');
  });

  it('is already in the normalised spelling, so stored predicates compare directly', () => {
    for (const p of PSG_PREDICATES) expect(normalizePredicate(p)).toBe(p);
    expect(isPsgPredicate(normalizePredicate('in_front_of'))).toBe(true);
    expect(isPsgPredicate(normalizePredicate('next to'))).toBe(true); // -> beside
    expect(isPsgPredicate('left of')).toBe(false);
  });
});

describe('evalLabel', () => {
  it.each([
    ['People', 'normalised', 'person'],
    ['tree-merged', 'normalised', 'tree merged'],
    ['tree-merged', 'panoptic-base', 'tree'],
    ['tree merged', 'panoptic-base', 'tree'],
    ['wall-other-merged', 'panoptic-base', 'wall'],
    ['wall-brick', 'panoptic-base', 'wall'],
    ['t-shirt', 'panoptic-base', 't shirt'],
    ['Dining Tables', 'panoptic-base', 'table'],
  ] as const)('%s (%s) -> %s', (raw, mode, expected) => {
    expect(evalLabel(raw, mode)).toBe(expected);
  });
});
