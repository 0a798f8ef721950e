import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Image } from './image.type';

export enum IngestStatus {
  CREATED = 'CREATED',
  REPLACED = 'REPLACED',
  UNCHANGED = 'UNCHANGED',
}
registerEnumType(IngestStatus, {
  name: 'IngestStatus',
  description:
    'CREATED: a new image; REPLACED: the image was stored with another scene graph or config, now replaced; ' +
    'UNCHANGED: the same image with the same graph and config was already stored (nothing written).',
});

export enum DepthSource {
  FILE = 'FILE',
  MODEL = 'MODEL',
  STORED = 'STORED',
  ABSENT = 'ABSENT',
}
registerEnumType(DepthSource, {
  name: 'DepthSource',
  description:
    'FILE: a depth map file was given; MODEL: the depth model estimated it; STORED: the graph brought per-object ' +
    'depth; ABSENT: no depth (no depth model pulled): objects carry 2D relations only.',
});

@ObjectType()
export class IngestResult {
  @Field(() => IngestStatus)
  status!: IngestStatus;

  @Field(() => Image)
  image!: Image;

  @Field(() => DepthSource, { description: 'Where the depth the graph was built from came from.' })
  depth!: DepthSource;
}

@ObjectType()
export class DeleteImageResult {
  @Field(() => ID)
  id!: string;

  @Field(() => Int, { description: 'Nodes removed: the image, its objects and its layers.' })
  nodesDeleted!: number;

  @Field(() => Int)
  relationshipsDeleted!: number;
}
