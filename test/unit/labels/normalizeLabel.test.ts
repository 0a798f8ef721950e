import { normalizeLabel } from '../../../src/labels/normalizeLabel';

describe('normalizeLabel', () => {
  it.each([
    ['Person', 'person'],
    ['  people ', 'person'],
    ['PEOPLE', 'person'],
    ['dining_table', 'table'],
    ['Traffic  Lights', 'traffic light'],
    ['benches', 'bench'],
    ['boxes', 'box'],
    ['puppies', 'dog'],
    ['bus', 'bus'],
    ['buses', 'bus'],
    ['glass', 'glass'],
    ['glasses', 'glasses'],
    ['shoes', 'shoe'],
    ['gloves', 'glove'],
    ['shelves', 'shelf'],
    ['wine glasses', 'wine glasses'],
    ['cars', 'car'],
    ['ＣＡＲ', 'car'],
  ])('%s -> %s', (raw, expected) => {
    expect(normalizeLabel(raw)).toBe(expected);
  });

  it('is idempotent', () => {
    for (const l of ['people', 'benches', 'dining table', 'Teddy Bears', 'shelves']) {
      expect(normalizeLabel(normalizeLabel(l))).toBe(normalizeLabel(l));
    }
  });
});
