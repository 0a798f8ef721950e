import { SCENE_LIMITS } from '../scenegraph/sceneLimits';

/**
 * Bounds on what an import reads, so that a wrong or hostile file fails with a message instead of
 * exhausting memory. The byte limit sits under V8's longest string (about 512 MiB), which is what a
 * whole-file JSON.parse can read at all: the full Visual Genome relationships.json (about 700 MB) has
 * to be split first (README, "Import and export"). The counts are far above the public datasets'
 * (COCO train2017: 118k images, 860k annotations; PSG: 49k images; Visual Genome: 108k images, at most
 * a few hundred relations per image).
 */
export const IMPORT_LIMITS = {
  /** Largest input file, in bytes. */
  maxFileBytes: 500 * 1024 * 1024,
  /** Images (scenes) one input file may describe. */
  maxImages: 500_000,
  /** Annotations (objects, shapes, relations) one input file may hold in total. */
  maxAnnotations: 10_000_000,
  /** Objects one image may have (the scene-graph limit: more would not pass validation). */
  maxObjectsPerImage: SCENE_LIMITS.maxObjectsPerImage,
  /** Relations one image may have (the scene-graph limit). */
  maxRelationsPerImage: SCENE_LIMITS.maxRelationsPerImage,
  /** Longest label or predicate, in characters (the scene-graph validation's limit). */
  maxNameLength: SCENE_LIMITS.maxNameLength,
} as const;
