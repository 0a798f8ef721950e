import { boxList } from './objectBox';

/**
 * Rows as the store returns them: plain objects with the stored properties, shared by the GraphQL
 * layer and the loaders. Projections are explicit so large properties (masks) are fetched only when
 * asked for.
 */

export interface ImageRow {
  id: string;
  uri: string;
  width: number;
  height: number;
  sha256: string | null;
  configHash: string;
  ingestedAt: string;
  objectCount: number;
  relationCount: number;
  depthUnit: string | null;
  depthSpan: number | null;
  intrinsics: string | null;
  provenance: string | null;
}

export interface ObjectRow {
  id: string;
  imageId: string;
  key: string;
  label: string;
  rawLabel: string;
  box: number[];
  score: number | null;
  depthMin: number | null;
  depthP5: number | null;
  depthP50: number | null;
  depthP95: number | null;
  depthMax: number | null;
  depthUnit: string | null;
  centroid: number[] | null;
  extent: number[] | null;
  layer: number | null;
  depthMethod: string | null;
}

export interface RelationRow {
  id: string;
  imageId: string;
  subjectId: string;
  objectId: string;
  predicate: string;
  score: number | null;
  source: string;
  evidence: string | null;
  provenance: string | null;
  /** The latest human review of the relation (review.store.ts); absent or null when none. */
  review?: ReviewRow | null;
}

export const REVIEW_VERDICTS = ['CONFIRMED', 'REJECTED'] as const;
export type ReviewVerdict = (typeof REVIEW_VERDICTS)[number];

/** A `(:Review)` node: the verdict on one relation, by its id, with who gave it and when. */
export interface ReviewRow {
  relationId: string;
  imageId: string;
  subjectId: string;
  objectId: string;
  predicate: string;
  source: string;
  verdict: ReviewVerdict;
  reviewer: string;
  /** The API key's public id; null for a name given with AUTH_MODE=off. */
  reviewerKeyId: string | null;
  /** ISO 8601, UTC. */
  at: string;
}

/** The Review properties the readers return (a map projection of `rv`). */
export const REVIEW_FIELDS =
  '.relationId, .imageId, .subjectId, .objectId, .predicate, .source, .verdict, .reviewer, .reviewerKeyId, .at';

export interface LayerRow {
  id: string;
  imageId: string;
  index: number;
  basic: string;
  members: string[];
}

/**
 * Rows read by position: a projection returns a list of the row's fields in a fixed order, and `read`
 * names them again. On the wire a map carries every key with every value; a list does not, and both
 * Neo4j's Bolt encoding and the driver's decoding cost less (the 20-edge objectsInFrontOf page ~18%,
 * a search page's derivation inputs ~29%: BENCHMARKS.md, "Positional rows"). One spec per row kind
 * keeps the Cypher and the reader in the same order.
 */
export interface Columns<R> {
  /** The Cypher list expression that reads node variable `v`: `[v.id, v.uri, ...]`. */
  project(v: string): string;
  /** The row of a list that `project` returned. */
  read(values: readonly unknown[]): R;
}

/** A column: the row field and, where it is not stored as the property of the same name, its Cypher. */
export type Column<R> = (keyof R & string) | readonly [keyof R & string, (v: string) => string];

export function columns<R>(spec: readonly Column<R>[]): Columns<R> {
  const fields = spec.map((c) => (typeof c === 'string' ? c : c[0]));
  const exprs = spec.map((c) => (typeof c === 'string' ? (v: string) => `${v}.${c}` : c[1]));
  // The reader is an object literal made once from the spec (field names of our own row types, never
  // input): every row it builds has one shape, which a loop of keyed stores does not give V8 (such a
  // loop cost 0.2-0.3 µs an object row in a microbenchmark, the literal 0.02-0.03).
  const literal = `{ ${fields.map((f, i) => `${JSON.stringify(f)}: values[${i}]`).join(', ')} }`;
  const build = new Function('values', `return ${literal};`) as (values: readonly unknown[]) => R;
  return {
    project: (v) => `[${exprs.map((e) => e(v)).join(', ')}]`,
    read: (values) => {
      if (values.length !== fields.length) {
        throw new Error(`a row of ${fields.length} columns, got ${values.length} values`);
      }
      return build(values);
    },
  };
}

export const IMAGE_COLUMNS = columns<ImageRow>([
  'id',
  'uri',
  'width',
  'height',
  'sha256',
  'configHash',
  'ingestedAt',
  'objectCount',
  'relationCount',
  'depthUnit',
  'depthSpan',
  'intrinsics',
  'provenance',
]);

/** An object's measured depth and 3-D geometry, as every object reader returns them. */
export const DEPTH_COLUMNS = [
  'depthMin',
  'depthP5',
  'depthP50',
  'depthP95',
  'depthMax',
  'depthUnit',
  'centroid',
  'extent',
] as const satisfies readonly (keyof ObjectRow)[];

/**
 * Fields not read as stored: rawLabel is stored only where it differs from label (store model 5), the
 * box as four numbers (store model 6, objectBox.ts).
 */
export const OBJECT_COLUMNS = columns<ObjectRow>([
  'id',
  'imageId',
  'key',
  'label',
  ['rawLabel', (v) => `coalesce(${v}.rawLabel, ${v}.label)`],
  ['box', boxList],
  'score',
  ...DEPTH_COLUMNS,
  'layer',
  'depthMethod',
]);

export const relationProjection = (r: string, s: string, o: string): string =>
  `{id: ${r}.id, imageId: ${r}.imageId, subjectId: ${s}.id, objectId: ${o}.id, predicate: ${r}.predicate, ` +
  `score: ${r}.score, source: ${r}.source, evidence: ${r}.evidence, provenance: ${r}.provenance}`;
