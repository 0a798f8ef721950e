import { Ctx, Query, Resolver } from 'type-graphql';
import type { RequestContext } from './runtime/context';
import { CANONICAL_PREDICATES, INVERSE_PREDICATE } from '../src/spatial/predicateNames';
import { labelCounts, predicateCounts } from '../src/store/search.store';
import { LabelCount, PredicateInfo } from './types/catalogue.type';

@Resolver()
export class CatalogueResolver {
  @Query(() => [LabelCount], {
    description: 'Every stored label with its object count, most frequent first.',
  })
  labels(@Ctx() { db }: RequestContext): Promise<LabelCount[]> {
    return labelCounts(db);
  }

  @Query(() => [PredicateInfo], {
    description:
      'Geometric predicates (count 0 when none is stored) and every other stored predicate, with counts.',
  })
  async predicates(@Ctx() { db }: RequestContext): Promise<PredicateInfo[]> {
    const counts = new Map((await predicateCounts(db)).map((c) => [c.predicate, c.count]));
    const geometric = new Set<string>(CANONICAL_PREDICATES);
    const names = [...new Set([...CANONICAL_PREDICATES, ...counts.keys()])];
    return names
      .map((p) => ({
        predicate: p,
        count: counts.get(p) ?? 0,
        geometric: geometric.has(p),
        inverse: (INVERSE_PREDICATE as Record<string, string | undefined>)[p] ?? null,
      }))
      .sort((a, b) => b.count - a.count || a.predicate.localeCompare(b.predicate));
  }
}
