import { ArgsType, Field, Float, ID, InputType, Int, registerEnumType } from 'type-graphql';
import { OrderDirection } from './images.input';

export enum SpatialOrderField {
  SCORE = 'SCORE',
  DEPTH = 'DEPTH',
}
registerEnumType(SpatialOrderField, {
  name: 'SpatialOrderField',
  description:
    "SCORE: by the relation's score (not with minMargin: a match decided at query time has no score); " +
    "DEPTH: by the returned object's median depth (p50), in the image's depth unit.",
});

@InputType({
  description:
    'Order of objectsInFrontOf / objectsBehind other than the default (reference id, then object id). Matches ' +
    'without the value (no score, no depth) come last either way; ties by reference id, object id, source. ' +
    'An ordered page reads every match of the label before cutting the page (what totalCount costs). A cursor ' +
    'holds its order: pass it back with the same orderBy.',
})
export class SpatialOrder {
  @Field(() => SpatialOrderField, { description: 'What to order by.' })
  field!: SpatialOrderField;

  @Field(() => OrderDirection, { defaultValue: OrderDirection.ASC, description: 'Which way.' })
  direction!: OrderDirection;
}

@ArgsType()
export class SpatialArgs {
  @Field({ description: 'Label of the reference object X (normalised: "People" matches "person").' })
  label!: string;

  @Field(() => ID, { nullable: true, description: 'Restrict to one image.' })
  imageId?: string;

  @Field(() => Float, {
    nullable: true,
    description:
      "Minimum gap between the two depth ranges (the nearer object's p95 and the farther object's p5), in the " +
      "images' depth unit. When given, the relation is derived at query time from the stored depth ranges " +
      'instead of following the stored edges, so thresholds can change without re-ingesting.',
  })
  minMargin?: number;

  @Field(() => [String], {
    nullable: true,
    description:
      'Only returned objects (the nodes, not the reference) with one of these labels (normalised).',
  })
  objectLabels?: string[];

  @Field(() => Float, {
    nullable: true,
    description:
      'Only matches whose relation score is >= this, in [0, 1]. Not with minMargin (a match decided at query ' +
      'time has no score).',
  })
  minScore?: number;

  @Field(() => Float, {
    nullable: true,
    description:
      'Only returned objects whose detection score is >= this, in [0, 1] (objects without a score never pass).',
  })
  minObjectScore?: number;

  @Field(() => SpatialOrder, {
    nullable: true,
    description: 'Order; default by reference id, then object id (the cheapest: a page costs O(page)).',
  })
  orderBy?: SpatialOrder;

  @Field(() => Int, { defaultValue: 20, description: 'Page size, 1 to 100.' })
  first!: number;

  @Field(() => String, { nullable: true, description: 'Cursor of the edge to continue after.' })
  after?: string;
}
