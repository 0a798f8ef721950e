import { GraphQLJSON, GraphQLJSONObject } from 'graphql-scalars';
import { Field, Float, InputType, Int, registerEnumType } from 'type-graphql';
import type { DepthInputUnit as JsonDepthInputUnit } from '../../src/scenegraph/sceneGraph.types';
import { DepthUnit } from './image.type';
import { RelationSource } from './relation.type';

/**
 * Typed GraphQL input for ingest, beside the JSON form (`ingestSceneGraph(input: JSONObject!)`): the
 * same scene-graph JSON v1 fields, so codegen can check a client's scene. The resolver turns it into
 * the JSON object (toSceneJson) and ingests it exactly as the JSON form: one validation, one pipeline.
 */

export enum DepthInputUnit {
  METERS = 'METERS',
  RELATIVE = 'RELATIVE',
  INVERSE = 'INVERSE',
  meters = 'meters',
  relative = 'relative',
  inverse = 'inverse',
}
const SPELLING = 'the spelling of the JSON form and the CLI (--depth-unit); kept for older clients';
registerEnumType(DepthInputUnit, {
  name: 'DepthInputUnit',
  description:
    "How a depth map's values are read: METERS (metric depth), RELATIVE (larger = farther, comparable only " +
    "within one image) or INVERSE (larger = nearer, as Depth Anything's relative output). The lower-case " +
    'spellings (meters, relative, inverse) are accepted too.',
  valuesConfig: {
    meters: { deprecationReason: `Use METERS (${SPELLING}).` },
    relative: { deprecationReason: `Use RELATIVE (${SPELLING}).` },
    inverse: { deprecationReason: `Use INVERSE (${SPELLING}).` },
  },
});

/** The JSON / CLI spelling of a GraphQL depth input unit (either spelling). */
export function jsonDepthUnit(unit: DepthInputUnit): JsonDepthInputUnit {
  return unit.toLowerCase() as JsonDepthInputUnit;
}

export enum IntrinsicsSource {
  GIVEN = 'GIVEN',
  EXIF = 'EXIF',
  FOV_PRIOR = 'FOV_PRIOR',
}
registerEnumType(IntrinsicsSource, {
  name: 'IntrinsicsSource',
  description:
    'How camera intrinsics were obtained: GIVEN (supplied), EXIF (from the focal length in the file) or ' +
    'FOV_PRIOR (an assumed field of view).',
});

@InputType({ description: 'The picture a scene graph describes.' })
export class ImageRefInput {
  @Field({ description: 'Where the image is: a path (under INGEST_ROOTS to be served), a URL, or any id.' })
  uri!: string;

  @Field(() => Int, { description: 'Width in pixels (> 0).' })
  width!: number;

  @Field(() => Int, { description: 'Height in pixels (> 0).' })
  height!: number;

  @Field(() => String, { nullable: true, description: "SHA-256 of the image file's bytes, hex." })
  sha256?: string;
}

@InputType({ description: 'Pinhole camera intrinsics in pixels.' })
export class IntrinsicsInput {
  @Field(() => Float, { description: 'Focal length along x, pixels (> 0).' })
  fx!: number;

  @Field(() => Float, { description: 'Focal length along y, pixels (> 0).' })
  fy!: number;

  @Field(() => Float, { description: 'Principal point x, pixels.' })
  cx!: number;

  @Field(() => Float, { description: 'Principal point y, pixels.' })
  cy!: number;

  @Field(() => IntrinsicsSource, { nullable: true, description: 'How they were obtained; default GIVEN.' })
  source?: IntrinsicsSource;
}

@InputType({ description: 'A depth map for the scene (the spatial engine reads it at ingest).' })
export class DepthRefInput {
  @Field({ description: 'Path of a .npy or 16-bit .png depth map under INGEST_ROOTS.' })
  uri!: string;

  @Field(() => DepthInputUnit, { description: "How the map's values are read." })
  unit!: DepthInputUnit;

  @Field(() => Float, {
    nullable: true,
    description: 'Multiplier for raw values (e.g. 0.001 for millimetre PNGs).',
  })
  scale?: number;
}

@InputType({ description: "An object's depth statistics over its pixels (larger = farther)." })
export class DepthStatsInput {
  @Field(() => Float, { description: 'Smallest depth.' })
  min!: number;

  @Field(() => Float, { description: 'Near bound of the depth range (5th percentile).' })
  p5!: number;

  @Field(() => Float, { description: 'Median depth.' })
  p50!: number;

  @Field(() => Float, { description: 'Far bound of the depth range (95th percentile).' })
  p95!: number;

  @Field(() => Float, { description: 'Largest depth.' })
  max!: number;

  @Field(() => DepthUnit, { description: 'Unit of the values.' })
  unit!: DepthUnit;
}

@InputType({ description: 'An object of a scene graph.' })
export class SceneObjectInput {
  @Field({ description: 'Unique within the scene; relations and layers refer to objects by key.' })
  key!: string;

  @Field({ description: 'Label as detected or annotated (stored normalised, e.g. "People" -> "person").' })
  label!: string;

  @Field(() => [Float], { description: 'Bounding box [x1, y1, x2, y2] in image pixels (x right, y down).' })
  box!: number[];

  @Field(() => Float, { nullable: true, description: 'Detection score in [0, 1].' })
  score?: number;

  @Field(() => GraphQLJSON, {
    nullable: true,
    description:
      'Segmentation mask: COCO RLE {size: [h, w], counts} or a list of polygons [[x1, y1, ...], ...].',
  })
  mask?: unknown;

  @Field(() => DepthStatsInput, { nullable: true, description: 'Depth statistics, when measured.' })
  depth?: DepthStatsInput;

  @Field(() => [Float], {
    nullable: true,
    description: '3D centroid [x, y, z] in the camera frame, in the depth unit.',
  })
  centroid?: number[];

  @Field(() => [Float], { nullable: true, description: '3D extent [x, y, z], in the depth unit.' })
  extent?: number[];

  @Field(() => Int, { nullable: true, description: 'Index of the nearest depth layer holding the object.' })
  layer?: number;

  @Field(() => GraphQLJSONObject, {
    nullable: true,
    description: 'How the depth statistics were measured (numbers, strings or booleans by name).',
  })
  evidence?: Record<string, unknown>;
}

@InputType({ description: 'A depth layer of a scene graph.' })
export class LayerInput {
  @Field(() => Int, { description: 'Layer index, 0 = nearest.' })
  index!: number;

  @Field({ description: 'Key of the basic object that starts the layer.' })
  basic!: string;

  @Field(() => [String], { description: 'Keys of the basic object and every object that covers it.' })
  members!: string[];
}

@InputType({ description: 'A relation "subject predicate object" between two objects of the scene.' })
export class SceneRelationInput {
  @Field({ description: 'Key of the subject object.' })
  subject!: string;

  @Field({ description: 'Predicate, e.g. "holding" or "in front of" (aliases accepted).' })
  predicate!: string;

  @Field({ description: 'Key of the object object.' })
  object!: string;

  @Field(() => Float, { nullable: true, description: 'Score in [0, 1].' })
  score?: number;

  @Field(() => RelationSource, {
    description: 'Who decided it (GEOMETRY relations are re-derived by the engine).',
  })
  source!: RelationSource;

  @Field(() => GraphQLJSONObject, { nullable: true, description: 'The numbers it was decided on.' })
  evidence?: Record<string, unknown>;
}

@InputType({
  description:
    'A scene graph as typed input: the fields of scene-graph JSON v1 (schema/scene-graph.v1.schema.json), ' +
    'validated and ingested exactly as the JSON form of ingestSceneGraph.',
})
export class SceneGraphInput {
  @Field(() => Int, { defaultValue: 1, description: 'Format version; only 1.' })
  version!: number;

  @Field(() => ImageRefInput, { description: 'The picture.' })
  image!: ImageRefInput;

  @Field(() => IntrinsicsInput, { nullable: true, description: 'Camera intrinsics, when known.' })
  intrinsics?: IntrinsicsInput;

  @Field(() => DepthRefInput, { nullable: true, description: 'A depth map to build the geometry from.' })
  depth?: DepthRefInput;

  @Field(() => [SceneObjectInput], { description: 'The objects.' })
  objects!: SceneObjectInput[];

  @Field(() => [LayerInput], {
    nullable: true,
    description: 'Depth layers (derived by the engine when absent).',
  })
  layers?: LayerInput[];

  @Field(() => [SceneRelationInput], { nullable: true, description: 'Relations.' })
  relations?: SceneRelationInput[];

  @Field(() => GraphQLJSONObject, { nullable: true, description: 'Free-form provenance (engine, models).' })
  provenance?: Record<string, unknown>;
}

/**
 * The scene-graph JSON v1 object a typed input stands for: absent (null) optional fields dropped, the
 * depth map's unit in its JSON spelling. JSON-valued fields (mask, evidence, provenance) pass as given.
 */
export function toSceneJson(scene: SceneGraphInput): Record<string, unknown> {
  const { provenance, depth, objects, relations, ...top } = scene;
  return {
    ...plain(top),
    ...(depth ? { depth: { ...plain(depth), unit: jsonDepthUnit(depth.unit) } } : {}),
    objects: objects.map(({ mask, evidence, ...o }) => ({
      ...plain(o),
      ...given('mask', mask),
      ...given('evidence', evidence),
    })),
    ...(relations
      ? {
          relations: relations.map(({ evidence, ...r }) => ({ ...plain(r), ...given('evidence', evidence) })),
        }
      : {}),
    ...given('provenance', provenance),
  };
}

/** A typed input object as plain JSON: absent (null) fields dropped, recursively. */
function plain(value: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined || v === null) continue;
    out[k] = Array.isArray(v)
      ? v.map((x: unknown) => (x !== null && typeof x === 'object' ? plain(x) : x))
      : typeof v === 'object'
        ? plain(v as object)
        : v;
  }
  return out;
}

/** A JSON-valued field verbatim (its nulls and nesting are the client's, as in the JSON form). */
function given(name: string, value: unknown): Record<string, unknown> {
  return value === undefined || value === null ? {} : { [name]: value };
}
