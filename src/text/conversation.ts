/**
 * SpaceSGG-Conv: a multi-turn chain of thought from the image to its objects, depth layers and
 * relations. Turns (each a human question and a gpt answer), in this order:
 *
 * 1. objects: every object, named as in the other generators;
 * 2. layers: how Algorithm 2 groups them (basic objects near to far, with the objects covering them);
 * 3. relations: the most notable relations (at most MAX_CONV_RELATIONS);
 * 4. (when the graph supports one) a spatial question answered step by step: the layers of the objects
 *    involved, the relations that decide it, then the answer;
 * 5. (when the graph supports one) a multi-view question, reasoned through the view mapping;
 * 6. (when there are relations) a summary of the graph as triplets.
 *
 * So a conversation has 3 to 6 turns. A graph without objects has no conversation (undefined).
 * Phrasing variants and the questions of turns 4 and 5 are chosen by the seeded `rng`.
 */

import type { SceneGraph } from '../scenegraph/sceneGraph.types';
import { capitalize, createMentions, joinList, type Mentions } from './mentions';
import { axisOf, axisPredicate, positionPhrase } from './predicates';
import { generateQa, type QaItem } from './qa';
import type { Rng } from './random';
import { SceneFacts } from './sceneFacts';
import { notableRelations, relationClause, relationSentence } from './sentences';
import { isFloorPredicate, readFromView, VIEW_PHRASES } from './views';

export const MAX_CONV_RELATIONS = 6;

export interface ConversationTurn {
  from: 'human' | 'gpt';
  value: string;
}

export interface Conversation {
  id: string;
  turns: ConversationTurn[];
  /** Keys of the objects the conversation mentions. */
  subjects: string[];
}

const PROMPTS = {
  objects: [
    'What objects can you see in this image?',
    'List the objects in this image.',
    'Which objects does the image show?',
  ],
  layers: [
    'How do these objects group into depth layers, from near to far?',
    'Arrange the objects into depth layers, starting with the nearest.',
  ],
  relations: [
    'What spatial relations hold between these objects?',
    'How are the objects positioned relative to each other?',
  ],
  summary: [
    'Summarize the scene graph as (subject, predicate, object) triplets.',
    'Write the scene graph as a list of triplets.',
  ],
};

export function generateConversation(
  graph: SceneGraph,
  rng: Rng,
  options: { grounded?: boolean } = {},
): Conversation | undefined {
  const grounded = options.grounded ?? false;
  const facts = new SceneFacts(graph);
  if (facts.keys.length === 0) return undefined;
  const mentions = createMentions(graph, { grounded });
  const turns: ConversationTurn[] = [];
  const ask = (question: string, answer: string): void => {
    turns.push({ from: 'human', value: question }, { from: 'gpt', value: answer });
  };

  const all = facts.keys.map((k) => mentions.describe(k));
  ask(
    rng.pick(PROMPTS.objects),
    `I can see ${all.length} object${all.length === 1 ? '' : 's'}: ${joinList(all)}.`,
  );

  ask(rng.pick(PROMPTS.layers), layersAnswer(facts, mentions));

  const relations = notableRelations(facts.relations, mentions).slice(0, MAX_CONV_RELATIONS);
  ask(
    rng.pick(PROMPTS.relations),
    relations.length > 0
      ? relations.map((r) => relationSentence(r, mentions, grounded)).join(' ')
      : 'The scene graph records no spatial relations between them.',
  );

  const [reasoning] = generateQa(graph, rng.fork('reasoning'), {
    grounded,
    max: 1,
    kinds: rng.shuffle(['front-back', 'up-down', 'order', 'occlusion'] as const),
  });
  if (reasoning) ask(reasoning.question, reasonedAnswer(reasoning, facts, mentions, grounded));

  const [view] = generateQa(graph, rng.fork('multi-view'), { grounded, max: 1, kinds: ['multi-view'] });
  if (view) ask(view.question, reasonedAnswer(view, facts, mentions, grounded));

  if (relations.length > 0) {
    const triplets = relations.map(
      (r) => `(${mentions.name(r.subject) ?? ''}, ${r.predicate}, ${mentions.name(r.object) ?? ''})`,
    );
    ask(rng.pick(PROMPTS.summary), triplets.join('\n'));
  }

  return { id: 'conv', turns, subjects: [...facts.keys] };
}

function layersAnswer(facts: SceneFacts, mentions: Mentions): string {
  if (facts.layers.length === 0)
    return 'The scene graph has no depth ranges, so the objects cannot be grouped into layers.';
  const lines = [
    `Basic objects are those whose depth range encloses no other object's. Sorting them from near to far gives ${facts.layers.length} layer${facts.layers.length === 1 ? '' : 's'}; each layer also holds the objects whose depth range encloses its basic object.`,
  ];
  facts.layers.forEach((layer, i) => {
    const covering = layer.members.filter((k) => k !== layer.basic).map((k) => mentions.describe(k));
    lines.push(
      `Layer ${i + 1}: ${mentions.describe(layer.basic)}` +
        (covering.length > 0 ? `, covered by ${joinList(covering)}.` : '.'),
    );
  });
  return lines.join('\n');
}

/** Chain of thought for a QA item: where the objects sit in the layers, the deciding relations, the answer. */
function reasonedAnswer(item: QaItem, facts: SceneFacts, mentions: Mentions, grounded: boolean): string {
  const steps: string[] = [];
  const placed = item.subjects
    .filter((k, i, all) => all.indexOf(k) === i)
    .map((k) => ({ k, layer: facts.layerOf(k) }))
    .filter((p): p is { k: string; layer: number } => p.layer !== undefined && mentions.name(p.k) !== null);
  if (placed.length > 0 && facts.layers.length > 0) {
    steps.push(
      `${capitalize(joinList(placed.map((p) => `${mentions.name(p.k)} is in layer ${p.layer + 1}`)))}.`,
    );
  }
  const clauses = item.evidence
    .map((r) => relationClause(r, mentions, grounded))
    .filter((c): c is string => c !== null);
  if (clauses.length > 0) steps.push(`The scene graph says that ${joinList(clauses)}.`);
  if (item.view) {
    const view = item.view;
    // The camera-frame predicates of the first subject relative to the second, as the answer uses them.
    const [x, y] = item.subjects;
    const camera = item.evidence
      .map((r) => {
        const axis = axisOf(r.predicate);
        if (!axis) return undefined;
        return r.subject === x ? r.predicate : axisPredicate(axis.axis, axis.sign === 1 ? -1 : 1);
      })
      .filter((p): p is string => p !== undefined && isFloorPredicate(p));
    const distinct = [...new Set(camera)];
    if (distinct.length > 0 && y !== undefined) {
      const phrase = distinct.map(positionPhrase).join(' and ');
      steps.push(`From the camera, ${mentions.describe(x)} is ${phrase} ${mentions.describe(y)}.`);
      const readings = distinct.map((p) => `"${p}" reads as "${readFromView(p, view)}"`);
      steps.push(`${capitalize(VIEW_PHRASES[view].short)}, ${joinList(readings)}.`);
    }
  }
  steps.push(item.answer);
  return steps.join(' ');
}
