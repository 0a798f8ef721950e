import { Field, Float, ID, InputType } from 'type-graphql';
import { RelationSource } from './relation.type';
import { ReviewState } from './review.type';

@InputType({ description: 'Filters for `relations`; all given filters must hold.' })
export class RelationsWhere {
  @Field(() => String, { nullable: true, description: 'Subject label (normalised).' })
  subject?: string;

  @Field(() => String, { nullable: true, description: 'Predicate (aliases such as "in_front_of" accepted).' })
  predicate?: string;

  @Field(() => String, { nullable: true, description: 'Object label (normalised).' })
  object?: string;

  @Field(() => ID, { nullable: true, description: 'Only relations within this image.' })
  imageId?: string;

  @Field(() => RelationSource, { nullable: true, description: 'Only relations of this source.' })
  source?: RelationSource;

  @Field(() => Float, {
    nullable: true,
    description:
      'Only relations with a score >= this (scores are in [0, 1]); relations without a score never pass.',
  })
  minScore?: number;

  @Field(() => ReviewState, {
    nullable: true,
    description: 'Only relations whose latest human review is this (UNREVIEWED: nobody reviewed them).',
  })
  review?: ReviewState;
}
