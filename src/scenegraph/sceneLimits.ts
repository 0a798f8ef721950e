import { MAX_LABEL_LENGTH } from '../labels/normalizeLabel';

/**
 * Bounds on one scene graph, whichever way it arrives (scene-graph JSON over GraphQL or from a file,
 * an importer, an image's detections). Each bound keeps the work of validating, building and storing
 * one image small and predictable; input past a bound is refused with a UserInputError naming the
 * field, never truncated. Measured on a 2-core machine (engine 1.2.0, boxes only, no depth):
 * 1,000 objects build in about 8 s with about 2 million geometric relations, 3,000 in about 120 s, so
 * the object bound stays at 1,000 (COCO has at most 93 annotations per image, PSG and Visual Genome a
 * few hundred). Polygon filling costs (rows spanned) x (points), so points are bounded per polygon,
 * per object and per image: a 20,000-point polygon over 2,800 rows fills in about 0.4 s, a
 * 1,000,000-point one took 21 s.
 */
export const SCENE_LIMITS = {
  /**
   * Deepest nesting of arrays and objects anywhere in a scene graph (the root is depth 1). The format
   * itself needs 5 (objects[i].mask[j] and provenance.models.detector); the rest is headroom for
   * free-form provenance and evidence. Checked before anything recursive touches the input.
   */
  maxJsonDepth: 32,
  /** Objects one image may have (imported, ingested or detected). */
  maxObjectsPerImage: 1_000,
  /** Relations one image may bring (imported or ingested; the engine's own are not counted). */
  maxRelationsPerImage: 100_000,
  /** Points (x, y pairs) in one mask polygon. */
  maxPolygonPoints: 5_000,
  /** Points in all polygons of one object's mask. */
  maxMaskPointsPerObject: 10_000,
  /** Points in all mask polygons of one image. */
  maxMaskPointsPerImage: 100_000,
  /** Longest label, predicate or object key, in characters (code points). */
  maxNameLength: MAX_LABEL_LENGTH,
  /** Longest image or depth-map URI, in characters. */
  maxUriLength: 4_096,
  /** Largest image (width x height) a scene graph may describe, and the decoder's default pixel limit. */
  maxImagePixels: 100_000_000,
  /** Largest scene-graph file read from disk, in bytes. */
  maxSceneFileBytes: 64 * 1024 * 1024,
} as const;
