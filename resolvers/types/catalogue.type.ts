import { Field, Int } from 'type-graphql';
import { ObjectType } from './objectType';

@ObjectType({ description: 'A label and how many objects have it.' })
export class LabelCount {
  @Field({ description: 'Normalised label.' })
  label!: string;

  @Field(() => Int, { description: 'Objects with this label across all images.' })
  count!: number;
}

@ObjectType({
  description: 'A predicate, whether the engine decides it, its inverse and how many relations have it.',
})
export class PredicateInfo {
  @Field({ description: 'Canonical predicate.' })
  predicate!: string;

  @Field(() => Int, { description: 'Stored relations with this predicate.' })
  count!: number;

  @Field({ description: 'True for the predicates the spatial engine decides from geometry.' })
  geometric!: boolean;

  @Field(() => String, { nullable: true, description: 'The predicate read the other way round, if any.' })
  inverse!: string | null;
}
