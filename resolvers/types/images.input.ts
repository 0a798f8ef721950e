import { GraphQLDateTime } from 'graphql-scalars';
import { Field, Float, InputType, Int, registerEnumType } from 'type-graphql';
import { RelationSource } from './relation.type';

@InputType({ description: 'Filters for `images`; all given filters must hold.' })
export class ImagesWhere {
  @Field(() => String, {
    nullable: true,
    description: 'Only images with an object of this label (normalised).',
  })
  label?: string;

  @Field(() => [String], {
    nullable: true,
    description: 'Only images with an object of every one of these labels (normalised).',
  })
  labels?: string[];

  @Field(() => GraphQLDateTime, {
    nullable: true,
    description: 'Only images stored at or after this instant.',
  })
  ingestedFrom?: Date;

  @Field(() => GraphQLDateTime, { nullable: true, description: 'Only images stored before this instant.' })
  ingestedBefore?: Date;
}

export enum ImageOrderField {
  ID = 'ID',
  INGESTED_AT = 'INGESTED_AT',
}
registerEnumType(ImageOrderField, {
  name: 'ImageOrderField',
  description: 'ID: by image id; INGESTED_AT: by the time the graph was stored (ties by id).',
});

export enum OrderDirection {
  ASC = 'ASC',
  DESC = 'DESC',
}
registerEnumType(OrderDirection, {
  name: 'OrderDirection',
  description: 'ASC: smallest first; DESC: largest first.',
});

@InputType({ description: 'Order of `images`.' })
export class ImageOrder {
  @Field(() => ImageOrderField, { description: 'What to order by.' })
  field!: ImageOrderField;

  @Field(() => OrderDirection, { defaultValue: OrderDirection.ASC, description: 'Which way.' })
  direction!: OrderDirection;
}

@InputType({ description: "Filters for an image's objects; all given filters must hold." })
export class ObjectsWhere {
  @Field(() => [String], {
    nullable: true,
    description: 'Only objects with one of these labels (normalised).',
  })
  labels?: string[];

  @Field(() => Float, {
    nullable: true,
    description: 'Only objects with a detection score >= this, in [0, 1].',
  })
  minScore?: number;

  @Field(() => Float, {
    nullable: true,
    description: 'Only objects with a detection score <= this, in [0, 1].',
  })
  maxScore?: number;

  @Field(() => Int, {
    nullable: true,
    description: 'Only objects whose nearest layer is this one (0 = nearest).',
  })
  layer?: number;

  @Field(() => Float, {
    nullable: true,
    description:
      "Only objects whose depth range starts at or beyond this (p5 >= depthFrom), in the image's unit.",
  })
  depthFrom?: number;

  @Field(() => Float, {
    nullable: true,
    description:
      "Only objects whose depth range ends at or before this (p95 <= depthTo), in the image's unit.",
  })
  depthTo?: number;
}

@InputType({ description: 'Filters for nested relation lists; all given filters must hold.' })
export class RelationFilter {
  @Field(() => [String], {
    nullable: true,
    description: 'Only these predicates (aliases accepted, e.g. "in_front_of").',
  })
  predicates?: string[];

  @Field(() => [RelationSource], { nullable: true, description: 'Only relations of these sources.' })
  sources?: RelationSource[];

  @Field(() => Float, {
    nullable: true,
    description: 'Only relations with a score >= this, in [0, 1]; relations without a score never pass.',
  })
  minScore?: number;

  @Field(() => Float, {
    nullable: true,
    description: 'Only relations with a score <= this, in [0, 1]; relations without a score never pass.',
  })
  maxScore?: number;

  @Field(() => [String], {
    nullable: true,
    description: 'Only relations whose subject has one of these labels.',
  })
  subjectLabels?: string[];

  @Field(() => [String], {
    nullable: true,
    description: 'Only relations whose object has one of these labels.',
  })
  objectLabels?: string[];
}
