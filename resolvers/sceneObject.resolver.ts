import { GraphQLJSON } from 'graphql-scalars';
import { Arg, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { RequestContext } from './runtime/context';
import { normalizePredicate } from '../src/spatial/predicateNames';
import { Image } from './types/image.type';
import { toRelation, type RelationRoot, type SceneObjectRoot } from './mappers';
import { imageOfRoot } from './lookup';
import { Relation } from './types/relation.type';
import { DepthRange, SceneObject } from './types/sceneObject.type';
import { RelationDirection } from './types/relationDirection.type';
import { RelationFilter } from './types/images.input';
import { relationFilter } from './filters';

@Resolver(() => SceneObject)
export class SceneObjectResolver {
  @FieldResolver(() => DepthRange, { nullable: true, description: 'Null when the object has no depth.' })
  depth(@Root() object: SceneObjectRoot): DepthRange | null {
    return object.depthRange;
  }

  @FieldResolver(() => Image, { description: 'The image holding the object.' })
  image(@Root() object: SceneObjectRoot, @Ctx() ctx: RequestContext): Image | Promise<Image> {
    return imageOfRoot(ctx, object.imageId, `object ${object.id}`);
  }

  @FieldResolver(() => GraphQLJSON, {
    nullable: true,
    description: 'COCO RLE or polygons, when ingested with one.',
  })
  async mask(@Root() object: SceneObjectRoot, @Ctx() { loaders }: RequestContext): Promise<unknown> {
    const text = await loaders.mask.load(object.id);
    return text === null ? null : JSON.parse(text);
  }

  @FieldResolver(() => [Relation], {
    description:
      'Relations of this object (OUT ones first, then IN ones, each in id order), optionally filtered.',
  })
  async relations(
    @Root() object: SceneObjectRoot,
    @Ctx() { loaders }: RequestContext,
    @Arg('direction', () => RelationDirection, {
      defaultValue: RelationDirection.OUT,
      description: 'Which end of the relation the object is.',
    })
    direction: RelationDirection,
    @Arg('predicate', () => String, {
      nullable: true,
      description: 'Only this predicate (aliases accepted).',
    })
    predicate?: string,
    @Arg('where', () => RelationFilter, { nullable: true, description: 'More filters; all must hold.' })
    where?: RelationFilter,
  ): Promise<RelationRoot[]> {
    const filter = relationFilter(where);
    const labels = filter.needsLabels
      ? new Map((await loaders.objectsOfImage.load(object.imageId)).map((o) => [o.id, o.label]))
      : new Map<string, string>();
    const dirs = direction === RelationDirection.BOTH ? (['OUT', 'IN'] as const) : ([direction] as const);
    const lists = await Promise.all(
      dirs.map((d) => loaders.relationsOfObject.load({ id: object.id, direction: d })),
    );
    const wanted = predicate == null ? undefined : normalizePredicate(predicate);
    return lists
      .flat()
      .filter(
        (r) => (wanted === undefined || r.predicate === wanted) && filter.keep(r, (id) => labels.get(id)),
      )
      .map(toRelation);
  }
}
