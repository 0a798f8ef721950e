/**
 * The `--where` filter of `scenegraph dataset export`: which stored images go into a dataset.
 *
 * Syntax: comma-separated `key=value` conditions, given in one `--where` or spread over several; all
 * must hold. Keys:
 * - `label=L`: the image has an object labelled L (normalised: "People" finds "person"). Repeatable.
 * - `predicate=P`: the image has a relation P (aliases accepted: "in_front_of", "behind" is an
 *   in-front-of edge read backwards). Repeatable.
 * - `source=S`: GEOMETRY, MODEL, ANNOTATION or HUMAN. With `predicate`, each predicate must hold with
 *   that source; alone, the image has at least one relation from S. At most once.
 * - `uri-prefix=U`: the image's stored URI starts with U. At most once.
 */

import { UserInputError } from '../errors/errors';
import { MAX_LABEL_LENGTH, normalizeLabel } from '../labels/normalizeLabel';
import type { RelationSource } from '../scenegraph/sceneGraph.types';
import { normalizePredicate } from '../spatial/predicateNames';
import { DATASET_LIMITS } from './datasetLimits';

export interface DatasetWhere {
  labels: string[];
  predicates: string[];
  source?: RelationSource;
  uriPrefix?: string;
}

export const WHERE_KEYS = ['label', 'predicate', 'source', 'uri-prefix'] as const;
const SOURCES: readonly RelationSource[] = ['GEOMETRY', 'MODEL', 'ANNOTATION', 'HUMAN'];

export function parseWhere(clauses: readonly string[], field = '--where'): DatasetWhere {
  const where: DatasetWhere = { labels: [], predicates: [] };
  const conditions = clauses
    .flatMap((c) => c.split(','))
    .map((c) => c.trim())
    .filter((c) => c !== '');
  if (conditions.length > DATASET_LIMITS.maxWhereConditions) {
    throw new UserInputError(
      `has ${conditions.length} conditions; at most ${DATASET_LIMITS.maxWhereConditions} are allowed`,
      field,
    );
  }
  for (const condition of conditions) {
    const eq = condition.indexOf('=');
    if (eq < 0) {
      throw new UserInputError(
        `"${condition}" is not key=value; keys: ${WHERE_KEYS.join(', ')} (e.g. label=dog,predicate=on)`,
        field,
      );
    }
    const key = condition.slice(0, eq).trim();
    const value = condition.slice(eq + 1).trim();
    if (value === '') throw new UserInputError(`${key}= needs a value`, field);
    if ([...value].length > MAX_LABEL_LENGTH) {
      throw new UserInputError(`${key}= is longer than ${MAX_LABEL_LENGTH} characters`, field);
    }
    switch (key) {
      case 'label': {
        const label = normalizeLabel(value);
        if (label === '') throw new UserInputError(`label= "${value}" is empty once normalised`, field);
        where.labels.push(label);
        break;
      }
      case 'predicate': {
        const predicate = normalizePredicate(value);
        if (predicate === '')
          throw new UserInputError(`predicate= "${value}" is empty once normalised`, field);
        where.predicates.push(predicate);
        break;
      }
      case 'source': {
        const source = value.toUpperCase() as RelationSource;
        if (!SOURCES.includes(source))
          throw new UserInputError(`source= must be one of ${SOURCES.join(', ')}; got "${value}"`, field);
        if (where.source !== undefined && where.source !== source)
          throw new UserInputError('source= may be given once', field);
        where.source = source;
        break;
      }
      case 'uri-prefix':
        if (where.uriPrefix !== undefined && where.uriPrefix !== value)
          throw new UserInputError('uri-prefix= may be given once', field);
        where.uriPrefix = value;
        break;
      default:
        throw new UserInputError(`unknown key "${key}"; use ${WHERE_KEYS.join(', ')}`, field);
    }
  }
  where.labels = [...new Set(where.labels)];
  where.predicates = [...new Set(where.predicates)];
  return where;
}
