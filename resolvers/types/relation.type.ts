import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, Float, ID, Int, registerEnumType } from 'type-graphql';
import { ObjectType } from './objectType';
import { Node } from './node.type';

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

@ObjectType({
  implements: Node,
  description: 'A directed relation "subject predicate object" within one image.',
})
export class Relation {
  @Field(() => ID, { description: 'Content-derived: `subjectId|predicate|objectId|source`.' })
  id!: string;

  @Field({ description: 'Canonical lower-case predicate, e.g. "in front of".' })
  predicate!: string;

  @Field(() => Float, {
    nullable: true,
    description:
      "Confidence in [0, 1]: the engine's (from the geometric margins) or the model's / annotator's; null when a " +
      'supplied relation came without one.',
  })
  score!: number | null;

  @Field(() => RelationSource, { description: 'Who decided the relation.' })
  source!: RelationSource;

  @Field(() => GraphQLJSONObject, {
    nullable: true,
    description:
      'The numbers the relation was decided on (gaps, overlaps, thresholds); null when none were given.',
  })
  evidence!: Record<string, unknown> | null;

  @Field(() => GraphQLJSONObject, {
    nullable: true,
    description:
      'What decided the relation, in the shape of Image.provenance: {engine, version} of the spatial engine ' +
      'for GEOMETRY; null for supplied relations (their image carries its provenance).',
  })
  provenance!: Record<string, unknown> | null;
}

@ObjectType({
  implements: Node,
  description: 'A depth layer (Algorithm 2): a basic object and the objects covering it.',
})
export class Layer {
  @Field(() => ID, { description: '`imageId#index`.' })
  id!: string;

  @Field(() => Int, { description: 'Depth order of the layer: 0 = nearest.' })
  index!: number;
}
