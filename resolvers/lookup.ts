import { NotFoundError } from '../src/errors/errors';
import { imageIdOfObject } from '../src/store/relations.store';
import type { RequestContext } from './runtime/context';
import {
  toImage,
  toLayer,
  toRelation,
  toSceneObject,
  type LayerRoot,
  type RelationRoot,
  type SceneObjectRoot,
} from './mappers';
import type { Image } from './types/image.type';

/** Lookups by id through the request's loaders (one query per kind, however many ids a request asks for). */

export async function loadObjectRoot(ctx: RequestContext, id: string): Promise<SceneObjectRoot> {
  const row = await ctx.loaders.object.load(id);
  if (!row) throw new NotFoundError(`object ${id} no longer exists`);
  return toSceneObject(row);
}

/**
 * The image holding an object or relation (`holder` names it in the error when the image is gone): at
 * once when the request primed it (no promise for graphql-js to wait on), else through the loader.
 */
export function imageOfRoot(ctx: RequestContext, imageId: string, holder: string): Image | Promise<Image> {
  const primed = ctx.loaders.primedImages.get(imageId);
  if (primed) return toImage(primed);
  return ctx.loaders.image.load(imageId).then((row) => {
    if (!row) throw new NotFoundError(`image ${imageId} of ${holder} no longer exists`);
    return toImage(row);
  });
}

export async function findImage(ctx: RequestContext, id: string): Promise<Image | null> {
  const row = await ctx.loaders.image.load(id);
  return row && toImage(row);
}

export async function findObject(ctx: RequestContext, id: string): Promise<SceneObjectRoot | null> {
  const row = await ctx.loaders.object.load(id);
  return row && toSceneObject(row);
}

/** Relation ids are `subjectId|predicate|objectId|source`; the relation is derived with its image's relations. */
export async function findRelation(ctx: RequestContext, id: string): Promise<RelationRoot | null> {
  const parts = id.split('|');
  if (parts.length !== 4) return null;
  const rows = await ctx.loaders.relationsOfImage.load(imageIdOfObject(parts[0]));
  const row = rows.find((r) => r.id === id);
  return row ? toRelation(row) : null;
}

/** Layer ids are `imageId#index`. */
export async function findLayer(ctx: RequestContext, id: string): Promise<LayerRoot | null> {
  const at = id.lastIndexOf('#');
  if (at < 0) return null;
  const rows = await ctx.loaders.layersOfImage.load(id.slice(0, at));
  const row = rows.find((l) => l.id === id);
  return row ? toLayer(row) : null;
}

/** Any node by the shape of its id. */
export async function findNode(
  ctx: RequestContext,
  id: string,
): Promise<Image | SceneObjectRoot | RelationRoot | LayerRoot | null> {
  if (id.split('|').length === 4) return findRelation(ctx, id);
  if (id.includes(':')) return findObject(ctx, id);
  if (id.includes('#')) return findLayer(ctx, id);
  return findImage(ctx, id);
}
