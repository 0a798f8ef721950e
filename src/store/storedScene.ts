import { createHash } from 'node:crypto';
import { normalizeLabel } from '../labels/normalizeLabel';
import { checkJsonDepth } from '../scenegraph/jsonInput';
import type { SceneGraph } from '../scenegraph/sceneGraph.types';
import { objectIdFor } from './ids';
import { layerProps } from './layers';
import { boxProps } from './objectBox';
import {
  EDGE_TYPE,
  isStoredPredicate,
  pairKey,
  relationId,
  STORE_MODEL_VERSION,
  type EdgeType,
} from './relationModel';

/**
 * The pure mapping from a built scene graph to the property maps written to Neo4j. Kept apart from
 * the Cypher so it can be tested without a database and reused by the benchmark's raw baseline.
 *
 * Identity: an image is identified by its content (`image.sha256` when given, else a hash of its
 * URI), so the same picture ingested twice is one Image. `configHash` hashes everything else in the
 * scene graph (objects, relations, provenance with model and thresholds): same content + same config
 * = unchanged; same content + other config = the image's graph is replaced.
 */

/** A stored geometric edge (relationModel.ts): canonical direction, score and, on its group's lead, the pair key. */
export interface StoredEdge {
  type: EdgeType;
  subject: string;
  object: string;
  score: number | null;
  /**
   * pairKey(subject label, object label) (relationModel.ts) on the lead edge of its (type, subject
   * label, object label) group in the image (the best score, the first of equals: `leadEdges`),
   * null on the others, which the pair-key indexes then leave out.
   */
  k: number | null;
}

export interface StoredImage {
  id: string;
  props: Record<string, unknown>;
  objects: Record<string, unknown>[];
  /** Geometric relations people query, one edge per relation and its inverse (relationModel.ts). */
  edges: StoredEdge[];
  /** Relations from models, annotations and people: always stored. */
  semantic: { subject: string; object: string; props: Record<string, unknown> }[];
  configHash: string;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * JSON with object keys sorted, so equal graphs hash equally whatever the key order of the input.
 * Recursive, so the depth is checked first (iteratively): validated scene graphs are within it
 * already, and anything else deeper fails as bad input instead of overflowing the stack.
 */
export function canonicalJson(value: unknown, field = 'input'): string {
  checkJsonDepth(value, field);
  return canonical(value);
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function imageIdFor(scene: SceneGraph): string {
  const content = scene.image.sha256
    ? `sha256:${scene.image.sha256.toLowerCase()}`
    : `uri:${scene.image.uri}`;
  return sha256(content).slice(0, 24);
}

export { objectIdFor };

/**
 * Hash of everything but the image's content: objects, layers, semantic relations, provenance (model
 * names, engine version, thresholds), intrinsics. Geometric relations are left out: they follow from
 * the objects and the thresholds (which are in), and hashing them was most of the cost of converting
 * a graph for the store.
 */
export function configHashFor(scene: SceneGraph): string {
  const { image, relations, ...rest } = scene;
  const semantic = (relations ?? []).filter((r) => r.source !== 'GEOMETRY');
  return sha256(
    canonicalJson({ image: { width: image.width, height: image.height }, ...rest, relations: semantic }),
  );
}

/** Depth span of the scene: nearest p5 to farthest p95, the scale relative depth margins refer to. */
function depthSpan(scene: SceneGraph): number | undefined {
  const withDepth = scene.objects.filter((o) => o.depth);
  if (withDepth.length === 0) return undefined;
  return Math.max(...withDepth.map((o) => o.depth!.p95)) - Math.min(...withDepth.map((o) => o.depth!.p5));
}

/** A relation without a score counts as 1 wherever scores are compared (search ranking, relationModel.ts). */
export const scoreOrOne = (score: number | null): number => score ?? 1;

/**
 * Keeps the pair key only on the lead edge of each (type, subject label, object label) group of one
 * image: the one with the best score (scoreOrOne), the first of equals. Search ranks an image by the
 * best score of each pattern's matching edges and finds candidate images through the pair-key indexes,
 * so one entry per group and image answers it; the other edges are read inside the image, where
 * the objects' labels select them (relationModel.ts, store model 4).
 */
export function leadEdges(edges: StoredEdge[], labelOf: ReadonlyMap<string, string>): void {
  const lead = new Map<string, StoredEdge>();
  for (const e of edges) {
    const group = `${e.type}\u0000${labelOf.get(e.subject) ?? ''}\u0000${labelOf.get(e.object) ?? ''}`;
    const best = lead.get(group);
    if (best === undefined || scoreOrOne(e.score) > scoreOrOne(best.score)) {
      if (best !== undefined) best.k = null;
      lead.set(group, e);
    } else {
      e.k = null;
    }
  }
}

export function toStoredImage(scene: SceneGraph, ingestedAt: string): StoredImage {
  const id = imageIdFor(scene);
  const configHash = configHashFor(scene);
  const unit = scene.objects.find((o) => o.depth)?.depth?.unit;
  const props: Record<string, unknown> = {
    id,
    uri: scene.image.uri,
    width: scene.image.width,
    height: scene.image.height,
    sha256: scene.image.sha256 ?? null,
    configHash,
    ingestedAt,
    objectCount: scene.objects.length,
    relationCount: scene.relations?.length ?? 0,
    depthUnit: unit ?? null,
    depthSpan: depthSpan(scene) ?? null,
    depthUri: scene.depth?.uri ?? null,
    intrinsics: scene.intrinsics ? JSON.stringify(scene.intrinsics) : null,
    provenance: scene.provenance ? JSON.stringify(scene.provenance) : null,
    // Set for graphs made from images: lets a re-run skip images already stored the same way.
    inputKey: typeof scene.provenance?.inputKey === 'string' ? scene.provenance.inputKey : null,
    // What re-derives the geometric relations at read time (relationModel.ts), recorded once per image:
    // the thresholds are in the provenance (model 4 also copied them to Image.thresholds).
    storeModel: STORE_MODEL_VERSION,
    rangeMode: typeof scene.provenance?.rangeMode === 'string' ? scene.provenance.rangeMode : null,
    // The depth layers, as two lists of `index:key` (layers.ts, store model 5).
    ...layerProps(scene.layers ?? []),
  };
  const objects = scene.objects.map((o, position) => {
    const label = normalizeLabel(o.label);
    return {
      id: objectIdFor(id, o.key),
      // The object's place in the scene: the engine meets pairs in this order when it re-derives relations.
      position,
      imageId: id,
      key: o.key,
      label,
      // The label as given, only where normalising changed it (readers fall back to `label`, rows.ts).
      rawLabel: label === o.label ? null : o.label,
      // The box as four numbers, boxX1..boxY2 (objectBox.ts, store model 6).
      ...boxProps(o.box),
      score: o.score ?? null,
      mask: o.mask ? JSON.stringify(o.mask) : null,
      depthMin: o.depth?.min ?? null,
      depthP5: o.depth?.p5 ?? null,
      depthP50: o.depth?.p50 ?? null,
      depthP95: o.depth?.p95 ?? null,
      depthMax: o.depth?.max ?? null,
      depthUnit: o.depth?.unit ?? null,
      centroid: o.centroid ?? null,
      extent: o.extent ?? null,
      layer: o.layer ?? null,
      // How the depth statistics were measured (mask, box-surface, box-mixed) and that method's numbers.
      depthMethod: typeof o.evidence?.method === 'string' ? o.evidence.method : null,
      evidence: o.evidence ? JSON.stringify(o.evidence) : null,
    };
  });
  const labelOf = new Map(objects.map((o) => [o.key, o.label]));
  const edges: StoredEdge[] = [];
  const semantic: StoredImage['semantic'] = [];
  const seen = new Set<string>();
  let nearCount = 0;
  let farCount = 0;
  for (const r of scene.relations ?? []) {
    const subject = objectIdFor(id, r.subject);
    const object = objectIdFor(id, r.object);
    const sl = labelOf.get(r.subject) ?? '';
    const ol = labelOf.get(r.object) ?? '';
    if (r.source === 'GEOMETRY') {
      if (r.predicate === 'near') nearCount++;
      if (r.predicate === 'far') farCount++;
      if (!isStoredPredicate(r.predicate)) continue; // an inverse, near or far: derived when read
      if (r.predicate === 'beside' && !(subject < object)) continue; // symmetric: once per pair
      edges.push({
        type: EDGE_TYPE[r.predicate],
        subject,
        object,
        score: r.score ?? null,
        k: pairKey(sl, ol),
      });
      continue;
    }
    // The same triplet may come from two sources (an annotation and a model); both are kept.
    const relId = relationId(subject, r.predicate, object, r.source);
    if (seen.has(relId)) continue;
    seen.add(relId);
    semantic.push({
      subject,
      object,
      props: {
        predicate: r.predicate,
        score: r.score ?? null,
        source: r.source,
        sl,
        ol,
        evidence: r.evidence ? JSON.stringify(r.evidence) : null,
      },
    });
  }
  leadEdges(edges, new Map(objects.map((o) => [o.id, o.label])));
  props.nearCount = nearCount;
  props.farCount = farCount;
  return { id, props, objects, edges, semantic, configHash };
}
