import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, Float, ObjectType } from 'type-graphql';
import { Image } from './image.type';
import { Relation } from './relation.type';
import { SceneObject } from './sceneObject.type';

@ObjectType()
export class PageInfo {
  @Field()
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true, description: 'Pass as `after` to get the next page.' })
  endCursor!: string | null;
}

@ObjectType()
export class ImageEdge {
  @Field()
  cursor!: string;

  @Field(() => Image)
  node!: Image;
}

@ObjectType()
export class ImageConnection {
  @Field(() => [ImageEdge])
  edges!: ImageEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}

@ObjectType()
export class RelationEdge {
  @Field()
  cursor!: string;

  @Field(() => Relation)
  node!: Relation;
}

@ObjectType()
export class RelationConnection {
  @Field(() => [RelationEdge])
  edges!: RelationEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}

@ObjectType({ description: 'An object standing in a spatial relation to a reference object X.' })
export class SpatialEdge {
  @Field()
  cursor!: string;

  @Field(() => SceneObject, { description: 'The object in front of (or behind) the reference.' })
  node!: SceneObject;

  @Field(() => SceneObject, { description: 'The reference object X (the label asked for).' })
  reference!: SceneObject;

  @Field(() => Image)
  image!: Image;

  @Field(() => Float, { nullable: true })
  score!: number | null;

  @Field({ description: 'True when decided at query time from stored depth ranges (minMargin given).' })
  derived!: boolean;

  @Field(() => GraphQLJSONObject, { nullable: true, description: 'The numbers the match was decided on.' })
  evidence!: Record<string, unknown> | null;
}

@ObjectType()
export class SpatialConnection {
  @Field(() => [SpatialEdge])
  edges!: SpatialEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}

@ObjectType()
export class ImageSearchEdge {
  @Field()
  cursor!: string;

  @Field(() => Image)
  node!: Image;

  @Field(() => Float, {
    description:
      'Ranking score: the sum over the patterns of the best score of a matching relation in this image ' +
      '(relations without a score count as 1). Higher ranks first; ties by image id.',
  })
  score!: number;

  @Field(() => [Relation], { description: 'Up to 5 matching relations per pattern, in pattern order.' })
  matches!: Relation[];
}

@ObjectType()
export class ImageSearchConnection {
  @Field(() => [ImageSearchEdge])
  edges!: ImageSearchEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}
