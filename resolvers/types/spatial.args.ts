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

  @Field(() => Int, { defaultValue: 20 })
  first!: number;

  @Field(() => String, { nullable: true })
  after?: string;
}
