import { knownThresholds, storedObjectToScene } from './relations.store';
import neo4j from 'neo4j-driver';
import type { Database } from '../db/database';
import type {
  Layer,
  Relation,
  RelationSource,
  SceneGraph,
  SceneObject,
} from '../scenegraph/sceneGraph.types';
import { relationsFromStoredGeometry } from '../spatial/engine';
import { boxList } from './objectBox';
import { columns, DEPTH_COLUMNS } from './rows';
import { EDGE_TYPES, edgeFor, isDerivedOnly, SEMANTIC_TYPE } from './relationModel';
import { layersFromProps } from './layers';

/**
 * Whole stored images read back as scene graphs, a page at a time, for dataset export: keyset
 * pagination on the image id (ORDER BY i.id, `i.id > $after`), so a page costs the same at the end of
 * a 100k-image store as at the start and nothing but one page is held.
 *
 * The graph is what `scenegraph build` produced for the image: objects in scene order with their raw
 * labels and geometry, layers, the geometric relations derived again by the engine with the image's
 * recorded thresholds (store model 2: they are not stored as such), then the stored semantic ones.
 */

export interface ExportFilter {
  /** Normalised labels: each must be on an object of the image. */
  labels: readonly string[];
  /** Normalised predicates: each must hold somewhere in the image (with `source` when set). */
  predicates: readonly string[];
  source?: RelationSource;
  uriPrefix?: string;
}

export interface ExportPage {
  scenes: { id: string; scene: SceneGraph }[];
  /** Pass as `after` for the next page; undefined when this page is the last. */
  next?: string;
}

const GEOMETRIC_TYPES = EDGE_TYPES.join('|');

/** One condition per filter entry, with its parameters: WHERE clauses on `i`. */
export function exportConditions(filter: ExportFilter): {
  conditions: string[];
  params: Record<string, unknown>;
} {
  const conditions: string[] = [];
  const params: Record<string, unknown> = {};
  filter.labels.forEach((label, k) => {
    params[`label${k}`] = label;
    conditions.push(`EXISTS { MATCH (i)-[:HAS_OBJECT]->(:Object {label: $label${k}}) }`);
  });
  const source = filter.source;
  if (source !== undefined) params.source = source;
  filter.predicates.forEach((predicate, k) => {
    params[`predicate${k}`] = predicate;
    const options: string[] = [];
    if (source === undefined || source === 'GEOMETRY') {
      const edge = edgeFor(predicate);
      if (edge) options.push(`EXISTS { MATCH (i)-[:HAS_OBJECT]->(:Object)-[:${edge.type}]->(:Object) }`);
      else if (isDerivedOnly(predicate)) options.push(`coalesce(i.${predicate}Count, 0) > 0`);
    }
    if (source !== 'GEOMETRY') {
      const bySource = source === undefined ? '' : ' AND r.source = $source';
      options.push(
        `EXISTS { MATCH (i)-[:HAS_OBJECT]->(:Object)-[r:${SEMANTIC_TYPE}]->(:Object) WHERE r.predicate = $predicate${k}${bySource} }`,
      );
    }
    // A geometric predicate asked with source MODEL etc., or an unknown one with GEOMETRY: matches nothing.
    conditions.push(options.length === 0 ? 'false' : `(${options.join(' OR ')})`);
  });
  if (source !== undefined && filter.predicates.length === 0) {
    conditions.push(
      source === 'GEOMETRY'
        ? `(EXISTS { MATCH (i)-[:HAS_OBJECT]->(:Object)-[:${GEOMETRIC_TYPES}]->(:Object) } OR coalesce(i.nearCount, 0) > 0 OR coalesce(i.farCount, 0) > 0)`
        : `EXISTS { MATCH (i)-[:HAS_OBJECT]->(:Object)-[r:${SEMANTIC_TYPE}]->(:Object) WHERE r.source = $source }`,
    );
  }
  if (filter.uriPrefix !== undefined) {
    params.uriPrefix = filter.uriPrefix;
    conditions.push('i.uri STARTS WITH $uriPrefix');
  }
  return { conditions, params };
}

export async function countExportImages(db: Database, filter: ExportFilter): Promise<number> {
  const { conditions, params } = exportConditions(filter);
  const res = await db.read('export.count', (tx) =>
    tx.run<{ n: number }>(
      `MATCH (i:Image) ${conditions.length ? `WHERE ${conditions.join(' AND ')}` : ''} RETURN count(i) AS n`,
      params,
    ),
  );
  return res.records[0]?.get('n') ?? 0;
}

interface StoredObjectRow {
  id: string;
  key: string;
  position: number | null;
  rawLabel: string | null;
  label: string;
  box: number[];
  score: number | null;
  mask: string | null;
  depthMin: number | null;
  depthP5: number | null;
  depthP50: number | null;
  depthP95: number | null;
  depthMax: number | null;
  depthUnit: string | null;
  centroid: number[] | null;
  extent: number[] | null;
  layer: number | null;
  evidence: string | null;
}

/** Read by position (rows.ts, `columns`): an image's objects are most of an export page's bytes. */
const EXPORT_OBJECT_COLUMNS = columns<StoredObjectRow>([
  'id',
  'key',
  'position',
  'rawLabel',
  'label',
  ['box', boxList],
  'score',
  'mask',
  ...DEPTH_COLUMNS,
  'layer',
  'evidence',
]);

interface StoredSemanticRow {
  subjectId: string;
  objectId: string;
  predicate: string;
  score: number | null;
  source: string;
  evidence: string | null;
}

export interface StoredExportRow {
  image: {
    id: string;
    uri: string;
    width: number;
    height: number;
    sha256: string | null;
    intrinsics: string | null;
    rangeMode: string | null;
    provenance: string | null;
  };
  objects: StoredObjectRow[];
  semantic: StoredSemanticRow[];
  /** The image's layers as stored (layers.ts). */
  layerBasics: string[] | null;
  layerMembers: string[] | null;
}

const PAGE_CYPHER = (where: string): string => `
MATCH (i:Image) WHERE ($after IS NULL OR i.id > $after)${where}
WITH i ORDER BY i.id LIMIT $limit
CALL {
  WITH i
  MATCH (i)-[:HAS_OBJECT]->(o:Object)
  RETURN collect(${EXPORT_OBJECT_COLUMNS.project('o')}) AS objects
}
CALL {
  WITH i
  OPTIONAL MATCH (i)-[:HAS_OBJECT]->(s:Object)-[r:${SEMANTIC_TYPE}]->(o:Object)
  RETURN collect(CASE WHEN r IS NULL THEN null ELSE {subjectId: s.id, objectId: o.id, predicate: r.predicate,
                 score: r.score, source: r.source, evidence: r.evidence} END) AS semantic
}
RETURN i {.id, .uri, .width, .height, .sha256, .intrinsics, .rangeMode, .provenance} AS image,
       objects, semantic, i.layerBasics AS layerBasics, i.layerMembers AS layerMembers
ORDER BY i.id`;

/** One page of images (at most `first`) after the id `after`, in id order, as scene graphs. */
export async function exportPage(
  db: Database,
  filter: ExportFilter,
  first: number,
  after?: string,
): Promise<ExportPage> {
  const { conditions, params } = exportConditions(filter);
  const res = await db.read('export.page', (tx) =>
    tx.run<ExportRecord>(PAGE_CYPHER(conditions.map((c) => ` AND ${c}`).join('')), {
      ...params,
      after: after ?? null,
      limit: neo4j.int(first),
    }),
  );
  const scenes = res.records.map(sceneOfRecord);
  return { scenes, next: scenes.length === first ? scenes.at(-1)?.id : undefined };
}

/** PAGE_CYPHER's record: the export row with its objects as column lists. */
type ExportRecord = Omit<StoredExportRow, 'objects'> & { objects: unknown[][] };

/** One record of PAGE_CYPHER as the scene graph of its image. */
function sceneOfRecord(r: { get<K extends keyof ExportRecord>(key: K): ExportRecord[K] }): {
  id: string;
  scene: SceneGraph;
} {
  const row: StoredExportRow = {
    image: r.get('image'),
    objects: r.get('objects').map(EXPORT_OBJECT_COLUMNS.read),
    semantic: r.get('semantic'),
    layerBasics: r.get('layerBasics'),
    layerMembers: r.get('layerMembers'),
  };
  return { id: row.image.id, scene: sceneFromStore(row) };
}

/** The stored images with these ids (those that exist), in id order, as scene graphs. */
export async function exportPageByIds(
  db: Database,
  ids: readonly string[],
): Promise<{ id: string; scene: SceneGraph }[]> {
  if (ids.length === 0) return [];
  const res = await db.read('export.byIds', (tx) =>
    tx.run<ExportRecord>(PAGE_CYPHER(' AND i.id IN $ids'), {
      ids: [...ids],
      after: null,
      limit: neo4j.int(ids.length),
    }),
  );
  return res.records.map(sceneOfRecord);
}

function parseRecord(text: string | null): Record<string, unknown> | undefined {
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

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The pure half: a stored image's rows -> scene graph v1 (deterministic whatever order Neo4j returned). */
export function sceneFromStore(row: StoredExportRow): SceneGraph {
  const objectRows = [...row.objects].sort((a, b) =>
    a.position !== null && b.position !== null ? a.position - b.position : compare(a.key, b.key),
  );
  const keyOf = new Map(objectRows.map((o) => [o.id, o.key]));
  const positionOf = new Map(objectRows.map((o, i) => [o.id, i]));
  const objects: SceneObject[] = objectRows.map((o) => {
    const object = storedObjectToScene(o, o.rawLabel ?? o.label);
    if (o.score !== null) object.score = o.score;
    if (o.layer !== null) object.layer = o.layer;
    return object;
  });

  const provenance = parseRecord(row.image.provenance);
  const thresholds = knownThresholds(provenance?.thresholds);
  const rangeMode = (row.image.rangeMode ?? provenance?.rangeMode) === 'minmax' ? 'minmax' : 'percentile';
  // The geometry engine decodes masks and reads depth; labels play no part in it.
  const geometric = relationsFromStoredGeometry(
    { width: row.image.width, height: row.image.height },
    objects,
    {
      thresholds,
      rangeMode,
    },
  );
  const semantic: Relation[] = [...row.semantic]
    .filter((s) => keyOf.has(s.subjectId) && keyOf.has(s.objectId))
    .sort(
      (a, b) =>
        positionOf.get(a.subjectId)! - positionOf.get(b.subjectId)! ||
        positionOf.get(a.objectId)! - positionOf.get(b.objectId)! ||
        compare(a.predicate, b.predicate) ||
        compare(a.source, b.source),
    )
    .map((s) => {
      const relation: Relation = {
        subject: keyOf.get(s.subjectId)!,
        predicate: s.predicate,
        object: keyOf.get(s.objectId)!,
        source: s.source as RelationSource,
      };
      if (s.score !== null) relation.score = s.score;
      const evidence = parseRecord(s.evidence);
      if (evidence) relation.evidence = evidence as Relation['evidence'];
      return relation;
    });

  const layers: Layer[] = layersFromProps(row.image.id, row.layerBasics, row.layerMembers).map((l) => ({
    index: l.index,
    basic: keyOf.get(l.basic) ?? l.basic,
    // The basic object first, then the objects covering it in scene order.
    members: [
      l.basic,
      ...l.members
        .filter((m) => m !== l.basic)
        .sort((a, b) => (positionOf.get(a) ?? 0) - (positionOf.get(b) ?? 0)),
    ]
      .map((m) => keyOf.get(m))
      .filter((k): k is string => k !== undefined),
  }));

  const scene: SceneGraph = {
    version: 1,
    image: {
      uri: row.image.uri,
      width: row.image.width,
      height: row.image.height,
      ...(row.image.sha256 ? { sha256: row.image.sha256 } : {}),
    },
    objects,
    // As the engine orders them: kept (semantic) relations first, then the geometric ones.
    relations: [...semantic, ...geometric],
  };
  if (layers.length > 0) scene.layers = layers;
  const intrinsics = parseRecord(row.image.intrinsics);
  if (intrinsics) scene.intrinsics = intrinsics as unknown as SceneGraph['intrinsics'];
  if (provenance) scene.provenance = provenance;
  return scene;
}
