import { Field, ID, InterfaceType } from 'type-graphql';

@InterfaceType({
  description:
    'Anything with a global id: an Image, SceneObject, Relation or Layer. `node(id:)` finds any of them by id.',
})
export abstract class Node {
  @Field(() => ID, {
    description: 'Global id (an image id, `imageId:key`, `imageId#layer` or a relation id).',
  })
  id!: string;
}
