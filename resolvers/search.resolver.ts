import { Arg, Ctx, Int, Query, Resolver } from 'type-graphql';
import { UserInputError } from '../src/errors/errors';
import type { RequestContext } from './runtime/context';
import { primeImages } from './runtime/loaders';
import { normalizeLabel } from '../src/labels/normalizeLabel';
import { normalizePredicate } from '../src/spatial/predicateNames';
import { checkPageSize, decodeCursor, encodeCursor } from '../src/store/cursor';
import { checkVariables } from '../src/store/patternJoin';
import { countSearchImages, searchImages, searchMatches, TripletPattern } from '../src/store/search.store';
import type { RelationRow } from '../src/store/rows';
import { ImageSearchConnection, lazyField, pageInfo, withTotalCount } from './types/connection.type';
import { toImage, toRelation } from './mappers';
import { TripletPatternInput } from './types/tripletPattern.input';
import { hintUnknown } from './hints';
import { loadObjectRoot } from './lookup';

export const MAX_PATTERNS = 8;
const VARIABLE = /^[A-Za-z_][A-Za-z0-9_]{0,31}$/;

function toPattern(p: TripletPatternInput, i: number): TripletPattern {
  if (p.subject == null && p.predicate == null && p.object == null) {
    throw new UserInputError('needs a subject, predicate or object', `pattern[${i}]`);
  }
  for (const field of ['subjectVar', 'objectVar'] as const) {
    const v = p[field];
    if (v !== undefined && v !== null && !VARIABLE.test(v)) {
      throw new UserInputError(
        'must be 1 to 32 letters, digits or _, not starting with a digit',
        `pattern[${i}].${field}`,
      );
    }
  }
  if (p.minScore !== undefined && p.minScore !== null && !(p.minScore >= 0 && p.minScore <= 1)) {
    throw new UserInputError('must be a number from 0 to 1', `pattern[${i}].minScore`);
  }
  return {
    subject: p.subject == null ? undefined : normalizeLabel(p.subject),
    predicate: p.predicate == null ? undefined : normalizePredicate(p.predicate),
    object: p.object == null ? undefined : normalizeLabel(p.object),
    subjectVar: p.subjectVar ?? undefined,
    objectVar: p.objectVar ?? undefined,
    minScore: p.minScore ?? undefined,
    source: p.source ?? undefined,
  };
}

@Resolver()
export class SearchResolver {
  @Query(() => ImageSearchConnection, {
    description:
      'Images in which every pattern holds (each by some relation of that image; patterns sharing a variable ' +
      'by relations of the same object). Ranked by score (see ImageSearchEdge.score), highest first, ties by ' +
      'image id. Searches with variables, or with a pattern whose predicate is derived only (near, far, none), ' +
      'join image by image over at most 5,000 candidate images.',
  })
  async searchImages(
    @Ctx() ctx: RequestContext,
    @Arg('pattern', () => [TripletPatternInput], {
      description: '1 to 8 patterns, all of which must hold.',
    })
    pattern: TripletPatternInput[],
    @Arg('first', () => Int, { defaultValue: 20, description: 'Page size, 1 to 100.' }) first: number,
    @Arg('after', () => String, { nullable: true, description: 'Cursor of the edge to continue after.' })
    after?: string,
  ): Promise<ImageSearchConnection> {
    checkPageSize(first);
    if (pattern.length === 0 || pattern.length > MAX_PATTERNS) {
      throw new UserInputError(`must hold 1 to ${MAX_PATTERNS} patterns`, 'pattern');
    }
    const patterns = pattern.map(toPattern);
    checkVariables(patterns);
    const key = after ? (decodeCursor('search', after, 2) as [number, string]) : undefined;
    if (key && typeof key[0] !== 'number')
      throw new UserInputError('is not a cursor returned by this connection', 'after');
    const page = await searchImages(ctx.db, patterns, first, key);
    primeImages(
      ctx.loaders,
      page.rows.map((r) => r.image),
    );
    if (page.rows.length === 0 && !key) {
      await hintUnknown(ctx, {
        labels: patterns.flatMap((p, i) => [
          [p.subject, `pattern[${i}].subject`],
          [p.object, `pattern[${i}].object`],
        ]),
        predicates: patterns.map((p, i) => [p.predicate, `pattern[${i}].predicate`]),
      });
    }
    // Matches the ranking did not produce are derived for the whole page at once, and only when a
    // client selects them.
    let derived: Promise<Map<string, RelationRow[]>> | undefined;
    const pageMatches = (): Promise<Map<string, RelationRow[]>> =>
      (derived ??= searchMatches(
        ctx.db,
        patterns,
        page.rows.filter((r) => !r.matches).map((r) => r.image.id),
      ));
    const edges = await Promise.all(
      page.rows.map(async (r) =>
        lazyField(
          {
            cursor: encodeCursor('search', [r.score, r.image.id]),
            node: toImage(r.image),
            score: r.score,
            bindings: await Promise.all(
              [...r.bindings].map(async ([variable, id]) => ({
                variable,
                object: await loadObjectRoot(ctx, id),
              })),
            ),
          },
          'matches',
          r.matches
            ? r.matches.map(toRelation)
            : async () => ((await pageMatches()).get(r.image.id) ?? []).map(toRelation),
        ),
      ),
    );
    const total = page.totalCount;
    return withTotalCount(
      { edges, pageInfo: pageInfo(edges, page.hasNextPage, after) },
      total !== undefined ? total : () => countSearchImages(ctx.db, patterns),
    );
  }
}
