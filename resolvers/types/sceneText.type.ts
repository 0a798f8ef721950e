import { Field, registerEnumType } from 'type-graphql';
import { ObjectType } from './objectType';

export enum SpatialQaFormat {
  OPEN = 'OPEN',
  CHOICE = 'CHOICE',
  BOTH = 'BOTH',
}
registerEnumType(SpatialQaFormat, {
  name: 'SpatialQaFormat',
  description:
    'OPEN: free answers; CHOICE: single choice, four options A-D (the form `scenegraph eval-qa` scores); BOTH: each item both ways.',
});

export enum SceneGraphFormat {
  SCENE_GRAPH_V1 = 'SCENE_GRAPH_V1',
  PSG = 'PSG',
}
registerEnumType(SceneGraphFormat, {
  name: 'SceneGraphFormat',
  description:
    'SCENE_GRAPH_V1: scene-graph JSON v1 (schema/scene-graph.v1.schema.json) as `scenegraph export --format scenegraph` ' +
    'writes it; PSG: OpenPSG psg.json layout with the relations among its 56 predicates, as `--format psg` writes it.',
});

@ObjectType({
  description: 'One spatial question about an image with its answer (the SpaceSGG data engine).',
})
export class SpatialQaItem {
  @Field({ description: 'Stable within the image and seed.' })
  id!: string;

  @Field({ description: 'front-back, up-down, order, occlusion or multi-view.' })
  kind!: string;

  @Field({ description: 'The question (with the options and the instruction for single-choice items).' })
  question!: string;

  @Field({ description: 'The answer (the correct letter for single-choice items).' })
  answer!: string;

  @Field(() => [String], { nullable: true, description: 'Single-choice items: the four options, A to D.' })
  choices!: string[] | null;

  @Field(() => String, { nullable: true, description: "Single-choice items: the correct option's letter." })
  correct!: string | null;
}
