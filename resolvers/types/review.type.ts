import { GraphQLDateTime } from 'graphql-scalars';
import { Field, Float, ID, InputType, registerEnumType } from 'type-graphql';
import { ObjectType } from './objectType';

export enum ReviewVerdict {
  CONFIRMED = 'CONFIRMED',
  REJECTED = 'REJECTED',
}
registerEnumType(ReviewVerdict, {
  name: 'ReviewVerdict',
  description: 'CONFIRMED: a person says the relation holds; REJECTED: a person says it does not.',
});

export enum ReviewState {
  CONFIRMED = 'CONFIRMED',
  REJECTED = 'REJECTED',
  UNREVIEWED = 'UNREVIEWED',
}
registerEnumType(ReviewState, {
  name: 'ReviewState',
  description: "A relation's review as a filter: its latest verdict, or UNREVIEWED when nobody reviewed it.",
});

@ObjectType({ description: 'The latest human verdict on a relation, with who gave it and when.' })
export class RelationReview {
  @Field(() => ReviewVerdict, { description: 'Whether the relation was confirmed or rejected.' })
  verdict!: ReviewVerdict;

  @Field({
    description:
      "Who reviewed: the API key's name (AUTH_MODE=keys), or the `reviewer` given with the mutation (AUTH_MODE=off).",
  })
  reviewer!: string;

  @Field(() => ID, {
    nullable: true,
    description: "The reviewing API key's public id; null when keys are off.",
  })
  reviewerKeyId!: string | null;

  @Field(() => GraphQLDateTime, { description: 'When the verdict was given (UTC).' })
  at!: string;
}

@InputType({
  description: 'A relation a person adds: "subject predicate object" between two objects of one image.',
})
export class AddRelationInput {
  @Field(() => ID, { description: 'The subject object id (`imageId:key`).' })
  subjectId!: string;

  @Field({
    description:
      'The predicate, normalised as everywhere ("in_front_of" -> "in front of"); semantic predicates ("holding") are kept.',
  })
  predicate!: string;

  @Field(() => ID, { description: 'The object id (`imageId:key`), in the same image as the subject.' })
  objectId!: string;

  @Field(() => Float, { nullable: true, description: 'Confidence in [0, 1]; null (the default) for none.' })
  score?: number;
}
