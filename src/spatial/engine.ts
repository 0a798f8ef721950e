/**
 * The spatial engine: a scene graph with objects (and optionally a depth map) in, the same scene graph
 * with per-object 3D geometry, depth layers and geometric relations out. Pure: no I/O, no clock, no
 * randomness, and the input is not modified, so the same input and options always give the same graph.
 *
 * Stages: validate -> resolve options and intrinsics -> object regions (mask, else the box) ->
 * per-object 3D (object3d.ts; for box-only objects their own surface, boxSurface.ts) -> layers
 * (layers.ts, Algorithm 2) -> relations (predicates.ts).
 *
 * Rebuilding is idempotent: input relations with source GEOMETRY and input layers are replaced by the
 * recomputed ones; relations from models, annotations and people are kept (predicates normalised).
 * Without a depth map, geometry already stored on the objects (depth, centroid, extent) is used, so a
 * stored graph can be re-derived with other thresholds; objects without it get 2D relations only.
 */

import type { Intrinsics, Relation, SceneGraph, SceneObject } from '../scenegraph/sceneGraph.types';
import { matchImageSize, type DepthMap } from './depthMap';
import { resolveIntrinsics, type ResolvedIntrinsics } from './intrinsics';
import { computeLayers } from './layers';
import { regionFromBox, regionFromMask } from './mask';
import { measureObjects, type MeasureInput } from './boxSurface';
import { addEdgeEvidence } from './edgeOcclusion';
import { objectFromStoredGeometry, type Object3d, type RangeMode } from './object3d';
import type { PixelRegion } from './pixelRegion';
import { normalizePredicate } from './predicateNames';
import { computeRelations } from './predicates';
import { validateSceneInput } from './sceneValidation';
import { resolveBuildOptions, type BuildOptions, type ResolvedBuildOptions } from './spatialOptions';
import { resolveThresholds, type Thresholds } from './thresholds';

export { computeLayers } from './layers';
export { computeRelations } from './predicates';

export const SPATIAL_ENGINE = 'scenegraph-spatial';
/** Bumped whenever a change can alter the output for the same input, so stored graphs can be told apart. */
export const SPATIAL_ENGINE_VERSION = '1.5.0';

/**
 * Intrinsics by preference: the caller's, the scene's own (unless they were only a field-of-view prior,
 * which EXIF or a new prior should replace), EXIF, the prior.
 */
function pickIntrinsics(scene: SceneGraph, opts: ResolvedBuildOptions): ResolvedIntrinsics {
  const { width, height } = scene.image;
  const stored: Intrinsics | undefined = scene.intrinsics;
  const given = opts.intrinsics ?? (stored && stored.source !== 'FOV_PRIOR' ? stored : undefined);
  const resolved = resolveIntrinsics({
    given,
    exifFocalLength35mm: opts.exif.focalLength35mm,
    exifFocalLengthMm: opts.exif.focalLengthMm,
    sensorWidthMm: opts.exif.sensorWidthMm,
    width,
    height,
    fovDegrees: opts.fovDegrees,
  });
  // Stored EXIF-derived numbers are still EXIF-derived.
  if (!opts.intrinsics && given?.source === 'EXIF') return { ...resolved, source: 'EXIF' };
  return resolved;
}

function measureAll(
  scene: SceneGraph,
  depth: DepthMap | undefined,
  intrinsics: ResolvedIntrinsics,
  opts: ResolvedBuildOptions,
): Object3d[] {
  const { width, height } = scene.image;
  const masks = scene.objects.map((object, i) => {
    const decoded =
      object.mask !== undefined
        ? regionFromMask(object.mask, width, height, `objects[${i}].mask`)
        : undefined;
    // An empty mask says nothing about where the object is; measure its box instead.
    return decoded && decoded.pixelCount > 0 ? decoded : undefined;
  });
  if (!depth) return scene.objects.map((o, i) => objectFromStoredGeometry(o, opts.rangeMode, masks[i]));
  const inputs: MeasureInput[] = scene.objects.map((object, i) => {
    const mask: PixelRegion | undefined = masks[i];
    const region = mask ?? regionFromBox(object.box, width, height, opts.boxMargin);
    return mask
      ? { key: object.key, box: object.box, region, mask }
      : { key: object.key, box: object.box, region };
  });
  const measured = measureObjects(inputs, depth, intrinsics, {
    rangeMode: opts.rangeMode,
    maxPixels: opts.maxPixelsPerObject,
    thresholds: opts.thresholds,
  });
  addEdgeEvidence(measured, inputs, depth, intrinsics, opts.thresholds);
  return measured;
}

function outputObject(
  object: SceneObject,
  measured: Object3d,
  layer: number | undefined,
  fromDepthMap: boolean,
): SceneObject {
  const { depth, centroid, extent, evidence, layer: _staleLayer, ...rest } = object;
  const out: SceneObject = { ...rest, box: [...object.box] };
  if (fromDepthMap) {
    if (measured.depth) out.depth = measured.depth;
    if (measured.centroid) out.centroid = measured.centroid;
    if (measured.extent) out.extent = measured.extent;
    if (measured.evidence) out.evidence = { ...measured.evidence };
  } else {
    if (depth) out.depth = depth;
    if (centroid) out.centroid = centroid;
    if (extent) out.extent = extent;
    if (evidence) out.evidence = { ...evidence };
  }
  if (layer !== undefined) out.layer = layer;
  return out;
}

/**
 * Builds the spatial part of `scene`. `depth` need not be of the image's size: a map with the same
 * aspect ratio is resampled (options.depthSizePolicy), any other is refused. Throws UserInputError,
 * naming the field, for invalid input.
 */
export function buildSceneGraph(scene: SceneGraph, depth?: DepthMap, options: BuildOptions = {}): SceneGraph {
  validateSceneInput(scene);
  const opts = resolveBuildOptions(options);
  const { width, height } = scene.image;
  const matched = depth
    ? matchImageSize(depth, width, height, opts.depthSizePolicy, opts.depthInterpolation)
    : undefined;
  const intrinsics = pickIntrinsics(scene, opts);

  const measured = measureAll(scene, matched, intrinsics, opts);
  const ranged = measured.flatMap((o) => (o.range ? [{ key: o.key, range: o.range }] : []));
  const { layers, layerOf } = computeLayers(ranged, opts.thresholds.coversTolerance);

  const kept = (scene.relations ?? [])
    .filter((r) => r.source !== 'GEOMETRY')
    .map((r) => ({ ...r, predicate: normalizePredicate(r.predicate) }));
  const geometry = computeRelations(measured, opts.thresholds);

  return {
    ...scene,
    intrinsics,
    objects: scene.objects.map((o, i) =>
      outputObject(o, measured[i], layerOf.get(o.key), matched !== undefined),
    ),
    layers,
    relations: [...kept, ...geometry],
    provenance: {
      ...scene.provenance,
      engine: SPATIAL_ENGINE,
      version: SPATIAL_ENGINE_VERSION,
      geometryFrom: matched ? 'depth-map' : 'stored',
      ...(matched ? { depthUnit: matched.unit } : {}),
      thresholds: { ...opts.thresholds },
      rangeMode: opts.rangeMode,
      maxPixelsPerObject: opts.maxPixelsPerObject,
      boxMargin: opts.boxMargin,
      intrinsicsSource: intrinsics.source,
    },
  };
}

export interface StoredGeometryOptions {
  /** The build's thresholds (a stored graph's provenance.thresholds); missing names take the defaults. */
  thresholds?: Partial<Thresholds>;
  /** The build's range mode (provenance.rangeMode). */
  rangeMode?: RangeMode;
  /**
   * Only the relations of the pairs this accepts in either order (object keys; a kept pair's relations
   * go both ways): exactly the ones the whole derivation gives for those pairs.
   */
  keepPair?: (a: string, b: string) => boolean;
  /**
   * Only the relations with these predicates (an inverse such as `behind` counts on its own): the
   * others are neither emitted nor given evidence; those kept are exactly what the whole derivation gives.
   */
  predicates?: ReadonlySet<string>;
}

/**
 * The geometric relations of objects whose statistics are already measured (a stored graph), by the
 * same code as `buildSceneGraph`: with the build's thresholds and range mode this returns exactly the
 * relations the build produced, and with other thresholds the relations that a build with those would
 * have produced. No validation: the objects come from the store, which validated them on the way in.
 * Throws UserInputError naming the threshold for an out-of-range threshold value.
 */
export function relationsFromStoredGeometry(
  image: { width: number; height: number },
  objects: readonly SceneObject[],
  options: StoredGeometryOptions = {},
): Relation[] {
  const thresholds = resolveThresholds(options.thresholds);
  const rangeMode = options.rangeMode ?? 'percentile';
  const measured = objects.map((object, i) => {
    const decoded =
      object.mask !== undefined
        ? regionFromMask(object.mask, image.width, image.height, `objects[${i}].mask`)
        : undefined;
    return objectFromStoredGeometry(
      object,
      rangeMode,
      decoded && decoded.pixelCount > 0 ? decoded : undefined,
    );
  });
  return computeRelations(measured, thresholds, options.keepPair, options.predicates);
}
