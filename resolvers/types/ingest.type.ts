import { Field, ID, Int, registerEnumType } from 'type-graphql';
import { ObjectType } from './objectType';
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

@ObjectType({ description: 'What an ingest stored.' })
export class IngestResult {
  @Field(() => IngestStatus, { description: 'Whether the image was new, replaced or already stored.' })
  status!: IngestStatus;

  @Field(() => Image, { description: 'The stored image.' })
  image!: Image;

  @Field(() => DepthSource, { description: 'Where the depth the graph was built from came from.' })
  depth!: DepthSource;
}

@ObjectType({ description: 'What deleteImage removed.' })
export class DeleteImageResult {
  @Field(() => ID, { description: 'The id of the removed image.' })
  id!: string;

  @Field(() => Int, { description: 'Nodes removed: the image, its objects and its reviews.' })
  nodesDeleted!: number;

  @Field(() => Int, {
    description: 'Relationships removed (its objects, their geometric edges and relations).',
  })
  relationshipsDeleted!: number;
}
