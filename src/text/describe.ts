/**
 * SpaceSGG-Desc: a description of the scene grouped by depth layers, near to far (SPEC sections 3, 5).
 *
 * Layout, one line each:
 *   The scene has N depth layers, from nearest to farthest.
 *   Layer 1: <basic object> is the basic object, covered by <objects covering it>. <relation sentences>
 *   ...
 *   Not in any layer: <objects without depth>.
 *   Other relations: <relation sentences>
 * Each relation is told once (A in front of B and B behind A are one fact), in the section of the layer
 * whose basic object is its subject, else the nearest layer holding its subject, else the nearest
 * holding its object, else under "Other relations". Per section at most `maxRelationsPerLayer`
 * (default 4) relations, most notable first (see relationRank); "covers" is expressed by the layer
 * lines and not repeated. Relations between objects without an unambiguous name are left out.
 * A graph without layers gets an object list and its relations instead.
 */

import { UserInputError } from '../errors/errors';
import type { Relation, SceneGraph } from '../scenegraph/sceneGraph.types';
import { capitalize, createMentions, joinList } from './mentions';
import { SceneFacts } from './sceneFacts';
import { notableRelations, relationSentence } from './sentences';

export const DEFAULT_MAX_RELATIONS_PER_LAYER = 4;

export interface DescribeOptions {
  /** Mention objects as `<ref>label</ref><box>[[...]]</box>` and relations with `<pred>` tags. */
  grounded?: boolean;
  maxRelationsPerLayer?: number;
}

export function describeScene(graph: SceneGraph, options: DescribeOptions = {}): string {
  const grounded = options.grounded ?? false;
  const maxRelations = options.maxRelationsPerLayer ?? DEFAULT_MAX_RELATIONS_PER_LAYER;
  if (!Number.isInteger(maxRelations) || maxRelations < 0) {
    throw new UserInputError(`must be a non-negative integer, got ${maxRelations}`, 'maxRelationsPerLayer');
  }
  const facts = new SceneFacts(graph);
  const mentions = createMentions(graph, { grounded });
  if (facts.keys.length === 0) return 'No objects were detected in the image.';

  const layers = facts.layers;
  const inLayer = (key: string): number | undefined => (layers.length > 0 ? facts.layerOf(key) : undefined);
  const sections: Relation[][] = Array.from({ length: layers.length + 1 }, () => []);
  for (const relation of notableRelations(facts.relations, mentions)) {
    const asBasic = layers.findIndex((l) => l.basic === relation.subject);
    const section =
      asBasic >= 0 ? asBasic : (inLayer(relation.subject) ?? inLayer(relation.object) ?? layers.length);
    sections[section].push(relation);
  }
  const sentences = (section: number): string[] =>
    sections[section]
      .slice(0, maxRelations)
      .map((r) => relationSentence(r, mentions, grounded))
      .filter((s): s is string => s !== null);

  const lines: string[] = [];
  if (layers.length > 0) {
    lines.push(
      `The scene has ${layers.length} depth layer${layers.length === 1 ? '' : 's'}, from nearest to farthest.`,
    );
    layers.forEach((layer, i) => {
      const covering = layer.members.filter((k) => k !== layer.basic).map((k) => mentions.describe(k));
      const head =
        `Layer ${i + 1}: ${mentions.describe(layer.basic)} is the basic object` +
        (covering.length > 0 ? `, covered by ${joinList(covering)}.` : '.');
      lines.push([head, ...sentences(i)].join(' '));
    });
    const unlayered = facts.keys.filter((k) => inLayer(k) === undefined).map((k) => mentions.describe(k));
    if (unlayered.length > 0) lines.push(`Not in any layer: ${joinList(unlayered)}.`);
  } else {
    const all = facts.keys.map((k) => mentions.describe(k));
    lines.push(`The scene has no depth layers. It shows ${joinList(all)}.`);
  }
  const other = sentences(layers.length);
  if (other.length > 0)
    lines.push([layers.length > 0 ? 'Other relations:' : 'Relations:', ...other].join(' '));
  return lines.map((l) => capitalize(l)).join('\n');
}
