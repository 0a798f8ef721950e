import type { ApolloServerPlugin } from '@apollo/server';
import { CANONICAL_PREDICATES } from '../src/spatial/predicateNames';
import { knownLabels, unknownLabels, unknownSemanticPredicates } from '../src/store/catalogue.store';
import type { RequestContext } from './runtime/context';

/**
 * Hints for an empty answer: when a filter names a label no object has, or a predicate no relation
 * has, the response says so in `extensions.hints` instead of an unexplained empty list. Collected per
 * request (keyed by its context) and added to the response by `hintsPlugin`.
 */
const HINTS = new WeakMap<object, string[]>();

/** Known labels listed in a hint at most. */
export const HINT_LABELS = 10;

export function addHint(ctx: RequestContext, hint: string): void {
  const list = HINTS.get(ctx) ?? [];
  if (!list.includes(hint)) list.push(hint);
  HINTS.set(ctx, list);
}

type Named = readonly (readonly [string | undefined | null, string])[];

/** Adds a hint for every label / predicate (with the argument path it came from) the store does not hold. */
export async function hintUnknown(
  ctx: RequestContext,
  given: { labels?: Named; predicates?: Named },
): Promise<void> {
  const labels = (given.labels ?? []).filter((x): x is [string, string] => typeof x[0] === 'string');
  const predicates = (given.predicates ?? []).filter(
    (x): x is [string, string] =>
      typeof x[0] === 'string' && !(CANONICAL_PREDICATES as readonly string[]).includes(x[0]),
  );
  const missingLabels = await unknownLabels(ctx.db, [...new Set(labels.map((l) => l[0]))]);
  if (missingLabels.size > 0) {
    const known = await knownLabels(ctx.db, HINT_LABELS);
    for (const [label, path] of labels) {
      if (!missingLabels.has(label)) continue;
      addHint(
        ctx,
        `no object has label '${label}' (${path}); ` +
          (known.length
            ? `known labels include: ${known.join(', ')} (see the labels query)`
            : 'the store is empty'),
      );
    }
  }
  const missingPredicates = await unknownSemanticPredicates(ctx.db, [
    ...new Set(predicates.map((p) => p[0])),
  ]);
  for (const [predicate, path] of predicates) {
    if (!missingPredicates.has(predicate)) continue;
    addHint(
      ctx,
      `no relation has predicate '${predicate}' (${path}); the geometric predicates are ` +
        `${CANONICAL_PREDICATES.join(', ')}; see the predicates query for the others`,
    );
  }
}

/** Puts the request's hints into the response's `extensions.hints`. */
export function hintsPlugin(): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, response }) {
          const hints = HINTS.get(contextValue);
          if (!hints?.length || response.body.kind !== 'single') return;
          response.body.singleResult.extensions = { ...response.body.singleResult.extensions, hints };
        },
      };
    },
  };
}
