import { Arg, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from 'type-graphql';
import type { RequestContext } from './runtime/context';
import { primeObjects } from './runtime/loaders';
import { normalizeLabel } from '../src/labels/normalizeLabel';
import { normalizePredicate } from '../src/spatial/predicateNames';
import { checkPageSize, decodeCursor, encodeCursor } from '../src/store/cursor';
import { listImages } from '../src/store/search.store';
import { relationsOfImages } from '../src/store/relations.store';
import { resolveThresholdOverrides } from '../src/spatial/thresholds';
import { GraphQLJSONObject } from 'graphql-scalars';
import { ImageConnection } from './types/connection.type';
import { Image } from './types/image.type';
import {
  toImage,
  toLayer,
  toRelation,
  toSceneObject,
  type LayerRoot,
  type RelationRoot,
  type SceneObjectRoot,
} from './mappers';
import { Layer, Relation, RelationSource } from './types/relation.type';
import { SceneObject } from './types/sceneObject.type';
import { ImagesWhere } from './types/images.input';
import { checkThumbnailSize, imagePath, servableImageFile } from '../src/pipeline/localFiles';

@Resolver(() => Image)
export class ImageResolver {
  @Query(() => Image, { nullable: true, description: 'One image by id; null when there is none.' })
  async image(@Arg('id', () => ID) id: string, @Ctx() { loaders }: RequestContext): Promise<Image | null> {
    const row = await loaders.image.load(id);
    return row && toImage(row);
  }

  @Query(() => ImageConnection, { description: 'Images in id order.' })
  async images(
    @Ctx() { db, loaders }: RequestContext,
    @Arg('first', () => Int, { defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
    @Arg('where', () => ImagesWhere, { nullable: true }) where?: ImagesWhere,
  ): Promise<ImageConnection> {
    checkPageSize(first);
    const key = after ? (decodeCursor('images', after, 1) as [string]) : undefined;
    const label = where?.label ? normalizeLabel(where.label) : undefined;
    const page = await listImages(db, { label }, first, key);
    for (const row of page.rows) loaders.image.prime(row.id, row);
    const edges = page.rows.map((row) => ({ cursor: encodeCursor('images', [row.id]), node: toImage(row) }));
    return { edges, pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null } };
  }

  @FieldResolver(() => [SceneObject], { description: 'Objects of the image, by key.' })
  async objects(@Root() image: Image, @Ctx() { loaders }: RequestContext): Promise<SceneObjectRoot[]> {
    const rows = await loaders.objectsOfImage.load(image.id);
    primeObjects(loaders, rows);
    return rows.map(toSceneObject);
  }

  @FieldResolver(() => [Layer], { description: 'Depth layers, nearest first.' })
  async layers(@Root() image: Image, @Ctx() { loaders }: RequestContext): Promise<LayerRoot[]> {
    return (await loaders.layersOfImage.load(image.id)).map(toLayer);
  }

  @FieldResolver(() => [Relation], {
    description:
      'Relations within the image, optionally filtered. Geometric relations are derived from the stored ' +
      'geometry with the thresholds the image was built with, or with `thresholds` overlaid on them.',
  })
  async relations(
    @Root() image: Image,
    @Ctx() { db, loaders }: RequestContext,
    @Arg('predicate', () => String, { nullable: true }) predicate?: string,
    @Arg('source', () => RelationSource, { nullable: true }) source?: RelationSource,
    @Arg('thresholds', () => GraphQLJSONObject, {
      nullable: true,
      description:
        'Thresholds by name (the table of `scenegraph build`, e.g. {"lateralMargin": 0.3, "frontMinGap": 0.05}) ' +
        "overlaid on the image's own: the geometric relations are re-derived with them by the engine, so they " +
        'match a build with the same thresholds. Unknown names and out-of-range values are refused.',
    })
    thresholds?: Record<string, unknown> | null,
  ): Promise<RelationRoot[]> {
    const wanted = predicate === undefined ? undefined : normalizePredicate(predicate);
    const rows =
      thresholds === undefined || thresholds === null
        ? await loaders.relationsOfImage.load(image.id)
        : ((await relationsOfImages(db, [image.id], resolveThresholdOverrides(thresholds))).get(image.id) ??
          []);
    return rows
      .filter(
        (r) =>
          (wanted === undefined || r.predicate === wanted) && (source === undefined || r.source === source),
      )
      .map(toRelation);
  }

  @FieldResolver(() => String, {
    nullable: true,
    description:
      'Where this service serves the image: its original bytes, or with `size` a JPEG thumbnail with that ' +
      'longest side (16 to 1024), e.g. "/images/<id>?size=256" (relative to the service). Null when the ' +
      'image is not a local file inside INGEST_ROOTS (uploads, remote URLs).',
  })
  async url(
    @Root() image: Image,
    @Ctx() { config }: RequestContext,
    @Arg('size', () => Int, { nullable: true }) size?: number | null,
  ): Promise<string | null> {
    if (size !== undefined && size !== null) checkThumbnailSize(size, 'size');
    const file = await servableImageFile(image.uri, config.ingestRoots);
    return file ? imagePath(image.id, size ?? undefined) : null;
  }
}
