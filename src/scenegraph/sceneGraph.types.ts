/**
 * Scene-graph JSON v1: the project's interchange format. `scenegraph build` writes it, ingest reads
 * it, importers produce it and exporters consume it. The JSON Schema in
 * schema/scene-graph.v1.schema.json documents the same shape for people and other languages.
 *
 * Conventions: boxes are [x1, y1, x2, y2] in original-image pixels (x right, y down); depth statistics
 * are in the map's unit after conversion so that larger = farther; the camera frame is x right,
 * y down, z forward.
 */

export type DepthUnit = 'METERS' | 'RELATIVE';

/** How a depth map's values are to be read (`inverse` = larger is nearer, as Depth Anything's relative head). */
export type DepthInputUnit = 'meters' | 'relative' | 'inverse';

export type RelationSource = 'GEOMETRY' | 'MODEL' | 'ANNOTATION' | 'HUMAN';

export type IntrinsicsSource = 'GIVEN' | 'EXIF' | 'FOV_PRIOR';

export type Box = [x1: number, y1: number, x2: number, y2: number];

export interface CocoRle {
  size: [height: number, width: number];
  /** Uncompressed run lengths (array) or COCO's compressed string form. */
  counts: number[] | string;
}

/** A list of polygons, each a flat [x1, y1, x2, y2, ...] list in pixels (COCO segmentation). */
export type PolygonMask = number[][];

export type Mask = CocoRle | PolygonMask;

export interface DepthStats {
  min: number;
  p5: number;
  p50: number;
  p95: number;
  max: number;
  unit: DepthUnit;
}

export interface Intrinsics {
  fx: number;
  fy: number;
  cx: number;
  cy: number;
  /** Which way the numbers were obtained; written by `build`, optional on input. */
  source?: IntrinsicsSource;
}

export interface SceneObject {
  /** Unique within the scene; relations refer to objects by key. */
  key: string;
  label: string;
  box: Box;
  score?: number;
  mask?: Mask;
  depth?: DepthStats;
  /** 3D centroid in the camera frame (unit of the depth map). */
  centroid?: [x: number, y: number, z: number];
  /** 3D extent per axis over the back-projected points: p95 - p5 by default, max - min with rangeMode "minmax". */
  extent?: [x: number, y: number, z: number];
  /** Index of the first (nearest) layer this object belongs to. */
  layer?: number;
  /**
   * How the depth statistics were measured (written by `build` from a depth map): `method` 'mask',
   * 'box-surface' (a box-only object's own surface) or 'box-mixed' (a box with no dominant surface),
   * and that method's numbers (samples, attributed to other objects, rejected, kept).
   */
  evidence?: Record<string, number | string | boolean>;
}

export interface Layer {
  /** 0 = nearest. */
  index: number;
  /** Key of the basic object (one that covers no other object) that starts this layer. */
  basic: string;
  /** Keys of the basic object and every object that covers it. */
  members: string[];
}

export interface Relation {
  subject: string;
  predicate: string;
  object: string;
  score?: number;
  source: RelationSource;
  /** The numbers the relation was decided on (margins, overlaps, thresholds). */
  evidence?: Record<string, number | string | boolean>;
}

export interface ImageRef {
  uri: string;
  width: number;
  height: number;
  sha256?: string;
}

export interface DepthRef {
  uri: string;
  unit: DepthInputUnit;
  /** Multiplier applied to raw values (e.g. 0.001 for millimetre 16-bit PNGs). */
  scale?: number;
}

export interface SceneGraph {
  version: 1;
  image: ImageRef;
  intrinsics?: Intrinsics;
  depth?: DepthRef;
  objects: SceneObject[];
  layers?: Layer[];
  relations?: Relation[];
  /** Free-form provenance: engine version, thresholds, model names. */
  provenance?: Record<string, unknown>;
}
