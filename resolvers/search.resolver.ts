import { Arg, Ctx, Int, Query, Resolver } from 'type-graphql';
import { UserInputError } from '../src/errors/errors';
import type { RequestContext } from './runtime/context';
import { primeImages } from './runtime/loaders';
import { normalizeLabel } from '../src/labels/normalizeLabel';
import { normalizePredicate } from '../src/spatial/predicateNames';
import { checkPageSize, decodeCursor, encodeCursor } from '../src/store/cursor';
import { searchImages, TripletPattern } from '../src/store/search.store';
import { ImageSearchConnection } from './types/connection.type';
import { toImage, toRelation } from './mappers';
import { TripletPatternInput } from './types/tripletPattern.input';

export const MAX_PATTERNS = 8;

@Resolver()
export class SearchResolver {
  @Query(() => ImageSearchConnection, {
    description:
      'Images in which every pattern holds (each by some relation of that image). Ranked by score ' +
      '(see ImageSearchEdge.score), highest first, ties by image id.',
  })
  async searchImages(
    @Ctx() ctx: RequestContext,
    @Arg('pattern', () => [TripletPatternInput]) pattern: TripletPatternInput[],
    @Arg('first', () => Int, { defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<ImageSearchConnection> {
    checkPageSize(first);
    if (pattern.length === 0 || pattern.length > MAX_PATTERNS) {
      throw new UserInputError(`must hold 1 to ${MAX_PATTERNS} patterns`, 'pattern');
    }
    const patterns: TripletPattern[] = pattern.map((p, i) => {
      if (p.subject === undefined && p.predicate === undefined && p.object === undefined) {
        throw new UserInputError('needs a subject, predicate or object', `pattern[${i}]`);
      }
      return {
        subject: p.subject === undefined ? undefined : normalizeLabel(p.subject),
        predicate: p.predicate === undefined ? undefined : normalizePredicate(p.predicate),
        object: p.object === undefined ? undefined : normalizeLabel(p.object),
      };
    });
    const key = after ? (decodeCursor('search', after, 2) as [number, string]) : undefined;
    if (key && typeof key[0] !== 'number')
      throw new UserInputError('is not a cursor returned by this connection', 'after');
    const page = await searchImages(ctx.db, patterns, first, key);
    primeImages(
      ctx.loaders,
      page.rows.map((r) => r.image),
    );
    const edges = page.rows.map((r) => ({
      cursor: encodeCursor('search', [r.score, r.image.id]),
      node: toImage(r.image),
      score: r.score,
      matches: r.matches.map(toRelation),
    }));
    return { edges, pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null } };
  }
}
