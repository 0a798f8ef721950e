import { Field, Float, InputType } from 'type-graphql';
import { RelationSource } from './relation.type';

@InputType({
  description:
    'A triplet pattern "subject predicate object" that some relation of the image must match; omitted parts ' +
    'match anything (at least one of subject, predicate, object is required). `subjectVar` / `objectVar` ' +
    'name the objects: the same variable in several patterns is the same object, different variables are ' +
    'different objects, and a part without a variable is matched on its own. Example: ' +
    '[{subject: "ball", subjectVar: "b", predicate: "on", object: "box"}, ' +
    '{subjectVar: "b", predicate: "left of", object: "pillar"}] asks for one ball that is both on a box and ' +
    'left of a pillar.',
})
export class TripletPatternInput {
  @Field(() => String, { nullable: true, description: 'Subject label (normalised: "Balls" matches "ball").' })
  subject?: string;

  @Field(() => String, {
    nullable: true,
    description: 'Predicate (aliases accepted: "in_front_of", "next to"); null matches any predicate.',
  })
  predicate?: string;

  @Field(() => String, { nullable: true, description: 'Object label (normalised).' })
  object?: string;

  @Field(() => String, {
    nullable: true,
    description:
      'Variable naming the subject (1 to 32 letters, digits or _): the same variable = the same object across ' +
      'patterns; null: the subject is matched on its own.',
  })
  subjectVar?: string;

  @Field(() => String, {
    nullable: true,
    description: 'Variable naming the object, as `subjectVar`; it must differ from `subjectVar`.',
  })
  objectVar?: string;

  @Field(() => Float, {
    nullable: true,
    description:
      'Only relations with a score >= this, in [0, 1]; relations without a score never pass. Null: any score.',
  })
  minScore?: number;

  @Field(() => RelationSource, {
    nullable: true,
    description: 'Only relations of this source; null: any source.',
  })
  source?: RelationSource;
}
