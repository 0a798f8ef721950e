import { GraphQLJSONObject } from 'graphql-scalars';
import { Arg, Ctx, Field, ID, Int, Mutation, ObjectType, registerEnumType, Resolver } from 'type-graphql';
import { NotFoundError } from '../src/errors/errors';
import type { RequestContext } from '../src/graphql/context';
import { prepareScene } from '../src/ingest/prepareScene';
import { deleteImage, ingestImages } from '../src/store/ingest.store';
import { toStoredImage } from '../src/store/storedScene';
import { Image } from './image.type';
import { toImage } from './mappers';

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

@ObjectType()
class IngestResult {
  @Field(() => IngestStatus)
  status!: IngestStatus;

  @Field(() => Image)
  image!: Image;
}

@ObjectType()
class DeleteImageResult {
  @Field(() => ID)
  id!: string;

  @Field(() => Int, { description: 'Nodes removed: the image, its objects and its layers.' })
  nodesDeleted!: number;

  @Field(() => Int)
  relationshipsDeleted!: number;
}

@Resolver()
export class IngestResolver {
  @Mutation(() => IngestResult, {
    description:
      'Stores a scene graph (JSON v1, schema/scene-graph.v1.schema.json) atomically. Runs the spatial engine ' +
      'when the graph names a depth map (a local path inside INGEST_ROOTS) or has not been built yet. ' +
      'Idempotent: the same image with the same graph is stored once.',
  })
  async ingestSceneGraph(
    @Ctx() { db, loaders, config }: RequestContext,
    @Arg('input', () => GraphQLJSONObject) input: Record<string, unknown>,
    @Arg('thresholds', () => GraphQLJSONObject, {
      nullable: true,
      description: 'Overrides of the spatial thresholds (names as in the engine threshold table).',
    })
    thresholds?: Record<string, unknown>,
  ): Promise<IngestResult> {
    const scene = await prepareScene(input, {
      roots: config.ingestRoots,
      baseDir: config.ingestRoots[0] ?? process.cwd(),
      build: thresholds ? { thresholds } : undefined,
    });
    const stored = toStoredImage(scene, new Date().toISOString());
    const [result] = await ingestImages(db, [stored]);
    const row = await loaders.image.load(result.imageId);
    if (!row) throw new NotFoundError(`image ${result.imageId} vanished after ingest`);
    return { status: result.status.toUpperCase() as IngestStatus, image: toImage(row) };
  }

  @Mutation(() => DeleteImageResult, {
    description: 'Removes an image with its objects, layers and relations.',
  })
  async deleteImage(
    @Ctx() { db }: RequestContext,
    @Arg('id', () => ID) id: string,
  ): Promise<DeleteImageResult> {
    const r = await deleteImage(db, id);
    if (!r.deleted) throw new NotFoundError(`no image with id ${id}`, { id });
    return { id, nodesDeleted: r.nodesDeleted, relationshipsDeleted: r.relationshipsDeleted };
  }
}
