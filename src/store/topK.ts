/**
 * The pure parts of the top-k image search (search.store.ts, searchImagesTopK): the threshold
 * algorithm's bound and stop rule over the ranking of searchImages (score descending, ties by the
 * smaller image id, keyset cursor (score, id)).
 *
 * One pattern drives: its matching edges are read in descending score order, and every image met is
 * scored in full (all patterns, inside the image). An image not met yet has, for the driving pattern,
 * no edge above the last score read, and for every other pattern no relation above that pattern's
 * global maximum, so its score is at most their sum: the bound.
 */

export interface RankedImage {
  imageId: string;
  score: number;
}

/** Ranking order of searchImages: score descending, then the smaller image id. */
export function byRank(a: RankedImage, b: RankedImage): number {
  return b.score - a.score || (a.imageId < b.imageId ? -1 : a.imageId > b.imageId ? 1 : 0);
}

/** Whether a row comes after the cursor (score, id) in ranking order; every row does without one. */
export function afterCursor(row: RankedImage, after?: [number, string]): boolean {
  return !after || row.score < after[0] || (row.score === after[0] && row.imageId > after[1]);
}

/**
 * The most an image not met yet can score: the patterns' maxima with the driving pattern's replaced by
 * the last score read from its list, summed in pattern order, the order the Cypher sums the patterns'
 * scores in. Rounding is monotone, so a sum of values that are each at most their bound is at most
 * the rounded sum of the bounds: comparing with it needs no tolerance.
 */
export function upperBound(maxima: readonly number[], driver: number, current: number): number {
  return maxima.reduce((sum, m, j) => sum + (j === driver ? current : m), 0);
}

/**
 * Whether the page is decided: `ranked` holds the rows met so far after the cursor, in ranking order;
 * `need` rows are asked for (first + 1, to tell whether another page exists); `bound` is what an
 * image not met yet can score at most, or null when every image was met. The page is complete once it
 * holds `need` rows and its last row scores strictly above the bound: an image not met could tie the
 * last row's score and still come before it by a smaller id, so a tie does not stop the search.
 */
export function pageDecided(ranked: readonly RankedImage[], need: number, bound: number | null): boolean {
  if (bound === null) return true;
  return ranked.length >= need && ranked[need - 1].score > bound;
}

/**
 * Whether the page is decided while the images of one driving score (a tie group) are met in image id
 * order: every image of the group not met yet scores at most `group.bound` and has an id above
 * `group.lastId` (null: the group is exhausted), and every image after the group at most `later`
 * (null: there is none). The page's last row must come before all of them: above the group's bound or
 * equal to it with an id not above lastId, and strictly above `later`.
 */
export function groupDecided(
  ranked: readonly RankedImage[],
  need: number,
  group: { bound: number; lastId: string | null },
  later: number | null,
): boolean {
  if (ranked.length < need) return group.lastId === null && later === null;
  const last = ranked[need - 1];
  const beforeGroup =
    group.lastId === null ||
    last.score > group.bound ||
    (last.score === group.bound && last.imageId <= group.lastId);
  return beforeGroup && (later === null || last.score > later);
}
