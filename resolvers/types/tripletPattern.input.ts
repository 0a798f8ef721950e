import { Field, InputType } from 'type-graphql';

@InputType({
  description: 'A triplet pattern; omitted parts match anything (at least one part is required).',
})
export class TripletPatternInput {
  @Field(() => String, { nullable: true, description: 'Subject label (normalised).' })
  subject?: string;

  @Field(() => String, { nullable: true, description: 'Predicate (aliases accepted).' })
  predicate?: string;

  @Field(() => String, { nullable: true, description: 'Object label (normalised).' })
  object?: string;
}
