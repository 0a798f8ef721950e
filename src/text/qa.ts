/**
 * SpaceSGG-QA: single-turn spatial questions with answers, from a scene graph's relations.
 *
 * Kinds:
 * - `front-back`: "Is the chair in front of the table?" -> "Yes, ... ; it is nearer to the camera."
 * - `up-down`: "Is the lamp above the table?" -> Yes/No with the true relation.
 * - `order`: "Order the cup, the lamp and the chair from nearest to farthest."
 * - `occlusion`: "Which object is partly hidden by the box?" / "Which object partly hides the cup?"
 * - `multi-view`: "Imagine standing at the back of the scene ... Where is the X relative to the Y?",
 *   answered with the camera-frame relations read through VIEW_MAPPING (see views.ts).
 *
 * Every answer follows from relations present in the graph (SceneFacts): a Yes/No question is asked
 * only about a pair that has the asked relation or its opposite (so a No is backed by the opposite
 * relation, never by a missing one); an ordering only over objects whose every pair is related in
 * depth, consistently; an occlusion question only when all of the object's occlusions are
 * consistent (not mutual, occluder not behind). Pairs with contradicting relations are skipped, as
 * are objects without an unambiguous name (see mentions.ts). Each item lists the relations it rests
 * on in `evidence`.
 *
 * Single-choice variant (`format: 'choice' | 'both'`), four options A-D, for spatial QA accuracy;
 * every wrong option is ruled out by a relation, not merely unsupported:
 * - front-back / up-down: "Which of these objects is nearest to the camera (farthest, highest,
 *   lowest)?" over an object related to each of three others in that direction;
 * - order: the correct order of three objects among three wrong permutations;
 * - occlusion: "Which of these objects partly hides the cup?" with three objects that are behind the
 *   cup (so cannot hide it);
 * - multi-view: for a pair related both in depth and left/right, the four combinations
 *   "in front of / behind and to the left / right of" as read from the viewpoint.
 * The question text carries the lettered options; `answer` and `correct` are the letter.
 */

import { UserInputError } from '../errors/errors';
import type { Relation, SceneGraph } from '../scenegraph/sceneGraph.types';
import { capitalize, createMentions, joinList, type Mentions } from './mentions';
import {
  axisOf,
  axisPredicate,
  BEHIND,
  FRONT,
  LEFT,
  positionPhrase,
  predicateLead,
  RIGHT,
  type Axis,
} from './predicates';
import type { Rng } from './random';
import { SceneFacts } from './sceneFacts';
import { readFromView, VIEW_PHRASES, VIEW_POINTS, type ViewPoint } from './views';

export type QaKind = 'front-back' | 'up-down' | 'order' | 'occlusion' | 'multi-view';
export const QA_KINDS: readonly QaKind[] = ['front-back', 'up-down', 'order', 'occlusion', 'multi-view'];

export const QA_FORMATS = ['open', 'choice', 'both'] as const;
export type QaFormat = (typeof QA_FORMATS)[number];
export const CHOICE_LETTERS = ['A', 'B', 'C', 'D'] as const;
export type ChoiceLetter = (typeof CHOICE_LETTERS)[number];

export const DEFAULT_MAX_QA = 20;
export const CHOICE_INSTRUCTION = "Answer with the option's letter from the given choices directly.";

export interface QaItem {
  id: string;
  kind: QaKind;
  question: string;
  answer: string;
  /** Single-choice items only: the four options, in letter order. */
  choices?: string[];
  correct?: ChoiceLetter;
  /** Keys of the objects the item is about, in order of mention (question, then answer). */
  subjects: string[];
  /** The graph relations (predicates normalised) the answer rests on. */
  evidence: Relation[];
  /** Yes/No items: the relation the question asks about. */
  asked?: { subject: string; predicate: string; object: string };
  /** Multi-view items: where the viewer stands. */
  view?: ViewPoint;
}

export interface QaOptions {
  grounded?: boolean;
  /** Most items returned (default DEFAULT_MAX_QA); kinds take turns so that each is represented. */
  max?: number;
  format?: QaFormat;
  kinds?: readonly QaKind[];
}

type Draft = Omit<QaItem, 'id'>;

interface Context {
  facts: SceneFacts;
  mentions: Mentions;
  rng: Rng;
  /** Keys of objects with an unambiguous name, graph order. */
  named: string[];
}

/** The unambiguous name of an object known to have one. */
const nameOf = (ctx: Context, key: string): string => ctx.mentions.name(key) as string;

function pairs(keys: readonly string[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let i = 0; i < keys.length; i++)
    for (let j = i + 1; j < keys.length; j++) out.push([keys[i], keys[j]]);
  return out;
}

const uniqueRelations = (relations: Relation[]): Relation[] => [...new Set(relations)];

// ---------------------------------------------------------------------------------------------------
// Yes/No on one axis (front-back, up-down)

const JUDGMENT: Record<'depth' | 'vertical', { kind: QaKind; reason: Record<1 | -1, string> }> = {
  depth: {
    kind: 'front-back',
    reason: { 1: 'it is nearer to the camera', [-1]: 'it is farther from the camera' },
  },
  vertical: {
    kind: 'up-down',
    reason: { 1: 'it is higher up in the scene', [-1]: 'it is lower down in the scene' },
  },
};

function judgmentQuestions(ctx: Context, axis: 'depth' | 'vertical'): Draft[] {
  const out: Draft[] = [];
  for (const [a, b] of pairs(ctx.named)) {
    const fact = ctx.facts.fact(a, b, axis);
    if (fact === undefined || fact === 'conflict') continue;
    const [x, y] = ctx.rng.next() < 0.5 ? [a, b] : [b, a];
    const sign = x === a ? fact.sign : fact.sign === 1 ? -1 : 1;
    const asked = axisPredicate(axis, ctx.rng.next() < 0.5 ? 1 : -1);
    const yes = axisOf(asked)?.sign === sign;
    const truth = axisPredicate(axis, sign);
    const [X, Y] = [nameOf(ctx, x), nameOf(ctx, y)];
    out.push({
      kind: JUDGMENT[axis].kind,
      question: `Is ${X} ${positionPhrase(asked)} ${Y}?`,
      answer: `${yes ? 'Yes' : 'No'}, ${X} ${predicateLead(truth)}${truth} ${Y}; ${JUDGMENT[axis].reason[sign]}.`,
      subjects: [x, y],
      evidence: fact.evidence,
      asked: { subject: x, predicate: asked, object: y },
    });
  }
  return out;
}

const EXTREMES: Record<'depth' | 'vertical', { kind: QaKind; words: Record<1 | -1, string> }> = {
  depth: { kind: 'front-back', words: { 1: 'nearest to the camera', [-1]: 'farthest from the camera' } },
  vertical: { kind: 'up-down', words: { 1: 'highest in the scene', [-1]: 'lowest in the scene' } },
};

/** "Which of these objects is nearest to the camera?": the answer is related to each distractor. */
function extremeChoices(ctx: Context, axis: 'depth' | 'vertical'): Draft[] {
  const out: Draft[] = [];
  for (const w of ctx.named) {
    for (const sign of [1, -1] as const) {
      const beaten = ctx.named.filter((o) => {
        const f = ctx.facts.fact(w, o, axis);
        return f !== undefined && f !== 'conflict' && f.sign === sign;
      });
      if (beaten.length < 3) continue;
      const distractors = ctx.rng.sample(beaten, 3);
      const evidence = distractors.flatMap((d) => {
        const f = ctx.facts.fact(w, d, axis);
        return f && f !== 'conflict' ? f.evidence : [];
      });
      out.push(
        choiceItem(
          ctx,
          {
            kind: EXTREMES[axis].kind,
            question: `Which of these objects is ${EXTREMES[axis].words[sign]}?`,
            evidence,
          },
          { key: w, text: nameOf(ctx, w) },
          distractors.map((d) => ({ key: d, text: nameOf(ctx, d) })),
        ),
      );
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Ordering by depth

/** Hard cap on triples examined, so that large graphs stay fast; the search order is seeded. */
const MAX_TRIPLES_EXAMINED = 20_000;
const MAX_ORDER_CANDIDATES = 200;

interface DepthOrder {
  /** Nearest first. */
  order: string[];
  evidence: Relation[];
}

function depthOrders(ctx: Context): DepthOrder[] {
  const keys = ctx.rng.shuffle(ctx.named);
  const out: DepthOrder[] = [];
  let examined = 0;
  for (let i = 0; i < keys.length; i++) {
    for (let j = i + 1; j < keys.length; j++) {
      for (let k = j + 1; k < keys.length; k++) {
        if (++examined > MAX_TRIPLES_EXAMINED || out.length >= MAX_ORDER_CANDIDATES) return out;
        const triple = [keys[i], keys[j], keys[k]];
        const found = orderOf(ctx.facts, triple);
        if (found) out.push(found);
      }
    }
  }
  return out;
}

/** The depth order of the objects when every pair is related, consistently and without a cycle. */
function orderOf(facts: SceneFacts, keys: string[]): DepthOrder | undefined {
  const wins = new Map(keys.map((k) => [k, 0]));
  const evidence: Relation[] = [];
  for (const [a, b] of pairs(keys)) {
    const f = facts.fact(a, b, 'depth');
    if (f === undefined || f === 'conflict') return undefined;
    const nearer = f.sign > 0 ? a : b;
    wins.set(nearer, (wins.get(nearer) ?? 0) + 1);
    evidence.push(...f.evidence);
  }
  const order = [...keys].sort((a, b) => (wins.get(b) ?? 0) - (wins.get(a) ?? 0));
  // Acyclic iff the win counts are n-1, n-2, ..., 0.
  if (!order.every((k, i) => wins.get(k) === keys.length - 1 - i)) return undefined;
  return { order, evidence };
}

function orderQuestions(ctx: Context, orders: DepthOrder[]): Draft[] {
  return orders.map(({ order, evidence }) => {
    const asked = ctx.rng.shuffle(order);
    const nearFirst = ctx.rng.next() < 0.5;
    const direction = nearFirst ? 'from nearest to farthest' : 'from farthest to nearest';
    const answerOrder = nearFirst ? order : [...order].reverse();
    return {
      kind: 'order' as const,
      question: `Order ${joinList(asked.map((k) => nameOf(ctx, k)))} ${direction}.`,
      answer: `${capitalize(direction)}: ${answerOrder.map((k) => nameOf(ctx, k)).join(', ')}.`,
      subjects: asked,
      evidence,
    };
  });
}

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [items.slice()];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}

function orderChoices(ctx: Context, orders: DepthOrder[]): Draft[] {
  return orders.map(({ order, evidence }) => {
    const text = (keys: string[]): string => keys.map((k) => nameOf(ctx, k)).join(', ');
    const wrong = permutations(order).filter((p) => p.some((k, i) => k !== order[i]));
    return choiceItem(
      ctx,
      { kind: 'order', question: 'Which list orders these objects from nearest to farthest?', evidence },
      { key: order.join(','), text: text(order) },
      ctx.rng.sample(wrong, 3).map((p) => ({ key: p.join(','), text: text(p) })),
      order,
    );
  });
}

// ---------------------------------------------------------------------------------------------------
// Occlusion

function occlusionQuestions(ctx: Context): Draft[] {
  const out: Draft[] = [];
  for (const key of ctx.named) {
    for (const role of ['occluder', 'occluded'] as const) {
      const found = ctx.facts.occlusions(key, role);
      if (!found || found.length === 0) continue;
      const others = found.map((o) => (role === 'occluder' ? o.occluded : o.occluder));
      if (others.some((k) => ctx.mentions.name(k) === null)) continue;
      const K = nameOf(ctx, key);
      const list = capitalize(joinList(others.map((k) => nameOf(ctx, k))));
      const plural = others.length > 1;
      out.push({
        kind: 'occlusion',
        question:
          role === 'occluder' ? `Which object is partly hidden by ${K}?` : `Which object partly hides ${K}?`,
        answer:
          role === 'occluder'
            ? `${list} ${plural ? 'are' : 'is'} partly hidden by ${K}.`
            : `${list} partly ${plural ? 'hide' : 'hides'} ${K}.`,
        subjects: [key, ...others],
        evidence: found.flatMap((o) => o.evidence),
      });
    }
  }
  return out;
}

/** "Which of these objects partly hides the cup?": distractors are behind the cup, so cannot hide it. */
function occlusionChoices(ctx: Context): Draft[] {
  const out: Draft[] = [];
  for (const hidden of ctx.named) {
    const occluders = (ctx.facts.occlusions(hidden, 'occluded') ?? [])
      .map((o) => o.occluder)
      .filter((k) => ctx.mentions.name(k) !== null);
    if (occluders.length === 0) continue;
    const behind = ctx.named.filter((z) => {
      if (z === hidden || ctx.facts.occludes(z, hidden)) return false;
      const f = ctx.facts.fact(hidden, z, 'depth');
      return f !== undefined && f !== 'conflict' && f.sign > 0;
    });
    if (behind.length < 3) continue;
    const occluder = ctx.rng.pick(occluders);
    const distractors = ctx.rng.sample(behind, 3);
    const evidence = [
      ...(ctx.facts.occlusions(hidden, 'occluded') ?? [])
        .filter((o) => o.occluder === occluder)
        .flatMap((o) => o.evidence),
      ...distractors.flatMap((d) => {
        const f = ctx.facts.fact(hidden, d, 'depth');
        return f && f !== 'conflict' ? f.evidence : [];
      }),
    ];
    const item = choiceItem(
      ctx,
      {
        kind: 'occlusion',
        question: `Which of these objects partly hides ${nameOf(ctx, hidden)}?`,
        evidence,
      },
      { key: occluder, text: nameOf(ctx, occluder) },
      distractors.map((d) => ({ key: d, text: nameOf(ctx, d) })),
    );
    out.push({ ...item, subjects: [hidden, ...item.subjects] });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Multi-view

interface FloorFacts {
  x: string;
  y: string;
  /** Camera-frame predicates of x relative to y: depth first, then left/right. */
  predicates: string[];
  evidence: Relation[];
}

function floorFacts(ctx: Context, a: string, b: string): FloorFacts | undefined {
  const [x, y] = ctx.rng.next() < 0.5 ? [a, b] : [b, a];
  const predicates: string[] = [];
  const evidence: Relation[] = [];
  for (const axis of ['depth', 'horizontal'] as Axis[]) {
    const f = ctx.facts.fact(x, y, axis);
    if (f === 'conflict') return undefined;
    if (f) {
      predicates.push(axisPredicate(axis, f.sign));
      evidence.push(...f.evidence);
    }
  }
  return predicates.length > 0 ? { x, y, predicates, evidence } : undefined;
}

const isDepthWord = (p: string): boolean => p === FRONT || p === BEHIND;

/** Camera predicates read from `view`, ordered front/behind first. */
export function viewPredicates(predicates: readonly string[], view: ViewPoint): string[] {
  const mapped = predicates.map((p) => readFromView(p, view));
  return [...mapped.filter(isDepthWord), ...mapped.filter((p) => !isDepthWord(p))];
}

const combination = (predicates: readonly string[]): string => predicates.map(positionPhrase).join(' and ');

function viewQuestion(ctx: Context, facts: FloorFacts, view: ViewPoint): string {
  return `Imagine standing ${VIEW_PHRASES[view].place}. Where is ${nameOf(ctx, facts.x)} relative to ${nameOf(ctx, facts.y)} from there?`;
}

function multiViewQuestions(ctx: Context): Draft[] {
  const out: Draft[] = [];
  for (const [a, b] of pairs(ctx.named)) {
    const facts = floorFacts(ctx, a, b);
    if (!facts) continue;
    const view = ctx.rng.pick(VIEW_POINTS);
    const X = nameOf(ctx, facts.x);
    const Y = nameOf(ctx, facts.y);
    out.push({
      kind: 'multi-view',
      question: viewQuestion(ctx, facts, view),
      answer: `${capitalize(VIEW_PHRASES[view].short)}, ${X} is ${combination(viewPredicates(facts.predicates, view))} ${Y}.`,
      subjects: [facts.x, facts.y],
      evidence: facts.evidence,
      view,
    });
  }
  return out;
}

/** Pairs related both in depth and left/right: the four combinations, exactly one of them true. */
function multiViewChoices(ctx: Context): Draft[] {
  const out: Draft[] = [];
  const all = [FRONT, BEHIND].flatMap((d) => [LEFT, RIGHT].map((h) => [d, h]));
  for (const [a, b] of pairs(ctx.named)) {
    const facts = floorFacts(ctx, a, b);
    if (!facts || facts.predicates.length !== 2) continue;
    const view = ctx.rng.pick(VIEW_POINTS);
    const truth = combination(viewPredicates(facts.predicates, view));
    const item = choiceItem(
      ctx,
      { kind: 'multi-view', question: viewQuestion(ctx, facts, view), evidence: facts.evidence },
      { key: truth, text: truth },
      all
        .map(combination)
        .filter((c) => c !== truth)
        .map((c) => ({ key: c, text: c })),
      [facts.x, facts.y],
    );
    out.push({ ...item, view });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Single-choice items

interface Option {
  /** An object key when the option names an object; used for `subjects`. */
  key: string;
  text: string;
}

function choiceItem(
  ctx: Context,
  base: { kind: QaKind; question: string; evidence: Relation[] },
  correct: Option,
  distractors: Option[],
  subjects?: string[],
): Draft {
  if (distractors.length !== CHOICE_LETTERS.length - 1) {
    throw new Error(
      `a single-choice item needs ${CHOICE_LETTERS.length - 1} distractors, got ${distractors.length}`,
    );
  }
  const options = ctx.rng.shuffle([correct, ...distractors]);
  const letter = CHOICE_LETTERS[options.indexOf(correct)];
  const lines = options.map((o, i) => `${CHOICE_LETTERS[i]}. ${o.text}`);
  return {
    kind: base.kind,
    question: [base.question, ...lines, CHOICE_INSTRUCTION].join('\n'),
    answer: letter,
    choices: options.map((o) => o.text),
    correct: letter,
    subjects: subjects ?? options.map((o) => o.key),
    evidence: uniqueRelations(base.evidence),
  };
}

// ---------------------------------------------------------------------------------------------------

function candidates(ctx: Context, kind: QaKind, choice: boolean): Draft[] {
  switch (kind) {
    case 'front-back':
      return choice ? extremeChoices(ctx, 'depth') : judgmentQuestions(ctx, 'depth');
    case 'up-down':
      return choice ? extremeChoices(ctx, 'vertical') : judgmentQuestions(ctx, 'vertical');
    case 'order':
      return choice ? orderChoices(ctx, depthOrders(ctx)) : orderQuestions(ctx, depthOrders(ctx));
    case 'occlusion':
      return choice ? occlusionChoices(ctx) : occlusionQuestions(ctx);
    case 'multi-view':
      return choice ? multiViewChoices(ctx) : multiViewQuestions(ctx);
    default: {
      const never: never = kind;
      throw new UserInputError(
        `unknown QA kind ${JSON.stringify(never)}; use one of ${QA_KINDS.join(', ')}`,
        'kinds',
      );
    }
  }
}

/**
 * QA items for a graph. Deterministic for a given `rng` state: each kind and format draws from its own
 * forked stream, candidates are shuffled, and kinds take turns until `max` items are chosen.
 */
export function generateQa(graph: SceneGraph, rng: Rng, options: QaOptions = {}): QaItem[] {
  const max = options.max ?? DEFAULT_MAX_QA;
  if (!Number.isInteger(max) || max < 0)
    throw new UserInputError(`must be a non-negative integer, got ${max}`, 'maxQa');
  const format = options.format ?? 'open';
  if (!(QA_FORMATS as readonly string[]).includes(format)) {
    throw new UserInputError(`must be open, choice or both, got ${JSON.stringify(format)}`, 'qaFormat');
  }
  const kinds = options.kinds ?? QA_KINDS;
  for (const k of kinds) {
    if (!QA_KINDS.includes(k))
      throw new UserInputError(
        `unknown QA kind ${JSON.stringify(k)}; use one of ${QA_KINDS.join(', ')}`,
        'kinds',
      );
  }
  const facts = new SceneFacts(graph);
  const mentions = createMentions(graph, { grounded: options.grounded ?? false });
  const named = facts.keys.filter((k) => mentions.name(k) !== null);

  const groups: Draft[][] = [];
  for (const kind of kinds) {
    for (const choice of format === 'both' ? [false, true] : [format === 'choice']) {
      const stream = rng.fork(`${kind}/${choice ? 'choice' : 'open'}`);
      groups.push(stream.shuffle(candidates({ facts, mentions, rng: stream, named }, kind, choice)));
    }
  }
  const chosen: Draft[] = [];
  for (let round = 0; chosen.length < max && groups.some((g) => g.length > round); round++) {
    for (const group of groups) if (round < group.length && chosen.length < max) chosen.push(group[round]);
  }
  return chosen.map((draft, i) => ({ id: `qa-${i + 1}`, ...draft }));
}
