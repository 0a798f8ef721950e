/**
 * How an object's bounding box lives in the store (store model 6): four scalar properties, `boxX1`,
 * `boxY1`, `boxX2` and `boxY2` (image pixels, x right, y down), not one `box` list. Neo4j inlines a
 * property of up to four 8-byte blocks in its property record; a list of four floats needs five, so it
 * went to the array store as a 128-byte record of its own, and the four scalars take ~1.2 KB less of a
 * 20-object image (BENCHMARKS.md, "Store model 6"). Readers get `box: [x1, y1, x2, y2]` back
 * (`boxList`), so every row and answer is unchanged.
 */

export const BOX_PROPS = ['boxX1', 'boxY1', 'boxX2', 'boxY2'] as const;

export type BoxProps = Record<(typeof BOX_PROPS)[number], number>;

/** The four properties of a box `[x1, y1, x2, y2]`. */
export function boxProps(box: readonly number[]): BoxProps {
  if (box.length !== 4) throw new Error(`a box has 4 coordinates, got ${box.length}`);
  return { boxX1: box[0], boxY1: box[1], boxX2: box[2], boxY2: box[3] };
}

/** The Cypher list that reads the box of node variable `v` back: `[v.boxX1, ...]`. */
export const boxList = (v: string): string => `[${BOX_PROPS.map((p) => `${v}.${p}`).join(', ')}]`;
