import { exportSceneGraph } from '../../../src/formats/sceneGraph.exporter';
import { importLabelme } from '../../../src/formats/labelme.importer';
import { fixture, formatErrorOf } from './fixtures';

describe('scene-graph JSON v1 exporter', () => {
  it('orders members as the schema does, drops unknown ones, normalises predicates, removes repeats', () => {
    const out = exportSceneGraph({
      objects: [
        { box: [0, 0, 10, 10], label: 'cup', key: 'a', extra: 1 },
        { key: 'b', label: 'table', box: [0, 5, 20, 20] },
      ],
      relations: [
        { subject: 'a', predicate: 'On_Top_Of', object: 'b', source: 'ANNOTATION' },
        { subject: 'a', predicate: 'on', object: 'b', source: 'ANNOTATION' },
        { subject: 'a', predicate: 'on', object: 'b', source: 'GEOMETRY' },
      ],
      image: { height: 20, width: 20, uri: 'x.png', colour: 'blue' },
      version: 1,
      comment: 'dropped',
    });
    expect(JSON.stringify(out)).toBe(
      JSON.stringify({
        version: 1,
        image: { uri: 'x.png', width: 20, height: 20 },
        objects: [
          { key: 'a', label: 'cup', box: [0, 0, 10, 10] },
          { key: 'b', label: 'table', box: [0, 5, 20, 20] },
        ],
        relations: [
          { subject: 'a', predicate: 'on', object: 'b', source: 'ANNOTATION' },
          { subject: 'a', predicate: 'on', object: 'b', source: 'GEOMETRY' },
        ],
      }),
    );
  });

  it('is the identity on an imported scene (import -> export -> import is stable)', () => {
    const scene = importLabelme(fixture('labelme-kitchen.json'), {}).scenes[0].scene;
    expect(exportSceneGraph(scene)).toEqual(scene);
    expect(exportSceneGraph(exportSceneGraph(scene))).toEqual(exportSceneGraph(scene));
  });

  it('refuses what ingest refuses, naming the file and the field', () => {
    expect(
      formatErrorOf(() =>
        exportSceneGraph(
          {
            version: 1,
            image: { uri: 'x', width: 10, height: 10 },
            objects: [{ key: 'a', label: 'cup', box: [5, 5, 1, 1] }],
          },
          'g.json',
        ),
      ),
    ).toMatch(/^g\.json: objects\[0\]\.box: is inverted or empty/);
    expect(
      formatErrorOf(() =>
        exportSceneGraph(
          {
            version: 1,
            image: { uri: 'x', width: 10, height: 10 },
            objects: [{ key: 'a', label: 'cup', box: [0, 0, 5, 5], mask: { size: [4, 4], counts: [16] } }],
          },
          'g.json',
        ),
      ),
    ).toMatch(/^g\.json: objects\[0\]\.mask\.size: must be \[height, width\] = \[10, 10\]/);
  });
});
