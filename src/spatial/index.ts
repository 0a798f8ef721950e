/** Public surface of the spatial engine (pure TypeScript, no I/O). */

export {
  buildSceneGraph,
  computeLayers,
  computeRelations,
  SPATIAL_ENGINE,
  SPATIAL_ENGINE_VERSION,
} from './engine';
export { toDepthMap, matchImageSize, INVERSE_DEPTH_FLOOR, ASPECT_TOLERANCE } from './depthMap';
export type { DepthMap, DepthConversion, SizePolicy, Interpolation } from './depthMap';
export { resolveIntrinsics, DEFAULT_FOV_DEGREES } from './intrinsics';
export type { IntrinsicsInput, ResolvedIntrinsics } from './intrinsics';
export {
  decodeRleCounts,
  regionFromRle,
  regionFromPolygons,
  regionFromBox,
  regionFromMask,
  DEFAULT_BOX_MARGIN,
} from './mask';
export { countInBox, regionToBitmap, samplePixels } from './pixelRegion';
export type { PixelRegion } from './pixelRegion';
export {
  measureObject,
  objectFromStoredGeometry,
  backProject,
  depthRange,
  DEFAULT_MAX_PIXELS_PER_OBJECT,
} from './object3d';
export type { Object3d, ObjectEvidence, RangeMode, Vec3 } from './object3d';
export { measureObjects } from './boxSurface';
export type { MeasureInput, MeasureAllOptions } from './boxSurface';
export { covers, coverMatrix } from './covers';
export type { DepthInterval } from './covers';
export { compareByDepth } from './layers';
export type { KeyedRange, LayerResult } from './layers';
export {
  CANONICAL_PREDICATES,
  INVERSE_PREDICATE,
  normalizePredicate,
  isCanonicalPredicate,
} from './predicateNames';
export type { CanonicalPredicate } from './predicateNames';
export { depthSpan } from './predicates';
export { THRESHOLD_SPECS, DEFAULT_THRESHOLDS, resolveThresholds } from './thresholds';
export type { ThresholdName, Thresholds } from './thresholds';
export { resolveBuildOptions } from './spatialOptions';
export type { BuildOptions, ExifFocal, ResolvedBuildOptions } from './spatialOptions';
export { validateSceneInput, MAX_LABEL_LENGTH } from './sceneValidation';
