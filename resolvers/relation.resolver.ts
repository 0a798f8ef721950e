import { Arg, Ctx, FieldResolver, Int, Query, Resolver, Root } from 'type-graphql';
import type { RequestContext } from './runtime/context';
import { primeObjects } from './runtime/loaders';
import { NotFoundError, UserInputError } from '../src/errors/errors';
import { normalizeLabel } from '../src/labels/normalizeLabel';
import { normalizePredicate } from '../src/spatial/predicateNames';
import { checkPageSize, decodeCursor, encodeCursor } from '../src/store/cursor';
import {
  countRelations,
  listRelations,
  type RelationsWhere as StoreRelationsWhere,
} from '../src/store/search.store';
import { pageInfo, RelationConnection, withTotalCount } from './types/connection.type';
import { hintUnknown } from './hints';
import { imageOfRoot } from './lookup';
import { Image } from './types/image.type';
import {
  parseJson,
  toRelation,
  toSceneObject,
  type LayerRoot,
  type RelationRoot,
  type SceneObjectRoot,
} from './mappers';
import { Layer, Relation } from './types/relation.type';
import { SceneObject } from './types/sceneObject.type';
import { RelationsWhere } from './types/relations.input';

async function loadObject(ctx: RequestContext, id: string): Promise<SceneObjectRoot> {
  const row = await ctx.loaders.object.load(id);
  if (!row) throw new NotFoundError(`object ${id} no longer exists`);
  return toSceneObject(row);
}

@Resolver(() => Relation)
export class RelationResolver {
  @Query(() => RelationConnection, {
    description:
      'Relations across all images, in id order. Geometric relations are derived from the stored geometry ' +
      'image by image; a page may hold fewer than `first` edges when many images had no match, with ' +
      '`hasNextPage` true and an `endCursor` that continues the scan.',
  })
  async relations(
    @Ctx() ctx: RequestContext,
    @Arg('where', () => RelationsWhere, { nullable: true, description: 'Filters; all must hold.' })
    where?: RelationsWhere,
    @Arg('first', () => Int, { defaultValue: 20, description: 'Page size, 1 to 100.' }) first = 20,
    @Arg('after', () => String, { nullable: true, description: 'Cursor of the edge to continue after.' })
    after?: string,
  ): Promise<RelationConnection> {
    checkPageSize(first);
    if (where?.minScore !== undefined && !Number.isFinite(where.minScore)) {
      throw new UserInputError('must be a finite number', 'where.minScore');
    }
    const key = after ? (decodeCursor('relations', after, 1) as [string]) : undefined;
    const filters: StoreRelationsWhere = {
      subject: where?.subject == null ? undefined : normalizeLabel(where.subject),
      object: where?.object == null ? undefined : normalizeLabel(where.object),
      predicate: where?.predicate == null ? undefined : normalizePredicate(where.predicate),
      imageId: where?.imageId ?? undefined,
      source: where?.source ?? undefined,
      minScore: where?.minScore ?? undefined,
      review: where?.review ?? undefined,
    };
    const page = await listRelations(ctx.db, filters, first, key);
    if (page.rows.length === 0 && !key) {
      await hintUnknown(ctx, {
        labels: [
          [filters.subject, 'where.subject'],
          [filters.object, 'where.object'],
        ],
        predicates: [[filters.predicate, 'where.predicate']],
      });
    }
    primeObjects(
      ctx.loaders,
      page.rows.flatMap((r) => [r.subject, r.object]),
    );
    const edges = page.rows.map((r) => ({
      cursor: encodeCursor('relations', [r.relation.id]),
      node: toRelation(r.relation),
    }));
    // A page cut short by the scan bound resumes after the last image looked at, not its last edge.
    const endCursor = page.resumeAfter
      ? encodeCursor('relations', [page.resumeAfter])
      : (edges.at(-1)?.cursor ?? null);
    return withTotalCount({ edges, pageInfo: pageInfo(edges, page.hasNextPage, after, endCursor) }, () =>
      countRelations(ctx.db, filters),
    );
  }

  @FieldResolver(() => SceneObject, { description: 'The subject: "subject predicate object".' })
  subject(@Root() relation: RelationRoot, @Ctx() ctx: RequestContext): Promise<SceneObjectRoot> {
    return loadObject(ctx, relation.subjectId);
  }

  @FieldResolver(() => SceneObject, { description: 'The object: "subject predicate object".' })
  object(@Root() relation: RelationRoot, @Ctx() ctx: RequestContext): Promise<SceneObjectRoot> {
    return loadObject(ctx, relation.objectId);
  }

  @FieldResolver()
  evidence(@Root() relation: RelationRoot): Record<string, unknown> | null {
    return parseJson(relation.evidenceText);
  }

  @FieldResolver(() => Image, { description: 'The image holding the relation.' })
  image(@Root() relation: RelationRoot, @Ctx() ctx: RequestContext): Image | Promise<Image> {
    return imageOfRoot(ctx, relation.imageId, `relation ${relation.id}`);
  }
}

@Resolver(() => Layer)
export class LayerResolver {
  @FieldResolver(() => SceneObject, { description: 'The basic object: it covers no other object.' })
  basic(@Root() layer: LayerRoot, @Ctx() ctx: RequestContext): Promise<SceneObjectRoot> {
    return loadObject(ctx, layer.basicId);
  }

  @FieldResolver(() => [SceneObject], { description: 'The basic object and every object covering it.' })
  members(@Root() layer: LayerRoot, @Ctx() ctx: RequestContext): Promise<SceneObjectRoot[]> {
    return Promise.all(layer.memberIds.map((id) => loadObject(ctx, id)));
  }
}
