import type { SceneGraph } from '../../../src/scenegraph/sceneGraph.types';
import { describeScene } from '../../../src/text/describe';
import { groundedToSceneGraph } from '../../../src/text/grounded';
import { roomGraph, rel } from './fixtures';

describe('describeScene', () => {
  it('groups the description by layers, near to far, naming basic and covering objects', () => {
    const lines = describeScene(roomGraph()).split('\n');
    expect(lines[0]).toBe('The scene has 3 depth layers, from nearest to farthest.');
    expect(lines[1]).toMatch(/^Layer 1: the cup is the basic object, covered by the table and the wall\./);
    expect(lines[2]).toMatch(/^Layer 2: the chair is the basic object, covered by the table and the wall\./);
    expect(lines[3]).toMatch(/^Layer 3: the lamp is the basic object, covered by the wall\./);
  });

  it('orders layers by index, not by their position in the array', () => {
    const graph = roomGraph();
    graph.layers = [...(graph.layers ?? [])].reverse();
    const layerLines = describeScene(graph)
      .split('\n')
      .filter((l) => l.startsWith('Layer'));
    expect(layerLines.map((l) => l.slice(0, 20))).toEqual([
      'Layer 1: the cup is ',
      'Layer 2: the chair i',
      'Layer 3: the lamp is',
    ]);
  });

  it('tells each fact once, in the layer of its subject, and leaves covers to the layer lines', () => {
    const text = describeScene(roomGraph());
    expect(text).toContain('The cup is in front of the lamp.');
    expect(text).not.toContain('The lamp is behind the cup.'); // same fact as the line above
    expect(text).not.toMatch(/covers/);
    const layer3 = text.split('\n')[3];
    expect(layer3).toContain('The lamp is above the table.');
  });

  it('limits relation sentences per layer', () => {
    const text = describeScene(roomGraph(), { maxRelationsPerLayer: 0 });
    expect(text.split('\n')[1]).toBe(
      'Layer 1: the cup is the basic object, covered by the table and the wall.',
    );
  });

  it('describes graphs without layers and without objects', () => {
    const graph = roomGraph();
    delete graph.layers;
    const text = describeScene(graph);
    expect(text).toMatch(
      /^The scene has no depth layers\. It shows the cup, the table, the chair, the lamp and the wall\./,
    );
    expect(text).toContain('Relations: The cup is on the table.');
    expect(describeScene({ ...graph, objects: [], relations: [] })).toBe(
      'No objects were detected in the image.',
    );
  });

  it('lists objects outside every layer', () => {
    const graph = roomGraph();
    graph.objects.push({ key: 'sign', label: 'sign', box: [10, 10, 20, 20] });
    expect(describeScene(graph)).toContain('Not in any layer: the sign.');
  });

  it('tells duplicate labels apart, or falls back to an indefinite mention', () => {
    const graph: SceneGraph = {
      version: 1,
      image: { uri: 'x.png', width: 100, height: 100 },
      objects: [
        { key: 'a', label: 'chair', box: [0, 0, 20, 20] },
        { key: 'b', label: 'chair', box: [60, 0, 80, 20] },
        { key: 'c', label: 'cup', box: [40, 40, 50, 50] },
        { key: 'd', label: 'cup', box: [40, 40, 50, 50] },
      ],
      relations: [rel('a', 'left of', 'b'), rel('c', 'on', 'd')],
    };
    const text = describeScene(graph);
    expect(text).toContain('It shows the left chair, the right chair, a cup and a cup.');
    expect(text).toContain('The left chair is to the left of the right chair.');
    expect(text).not.toMatch(/on a cup/);
  });

  it('grounded: parses back into the same objects and the described relations', () => {
    const graph = roomGraph();
    const text = describeScene(graph, { grounded: true });
    expect(text).toContain('<ref>cup</ref><box>[[');
    const parsed = groundedToSceneGraph(text, graph.image, 'GEOMETRY');
    expect(parsed.objects.map((o) => o.label)).toEqual(['cup', 'table', 'wall', 'chair', 'lamp']);
    for (const o of parsed.objects) {
      const original = graph.objects.find((g) => g.label === o.label);
      o.box.forEach((v, i) => expect(Math.abs(v - (original?.box[i] ?? NaN))).toBeLessThanOrEqual(1));
    }
    const byKey = new Map(parsed.objects.map((o) => [o.key, o.label]));
    const triplets = (parsed.relations ?? []).map(
      (r) => `${byKey.get(r.subject)} ${r.predicate} ${byKey.get(r.object)}`,
    );
    expect(triplets).toEqual(
      expect.arrayContaining([
        'cup on table',
        'table occludes chair',
        'cup in front of lamp',
        'lamp right of chair',
      ]),
    );
  });
});
