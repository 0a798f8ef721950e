import { Arg, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from 'type-graphql';
import { UserInputError } from '../src/errors/errors';
import type { RequestContext } from './runtime/context';
import { primeImages, primeObjects } from './runtime/loaders';
import { normalizeLabel } from '../src/labels/normalizeLabel';
import { normalizePredicate } from '../src/spatial/predicateNames';
import { checkPageSize, decodeCursor, encodeCursor } from '../src/store/cursor';
import { countImages, listImages, type ImagesWhere as StoreImagesWhere } from '../src/store/search.store';
import { relationsOfImages } from '../src/store/relations.store';
import { resolveThresholdOverrides } from '../src/spatial/thresholds';
import { GraphQLJSONObject } from 'graphql-scalars';
import { ImageConnection, pageInfo, withTotalCount } from './types/connection.type';
import { Image } from './types/image.type';
import {
  parseJson,
  toImage,
  toLayer,
  type ImageRoot,
  toRelation,
  toSceneObject,
  type LayerRoot,
  type RelationRoot,
  type SceneObjectRoot,
} from './mappers';
import { Layer, Relation, RelationSource } from './types/relation.type';
import { SceneObject } from './types/sceneObject.type';
import {
  ImageOrder,
  ImageOrderField,
  ImagesWhere,
  ObjectsWhere,
  OrderDirection,
  RelationFilter,
} from './types/images.input';
import { Node } from './types/node.type';
import { findImage, findLayer, findNode, findObject, findRelation } from './lookup';
import { labelList, objectFilter, relationFilter } from './filters';
import { hintUnknown } from './hints';

function storeWhere(where: ImagesWhere | undefined | null): StoreImagesWhere {
  return {
    label: where?.label ? normalizeLabel(where.label) : undefined,
    labels: labelList(where?.labels, 'where.labels'),
    ingestedFrom: where?.ingestedFrom ? where.ingestedFrom.toISOString() : undefined,
    ingestedBefore: where?.ingestedBefore ? where.ingestedBefore.toISOString() : undefined,
  };
}
import { checkThumbnailSize, imagePath, servableImageFile } from '../src/pipeline/localFiles';

@Resolver(() => Image)
export class ImageResolver {
  @Query(() => Image, { nullable: true, description: 'One image by id; null when there is none.' })
  image(
    @Arg('id', () => ID, { description: 'The image id.' }) id: string,
    @Ctx() ctx: RequestContext,
  ): Promise<Image | null> {
    return findImage(ctx, id);
  }

  @Query(() => SceneObject, {
    nullable: true,
    description: 'One object by id (`imageId:key`); null when there is none.',
  })
  object(
    @Arg('id', () => ID, { description: 'The object id.' }) id: string,
    @Ctx() ctx: RequestContext,
  ): Promise<SceneObjectRoot | null> {
    return findObject(ctx, id);
  }

  @Query(() => Relation, {
    nullable: true,
    description:
      'One relation by id (as returned by any relation field); null when there is none. Geometric relations are ' +
      "derived with the image's own thresholds.",
  })
  relation(
    @Arg('id', () => ID, { description: 'The relation id.' }) id: string,
    @Ctx() ctx: RequestContext,
  ): Promise<RelationRoot | null> {
    return findRelation(ctx, id);
  }

  @Query(() => Layer, {
    nullable: true,
    description: 'One depth layer by id (`imageId#index`); null when there is none.',
  })
  layer(
    @Arg('id', () => ID, { description: 'The layer id.' }) id: string,
    @Ctx() ctx: RequestContext,
  ): Promise<LayerRoot | null> {
    return findLayer(ctx, id);
  }

  @Query(() => Node, {
    nullable: true,
    description:
      'Any image, object, relation or layer by its id (Relay object identification); null when none.',
  })
  node(
    @Arg('id', () => ID, { description: 'A global id.' }) id: string,
    @Ctx() ctx: RequestContext,
  ): Promise<unknown> {
    return findNode(ctx, id);
  }

  @Query(() => ImageConnection, { description: 'Images, in id order unless `orderBy` says otherwise.' })
  async images(
    @Ctx() ctx: RequestContext,
    @Arg('first', () => Int, { defaultValue: 20, description: 'Page size, 1 to 100.' }) first: number,
    @Arg('after', () => String, { nullable: true, description: 'Cursor of the edge to continue after.' })
    after?: string,
    @Arg('where', () => ImagesWhere, { nullable: true, description: 'Filters; all must hold.' })
    where?: ImagesWhere,
    @Arg('orderBy', () => ImageOrder, { nullable: true, description: 'Order; default by id, ascending.' })
    orderBy?: ImageOrder,
  ): Promise<ImageConnection> {
    checkPageSize(first);
    const order = {
      field: orderBy?.field ?? ImageOrderField.ID,
      direction: orderBy?.direction ?? OrderDirection.ASC,
    };
    // Cursors name their order, so a cursor from another order is refused instead of skipping rows.
    const kind =
      order.field === ImageOrderField.ID
        ? order.direction === 'ASC'
          ? 'images'
          : 'images.desc'
        : `images.time.${order.direction}`;
    const arity = order.field === ImageOrderField.ID ? 1 : 2;
    const key = after ? decodeCursor(kind, after, arity) : undefined;
    const filters = storeWhere(where);
    const page = await listImages(ctx.db, filters, first, key, order);
    primeImages(ctx.loaders, page.rows);
    if (page.rows.length === 0 && !key) {
      await hintUnknown(ctx, {
        labels: [
          [filters.label, 'where.label'],
          ...(filters.labels ?? []).map((l, i) => [l, `where.labels[${i}]`] as const),
        ],
      });
    }
    const edges = page.rows.map((row) => ({
      cursor: encodeCursor(kind, order.field === ImageOrderField.ID ? [row.id] : [row.ingestedAt, row.id]),
      node: toImage(row),
    }));
    return withTotalCount({ edges, pageInfo: pageInfo(edges, page.hasNextPage, after) }, () =>
      countImages(ctx.db, filters),
    );
  }

  @FieldResolver(() => [SceneObject], {
    description: 'Objects of the image in natural key order (o2 before o10), optionally filtered.',
  })
  async objects(
    @Root() image: Image,
    @Ctx() { loaders }: RequestContext,
    @Arg('where', () => ObjectsWhere, { nullable: true, description: 'Filters; all must hold.' })
    where?: ObjectsWhere,
  ): Promise<SceneObjectRoot[]> {
    const rows = await loaders.objectsOfImage.load(image.id);
    primeObjects(loaders, rows);
    return rows.filter(objectFilter(where)).map(toSceneObject);
  }

  @FieldResolver()
  intrinsics(@Root() image: ImageRoot): Record<string, unknown> | null {
    return parseJson(image.intrinsicsText);
  }

  @FieldResolver()
  provenance(@Root() image: ImageRoot): Record<string, unknown> | null {
    return parseJson(image.provenanceText);
  }

  @FieldResolver(() => [Layer], { description: 'Depth layers, nearest first.' })
  async layers(@Root() image: Image, @Ctx() { loaders }: RequestContext): Promise<LayerRoot[]> {
    return (await loaders.layersOfImage.load(image.id)).map(toLayer);
  }

  @FieldResolver(() => [Relation], {
    description:
      'Relations within the image in id order, optionally filtered. Geometric relations are derived from the ' +
      'stored geometry with the thresholds the image was built with, or with `thresholds` overlaid on them.',
  })
  async relations(
    @Root() image: Image,
    @Ctx() ctx: RequestContext,
    @Arg('predicate', () => String, {
      nullable: true,
      description: 'Only this predicate (aliases accepted).',
    })
    predicate?: string,
    @Arg('source', () => RelationSource, { nullable: true, description: 'Only relations of this source.' })
    source?: RelationSource,
    @Arg('thresholds', () => GraphQLJSONObject, {
      nullable: true,
      description:
        'Thresholds by name (the table of `scenegraph build`, e.g. {"lateralMargin": 0.3, "frontMinGap": 0.05}) ' +
        "overlaid on the image's own: the geometric relations are re-derived with them by the engine, so they " +
        'match a build with the same thresholds. Unknown names and out-of-range values are refused.',
    })
    thresholds?: Record<string, unknown> | null,
    @Arg('where', () => RelationFilter, { nullable: true, description: 'More filters; all must hold.' })
    where?: RelationFilter,
    @Arg('first', () => Int, {
      nullable: true,
      description: 'At most this many relations (the first in id order), 1 to 10,000; null: all.',
    })
    first?: number,
  ): Promise<RelationRoot[]> {
    if (
      first !== undefined &&
      first !== null &&
      !(Number.isInteger(first) && first >= 1 && first <= 10_000)
    ) {
      throw new UserInputError('must be an integer from 1 to 10000', 'first');
    }
    const wanted = predicate === undefined || predicate === null ? undefined : normalizePredicate(predicate);
    const filter = relationFilter(where);
    const rows =
      thresholds === undefined || thresholds === null
        ? await ctx.loaders.relationsOfImage.load(image.id)
        : ((await relationsOfImages(ctx.db, [image.id], resolveThresholdOverrides(thresholds))).get(
            image.id,
          ) ?? []);
    const labels = filter.needsLabels
      ? new Map((await ctx.loaders.objectsOfImage.load(image.id)).map((o) => [o.id, o.label]))
      : new Map<string, string>();
    const kept = rows.filter(
      (r) =>
        (wanted === undefined || r.predicate === wanted) &&
        (source === undefined || source === null || r.source === source) &&
        filter.keep(r, (id) => labels.get(id)),
    );
    return kept.slice(0, first ?? undefined).map(toRelation);
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
    @Arg('size', () => Int, {
      nullable: true,
      description: 'Longest side of a JPEG thumbnail in pixels, 16 to 1024; null: the original bytes.',
    })
    size?: number | null,
  ): Promise<string | null> {
    if (size !== undefined && size !== null) checkThumbnailSize(size, 'size');
    const file = await servableImageFile(image.uri, config.ingestRoots);
    return file ? imagePath(image.id, size ?? undefined) : null;
  }
}
