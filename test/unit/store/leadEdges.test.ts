import type { SceneGraph } from '../../../src/scenegraph/sceneGraph.types';
import { buildSceneGraph } from '../../../src/spatial/engine';
import { pairKey } from '../../../src/store/relationModel';
import { leadEdges, scoreOrOne, toStoredImage, type StoredEdge } from '../../../src/store/storedScene';
import { obj } from '../../helpers/scenes';

const edge = (
  type: StoredEdge['type'],
  subject: string,
  object: string,
  score: number | null,
): StoredEdge => ({
  type,
  subject,
  object,
  score,
  k: 7,
});

describe('leadEdges (store model 4)', () => {
  const labels = new Map([
    ['i:p1', 'person'],
    ['i:p2', 'person'],
    ['i:c1', 'car'],
    ['i:c2', 'car'],
  ]);

  it('keeps the key on the best-scoring edge of each (type, subject label, object label) group', () => {
    const edges = [
      edge('IN_FRONT_OF', 'i:p1', 'i:c1', 0.4),
      edge('IN_FRONT_OF', 'i:p2', 'i:c1', 0.9),
      edge('IN_FRONT_OF', 'i:p1', 'i:c2', 0.7),
      edge('IN_FRONT_OF', 'i:c1', 'i:p1', 0.2), // another group: the labels the other way round
      edge('LEFT_OF', 'i:p1', 'i:c1', 0.1), // another type
    ];
    leadEdges(edges, labels);
    expect(edges.map((e) => e.k)).toEqual([null, 7, null, 7, 7]);
  });

  it('counts a missing score as 1 and keeps the first of equal scores', () => {
    const edges = [
      edge('ABOVE', 'i:p1', 'i:c1', 1),
      edge('ABOVE', 'i:p2', 'i:c1', null),
      edge('ABOVE', 'i:p1', 'i:c2', 1),
      edge('COVERS', 'i:p1', 'i:c1', 0.5),
      edge('COVERS', 'i:p2', 'i:c2', null),
    ];
    leadEdges(edges, labels);
    expect(edges.map((e) => e.k)).toEqual([7, null, null, null, 7]);
    expect(scoreOrOne(null)).toBe(1);
  });

  it('leaves one keyed edge per group in a built scene, and it holds the group maximum', () => {
    // Two people, three cars, a dog: several pairs share their labels.
    const scene: SceneGraph = buildSceneGraph({
      version: 1,
      image: { uri: 'test://lead-edges/street.jpg', width: 640, height: 480 },
      objects: [
        obj('p1', 'person', [40, 100, 120, 400], 2, 2.4, 0.9),
        obj('p2', 'person', [140, 120, 210, 380], 3, 3.3, 0.8),
        obj('c1', 'car', [260, 200, 420, 330], 6, 8, 0.8),
        obj('c2', 'car', [430, 210, 560, 320], 9, 11, 0.7),
        obj('c3', 'car', [300, 150, 600, 260], 14, 16, 0.6),
        obj('g', 'dog', [20, 350, 90, 430], 3, 3.2, 0.7),
      ],
    });
    const stored = toStoredImage(scene, '2026-12-03T00:00:00.000Z');
    const labelOf = new Map(stored.objects.map((o) => [o.id as string, o.label as string]));
    const groups = new Map<string, StoredEdge[]>();
    for (const e of stored.edges) {
      const g = `${e.type}|${labelOf.get(e.subject)}|${labelOf.get(e.object)}`;
      groups.set(g, [...(groups.get(g) ?? []), e]);
    }
    expect(stored.edges.length).toBeGreaterThan(groups.size); // some groups hold several edges
    for (const members of groups.values()) {
      const keyed = members.filter((e) => e.k !== null);
      expect(keyed).toHaveLength(1);
      const [s, o] = [labelOf.get(keyed[0].subject)!, labelOf.get(keyed[0].object)!];
      expect(keyed[0].k).toBe(pairKey(s, o));
      expect(scoreOrOne(keyed[0].score)).toBe(Math.max(...members.map((e) => scoreOrOne(e.score))));
    }
  });
});
