import { Ctx, Field, Int, ObjectType, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../src/graphql/context';
import { CANONICAL_PREDICATES, INVERSE_PREDICATE } from '../src/spatial/predicateNames';
import { labelCounts, predicateCounts } from '../src/store/search.store';

@ObjectType()
class LabelCount {
  @Field({ description: 'Normalised label.' })
  label!: string;

  @Field(() => Int, { description: 'Objects with this label across all images.' })
  count!: number;
}

@ObjectType()
class PredicateInfo {
  @Field({ description: 'Canonical predicate.' })
  predicate!: string;

  @Field(() => Int, { description: 'Stored relations with this predicate.' })
  count!: number;

  @Field({ description: 'True for the predicates the spatial engine decides from geometry.' })
  geometric!: boolean;

  @Field(() => String, { nullable: true, description: 'The predicate read the other way round, if any.' })
  inverse!: string | null;
}

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
