import { createHash } from 'node:crypto';
import { normalizeLabel } from '../labels/normalizeLabel';
import type { SceneGraph } from '../scenegraph/sceneGraph.types';

/**
 * The pure mapping from a built scene graph to the property maps written to Neo4j. Kept apart from
 * the Cypher so it can be tested without a database and reused by the benchmark's raw baseline.
 *
 * Identity: an image is identified by its content (`image.sha256` when given, else a hash of its
 * URI), so the same picture ingested twice is one Image. `configHash` hashes everything else in the
 * scene graph (objects, relations, provenance with model and thresholds): same content + same config
 * = unchanged; same content + other config = the image's graph is replaced.
 */

export interface StoredImage {
  id: string;
  props: Record<string, unknown>;
  objects: Record<string, unknown>[];
  relations: { id: string; subject: string; object: string; props: Record<string, unknown> }[];
  layers: { id: string; index: number; basic: string; members: string[] }[];
  configHash: string;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** JSON with object keys sorted, so equal graphs hash equally whatever the key order of the input. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function imageIdFor(scene: SceneGraph): string {
  const content = scene.image.sha256
    ? `sha256:${scene.image.sha256.toLowerCase()}`
    : `uri:${scene.image.uri}`;
  return sha256(content).slice(0, 24);
}

export function objectIdFor(imageId: string, key: string): string {
  return `${imageId}:${key}`;
}

export function configHashFor(scene: SceneGraph): string {
  const { image, ...rest } = scene;
  return sha256(canonicalJson({ image: { width: image.width, height: image.height }, ...rest }));
}

/** Depth span of the scene: nearest p5 to farthest p95, the scale relative depth margins refer to. */
function depthSpan(scene: SceneGraph): number | undefined {
  const withDepth = scene.objects.filter((o) => o.depth);
  if (withDepth.length === 0) return undefined;
  return Math.max(...withDepth.map((o) => o.depth!.p95)) - Math.min(...withDepth.map((o) => o.depth!.p5));
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
  };
  const objects = scene.objects.map((o) => ({
    id: objectIdFor(id, o.key),
    imageId: id,
    key: o.key,
    label: normalizeLabel(o.label),
    rawLabel: o.label,
    box: o.box,
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
  }));
  const provenance = scene.provenance;
  const rule =
    provenance && typeof provenance.engine === 'string'
      ? `${provenance.engine}@${String(provenance.version ?? '')}`
      : null;
  const seen = new Set<string>();
  const relations = (scene.relations ?? []).flatMap((r) => {
    const subject = objectIdFor(id, r.subject);
    const object = objectIdFor(id, r.object);
    // The same triplet may come from two sources (an annotation and geometry); both are kept.
    const relId = `${subject}|${r.predicate}|${object}|${r.source}`;
    if (seen.has(relId)) return [];
    seen.add(relId);
    return [
      {
        id: relId,
        subject,
        object,
        props: {
          id: relId,
          imageId: id,
          predicate: r.predicate,
          score: r.score ?? null,
          source: r.source,
          evidence: r.evidence ? JSON.stringify(r.evidence) : null,
          // Which rule or model made the edge: the engine and version for GEOMETRY, the scene's own
          // provenance (model/annotation name) otherwise.
          provenance: r.source === 'GEOMETRY' ? rule : provenance ? JSON.stringify(provenance) : null,
        },
      },
    ];
  });
  const layers = (scene.layers ?? []).map((l) => ({
    id: `${id}#${l.index}`,
    index: l.index,
    basic: objectIdFor(id, l.basic),
    members: l.members.map((m) => objectIdFor(id, m)),
  }));
  return { id, props, objects, relations, layers, configHash };
}
