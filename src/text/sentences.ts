/**
 * Relation sentences shared by the description, the conversation and the QA reasoning, in plain or
 * grounded form, and the order in which relations are worth mentioning.
 */

import type { Relation } from '../scenegraph/sceneGraph.types';
import { renderRelation } from './grounded';
import { capitalize, type Mentions } from './mentions';
import {
  axisOf,
  COVERED_BY,
  COVERS,
  OCCLUDED_BY,
  OCCLUDES,
  predicateLead,
  spokenPredicate,
} from './predicates';

/**
 * "the cup is on the table"; grounded: "the <ref>cup</ref><box>..</box> is <pred>on</pred><box>..</box>
 * <box>..</box> the <ref>table</ref><box>..</box>" (ASMv2 relation style). Null when either object has
 * no unambiguous name.
 */
export function relationClause(relation: Relation, mentions: Mentions, grounded: boolean): string | null {
  const subject = mentions.name(relation.subject);
  const object = mentions.name(relation.object);
  if (subject === null || object === null) return null;
  const predicate = grounded
    ? renderRelation(
        relation.predicate,
        [mentions.grounded(relation.subject)],
        [mentions.grounded(relation.object)],
      )
    : spokenPredicate(relation.predicate);
  return `${subject} ${predicateLead(relation.predicate)}${predicate} ${object}`;
}

export function relationSentence(relation: Relation, mentions: Mentions, grounded: boolean): string | null {
  const clause = relationClause(relation, mentions, grounded);
  return clause === null ? null : `${capitalize(clause)}.`;
}

const CONTACT = new Set(['on', 'in', 'inside', 'under', 'over', 'attached to']);
const SYMMETRIC = new Set(['beside', 'next to', 'near', 'far']);

/**
 * Lower = more worth saying. Semantic predicates (from models or annotations: "holding") say the most,
 * then contact, occlusion, depth, height, left/right, and proximity last. Depth-range "covers" is left
 * to the layer structure and ranks undefined (not mentioned as a relation).
 */
export function relationRank(predicate: string): number | undefined {
  if (predicate === COVERS || predicate === COVERED_BY) return undefined;
  const axis = axisOf(predicate);
  if (axis) return { depth: 3, vertical: 4, horizontal: 5 }[axis.axis];
  if (CONTACT.has(predicate)) return 1;
  if (predicate === OCCLUDES || predicate === OCCLUDED_BY) return 2;
  if (SYMMETRIC.has(predicate)) return 6;
  return 0;
}

/** An identity for the fact a relation states, equal for (A in front of B) and (B behind A). */
export function factKey(relation: Relation): string {
  const { subject: s, predicate: p, object: o } = relation;
  const axis = axisOf(p);
  if (axis) return axis.sign > 0 ? `${axis.axis}|${s}|${o}` : `${axis.axis}|${o}|${s}`;
  if (p === OCCLUDED_BY) return `${OCCLUDES}|${o}|${s}`;
  if (p === COVERED_BY) return `${COVERS}|${o}|${s}`;
  if (SYMMETRIC.has(p)) return `${p}|${[s, o].sort().join('|')}`;
  return `${p}|${s}|${o}`;
}

/**
 * The relations worth mentioning, most notable first, one per fact, skipping any whose objects have no
 * unambiguous name. Stable: ties keep graph order.
 */
export function notableRelations(relations: readonly Relation[], mentions: Mentions): Relation[] {
  const seen = new Set<string>();
  const ranked: Array<{ relation: Relation; rank: number; order: number }> = [];
  relations.forEach((relation, order) => {
    const rank = relationRank(relation.predicate);
    if (rank === undefined) return;
    if (mentions.name(relation.subject) === null || mentions.name(relation.object) === null) return;
    const key = factKey(relation);
    if (seen.has(key)) return;
    seen.add(key);
    ranked.push({ relation, rank, order });
  });
  return ranked.sort((a, b) => a.rank - b.rank || a.order - b.order).map((r) => r.relation);
}
