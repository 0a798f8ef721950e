import {
  AXIS_PREDICATES,
  CANONICAL_PREDICATES,
  INVERSE_PREDICATE,
  isCanonicalPredicate,
  normalizePredicate,
} from '../../../src/spatial/predicateNames';

describe('normalizePredicate', () => {
  it.each([
    ['in front of', 'in front of'],
    ['in_front_of', 'in front of'],
    ['infront of', 'in front of'],
    ['In Front Of', 'in front of'],
    ['InFrontOf', 'in front of'],
    ['in-front-of', 'in front of'],
    ['  in   front\tof ', 'in front of'],
    ['in back of', 'behind'],
    ['next to', 'beside'],
    ['next_to', 'beside'],
    ['inside', 'in'],
    ['inside of', 'in'],
    ['on top of', 'on'],
    ['beneath', 'under'],
    ['underneath', 'under'],
    ['to the left of', 'left of'],
    ['on the right side of', 'right of'],
    ['covered_by', 'covered by'],
    ['close to', 'near'],
    ['far from', 'far'],
    ['occluding', 'occludes'],
  ])('%j -> %j', (input, expected) => {
    expect(normalizePredicate(input)).toBe(expected);
  });

  it('keeps unknown predicates, with spelling normalised only', () => {
    expect(normalizePredicate('Parked_On')).toBe('parked on');
    expect(normalizePredicate('  Holding  ')).toBe('holding');
    expect(normalizePredicate('walkingOn')).toBe('walking on');
    expect(normalizePredicate('t-shirt on')).toBe('t-shirt on');
    // Semantic predicates that merely contain a spatial word stay what they are.
    expect(normalizePredicate('sitting on')).toBe('sitting on');
    expect(normalizePredicate('covering')).toBe('covering');
    expect(normalizePredicate('   ')).toBe('');
  });

  it('is idempotent and fixes every canonical name', () => {
    for (const p of CANONICAL_PREDICATES) expect(normalizePredicate(p)).toBe(p);
    for (const s of ['InFrontOf', 'Parked_On', 'next to', 'x  y'])
      expect(normalizePredicate(normalizePredicate(s))).toBe(normalizePredicate(s));
  });

  it('pairs inverses both ways', () => {
    for (const [p, q] of Object.entries(INVERSE_PREDICATE)) expect(INVERSE_PREDICATE[q]).toBe(p);
  });
});

describe('AXIS_PREDICATES', () => {
  it('pairs each canonical axis predicate with its inverse', () => {
    for (const { positive, negative } of Object.values(AXIS_PREDICATES)) {
      expect(isCanonicalPredicate(positive)).toBe(true);
      expect(INVERSE_PREDICATE[positive]).toBe(negative);
      expect(INVERSE_PREDICATE[negative]).toBe(positive);
    }
  });
});
