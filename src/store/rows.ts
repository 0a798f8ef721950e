import { boxProjection } from './objectBox';

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

const IMAGE_FIELDS = [
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
];
const OBJECT_FIELDS = [
  'id',
  'imageId',
  'key',
  'label',
  'rawLabel',
  'box',
  'score',
  'depthMin',
  'depthP5',
  'depthP50',
  'depthP95',
  'depthMax',
  'depthUnit',
  'centroid',
  'extent',
  'layer',
  'depthMethod',
] as const;

export const imageProjection = (v: string): string => `${v} {${IMAGE_FIELDS.map((f) => `.${f}`).join(', ')}}`;
/**
 * Fields not read as stored: rawLabel is stored only where it differs from label (store model 5), the
 * box as four numbers (store model 6, objectBox.ts).
 */
const OBJECT_FIELD_READ: Partial<Record<(typeof OBJECT_FIELDS)[number], (v: string) => string>> = {
  rawLabel: (v) => `rawLabel: coalesce(${v}.rawLabel, ${v}.label)`,
  box: boxProjection,
};

export const objectProjection = (v: string): string =>
  `${v} {${OBJECT_FIELDS.map((f) => OBJECT_FIELD_READ[f]?.(v) ?? `.${f}`).join(', ')}}`;
export const relationProjection = (r: string, s: string, o: string): string =>
  `{id: ${r}.id, imageId: ${r}.imageId, subjectId: ${s}.id, objectId: ${o}.id, predicate: ${r}.predicate, ` +
  `score: ${r}.score, source: ${r}.source, evidence: ${r}.evidence, provenance: ${r}.provenance}`;
