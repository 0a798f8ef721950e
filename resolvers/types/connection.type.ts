import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, Float, Int } from 'type-graphql';
import { ObjectType } from './objectType';
import { Image } from './image.type';
import { Relation } from './relation.type';
import { SceneObject } from './sceneObject.type';

/** A value computed only when a client selects the field (see lazyField). */
export type Lazy<T> = T | Promise<T>;

/**
 * Gives `target` a field `name` that is computed only when read: a getter, so its query runs only when
 * a client selects the field, and once.
 */
export function lazyField<C extends object, K extends string, T>(
  target: C,
  name: K,
  compute: T | (() => Promise<T>),
): C & { [P in K]: Lazy<T> } {
  let value: Lazy<T> | undefined;
  return Object.defineProperty(target, name, {
    enumerable: true,
    get: () => (value ??= typeof compute === 'function' ? (compute as () => Promise<T>)() : compute),
  }) as C & { [P in K]: Lazy<T> };
}

/** A connection's `totalCount`, counted only when selected (lazyField). */
export function withTotalCount<C extends object, T>(
  connection: C,
  count: T | (() => Promise<T>),
): C & { totalCount: Lazy<T> } {
  return lazyField(connection, 'totalCount', count);
}

@ObjectType({
  description:
    'Relay page information. Connections page forward only (`first`/`after`; there is no `last`/`before`).',
})
export class PageInfo {
  @Field({ description: 'True when another page follows: pass `endCursor` as `after` to get it.' })
  hasNextPage!: boolean;

  @Field({
    description:
      'True when this page was asked for with `after` (rows come before it). Connections page forward only, ' +
      'so to go back, ask again from a cursor kept earlier.',
  })
  hasPreviousPage!: boolean;

  @Field(() => String, {
    nullable: true,
    description: "The first edge's cursor; null when the page is empty.",
  })
  startCursor!: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      "Pass as `after` to get the next page: the last edge's cursor (null when the page is empty).",
  })
  endCursor!: string | null;
}

/** PageInfo of a forward page: `after` is the cursor it was asked with. */
export function pageInfo(
  edges: readonly { cursor: string }[],
  hasNextPage: boolean,
  after: string | undefined | null,
  endCursor: string | null = edges.at(-1)?.cursor ?? null,
): PageInfo {
  return {
    hasNextPage,
    hasPreviousPage: after !== undefined && after !== null,
    startCursor: edges[0]?.cursor ?? null,
    endCursor,
  };
}

@ObjectType({ description: 'An image in a page of images.' })
export class ImageEdge {
  @Field({ description: 'Opaque cursor of this edge: pass as `after` to continue after it.' })
  cursor!: string;

  @Field(() => Image, { description: 'The image.' })
  node!: Image;
}

@ObjectType({ description: 'A page of images.' })
export class ImageConnection {
  @Field(() => [ImageEdge], { description: 'The images of this page, in the requested order.' })
  edges!: ImageEdge[];

  @Field(() => PageInfo, { description: 'Where this page stands.' })
  pageInfo!: PageInfo;

  @Field(() => Int, {
    description: 'Images matching the filters in all pages (computed only when selected).',
  })
  totalCount!: Lazy<number>;
}

@ObjectType({ description: 'A relation in a page of relations.' })
export class RelationEdge {
  @Field({ description: 'Opaque cursor of this edge: pass as `after` to continue after it.' })
  cursor!: string;

  @Field(() => Relation, { description: 'The relation.' })
  node!: Relation;
}

@ObjectType({ description: 'A page of relations.' })
export class RelationConnection {
  @Field(() => [RelationEdge], { description: 'The relations of this page, in id order.' })
  edges!: RelationEdge[];

  @Field(() => PageInfo, { description: 'Where this page stands.' })
  pageInfo!: PageInfo;

  @Field(() => Int, {
    nullable: true,
    description:
      'Relations matching the filters in all pages (computed only when selected). Geometric relations are ' +
      'derived image by image, so counting is bounded like a page: null when more than 2,000 candidate ' +
      'images would have to be derived (narrow the filters, e.g. with imageId or labels).',
  })
  totalCount!: Lazy<number | null>;
}

@ObjectType({ description: 'An object standing in a spatial relation to a reference object X.' })
export class SpatialEdge {
  @Field({ description: 'Opaque cursor of this edge: pass as `after` to continue after it.' })
  cursor!: string;

  @Field(() => SceneObject, { description: 'The object in front of (or behind) the reference.' })
  node!: SceneObject;

  @Field(() => SceneObject, { description: 'The reference object X (the label asked for).' })
  reference!: SceneObject;

  @Field(() => Image, { description: 'The image holding both objects.' })
  image!: Image;

  @Field(() => Float, {
    nullable: true,
    description:
      "The relation's score in [0, 1] (the engine's confidence, or the model's or annotator's); null for a " +
      'match decided at query time (minMargin) or a supplied relation without a score.',
  })
  score!: number | null;

  @Field({ description: 'True when decided at query time from stored depth ranges (minMargin given).' })
  derived!: boolean;

  @Field(() => GraphQLJSONObject, { nullable: true, description: 'The numbers the match was decided on.' })
  evidence!: Record<string, unknown> | null;
}

@ObjectType({ description: 'A page of objects in a spatial relation to a reference object.' })
export class SpatialConnection {
  @Field(() => [SpatialEdge], { description: 'The matches of this page, in the requested order.' })
  edges!: SpatialEdge[];

  @Field(() => PageInfo, { description: 'Where this page stands.' })
  pageInfo!: PageInfo;

  @Field(() => Int, { description: 'Matches in all pages (computed only when selected).' })
  totalCount!: Lazy<number>;
}

@ObjectType({ description: 'A variable of the search patterns and the object it stands for in this image.' })
export class PatternBinding {
  @Field({ description: 'The variable, as named in `subjectVar` / `objectVar`.' })
  variable!: string;

  @Field(() => SceneObject, { description: 'The object the best-scoring binding gives it.' })
  object!: SceneObject;
}

@ObjectType({ description: 'An image matching every search pattern.' })
export class ImageSearchEdge {
  @Field({ description: 'Opaque cursor of this edge: pass as `after` to continue after it.' })
  cursor!: string;

  @Field(() => Image, { description: 'The matching image.' })
  node!: Image;

  @Field(() => Float, {
    description:
      'Ranking score: the sum over the patterns of the score of the relation chosen for each (relations without ' +
      'a score count as 1), so from 0 to the number of patterns. Unbound patterns choose their best relation; ' +
      'patterns linked by variables choose the best consistent binding. Higher ranks first; ties by image id.',
  })
  score!: number;

  @Field(() => [Relation], {
    description:
      'Why the image matched, in pattern order: up to 5 matching relations per unbound pattern, and the ' +
      'relation of the best binding for each pattern with variables.',
  })
  matches!: Lazy<Relation[]>;

  @Field(() => [PatternBinding], {
    description: 'The best binding of the variables, in order of first use; empty when no pattern names one.',
  })
  bindings!: PatternBinding[];
}

@ObjectType({ description: 'A page of images matching a triplet-pattern search.' })
export class ImageSearchConnection {
  @Field(() => [ImageSearchEdge], { description: 'The matches of this page, highest score first.' })
  edges!: ImageSearchEdge[];

  @Field(() => PageInfo, { description: 'Where this page stands.' })
  pageInfo!: PageInfo;

  @Field(() => Int, { description: 'Images matching in all pages (computed only when selected).' })
  totalCount!: Lazy<number>;
}
