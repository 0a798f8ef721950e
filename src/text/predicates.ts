/**
 * The spatial predicates the text generators reason with, and how each reads in a sentence.
 *
 * The generators only draw conclusions from the axis predicates below; every other predicate (on,
 * beside, semantic ones such as "holding") is described verbatim but never used as evidence for a
 * front/back or up/down answer. "on" is deliberately not read as "above": annotated "on" often means
 * attached ("painting on wall"), which says nothing about height.
 */

export const FRONT = 'in front of';
export const BEHIND = 'behind';
export const LEFT = 'left of';
export const RIGHT = 'right of';
export const ABOVE = 'above';
export const BELOW = 'below';
export const OCCLUDES = 'occludes';
export const OCCLUDED_BY = 'occluded by';
export const COVERS = 'covers';
export const COVERED_BY = 'covered by';

/** depth: camera z (positive = nearer); horizontal: image x (positive = left); vertical: up is positive. */
export type Axis = 'depth' | 'horizontal' | 'vertical';

export const AXIS_PREDICATES: Readonly<Record<Axis, { positive: string; negative: string }>> = {
  depth: { positive: FRONT, negative: BEHIND },
  horizontal: { positive: LEFT, negative: RIGHT },
  vertical: { positive: ABOVE, negative: BELOW },
};

/** Lower case, trimmed, underscores and runs of whitespace as single spaces ("in_front_of" -> "in front of"). */
export function normalizePredicate(predicate: string): string {
  return predicate.replace(/_/g, ' ').replace(/\s+/g, ' ').trim().toLowerCase();
}

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
