/**
 * The spatial predicates the text generators reason with, and how each reads in a sentence.
 *
 * The generators only draw conclusions from the axis predicates below; every other predicate (on,
 * beside, semantic ones such as "holding") is described verbatim but never used as evidence for a
 * front/back or up/down answer. "on" is deliberately not read as "above": annotated "on" often means
 * attached ("painting on wall"), which says nothing about height.
 */

import { AXIS_PREDICATES, type Axis, type CanonicalPredicate } from '../spatial/predicateNames';

// The predicate names, their inverses and the canonical spelling are the spatial engine's
// (src/spatial/predicateNames.ts); only how they read in a sentence is defined here.
export { AXIS_PREDICATES, normalizePredicate, type Axis } from '../spatial/predicateNames';

export const FRONT = AXIS_PREDICATES.depth.positive;
export const BEHIND = AXIS_PREDICATES.depth.negative;
export const LEFT = AXIS_PREDICATES.horizontal.positive;
export const RIGHT = AXIS_PREDICATES.horizontal.negative;
export const ABOVE = AXIS_PREDICATES.vertical.positive;
export const BELOW = AXIS_PREDICATES.vertical.negative;
export const OCCLUDES = 'occludes' satisfies CanonicalPredicate;
/** Not a canonical predicate ("occludes" has no canonical inverse): how text reads occludes backwards. */
export const OCCLUDED_BY = 'occluded by';
export const COVERS = 'covers' satisfies CanonicalPredicate;
export const COVERED_BY = 'covered by' satisfies CanonicalPredicate;

/** The axis and sign a predicate asserts, or undefined for predicates that are not axis comparisons. */
export function axisOf(predicate: string): { axis: Axis; sign: 1 | -1 } | undefined {
  for (const axis of Object.keys(AXIS_PREDICATES) as Axis[]) {
    const { positive, negative } = AXIS_PREDICATES[axis];
    if (predicate === positive) return { axis, sign: 1 };
    if (predicate === negative) return { axis, sign: -1 };
  }
  return undefined;
}

export function axisPredicate(axis: Axis, sign: 1 | -1): string {
  return sign > 0 ? AXIS_PREDICATES[axis].positive : AXIS_PREDICATES[axis].negative;
}

/** Verbs in the third person that take no copula ("the wall covers the shelf"). */
const FINITE_VERBS = new Set([
  'has',
  'covers',
  'occludes',
  'contains',
  'holds',
  'wears',
  'supports',
  'touches',
  'faces',
]);

/**
 * How a predicate reads between two noun phrases, split so that grounded text can wrap the predicate
 * itself in `<pred>` tags: `${lead}${predicate}`, e.g. "is " + "in front of", "is to the " + "left of",
 * "" + "covers".
 */
export function predicateLead(predicate: string): string {
  if (predicate === LEFT || predicate === RIGHT) return 'is to the ';
  const first = predicate.split(' ')[0];
  return FINITE_VERBS.has(first) ? '' : 'is ';
}

/** How a canonical predicate reads in a sentence ("far" alone is not English between two nouns). */
export function spokenPredicate(predicate: string): string {
  return predicate === 'far' ? 'far from' : predicate;
}

/** The predicate as an adverbial phrase, without the copula: "to the left of", "behind". */
export function positionPhrase(predicate: string): string {
  const lead = predicateLead(predicate);
  return lead.startsWith('is ') ? `${lead.slice(3)}${predicate}` : `${lead}${predicate}`;
}
