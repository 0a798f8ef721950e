import { GraphQLDateTime, GraphQLJSONObject } from 'graphql-scalars';
import { Field, Float, ID, Int, registerEnumType } from 'type-graphql';
import { ObjectType } from './objectType';
import { Node } from './node.type';

export enum DepthUnit {
  METERS = 'METERS',
  RELATIVE = 'RELATIVE',
}
registerEnumType(DepthUnit, {
  name: 'DepthUnit',
  description:
    'Unit of stored depth values, larger = farther in both: METERS (metric depth, from a metric depth map or ' +
    'model) or RELATIVE (an affine-invariant scale, comparable only within one image).',
});

@ObjectType({ implements: Node, description: 'An ingested image and its scene graph.' })
export class Image {
  @Field(() => ID, { description: 'Content-derived id: the same image ingested twice has one id.' })
  id!: string;

  @Field({ description: 'Where the image came from: its path, URL or upload:<sha256>, as given at ingest.' })
  uri!: string;

  @Field(() => Int, { description: 'Width in pixels.' })
  width!: number;

  @Field(() => Int, { description: 'Height in pixels.' })
  height!: number;

  @Field(() => String, { nullable: true, description: 'SHA-256 of the image file, when it was given.' })
  sha256!: string | null;

  @Field({ description: 'Hash of the scene graph and its provenance (models, thresholds).' })
  configHash!: string;

  @Field(() => GraphQLDateTime, { description: 'When this version of the graph was stored (UTC).' })
  ingestedAt!: string;

  @Field(() => Int, { description: 'Objects in the image.' })
  objectCount!: number;

  @Field(() => Int, {
    description: 'Relations in the image as built (geometric, derived or stored, and supplied ones).',
  })
  relationCount!: number;

  @Field(() => DepthUnit, {
    nullable: true,
    description: 'Unit of the depth values; null when no object has depth.',
  })
  depthUnit!: DepthUnit | null;

  @Field(() => Float, {
    nullable: true,
    description: 'Nearest p5 to farthest p95 over the objects, in `depthUnit`; null without depth.',
  })
  depthSpan!: number | null;

  @Field(() => GraphQLJSONObject, {
    nullable: true,
    description: 'fx, fy, cx, cy (pixels) and how they were obtained; null when unknown.',
  })
  intrinsics!: Record<string, unknown> | null;

  @Field(() => GraphQLJSONObject, {
    nullable: true,
    description: 'Engine, version, thresholds, models; null for a graph imported without one.',
  })
  provenance!: Record<string, unknown> | null;
}
