import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, Float, ID, ObjectType, registerEnumType } from 'type-graphql';

export enum RelationSource {
  GEOMETRY = 'GEOMETRY',
  MODEL = 'MODEL',
  ANNOTATION = 'ANNOTATION',
  HUMAN = 'HUMAN',
}
registerEnumType(RelationSource, {
  name: 'RelationSource',
  description: 'GEOMETRY: decided by the spatial engine; the others were supplied with the scene graph.',
});

@ObjectType({ description: 'A directed relation "subject predicate object" within one image.' })
export class Relation {
  @Field(() => ID)
  id!: string;

  @Field({ description: 'Canonical lower-case predicate, e.g. "in front of".' })
  predicate!: string;

  @Field(() => Float, { nullable: true })
  score!: number | null;

  @Field(() => RelationSource)
  source!: RelationSource;

  @Field(() => GraphQLJSONObject, { nullable: true, description: 'The numbers the relation was decided on.' })
  evidence!: Record<string, unknown> | null;

  @Field(() => String, {
    nullable: true,
    description: 'Rule (engine@version) or model/annotation provenance.',
  })
  provenance!: string | null;
}

@ObjectType({ description: 'A depth layer (Algorithm 2): a basic object and the objects covering it.' })
export class Layer {
  @Field(() => ID)
  id!: string;

  @Field({ description: '0 = nearest.' })
  index!: number;
}
