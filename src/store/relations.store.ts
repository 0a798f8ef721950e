import type { Database } from '../db/database';
import type { Relation, SceneObject } from '../scenegraph/sceneGraph.types';
import { relationsFromStoredGeometry } from '../spatial/engine';
import type { RangeMode } from '../spatial/object3d';
import { isThresholdName, type Thresholds } from '../spatial/thresholds';
import { boxList } from './objectBox';
import { relationId, SEMANTIC_TYPE } from './relationModel';
import {
  columns,
  DEPTH_COLUMNS,
  REVIEW_FIELDS,
  type ObjectRow,
  type RelationRow,
  type ReviewRow,
} from './rows';

/**
 * The relations of stored images, as the engine derives them from the stored objects (store model 2,
 * relationModel.ts) plus the stored semantic relations. With the thresholds the image was built with
 * (the default) the geometric relations are exactly those `scenegraph build` produced; a caller may
 * pass other thresholds and get the relations a build with those would have produced.
 */

/** What the engine needs of one stored image. */
export interface DerivationInput {
  imageId: string;
  width: number;
  height: number;
  thresholds: Partial<Thresholds>;
  rangeMode: RangeMode;
  /** `engine@version` of the build, the provenance of its geometric relations. */
  rule: string | null;
  provenance: string | null;
  objects: StoredObjectGeometry[];
  semantic: RelationRow[];
  /** Human reviews of the image's relations, by relation id (review.store.ts). */
  reviews?: ReadonlyMap<string, ReviewRow>;
}

/** What the engine and the filters read of a stored object: its geometry, label, scene order and mask. */
export type StoredObjectGeometry = Pick<
  ObjectRow,
  | 'id'
  | 'key'
  | 'label'
  | 'box'
  | 'depthMin'
  | 'depthP5'
  | 'depthP50'
  | 'depthP95'
  | 'depthMax'
  | 'depthUnit'
  | 'centroid'
  | 'extent'
> & { position: number | null; mask: string | null; evidence?: string | null };

/** An image's objects are the bulk of its derivation input: read by position (rows.ts, `columns`). */
const GEOMETRY_COLUMNS = columns<StoredObjectGeometry>([
  'id',
  'key',
  'label',
  'position',
  ['box', boxList],
  'mask',
  ...DEPTH_COLUMNS,
  'evidence',
]);

interface ImageHead {
  id: string;
  width: number;
  height: number;
  rangeMode: string | null;
  provenance: string | null;
}

const LOAD_CYPHER = `
UNWIND $ids AS id
MATCH (i:Image {id: id})
CALL {
  WITH i
  MATCH (i)-[:HAS_OBJECT]->(o:Object)
  RETURN collect(${GEOMETRY_COLUMNS.project('o')}) AS objects
}
CALL {
  WITH i
  OPTIONAL MATCH (i)-[:HAS_OBJECT]->(s:Object)-[r:${SEMANTIC_TYPE}]->(o:Object)
  RETURN collect(CASE WHEN r IS NULL THEN null ELSE {subjectId: s.id, objectId: o.id, predicate: r.predicate,
                 score: r.score, source: r.source, evidence: r.evidence} END) AS semantic
}
CALL {
  WITH i
  OPTIONAL MATCH (rv:Review {imageId: i.id})
  RETURN collect(rv {${REVIEW_FIELDS}}) AS reviews
}
RETURN i {.id, .width, .height, .rangeMode, .provenance} AS image, objects, semantic, reviews`;

function parseObject(text: string | null): Record<string, unknown> | undefined {
  if (!text) return undefined;
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The engine's thresholds among the provenance's `thresholds` (others and non-numbers ignored). */
export function knownThresholds(recorded: unknown): Partial<Thresholds> {
  const out: Record<string, number> = {};
  const record =
    typeof recorded === 'object' && recorded !== null && !Array.isArray(recorded) ? recorded : {};
  for (const [k, v] of Object.entries(record)) {
    if (isThresholdName(k) && typeof v === 'number') out[k] = v;
  }
  return out as Partial<Thresholds>;
}

export async function loadDerivationInputs(
  db: Database,
  imageIds: readonly string[],
): Promise<Map<string, DerivationInput>> {
  const out = new Map<string, DerivationInput>();
  if (imageIds.length === 0) return out;
  const res = await db.query<{
    image: ImageHead;
    objects: unknown[][];
    semantic: Omit<RelationRow, 'id' | 'imageId' | 'provenance'>[];
    reviews: ReviewRow[];
  }>('relations.derivationInputs', LOAD_CYPHER, { ids: [...new Set(imageIds)] });
  for (const r of res.records) {
    const image = r.get('image');
    const provenance = parseObject(image.provenance);
    const rule =
      provenance && typeof provenance.engine === 'string'
        ? `${provenance.engine}@${String(provenance.version ?? '')}`
        : null;
    // Scene order, as the build met the objects (stores from model 1 lack it: key order).
    const objects = r
      .get('objects')
      .map(GEOMETRY_COLUMNS.read)
      .sort((a, b) =>
        a.position !== null && b.position !== null
          ? a.position - b.position
          : a.key < b.key
            ? -1
            : a.key > b.key
              ? 1
              : 0,
      );
    out.set(image.id, {
      imageId: image.id,
      width: image.width,
      height: image.height,
      // Recorded once per image, in its provenance (store model 5; before it also as Image.thresholds).
      thresholds: knownThresholds(provenance?.thresholds),
      rangeMode: (image.rangeMode ?? provenance?.rangeMode) === 'minmax' ? 'minmax' : 'percentile',
      rule,
      provenance: image.provenance,
      objects,
      semantic: r.get('semantic').map((s) => ({
        ...s,
        id: relationId(s.subjectId, s.predicate, s.objectId, s.source),
        imageId: image.id,
        provenance: image.provenance,
      })),
      reviews: new Map(r.get('reviews').map((rv) => [rv.relationId, rv])),
    });
  }
  return out;
}

function toSceneObject(o: StoredObjectGeometry): SceneObject {
  return storedObjectToScene(o, '');
}

/** The geometry fields of a stored object, as the engine and the exporters read them back. */
export type StoredGeometryFields = Pick<
  ObjectRow,
  | 'key'
  | 'box'
  | 'depthMin'
  | 'depthP5'
  | 'depthP50'
  | 'depthP95'
  | 'depthMax'
  | 'depthUnit'
  | 'centroid'
  | 'extent'
> & { mask: string | null; evidence?: string | null };

/** A stored object back as a scene-graph object: key, box, mask, depth, centroid, extent and evidence. */
export function storedObjectToScene(o: StoredGeometryFields, label: string): SceneObject {
  const object: SceneObject = { key: o.key, label, box: o.box as SceneObject['box'] };
  if (o.mask) object.mask = JSON.parse(o.mask) as SceneObject['mask'];
  if (o.depthP5 !== null && o.depthP50 !== null && o.depthP95 !== null) {
    object.depth = {
      min: o.depthMin ?? o.depthP5,
      p5: o.depthP5,
      p50: o.depthP50,
      p95: o.depthP95,
      max: o.depthMax ?? o.depthP95,
      unit: (o.depthUnit ?? 'RELATIVE') as NonNullable<SceneObject['depth']>['unit'],
    };
  }
  if (o.centroid) object.centroid = o.centroid as SceneObject['centroid'];
  if (o.extent) object.extent = o.extent as SceneObject['extent'];
  // The measurement's numbers (pixel noise, samples) decide how sure a range is (spatial covers).
  const evidence = parseObject(o.evidence ?? null);
  if (evidence) object.evidence = evidence as SceneObject['evidence'];
  return object;
}

/** Ids compare as the store compared them (code units), so pages keep their order. */
export function byId(a: { id: string }, b: { id: string }): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** What deriveImageRelations derives of an image, beyond the defaults (everything, evidence as text). */
export interface DeriveOptions {
  /** Thresholds over the image's own (the relations a build with these would have produced). */
  overrides?: Partial<Thresholds>;
  /** Prunes object pairs, by their labels, before the engine runs. */
  keepLabels?: (a: string, b: string) => boolean;
  /**
   * Drops rows before their evidence is serialised (it sees every field but `evidence`, still null,
   * and `review`, not attached yet).
   */
  keepRow?: (row: RelationRow) => boolean;
  /** The geometric predicates the engine emits (semantic rows are kept whatever their predicate). */
  predicates?: ReadonlySet<string>;
  /**
   * Leaves the geometric rows' evidence null, held aside until `withEvidence` serialises it for the
   * rows a caller returns: a search ranks and joins dozens of an image's relations but returns at
   * most MATCHES_PER_PATTERN per pattern (serialising every kept row was ~40% of deriving a page).
   */
  deferEvidence?: boolean;
}

/** Evidence that deriveImageRelations held aside (deferEvidence), by row. */
const deferredEvidence = new WeakMap<RelationRow, NonNullable<Relation['evidence']>>();

/** The row with its evidence serialised when deriveImageRelations deferred it, else the row itself. */
export function withEvidence(row: RelationRow): RelationRow {
  const evidence = deferredEvidence.get(row);
  return evidence ? { ...row, evidence: JSON.stringify(evidence) } : row;
}

/**
 * Every relation of one image, in id order: the geometric ones derived by the engine (with the
 * image's own thresholds overlaid by `overrides`), then merged with the stored semantic ones. A
 * caller that uses a few of an image's relations (search) prunes with the options and does not pay
 * for the others.
 */
export function deriveImageRelations(input: DerivationInput, options: DeriveOptions = {}): RelationRow[] {
  const { overrides, keepLabels, keepRow, predicates, deferEvidence = false } = options;
  const idOf = new Map(input.objects.map((o) => [o.key, o.id]));
  const labelOf = new Map(input.objects.map((o) => [o.key, o.label]));
  const geometric = relationsFromStoredGeometry(
    { width: input.width, height: input.height },
    input.objects.map(toSceneObject),
    {
      thresholds: { ...input.thresholds, ...overrides },
      rangeMode: input.rangeMode,
      // only the pairs whose labels the caller can use (search: the patterns' labels)
      ...(keepLabels
        ? { keepPair: (a: string, b: string) => keepLabels(labelOf.get(a)!, labelOf.get(b)!) }
        : {}),
      ...(predicates ? { predicates } : {}),
    },
  );
  const rows: RelationRow[] = [];
  for (const r of geometric) {
    const subjectId = idOf.get(r.subject)!;
    const objectId = idOf.get(r.object)!;
    const row: RelationRow = {
      id: relationId(subjectId, r.predicate, objectId, 'GEOMETRY'),
      imageId: input.imageId,
      subjectId,
      objectId,
      predicate: r.predicate,
      score: r.score ?? null,
      source: 'GEOMETRY',
      evidence: null,
      provenance: input.rule,
    };
    if (keepRow && !keepRow(row)) continue;
    if (r.evidence) {
      if (deferEvidence) deferredEvidence.set(row, r.evidence);
      else row.evidence = JSON.stringify(r.evidence);
    }
    rows.push(row);
  }
  const semantic = keepRow ? input.semantic.filter(keepRow) : input.semantic;
  const all = [...rows, ...semantic].sort(byId);
  const reviews = input.reviews;
  if (!reviews || reviews.size === 0) return all;
  return all.map((r) => {
    const reviewed = { ...r, review: reviews.get(r.id) ?? null };
    const evidence = deferredEvidence.get(r);
    if (evidence) deferredEvidence.set(reviewed, evidence);
    return reviewed;
  });
}

/** The relations of each image (images that no longer exist are absent). */
export async function relationsOfImages(
  db: Database,
  imageIds: readonly string[],
  overrides?: Partial<Thresholds>,
): Promise<Map<string, RelationRow[]>> {
  const inputs = await loadDerivationInputs(db, imageIds);
  return new Map([...inputs].map(([id, input]) => [id, deriveImageRelations(input, { overrides })]));
}

/** The image an object id belongs to (`imageId:key`, image ids are hex). */
export function imageIdOfObject(objectId: string): string {
  const at = objectId.indexOf(':');
  return at < 0 ? objectId : objectId.slice(0, at);
}
