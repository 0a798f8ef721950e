import fc from 'fast-check';
import { UserInputError } from '../../../src/errors/errors';
import type { Relation, SceneGraph } from '../../../src/scenegraph/sceneGraph.types';
import { createMentions, type Mentions } from '../../../src/text/mentions';
import { CHOICE_LETTERS, generateQa, type QaItem } from '../../../src/text/qa';
import { createRng } from '../../../src/text/random';
import { roomGraph, rel } from './fixtures';

/** The documented multi-view table (src/text/views.ts), restated here so the test checks the contract. */
const VIEW_TABLE: Record<string, Record<string, string>> = {
  left: { 'in front of': 'right of', behind: 'left of', 'left of': 'in front of', 'right of': 'behind' },
  right: { 'in front of': 'left of', behind: 'right of', 'left of': 'behind', 'right of': 'in front of' },
  back: { 'in front of': 'behind', behind: 'in front of', 'left of': 'right of', 'right of': 'left of' },
};
const OPPOSITE: Record<string, string> = {
  'in front of': 'behind',
  behind: 'in front of',
  'left of': 'right of',
  'right of': 'left of',
  above: 'below',
  below: 'above',
};
const phrase = (p: string): string => (p === 'left of' || p === 'right of' ? `to the ${p}` : p);

/** Reads facts straight from the graph's relations, independently of the implementation. */
function oracle(graph: SceneGraph) {
  const rels = graph.relations ?? [];
  const has = (s: string, p: string, o: string): boolean =>
    rels.some((r) => r.subject === s && r.predicate === p && r.object === o);
  /** x `p` y holds, stated either way round. */
  const holds = (x: string, p: string, y: string): boolean => has(x, p, y) || has(y, OPPOSITE[p], x);
  return { has, holds };
}

function letterIndex(item: QaItem): number {
  return CHOICE_LETTERS.indexOf(item.correct as (typeof CHOICE_LETTERS)[number]);
}

/** Every consistency rule a QA item must satisfy against its graph. */
function checkItems(graph: SceneGraph, items: QaItem[], grounded: boolean): void {
  const mentions = createMentions(graph, { grounded });
  for (const item of items) checkItem(graph, item, mentions);
}

function checkItem(graph: SceneGraph, item: QaItem, mentions: Mentions): void {
  const { has, holds } = oracle(graph);
  // Plain checks rather than jest matchers: the property test runs tens of thousands of them.
  const ok = (condition: boolean, what: string): void => {
    if (!condition) throw new Error(`${what}\n${JSON.stringify(item, null, 1)}`);
  };
  const name = (k: string): string => {
    const n = mentions.name(k);
    if (n === null) throw new Error(`item ${item.id} mentions ${k}, which has no unambiguous name`);
    return n;
  };
  item.subjects.forEach(name);
  for (const e of item.evidence) ok(has(e.subject, e.predicate, e.object), 'evidence is a graph relation');

  if (item.choices) {
    ok(item.choices.length === 4 && new Set(item.choices).size === 4, 'four distinct options');
    ok(item.answer === item.correct, 'the answer is the correct letter');
    item.choices.forEach((c, i) =>
      ok(item.question.includes(`\n${CHOICE_LETTERS[i]}. ${c}\n`), 'options in the question'),
    );
  }

  switch (item.kind) {
    case 'front-back':
    case 'up-down': {
      if (item.asked) {
        const { subject: x, predicate: p, object: y } = item.asked;
        const positive = holds(x, p, y);
        const negative = holds(x, OPPOSITE[p], y);
        ok(!(positive && negative), 'no contradicting relations');
        ok(item.question === `Is ${name(x)} ${phrase(p)} ${name(y)}?`, 'question asks the recorded relation');
        if (item.answer.startsWith('Yes')) {
          // e.g. every Yes to "Is X in front of Y?" has (X in front of Y) or (Y behind X) in the graph.
          ok(positive, 'Yes is backed by the asked relation');
        } else {
          ok(item.answer.startsWith('No'), 'Yes or No');
          ok(negative, 'No is backed by the opposite relation');
        }
      } else {
        const options = item.subjects;
        const winner = options[letterIndex(item)];
        const want =
          item.kind === 'front-back'
            ? item.question.includes('nearest')
              ? 'in front of'
              : 'behind'
            : item.question.includes('highest')
              ? 'above'
              : 'below';
        for (const other of options)
          if (other !== winner) ok(holds(winner, want, other), `correct option is ${want} each other`);
      }
      break;
    }
    case 'order': {
      const text = item.choices ? item.choices[letterIndex(item)] : item.answer;
      // Names are distinct and none contains another, so their positions give the stated order.
      const keys = graph.objects
        .map((o) => ({ key: o.key, at: text.indexOf(mentions.name(o.key) ?? '\u0000') }))
        .filter((o) => o.at >= 0)
        .sort((a, b) => a.at - b.at)
        .map((o) => o.key);
      const nearFirst = item.choices !== undefined || item.answer.startsWith('From nearest');
      const order = nearFirst ? keys : [...keys].reverse();
      ok(order.length === 3, 'three objects ordered');
      for (let i = 0; i < order.length; i++) {
        for (let j = i + 1; j < order.length; j++) {
          ok(holds(order[i], 'in front of', order[j]), 'nearer first');
          ok(!holds(order[i], 'behind', order[j]), 'no contradiction');
        }
      }
      break;
    }
    case 'occlusion': {
      if (item.choices) {
        const [hidden, ...options] = item.subjects;
        const occluder = options[letterIndex(item)];
        ok(has(occluder, 'occludes', hidden), 'correct option occludes');
        for (const o of options)
          if (o !== occluder) ok(holds(hidden, 'in front of', o), 'distractors are behind');
      } else {
        const [key, ...others] = item.subjects;
        const asOccluder = item.question.startsWith('Which object is partly hidden by');
        const expected = graph.objects
          .map((o) => o.key)
          .filter((k) => k !== key && (asOccluder ? has(key, 'occludes', k) : has(k, 'occludes', key)));
        ok(
          JSON.stringify([...others].sort()) === JSON.stringify([...new Set(expected)].sort()),
          'all and only the occlusions',
        );
      }
      break;
    }
    case 'multi-view': {
      const [x, y] = item.subjects;
      const view = item.view as string;
      const camera: string[] = [];
      for (const [pos, neg] of [
        ['in front of', 'behind'],
        ['left of', 'right of'],
      ]) {
        const p = holds(x, pos, y);
        const n = holds(x, neg, y);
        ok(!(p && n), 'no contradiction');
        if (p) camera.push(pos);
        if (n) camera.push(neg);
      }
      ok(camera.length > 0, 'some floor relation');
      const mapped = camera.map((p) => VIEW_TABLE[view][p]);
      const ordered = [
        ...mapped.filter((p) => p === 'in front of' || p === 'behind'),
        ...mapped.filter((p) => p === 'left of' || p === 'right of'),
      ];
      const expected = ordered.map(phrase).join(' and ');
      if (item.choices)
        ok(item.choices[letterIndex(item)] === expected, `correct option follows the mapping: ${expected}`);
      else
        ok(
          item.answer.includes(`, ${name(x)} is ${expected} ${name(y)}.`),
          `answer follows the mapping: ${expected}`,
        );
      break;
    }
  }
}

const PREDICATES = [
  'in front of',
  'behind',
  'left of',
  'right of',
  'above',
  'below',
  'occludes',
  'on',
  'covers',
];

const smallGraph: fc.Arbitrary<SceneGraph> = fc.integer({ min: 2, max: 7 }).chain((n) =>
  fc
    .record({
      labels: fc.array(fc.constantFrom('chair', 'table', 'cup', 'lamp'), { minLength: n, maxLength: n }),
      corners: fc.array(fc.tuple(fc.integer({ min: 0, max: 8 }), fc.integer({ min: 0, max: 8 })), {
        minLength: n,
        maxLength: n,
      }),
      relations: fc.array(
        fc.tuple(
          fc.integer({ min: 0, max: n - 1 }),
          fc.constantFrom(...PREDICATES),
          fc.integer({ min: 0, max: n - 1 }),
        ),
        { maxLength: 4 * n },
      ),
    })
    .map(({ labels, corners, relations }) => ({
      version: 1 as const,
      image: { uri: 'random.png', width: 1000, height: 800 },
      objects: labels.map((label, i) => ({
        key: `k${i}`,
        label,
        box: [corners[i][0] * 100, corners[i][1] * 80, corners[i][0] * 100 + 90, corners[i][1] * 80 + 70] as [
          number,
          number,
          number,
          number,
        ],
      })),
      relations: relations.map(([s, p, o]): Relation => rel(`k${s}`, p, `k${o}`)),
    })),
);

/**
 * Graphs whose relations mostly come from a hidden layout (so orders, nearest-of-four and occluder
 * questions arise often), stated in either direction, plus a few random, possibly contradicting ones.
 */
const layoutGraph: fc.Arbitrary<SceneGraph> = fc.integer({ min: 4, max: 8 }).chain((n) =>
  fc
    .record({
      base: smallGraph.filter((g) => g.objects.length >= 2),
      position: fc.array(
        fc.tuple(
          fc.double({ min: 0, max: 1, noNaN: true }),
          fc.double({ min: 0, max: 1, noNaN: true }),
          fc.double({ min: 0, max: 1, noNaN: true }),
        ),
        { minLength: n, maxLength: n },
      ),
      keep: fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.boolean()), {
        minLength: 4 * n * n,
        maxLength: 4 * n * n,
      }),
      labels: fc.array(fc.constantFrom('chair', 'table', 'cup', 'lamp', 'sofa', 'rug', 'vase'), {
        minLength: n,
        maxLength: n,
      }),
    })
    .map(({ base, position, keep, labels }) => {
      const objects = labels.map((label, i) => ({
        key: `k${i}`,
        label,
        box: [i * 110, (i % 3) * 200, i * 110 + 100, (i % 3) * 200 + 150] as [number, number, number, number],
      }));
      const relations: Relation[] = [];
      let draw = 0;
      const axes: Array<[number, string, string]> = [
        [2, 'in front of', 'behind'],
        [0, 'left of', 'right of'],
        [1, 'above', 'below'],
      ];
      for (let a = 0; a < n; a++) {
        for (let b = a + 1; b < n; b++) {
          for (const [dim, pos, neg] of axes) {
            const [p, flip] = keep[draw++];
            if (p > 0.7) continue;
            const aFirst = position[a][dim] < position[b][dim];
            const [x, y] = aFirst ? [a, b] : [b, a];
            relations.push(flip ? rel(`k${x}`, pos, `k${y}`) : rel(`k${y}`, neg, `k${x}`));
          }
          const [p] = keep[draw++];
          if (p < 0.3) {
            const [x, y] = position[a][2] < position[b][2] ? [a, b] : [b, a];
            relations.push(rel(`k${x}`, 'occludes', `k${y}`));
          }
        }
      }
      // A little noise: relations of the random graph, re-keyed onto these objects.
      const exists = (k: string): boolean => Number(k.slice(1)) < n;
      for (const r of (base.relations ?? []).slice(0, 2))
        if (exists(r.subject) && exists(r.object)) relations.push({ ...r });
      return { ...base, objects, relations };
    }),
);

describe('generateQa', () => {
  it('answers consistently with random small graphs (all kinds, open and single-choice)', () => {
    let checked = 0;
    fc.assert(
      fc.property(fc.oneof(smallGraph, layoutGraph), fc.integer(), fc.boolean(), (graph, seed, grounded) => {
        const items = generateQa(graph, createRng(seed), { format: 'both', max: 500, grounded });
        checkItems(graph, items, grounded);
        checked += items.length;
      }),
      { numRuns: 300 },
    );
    expect(checked).toBeGreaterThan(500);
  });

  it('covers every kind on the room graph, each consistent with it', () => {
    const graph = roomGraph();
    const items = generateQa(graph, createRng(3), { format: 'both', max: 100 });
    checkItems(graph, items, false);
    const kinds = new Set(items.map((i) => `${i.kind}/${i.choices ? 'choice' : 'open'}`));
    expect([...kinds].sort()).toEqual([
      'front-back/open',
      'multi-view/choice',
      'multi-view/open',
      'occlusion/open',
      'order/choice',
      'order/open',
      'up-down/open',
    ]);
    expect(items.map((i) => i.id)).toEqual(items.map((_, n) => `qa-${n + 1}`));
  });

  it('asks about every pair the graph relates, with both Yes and No answers across seeds', () => {
    const answers = new Set<string>();
    for (let seed = 0; seed < 20; seed++) {
      for (const item of generateQa(roomGraph(), createRng(seed), { kinds: ['front-back'], max: 100 })) {
        answers.add(item.answer.slice(0, 3));
      }
    }
    expect(answers).toEqual(new Set(['Yes', 'No,']));
  });

  it('offers nearest-object and occluder single-choice questions when enough objects are related', () => {
    const objects = ['a', 'b', 'c', 'd', 'e'].map((key, i) => ({
      key,
      label: `thing${key}`,
      box: [i * 100, 0, i * 100 + 50, 50] as [number, number, number, number],
    }));
    const graph: SceneGraph = {
      version: 1,
      image: { uri: 'x.png', width: 1000, height: 1000 },
      objects,
      relations: [
        rel('a', 'in front of', 'b'),
        rel('a', 'in front of', 'c'),
        rel('d', 'behind', 'a'),
        rel('e', 'occludes', 'a'),
        rel('e', 'in front of', 'a'),
      ],
    };
    const items = generateQa(graph, createRng(1), { format: 'choice', max: 50 });
    checkItems(graph, items, false);
    const nearest = items.find((i) => i.question.startsWith('Which of these objects is nearest'));
    expect(nearest?.subjects[letterIndex(nearest)]).toBe('a');
    const occluder = items.find((i) =>
      i.question.startsWith('Which of these objects partly hides the thinga'),
    );
    expect(occluder?.choices?.[letterIndex(occluder)]).toBe('the thinge');
  });

  it('skips pairs with contradicting relations and objects it cannot name', () => {
    const graph: SceneGraph = {
      version: 1,
      image: { uri: 'x.png', width: 100, height: 100 },
      objects: [
        { key: 'c1', label: 'chair', box: [10, 10, 30, 30] },
        { key: 'c2', label: 'chair', box: [11, 11, 31, 31] },
        { key: 't', label: 'table', box: [50, 50, 90, 90] },
        { key: 'l', label: 'lamp', box: [0, 0, 5, 5] },
      ],
      relations: [
        rel('c1', 'in front of', 't'),
        rel('c2', 'behind', 't'),
        rel('t', 'in front of', 'l'),
        rel('l', 'in front of', 't'),
      ],
    };
    expect(generateQa(graph, createRng(1), { format: 'both' })).toEqual([]);
  });

  it('is deterministic for a seed', () => {
    const a = generateQa(roomGraph(), createRng('seed'), { format: 'both' });
    const b = generateQa(roomGraph(), createRng('seed'), { format: 'both' });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    const c = generateQa(roomGraph(), createRng('other'), { format: 'both' });
    expect(JSON.stringify(a)).not.toBe(JSON.stringify(c));
  });

  it('limits and filters', () => {
    expect(generateQa(roomGraph(), createRng(1), { max: 3 })).toHaveLength(3);
    expect(generateQa(roomGraph(), createRng(1), { max: 0 })).toEqual([]);
    const kinds = generateQa(roomGraph(), createRng(1), { kinds: ['occlusion'] }).map((i) => i.kind);
    expect(new Set(kinds)).toEqual(new Set(['occlusion']));
    expect(() => generateQa(roomGraph(), createRng(1), { max: -1 })).toThrow(UserInputError);
    expect(() => generateQa(roomGraph(), createRng(1), { kinds: ['size' as never] })).toThrow(
      /unknown QA kind/,
    );
  });

  it('rejects relations to unknown objects', () => {
    const graph = roomGraph();
    graph.relations?.push(rel('cup', 'on', 'ghost'));
    expect(() => generateQa(graph, createRng(1))).toThrow(/relations\[15\]\.object/);
  });
});
