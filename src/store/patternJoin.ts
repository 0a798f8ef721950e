import { UserInputError } from '../errors/errors';
import type { RelationRow } from './rows';

/**
 * Triplet patterns and how they hold in one image. A pattern matches a relation by its parts (labels,
 * predicate, source, minimum score); a pattern may also name its subject and object with variables,
 * and the same variable in several patterns (or places) stands for the same object. Distinct variables
 * stand for distinct objects. A part without a variable is matched on its own, pattern by pattern.
 *
 * An image's score is the best total over the consistent choices of one relation per pattern: the sum
 * of the chosen relations' scores (a relation without a score counts as 1). Patterns that share no
 * variable are independent, so each contributes its best relation; patterns linked by variables are
 * solved together by branch and bound.
 */

export interface TripletPattern {
  subject?: string;
  predicate?: string;
  object?: string;
  /** Variable naming the subject object. */
  subjectVar?: string;
  /** Variable naming the object object. */
  objectVar?: string;
  /** Only relations with a score >= this (relations without a score never pass). */
  minScore?: number;
  /** Only relations of this source (GEOMETRY, MODEL, ANNOTATION, HUMAN). */
  source?: string;
}

/** Matches kept per unbound pattern and image (smallest relation ids first), to show why an image matched. */
export const MATCHES_PER_PATTERN = 5;

/** Search steps per image and group of linked patterns at most; beyond it the search is refused, not cut. */
export const JOIN_MAX_STEPS = 200_000;

export interface JoinResult {
  score: number;
  /** Per pattern in order: the chosen relation (bound patterns) or up to MATCHES_PER_PATTERN hits. */
  matches: RelationRow[];
  /** Variable -> object id of the best binding. */
  bindings: Map<string, string>;
}

export function hasVariables(p: TripletPattern): boolean {
  return p.subjectVar !== undefined || p.objectVar !== undefined;
}

const relScore = (r: RelationRow): number => r.score ?? 1;

export function matchesPattern(p: TripletPattern, labels: ReadonlyMap<string, string>) {
  return (r: RelationRow): boolean =>
    (p.subject === undefined || labels.get(r.subjectId) === p.subject) &&
    (p.object === undefined || labels.get(r.objectId) === p.object) &&
    (p.predicate === undefined || r.predicate === p.predicate) &&
    (p.source === undefined || r.source === p.source) &&
    (p.minScore === undefined || (r.score !== null && r.score >= p.minScore));
}

/**
 * Checks what can be refused before any query: a variable used for both ends of one pattern (a
 * relation joins two different objects), or a variable given two different labels.
 */
export function checkVariables(patterns: readonly TripletPattern[]): void {
  const labelOf = new Map<string, { label: string; at: string }>();
  patterns.forEach((p, i) => {
    if (p.subjectVar !== undefined && p.subjectVar === p.objectVar) {
      throw new UserInputError(
        `names its subject and object with the same variable "${p.subjectVar}"; a relation joins two different objects`,
        `pattern[${i}]`,
      );
    }
    for (const [v, label, field] of [
      [p.subjectVar, p.subject, 'subject'],
      [p.objectVar, p.object, 'object'],
    ] as const) {
      if (v === undefined || label === undefined) continue;
      const seen = labelOf.get(v);
      if (seen && seen.label !== label) {
        throw new UserInputError(
          `variable "${v}" is labelled "${label}" here and "${seen.label}" at ${seen.at}; one object has one label`,
          `pattern[${i}].${field}`,
        );
      }
      labelOf.set(v, { label, at: `pattern[${i}].${field}` });
    }
  });
}

/** Groups of pattern indexes linked by shared variables (patterns without variables stand alone). */
function components(patterns: readonly TripletPattern[]): number[][] {
  const parent = patterns.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
  const owner = new Map<string, number>();
  patterns.forEach((p, i) => {
    for (const v of [p.subjectVar, p.objectVar]) {
      if (v === undefined) continue;
      const j = owner.get(v);
      if (j === undefined) owner.set(v, i);
      else parent[find(i)] = find(j);
    }
  });
  const groups = new Map<number, number[]>();
  patterns.forEach((_, i) => {
    const root = find(i);
    groups.set(root, [...(groups.get(root) ?? []), i]);
  });
  return [...groups.values()];
}

/** The best consistent choice of one hit per pattern of a linked group, or undefined when none exists. */
function solveGroup(
  group: number[],
  patterns: readonly TripletPattern[],
  hits: readonly RelationRow[][],
  imageId: string,
): { score: number; chosen: Map<number, RelationRow>; bindings: Map<string, string> } | undefined {
  // Fewest hits first: the narrowest pattern binds variables for the rest.
  const order = [...group].sort((a, b) => hits[a].length - hits[b].length);
  const sorted = order.map((i) => [...hits[i]].sort((x, y) => relScore(y) - relScore(x)));
  const restMax: number[] = new Array(order.length + 1).fill(0);
  for (let k = order.length - 1; k >= 0; k--) restMax[k] = restMax[k + 1] + relScore(sorted[k][0]);
  const varToObj = new Map<string, string>();
  const objToVar = new Map<string, string>();
  const picked: RelationRow[] = [];
  let best: { score: number; picked: RelationRow[]; bindings: Map<string, string> } | undefined;
  let steps = 0;

  const bind = (v: string | undefined, obj: string, added: string[]): boolean => {
    if (v === undefined) return true;
    const has = varToObj.get(v);
    if (has !== undefined) return has === obj;
    if (objToVar.has(obj)) return false; // another variable holds this object
    varToObj.set(v, obj);
    objToVar.set(obj, v);
    added.push(v);
    return true;
  };
  const unbind = (added: string[]): void => {
    for (const v of added) {
      objToVar.delete(varToObj.get(v)!);
      varToObj.delete(v);
    }
  };

  const visit = (k: number, score: number): void => {
    if (best && score + restMax[k] <= best.score) return;
    if (k === order.length) {
      best = { score, picked: [...picked], bindings: new Map(varToObj) };
      return;
    }
    const p = patterns[order[k]];
    for (const r of sorted[k]) {
      if (++steps > JOIN_MAX_STEPS) {
        throw new UserInputError(
          `the variables join more than ${JOIN_MAX_STEPS} relation combinations in image ${imageId}: ` +
            'give the variables labels or the patterns predicates to narrow them',
          'pattern',
        );
      }
      if (best && score + relScore(r) + restMax[k + 1] <= best.score) break; // sorted: the rest are no better
      const added: string[] = [];
      if (bind(p.subjectVar, r.subjectId, added) && bind(p.objectVar, r.objectId, added)) {
        picked.push(r);
        visit(k + 1, score + relScore(r));
        picked.pop();
      }
      unbind(added);
    }
  };
  visit(0, 0);
  if (!best) return undefined;
  const found = best;
  return {
    score: found.score,
    chosen: new Map(order.map((i, k) => [i, found.picked[k]])),
    bindings: found.bindings,
  };
}

/** How the patterns hold in one image's relations; undefined when some pattern (or binding) fails. */
export function joinPatterns(
  imageId: string,
  relations: readonly RelationRow[],
  labels: ReadonlyMap<string, string>,
  patterns: readonly TripletPattern[],
): JoinResult | undefined {
  return joinHits(
    imageId,
    patterns.map((p) => relations.filter(matchesPattern(p, labels))),
    patterns,
  );
}

/** As joinPatterns, from each pattern's matching relations (hits[i] for patterns[i]). */
export function joinHits(
  imageId: string,
  hits: readonly RelationRow[][],
  patterns: readonly TripletPattern[],
): JoinResult | undefined {
  if (hits.some((h) => h.length === 0)) return undefined;
  let score = 0;
  const perPattern: RelationRow[][] = patterns.map(() => []);
  const bindings = new Map<string, string>();
  for (const group of components(patterns)) {
    if (group.length === 1 && !hasVariables(patterns[group[0]])) {
      const i = group[0];
      score += Math.max(...hits[i].map(relScore));
      perPattern[i] = hits[i].slice(0, MATCHES_PER_PATTERN);
      continue;
    }
    const solved = solveGroup(group, patterns, hits, imageId);
    if (!solved) return undefined;
    score += solved.score;
    for (const [i, r] of solved.chosen) perPattern[i] = [r];
    for (const [v, o] of solved.bindings) bindings.set(v, o);
  }
  return { score, matches: perPattern.flat(), bindings };
}
