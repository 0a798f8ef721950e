import {
  afterCursor,
  byRank,
  groupDecided,
  pageDecided,
  upperBound,
  type RankedImage,
} from '../../../src/store/topK';

const row = (imageId: string, score: number): RankedImage => ({ imageId, score });

describe('top-k search: ranking, bound and stop rule', () => {
  it('ranks by score descending, then by the smaller image id', () => {
    const rows = [row('b', 1), row('c', 2), row('a', 1), row('d', 1.5)];
    expect(rows.sort(byRank).map((r) => r.imageId)).toEqual(['c', 'd', 'a', 'b']);
  });

  it('keeps the rows after a (score, id) cursor: lower scores, and equal scores with a larger id', () => {
    const after: [number, string] = [1.5, 'm'];
    expect(afterCursor(row('z', 1.6), after)).toBe(false);
    expect(afterCursor(row('a', 1.5), after)).toBe(false);
    expect(afterCursor(row('m', 1.5), after)).toBe(false);
    expect(afterCursor(row('n', 1.5), after)).toBe(true);
    expect(afterCursor(row('a', 1.4), after)).toBe(true);
    expect(afterCursor(row('a', 9))).toBe(true);
  });

  it("bounds an unseen image by the driving list's last score plus the other patterns' maxima", () => {
    expect(upperBound([0, 0.9, 0.8], 0, 0.7)).toBeCloseTo(2.4, 12);
    expect(upperBound([0.9, 0, 0.8], 1, 0.5)).toBeCloseTo(2.2, 12);
    expect(upperBound([0], 0, 0.25)).toBe(0.25);
  });

  it('sums in pattern order, as the Cypher does, so an image scoring exactly the bound stays reachable', () => {
    // 0.1 + 0.2 + 0.3 rounds differently from 0.3 + 0.2 + 0.1; the bound must be the Cypher's sum.
    const cypherSum = 0.1 + 0.2 + 0.3;
    expect(upperBound([0.1, 0, 0.3], 1, 0.2)).toBe(cypherSum);
    expect(cypherSum).not.toBe(0.3 + 0.2 + 0.1);
    // An image scoring exactly the bound, with a smaller id than the page's last row, could still enter.
    const ranked = [row('b', 1.2), row('c', cypherSum)];
    expect(pageDecided(ranked, 2, cypherSum)).toBe(false);
  });

  it('decides the page once it is full and its last row scores strictly above the bound', () => {
    const ranked = [row('a', 2), row('b', 1.8), row('c', 1.5)];
    expect(pageDecided(ranked, 3, 1.4)).toBe(true);
    expect(pageDecided(ranked, 3, 1.5)).toBe(false); // a tie with a smaller id could come before 'c'
    expect(pageDecided(ranked, 3, 1.6)).toBe(false);
    expect(pageDecided(ranked, 4, 0)).toBe(false); // not full: keep reading
    expect(pageDecided(ranked, 2, 1.7)).toBe(true); // only the first two rows count
    expect(pageDecided([], 3, null)).toBe(true); // every image met: whatever is there is the page
    expect(pageDecided(ranked.slice(0, 1), 3, null)).toBe(true);
  });
});

describe('top-k search: deciding the page inside a tie group met in image id order', () => {
  const group = (lastId: string | null) => ({ bound: 2, lastId });

  it('stops inside the group once the page ends at the bound with an id not above the last one met', () => {
    const ranked = [row('a', 2), row('c', 2), row('e', 2)];
    expect(groupDecided(ranked, 3, group('e'), 1.9)).toBe(true);
    expect(groupDecided(ranked, 3, group('f'), 1.9)).toBe(true);
    // 'd' not met yet could score 2 and come before 'e'.
    expect(groupDecided(ranked, 3, group('d'), 1.9)).toBe(false);
    expect(groupDecided(ranked, 3, group(''), 1.9)).toBe(false);
  });

  it('needs the page strictly above what images after the group can score', () => {
    const ranked = [row('a', 2), row('c', 2), row('e', 1.9)];
    expect(groupDecided(ranked, 3, group(null), 1.9)).toBe(false);
    expect(groupDecided(ranked, 3, group(null), 1.8)).toBe(true);
    expect(groupDecided(ranked, 3, group(null), null)).toBe(true);
    // Below the group's bound, the rest of the group could still beat the last row.
    expect(groupDecided(ranked, 3, group('z'), 1.8)).toBe(false);
  });

  it('a page that is not full is decided only when nothing is left to meet', () => {
    const ranked = [row('a', 2)];
    expect(groupDecided(ranked, 3, group('z'), null)).toBe(false);
    expect(groupDecided(ranked, 3, group(null), 1.5)).toBe(false);
    expect(groupDecided(ranked, 3, group(null), null)).toBe(true);
  });
});
