/**
 * The 56 predicate classes of the PSG dataset (Panoptic Scene Graph Generation, Yang et al. 2022), in
 * the dataset's class order (index 0 here is PSG's class 1: PSG reserves 0 for "no relation"). The
 * names are the dataset's own, which are already in the project's normalised predicate spelling
 * (normalizePredicate leaves every one unchanged; a test checks it), so importers and the evaluator
 * can compare them with stored predicates directly.
 */
export const PSG_PREDICATES = [
  'over',
  'in front of',
  'beside',
  'on',
  'in',
  'attached to',
  'hanging from',
  'on back of',
  'falling off',
  'going down',
  'painted on',
  'walking on',
  'running on',
  'crossing',
  'standing on',
  'lying on',
  'sitting on',
  'flying over',
  'jumping over',
  'jumping from',
  'wearing',
  'holding',
  'carrying',
  'looking at',
  'guiding',
  'kissing',
  'eating',
  'drinking',
  'feeding',
  'biting',
  'catching',
  'picking',
  'playing with',
  'chasing',
  'climbing',
  'cleaning',
  'playing',
  'touching',
  'pushing',
  'pulling',
  'opening',
  'cooking',
  'talking to',
  'throwing',
  'slicing',
  'driving',
  'riding',
  'parked on',
  'driving on',
  'about to hit',
  'kicking',
  'swinging',
  'entering',
  'exiting',
  'enclosing',
  'leaning on',
] as const;

export type PsgPredicate = (typeof PSG_PREDICATES)[number];

const PSG_SET: ReadonlySet<string> = new Set(PSG_PREDICATES);

/** True for a (normalised) predicate that is one of PSG's 56 classes. */
export function isPsgPredicate(predicate: string): predicate is PsgPredicate {
  return PSG_SET.has(predicate);
}
