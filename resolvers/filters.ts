import { UserInputError } from '../src/errors/errors';
import { MAX_LABEL_LENGTH, normalizeLabel } from '../src/labels/normalizeLabel';
import { normalizePredicate } from '../src/spatial/predicateNames';
import type { ObjectRow, RelationRow } from '../src/store/rows';
import type { ObjectsWhere, RelationFilter } from './types/images.input';

/** Checks and normalisation of the list filters, shared by the fields that take them. */

/** Labels in a filter list at most. */
export const MAX_FILTER_VALUES = 50;

export function labelList(values: readonly string[] | null | undefined, path: string): string[] | undefined {
  if (values === undefined || values === null) return undefined;
  if (values.length > MAX_FILTER_VALUES)
    throw new UserInputError(`must hold at most ${MAX_FILTER_VALUES} labels`, path);
  return values.map((v, i) => {
    const label = normalizeLabel(v);
    if (label.length === 0) throw new UserInputError('must not be empty', `${path}[${i}]`);
    if (label.length > MAX_LABEL_LENGTH)
      throw new UserInputError(`must be at most ${MAX_LABEL_LENGTH} characters`, `${path}[${i}]`);
    return label;
  });
}

export function checkScore(value: number | null | undefined, path: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (!(value >= 0 && value <= 1)) throw new UserInputError('must be a number from 0 to 1', path);
  return value;
}

export function checkFinite(value: number | null | undefined, path: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Number.isFinite(value)) throw new UserInputError('must be a finite number', path);
  return value;
}

export function objectFilter(
  where: ObjectsWhere | null | undefined,
  path = 'where',
): (o: ObjectRow) => boolean {
  if (!where) return () => true;
  const labels = labelList(where.labels, `${path}.labels`);
  const minScore = checkScore(where.minScore, `${path}.minScore`);
  const maxScore = checkScore(where.maxScore, `${path}.maxScore`);
  const depthFrom = checkFinite(where.depthFrom, `${path}.depthFrom`);
  const depthTo = checkFinite(where.depthTo, `${path}.depthTo`);
  const layer = where.layer ?? undefined;
  return (o) =>
    (labels === undefined || labels.includes(o.label)) &&
    (minScore === undefined || (o.score !== null && o.score >= minScore)) &&
    (maxScore === undefined || (o.score !== null && o.score <= maxScore)) &&
    (layer === undefined || o.layer === layer) &&
    (depthFrom === undefined || (o.depthP5 !== null && o.depthP5 >= depthFrom)) &&
    (depthTo === undefined || (o.depthP95 !== null && o.depthP95 <= depthTo));
}

export interface NormalisedRelationFilter {
  predicates?: string[];
  keep: (r: RelationRow, labelOf: (id: string) => string | undefined) => boolean;
  needsLabels: boolean;
  labels: string[];
}

export function relationFilter(
  where: RelationFilter | null | undefined,
  path = 'where',
): NormalisedRelationFilter {
  const predicates = where?.predicates?.map((p) => normalizePredicate(p)) ?? undefined;
  const sources = where?.sources ?? undefined;
  const minScore = checkScore(where?.minScore, `${path}.minScore`);
  const maxScore = checkScore(where?.maxScore, `${path}.maxScore`);
  const subjectLabels = labelList(where?.subjectLabels, `${path}.subjectLabels`);
  const objectLabels = labelList(where?.objectLabels, `${path}.objectLabels`);
  return {
    predicates,
    needsLabels: subjectLabels !== undefined || objectLabels !== undefined,
    labels: [...(subjectLabels ?? []), ...(objectLabels ?? [])],
    keep: (r, labelOf) =>
      (predicates === undefined || predicates.includes(r.predicate)) &&
      (sources === undefined || (sources as string[]).includes(r.source)) &&
      (minScore === undefined || (r.score !== null && r.score >= minScore)) &&
      (maxScore === undefined || (r.score !== null && r.score <= maxScore)) &&
      (subjectLabels === undefined || subjectLabels.includes(labelOf(r.subjectId) ?? '')) &&
      (objectLabels === undefined || objectLabels.includes(labelOf(r.objectId) ?? '')),
  };
}
