/**
 * How object labels are compared when scoring triplets. Both protocols compare the project's normalised
 * label (normalizeLabel: case, spacing, plurals, synonyms, so "People" matches "person").
 *
 * `asmv2` additionally reduces COCO-panoptic stuff classes to the word before their first hyphen, as
 * ASMv2's eval_psg.py does to the PSG ground truth (`label.split('-')[0]`): "tree-merged" and
 * "wall-other-merged" are scored as "tree" and "wall", which is what a language model writes. It is
 * done only for the panoptic class names listed here, not for every hyphen, so that "t-shirt" stays a
 * t-shirt; and on both sides, so that a prediction that kept the panoptic name still matches. `openpsg`
 * keeps the classes apart, as the PSG code compares class indices ("wall-brick" is not "wall-wood").
 */

import { normalizeLabel } from '../labels/normalizeLabel';

/** The hyphenated classes of COCO panoptic (and so of PSG's 133 object classes). */
const PANOPTIC_HYPHENATED = [
  'door-stuff',
  'floor-wood',
  'mirror-stuff',
  'wall-brick',
  'wall-stone',
  'wall-tile',
  'wall-wood',
  'water-other',
  'window-blind',
  'window-other',
  'tree-merged',
  'fence-merged',
  'ceiling-merged',
  'sky-other-merged',
  'cabinet-merged',
  'table-merged',
  'floor-other-merged',
  'pavement-merged',
  'mountain-merged',
  'grass-merged',
  'dirt-merged',
  'paper-merged',
  'food-other-merged',
  'building-other-merged',
  'rock-merged',
  'wall-other-merged',
  'rug-merged',
] as const;

/** Keyed by the normalised spelling, so "tree-merged" and "tree merged" both hit. */
const PANOPTIC_BASE: ReadonlyMap<string, string> = new Map(
  PANOPTIC_HYPHENATED.map((name) => [normalizeLabel(name), normalizeLabel(name.split('-')[0])]),
);

export type LabelMode = 'normalised' | 'panoptic-base';

export function evalLabel(raw: string, mode: LabelMode): string {
  const label = normalizeLabel(raw);
  return mode === 'panoptic-base' ? (PANOPTIC_BASE.get(label) ?? label) : label;
}
