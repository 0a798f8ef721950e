/**
 * Predicate names. Canonical names are lower-case words ("in front of"); every source (geometry, models,
 * annotations, GraphQL filters) goes through normalizePredicate so that "in_front_of", "InFrontOf" and
 * "infront of" are one predicate in the store.
 *
 * Unknown predicates are accepted, not refused: models and annotations bring semantic predicates
 * ("holding", "parked on", PSG's 56 classes) that the geometry never produces, and they must be stored.
 * They are kept verbatim except for the same spelling normalisation (NFKC, lower case, underscores to
 * spaces, trimmed, runs of whitespace collapsed to one space); hyphens are kept ("t-shirt on").
 */

export const CANONICAL_PREDICATES = [
  'in front of',
  'behind',
  'covers',
  'covered by',
  'left of',
  'right of',
  'above',
  'below',
  'on',
  'under',
  'over',
  'in',
  'beside',
  'occludes',
  'near',
  'far',
] as const;

export type CanonicalPredicate = (typeof CANONICAL_PREDICATES)[number];

/**
 * How each geometric predicate reads from the other object. Symmetric predicates are their own inverse.
 * over, in and occludes have no canonical inverse: "under" is reserved for the inverse of "on", and
 * "below" (which over implies) is emitted by the above/below rule anyway.
 */
export const INVERSE_PREDICATE: Readonly<Partial<Record<CanonicalPredicate, CanonicalPredicate>>> = {
  'in front of': 'behind',
  behind: 'in front of',
  covers: 'covered by',
  'covered by': 'covers',
  'left of': 'right of',
  'right of': 'left of',
  above: 'below',
  below: 'above',
  on: 'under',
  under: 'on',
  beside: 'beside',
  near: 'near',
  far: 'far',
};

/**
 * The three axis comparisons, each a predicate and its inverse: depth (camera z, "in front of" is
 * nearer), horizontal (image x, "left of") and vertical (image up, "above"). Text generation reasons
 * along these axes; the pairs are INVERSE_PREDICATE's (a test checks it).
 */
export const AXIS_PREDICATES = {
  depth: { positive: 'in front of', negative: 'behind' },
  horizontal: { positive: 'left of', negative: 'right of' },
  vertical: { positive: 'above', negative: 'below' },
} as const satisfies Record<string, { positive: CanonicalPredicate; negative: CanonicalPredicate }>;

export type Axis = keyof typeof AXIS_PREDICATES;

/**
 * Other spellings of canonical predicates. Only unambiguous spatial phrases: "covering" (a blanket
 * covering a bed) and "sitting on" are semantic predicates, not the depth relation "covers" or "on".
 */
const ALIASES: Readonly<Record<string, CanonicalPredicate>> = {
  'in the front of': 'in front of',
  'front of': 'in front of',
  'in back of': 'behind',
  'at the back of': 'behind',
  'behind of': 'behind',
  'to the left of': 'left of',
  'on the left of': 'left of',
  'on the left side of': 'left of',
  'at the left of': 'left of',
  'to the right of': 'right of',
  'on the right of': 'right of',
  'on the right side of': 'right of',
  'at the right of': 'right of',
  'above of': 'above',
  'on top of': 'on',
  upon: 'on',
  atop: 'on',
  onto: 'on',
  beneath: 'under',
  underneath: 'under',
  inside: 'in',
  'inside of': 'in',
  within: 'in',
  'next to': 'beside',
  'beside of': 'beside',
  alongside: 'beside',
  'adjacent to': 'beside',
  occluding: 'occludes',
  occlude: 'occludes',
  'close to': 'near',
  'near to': 'near',
  nearby: 'near',
  'close by': 'near',
  'far from': 'far',
  'far away from': 'far',
  'far away': 'far',
};

/** Aliases match on letters alone, so "in_front_of", "InFrontOf", "infront of" and "in-front-of" all hit. */
function compact(s: string): string {
  return s.replace(/[\s_-]+/g, '');
}

const BY_COMPACT_FORM: ReadonlyMap<string, CanonicalPredicate> = new Map([
  ...CANONICAL_PREDICATES.map((p) => [compact(p), p] as const),
  ...Object.entries(ALIASES).map(([alias, p]) => [compact(alias), p] as const),
]);

const CANONICAL_SET: ReadonlySet<string> = new Set(CANONICAL_PREDICATES);

export function isCanonicalPredicate(s: string): s is CanonicalPredicate {
  return CANONICAL_SET.has(s);
}

/** Canonical name for a known predicate or alias; otherwise the input with spelling normalised. May return ''. */
export function normalizePredicate(s: string): string {
  // camelCase ("InFrontOf") is split first so that an unknown camelCase predicate reads as words too.
  const spelled = s
    .normalize('NFKC')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .replace(/_/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return BY_COMPACT_FORM.get(compact(spelled)) ?? spelled;
}
