import { ArgsType, Field, Float, ID, Int } from 'type-graphql';

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

  @Field(() => Int, { defaultValue: 20, description: 'Page size, 1 to 100.' })
  first!: number;

  @Field(() => String, { nullable: true, description: 'Cursor of the edge to continue after.' })
  after?: string;
}
