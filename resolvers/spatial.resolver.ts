import { GraphQLJSONObject } from 'graphql-scalars';
import { Args, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import { UserInputError } from '../src/errors/errors';
import type { RequestContext } from './runtime/context';
import { primeImages, primeObjects } from './runtime/loaders';
import { MAX_LABEL_LENGTH, normalizeLabel } from '../src/labels/normalizeLabel';
import { checkPageSize, decodeCursor, encodeCursor } from '../src/store/cursor';
import {
  countSpatialMatches,
  spatialMatches,
  type OrderedSpatialKey,
  type SpatialQuery,
} from '../src/store/search.store';
import { pageInfo, SpatialConnection, SpatialEdge, withTotalCount } from './types/connection.type';
import { checkScore, labelList } from './filters';
import { hintUnknown } from './hints';
import { toImage, toSceneObject } from './mappers';
import type { ImageRow } from '../src/store/rows';
import type { Image } from './types/image.type';
import { OrderDirection } from './types/images.input';
import { SpatialArgs, SpatialOrderField } from './types/spatial.args';

async function spatial(
  direction: SpatialQuery['direction'],
  args: SpatialArgs,
  ctx: RequestContext,
): Promise<SpatialConnectionRoot> {
  checkPageSize(args.first);
  const label = normalizeLabel(args.label);
  if (label.length === 0) throw new UserInputError('must not be empty', 'label');
  if (label.length > MAX_LABEL_LENGTH)
    throw new UserInputError(`must be at most ${MAX_LABEL_LENGTH} characters`, 'label');
  if (args.minMargin !== undefined && !(Number.isFinite(args.minMargin) && args.minMargin >= 0)) {
    throw new UserInputError('must be a finite number >= 0', 'minMargin');
  }
  const order = args.orderBy
    ? { field: args.orderBy.field, direction: args.orderBy.direction ?? OrderDirection.ASC }
    : undefined;
  if (order?.field === SpatialOrderField.SCORE && args.minMargin != null) {
    throw new UserInputError(
      'SCORE cannot be combined with minMargin: a match decided at query time has no score',
      'orderBy.field',
    );
  }
  // Cursors name their order, so a cursor of another order is refused instead of skipping rows.
  const base = direction === 'in front of' ? 'front' : 'behind';
  const kind = order ? `${base}.${order.field}.${order.direction}` : base;
  const after = args.after ? decodeSpatialCursor(kind, args.after, order !== undefined) : undefined;
  const minScore = checkScore(args.minScore, 'minScore');
  if (minScore !== undefined && args.minMargin != null) {
    throw new UserInputError(
      'cannot be combined with minMargin: a match decided at query time has no score',
      'minScore',
    );
  }
  const query = {
    direction,
    label,
    imageId: args.imageId ?? undefined,
    minMargin: args.minMargin ?? undefined,
    objectLabels: labelList(args.objectLabels, 'objectLabels'),
    minScore,
    minObjectScore: checkScore(args.minObjectScore, 'minObjectScore'),
  };
  const page = await spatialMatches(ctx.db, { ...query, first: args.first, after, order });
  if (page.rows.length === 0 && !after) {
    await hintUnknown(ctx, {
      labels: [
        [label, 'label'],
        ...(query.objectLabels ?? []).map((l, i) => [l, `objectLabels[${i}]`] as const),
      ],
    });
  }
  primeObjects(
    ctx.loaders,
    page.rows.flatMap((r) => [r.object, r.reference]),
  );
  primeImages(
    ctx.loaders,
    page.rows.map((r) => r.image),
  );
  const edges = page.rows.map((r): SpatialEdgeRoot => ({
    cursor: encodeCursor(kind, r.orderKey ?? [r.reference.id, r.object.id]),
    node: toSceneObject(r.object),
    reference: toSceneObject(r.reference),
    imageRow: r.image,
    score: r.match?.score ?? null,
    derived: r.match === null,
    evidence: r.derivedEvidence,
    relationOf: r.match ? { imageId: r.image.id, relationId: r.match.relationId } : null,
  }));
  return withTotalCount({ edges, pageInfo: pageInfo(edges, page.hasNextPage, args.after) }, () =>
    countSpatialMatches(ctx.db, query),
  );
}

function decodeSpatialCursor(
  kind: string,
  cursor: string,
  ordered: boolean,
): [string, string] | OrderedSpatialKey {
  if (!ordered) {
    const key = decodeCursor(kind, cursor, 2);
    if (!key.every((v) => typeof v === 'string'))
      throw new UserInputError('is not a cursor returned by this connection', 'after');
    return key as [string, string];
  }
  const key = decodeCursor(kind, cursor, 5);
  const types = ['number', 'number', 'string', 'string', 'string'];
  if (!key.every((v, i) => typeof v === types[i]) || (key[0] !== 0 && key[0] !== 1))
    throw new UserInputError('is not a cursor returned by this connection', 'after');
  return key as OrderedSpatialKey;
}

/**
 * A spatial edge; `relationOf` names the stored relation whose evidence is derived on demand, and the
 * image row is mapped only when `image` is selected.
 */
type SpatialEdgeRoot = Omit<SpatialEdge, 'image'> & {
  imageRow: ImageRow;
  relationOf: { imageId: string; relationId: string } | null;
};
type SpatialConnectionRoot = Omit<SpatialConnection, 'edges'> & { edges: SpatialEdgeRoot[] };

@Resolver(() => SpatialEdge)
export class SpatialEdgeResolver {
  @FieldResolver()
  image(@Root() edge: SpatialEdgeRoot): Image {
    return toImage(edge.imageRow);
  }

  @FieldResolver(() => GraphQLJSONObject, {
    nullable: true,
    description:
      'The numbers the match was decided on: for a stored edge, derived from the two objects by the engine ' +
      '(only when asked for); for a match decided at query time (minMargin), the gap and the ranges.',
  })
  async evidence(
    @Root() edge: SpatialEdgeRoot,
    @Ctx() { loaders }: RequestContext,
  ): Promise<Record<string, unknown> | null> {
    if (!edge.relationOf) return edge.evidence;
    const rows = await loaders.relationsOfImage.load(edge.relationOf.imageId);
    const row = rows.find((x) => x.id === edge.relationOf!.relationId);
    return row?.evidence ? (JSON.parse(row.evidence) as Record<string, unknown>) : null;
  }
}

@Resolver()
export class SpatialResolver {
  @Query(() => SpatialConnection, {
    description:
      'Objects in front of an object labelled X, across all images (or one), in (X id, object id) order ' +
      "unless `orderBy` says otherwise (by score or by the returned object's depth, either way).",
  })
  objectsInFrontOf(
    @Args(() => SpatialArgs) args: SpatialArgs,
    @Ctx() ctx: RequestContext,
  ): Promise<SpatialConnectionRoot> {
    return spatial('in front of', args, ctx);
  }

  @Query(() => SpatialConnection, {
    description: 'Objects behind an object labelled X; the mirror of objectsInFrontOf.',
  })
  objectsBehind(
    @Args(() => SpatialArgs) args: SpatialArgs,
    @Ctx() ctx: RequestContext,
  ): Promise<SpatialConnectionRoot> {
    return spatial('behind', args, ctx);
  }
}
