import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, Float, ID, Int, ObjectType } from 'type-graphql';

@ObjectType({ description: 'An ingested image and its scene graph.' })
export class Image {
  @Field(() => ID, { description: 'Content-derived id: the same image ingested twice has one id.' })
  id!: string;

  @Field()
  uri!: string;

  @Field(() => Int)
  width!: number;

  @Field(() => Int)
  height!: number;

  @Field(() => String, { nullable: true, description: 'SHA-256 of the image file, when it was given.' })
  sha256!: string | null;

  @Field({ description: 'Hash of the scene graph and its provenance (models, thresholds).' })
  configHash!: string;

  @Field({ description: 'When this version of the graph was stored (ISO 8601).' })
  ingestedAt!: string;

  @Field(() => Int)
  objectCount!: number;

  @Field(() => Int)
  relationCount!: number;

  @Field(() => String, { nullable: true, description: 'METERS or RELATIVE (larger = farther).' })
  depthUnit!: string | null;

  @Field(() => Float, { nullable: true, description: 'Nearest p5 to farthest p95 over the objects.' })
  depthSpan!: number | null;

  @Field(() => GraphQLJSONObject, {
    nullable: true,
    description: 'fx, fy, cx, cy and how they were obtained.',
  })
  intrinsics!: Record<string, unknown> | null;

  @Field(() => GraphQLJSONObject, { nullable: true, description: 'Engine, version, thresholds, models.' })
  provenance!: Record<string, unknown> | null;
}
