/**
 * What the text generators may assert about a scene graph, read from its relations only.
 *
 * A question is asked only when its answer follows from relations that are present: "A is in front of
 * B" holds when the graph says (A in front of B) or (B behind A). When the graph says both that and
 * the opposite, the pair is `conflict` and the generators skip it. Absence of a relation is never read
 * as its negation.
 */

import { UserInputError } from '../errors/errors';
import type { Layer, Relation, SceneGraph, SceneObject } from '../scenegraph/sceneGraph.types';
import { axisOf, normalizePredicate, OCCLUDED_BY, OCCLUDES, type Axis } from './predicates';

export interface AxisFact {
  /** +1: the first object is on the positive side (in front of / left of / above) of the second. */
  sign: 1 | -1;
  /** The graph relations that state it (either orientation). */
  evidence: Relation[];
}

export type FactLookup = AxisFact | 'conflict' | undefined;

export interface Occlusion {
  occluder: string;
  occluded: string;
  evidence: Relation[];
}

export class SceneFacts {
  readonly objects: ReadonlyMap<string, SceneObject>;
  /** Object keys in graph order. */
  readonly keys: readonly string[];
  /** Relations with normalised predicates, self-relations removed, in graph order. */
  readonly relations: readonly Relation[];
  /** Layers sorted near to far. */
  readonly layers: readonly Layer[];

  private readonly axisRelations = new Map<string, Array<{ sign: 1 | -1; relation: Relation }>>();
  private readonly occlusionPairs = new Map<string, Relation[]>();
  private readonly firstLayer = new Map<string, number>();

  constructor(readonly graph: SceneGraph) {
    const objects = new Map<string, SceneObject>();
    graph.objects.forEach((o, i) => {
      if (objects.has(o.key))
        throw new UserInputError(`duplicate object key ${JSON.stringify(o.key)}`, `objects[${i}].key`);
      objects.set(o.key, o);
    });
    this.objects = objects;
    this.keys = graph.objects.map((o) => o.key);

    const relations: Relation[] = [];
    (graph.relations ?? []).forEach((r, i) => {
      if (!objects.has(r.subject)) {
        throw new UserInputError(
          `unknown object key ${JSON.stringify(r.subject)}`,
          `relations[${i}].subject`,
        );
      }
      if (!objects.has(r.object)) {
        throw new UserInputError(`unknown object key ${JSON.stringify(r.object)}`, `relations[${i}].object`);
      }
      if (r.subject === r.object) return;
      const rel = { ...r, predicate: normalizePredicate(r.predicate) };
      relations.push(rel);
      const axis = axisOf(rel.predicate);
      if (axis) {
        const id = `${axis.axis}|${rel.subject}|${rel.object}`;
        const list = this.axisRelations.get(id) ?? [];
        list.push({ sign: axis.sign, relation: rel });
        this.axisRelations.set(id, list);
      } else if (rel.predicate === OCCLUDES || rel.predicate === OCCLUDED_BY) {
        const [occluder, occluded] =
          rel.predicate === OCCLUDES ? [rel.subject, rel.object] : [rel.object, rel.subject];
        const id = `${occluder}|${occluded}`;
        this.occlusionPairs.set(id, [...(this.occlusionPairs.get(id) ?? []), rel]);
      }
    });
    this.relations = relations;

    this.layers = [...(graph.layers ?? [])].sort((a, b) => a.index - b.index);
    this.layers.forEach((layer, i) => {
      for (const key of layer.members) {
        if (!objects.has(key))
          throw new UserInputError(`unknown object key ${JSON.stringify(key)}`, `layers[${i}].members`);
        if (!this.firstLayer.has(key)) this.firstLayer.set(key, i);
      }
      if (!objects.has(layer.basic)) {
        throw new UserInputError(`unknown object key ${JSON.stringify(layer.basic)}`, `layers[${i}].basic`);
      }
    });
  }

  /** Where `a` lies relative to `b` on `axis`, as far as the relations say. */
  fact(a: string, b: string, axis: Axis): FactLookup {
    if (a === b) return undefined;
    const direct = this.axisRelations.get(`${axis}|${a}|${b}`) ?? [];
    const inverse = this.axisRelations.get(`${axis}|${b}|${a}`) ?? [];
    const signs = new Set<number>([...direct.map((d) => d.sign), ...inverse.map((d) => -d.sign)]);
    if (signs.size === 0) return undefined;
    if (signs.size > 1) return 'conflict';
    return {
      sign: signs.has(1) ? 1 : -1,
      evidence: [...direct, ...inverse].map((d) => d.relation),
    };
  }

  /**
   * Occlusions whose occluder is `key` (or, with `role: 'occluded'`, whose occluded object is `key`).
   * `undefined` when any of them is contradicted (mutual occlusion, or the occluder is behind the
   * occluded object), because then no complete answer can be given.
   */
  occlusions(key: string, role: 'occluder' | 'occluded'): Occlusion[] | undefined {
    const found: Occlusion[] = [];
    for (const other of this.keys) {
      const [occluder, occluded] = role === 'occluder' ? [key, other] : [other, key];
      const evidence = this.occlusionPairs.get(`${occluder}|${occluded}`);
      if (!evidence) continue;
      if (!this.occlusionConsistent(occluder, occluded)) return undefined;
      found.push({ occluder, occluded, evidence });
    }
    return found;
  }

  occludes(occluder: string, occluded: string): boolean {
    return this.occlusionPairs.has(`${occluder}|${occluded}`);
  }

  private occlusionConsistent(occluder: string, occluded: string): boolean {
    if (this.occlusionPairs.has(`${occluded}|${occluder}`)) return false;
    const depth = this.fact(occluder, occluded, 'depth');
    return depth === undefined || (depth !== 'conflict' && depth.sign > 0);
  }

  /** Index (0 = nearest) of the first layer holding `key`, from `layers` when present, else `object.layer`. */
  layerOf(key: string): number | undefined {
    if (this.layers.length > 0) return this.firstLayer.get(key);
    return this.objects.get(key)?.layer;
  }
}
