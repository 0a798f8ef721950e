/**
 * How the generated text names objects, so that every name picks out exactly one object.
 *
 * Plain text: a label used by one object is "the chair". Objects sharing a label (compared
 * case-insensitively) are told apart by where their box centres sit in the image: left to right
 * ("the left chair" / "the right chair"; "the left / middle / right chair"; "the second chair from
 * the left" for 4..10), or, when two centres are closer than MIN_POSITION_GAP of the image width,
 * top to bottom ("the upper chair", "the second chair from the top"). When neither order separates
 * them, or there are more than 10, none of that label gets a definite name: `name()` returns null
 * and the generators skip any question about them (descriptions fall back to "a chair").
 * Positions always refer to the image as the camera sees it, also in multi-view questions.
 *
 * Grounded text: the box identifies the object ("the <ref>chair</ref><box>[[...]]</box>"), so
 * labels need no position words; only objects whose grounded boxes coincide exactly are ambiguous
 * (a parser would merge them into one).
 */

import type { SceneGraph, SceneObject } from '../scenegraph/sceneGraph.types';
import { renderObjectRef, toGroundedBox, type GroundedBox } from './grounded';

/** Two centres closer than this fraction of the image side are not "left" and "right" of each other. */
export const MIN_POSITION_GAP = 0.02;
const MAX_ORDINAL_GROUP = 10;
const ORDINALS = [
  'first',
  'second',
  'third',
  'fourth',
  'fifth',
  'sixth',
  'seventh',
  'eighth',
  'ninth',
  'tenth',
];

export interface Mentions {
  /** A definite noun phrase naming exactly this object ("the left chair"), or null when none exists. */
  name(key: string): string | null;
  /** A phrase usable in descriptive prose: the definite name, else an indefinite "a chair". */
  describe(key: string): string;
  /** Grounded coordinates of the object's box. */
  grounded(key: string): GroundedBox;
}

export function labelOf(object: SceneObject): string {
  return object.label.replace(/\s+/g, ' ').trim();
}

export function indefinite(label: string): string {
  return `${/^[aeiou]/i.test(label) ? 'an' : 'a'} ${label}`;
}

export function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** "a", "a and b", "a, b and c". */
export function joinList(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

type Ordering = { axis: 'x' | 'y'; order: SceneObject[] };

function separatedOrder(group: SceneObject[], axis: 'x' | 'y', minGap: number): Ordering | undefined {
  const centre = (o: SceneObject): number =>
    axis === 'x' ? (o.box[0] + o.box[2]) / 2 : (o.box[1] + o.box[3]) / 2;
  const order = [...group].sort((a, b) => centre(a) - centre(b));
  for (let i = 1; i < order.length; i++)
    if (centre(order[i]) - centre(order[i - 1]) < minGap) return undefined;
  return { axis, order };
}

function positionalName(label: string, position: number, count: number, axis: 'x' | 'y'): string {
  const [first, last, from] = axis === 'x' ? ['left', 'right', 'the left'] : ['upper', 'lower', 'the top'];
  if (count === 2) return `the ${position === 0 ? first : last} ${label}`;
  if (count === 3) {
    const words = axis === 'x' ? ['left', 'middle', 'right'] : ['top', 'middle', 'bottom'];
    return `the ${words[position]} ${label}`;
  }
  return `the ${ORDINALS[position]} ${label} from ${from}`;
}

export function createMentions(graph: SceneGraph, options: { grounded?: boolean } = {}): Mentions {
  const { width, height } = graph.image;
  const byKey = new Map(graph.objects.map((o) => [o.key, o]));
  const groundedBoxes = new Map(graph.objects.map((o) => [o.key, toGroundedBox(o.box, width, height)]));
  const names = new Map<string, string | null>();

  if (options.grounded) {
    const boxCount = new Map<string, number>();
    for (const g of groundedBoxes.values()) boxCount.set(g.join(','), (boxCount.get(g.join(',')) ?? 0) + 1);
    for (const o of graph.objects) {
      const g = groundedBoxes.get(o.key) as GroundedBox;
      const label = labelOf(o);
      names.set(
        o.key,
        label && boxCount.get(g.join(',')) === 1 ? `the ${renderObjectRef(label, [g])}` : null,
      );
    }
  } else {
    const groups = new Map<string, SceneObject[]>();
    for (const o of graph.objects) {
      const id = labelOf(o).toLowerCase();
      groups.set(id, [...(groups.get(id) ?? []), o]);
    }
    for (const [id, group] of groups) {
      if (id === '') {
        for (const o of group) names.set(o.key, null);
      } else if (group.length === 1) {
        names.set(group[0].key, `the ${labelOf(group[0])}`);
      } else {
        const ordering =
          group.length <= MAX_ORDINAL_GROUP
            ? (separatedOrder(group, 'x', MIN_POSITION_GAP * width) ??
              separatedOrder(group, 'y', MIN_POSITION_GAP * height))
            : undefined;
        group.forEach((o) => names.set(o.key, null));
        ordering?.order.forEach((o, position) =>
          names.set(o.key, positionalName(labelOf(o), position, group.length, ordering.axis)),
        );
      }
    }
  }

  const object = (key: string): SceneObject => {
    const o = byKey.get(key);
    if (!o) throw new RangeError(`no object with key ${JSON.stringify(key)}`);
    return o;
  };
  return {
    name: (key) => {
      object(key);
      return names.get(key) ?? null;
    },
    describe: (key) => names.get(key) ?? indefinite(labelOf(object(key)) || 'object'),
    grounded: (key) => {
      object(key);
      return groundedBoxes.get(key) as GroundedBox;
    },
  };
}
