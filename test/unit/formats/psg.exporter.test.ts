import { importCoco } from '../../../src/formats/coco.importer';
import { exportPsg } from '../../../src/formats/psg.exporter';
import { importPsg } from '../../../src/formats/psg.importer';
import { PSG_PREDICATES } from '../../../src/eval/psgPredicates';
import type { SceneGraph } from '../../../src/scenegraph/sceneGraph.types';
import { fixture } from './fixtures';

const strip = (scenes: Array<{ name: string; scene: SceneGraph }>) =>
  scenes.map(({ name, scene }) => ({ name, scene }));

describe('PSG exporter', () => {
  const imported = importPsg(fixture('psg-excerpt.json'), { file: 'psg.json' });

  it('round-trips: PSG import -> export -> import gives the same scene graphs', () => {
    const exported = exportPsg(imported.scenes);
    const again = importPsg(JSON.parse(JSON.stringify(exported.file)), { file: 'exported.json' });
    expect(again.failures).toEqual([]);
    expect(strip(again.scenes)).toEqual(strip(imported.scenes));
  });

  it('writes the PSG layout: sorted labels as classes, 56 predicates, [s, o, p] indices, xyxy boxes', () => {
    const { file } = exportPsg(imported.scenes);
    expect(file.predicate_classes).toEqual([...PSG_PREDICATES]);
    expect(file.thing_classes).toEqual(['chair', 'floor-wood', 'grass', 'horse', 'person', 'tv', 'wall']);
    expect(file.stuff_classes).toEqual([]);
    const first = file.data[0];
    expect(first).toMatchObject({
      file_name: 'val2017/000000000139.jpg',
      height: 426,
      width: 640,
      image_id: '000000000139',
    });
    expect(first.annotations[0]).toEqual({ bbox: [412, 157, 466, 296], bbox_mode: 0, category_id: 4 });
    expect(first.segments_info[0]).toEqual({ id: 1, category_id: 4, iscrowd: 0, isthing: 1, area: 54 * 139 });
    expect(first.relations).toEqual([
      [0, 1, 23],
      [2, 4, 3],
      [1, 3, 1],
      [0, 4, 14],
    ]);
    expect(first.relation_scores).toBeUndefined();
  });

  it('indexes labels into reference classes (wall -> wall-other-merged, people -> person)', () => {
    const psg = fixture('psg-excerpt.json') as { thing_classes: string[]; stuff_classes: string[] };
    const scene: SceneGraph = {
      version: 1,
      image: { uri: 'a.jpg', width: 100, height: 100 },
      objects: [
        { key: 'a', label: 'people', box: [0, 0, 10, 10] },
        { key: 'b', label: 'wall', box: [0, 0, 100, 50] },
        { key: 'c', label: 'spaceship', box: [50, 50, 60, 60] },
      ],
      relations: [
        { subject: 'a', predicate: 'in_front_of', object: 'b', source: 'MODEL', score: 0.75 },
        { subject: 'c', predicate: 'over', object: 'a', source: 'MODEL' },
        { subject: 'a', predicate: 'left of', object: 'b', source: 'GEOMETRY' },
      ],
    };
    const { file, warnings } = exportPsg([{ name: 'a', scene }], {
      classes: { thing: psg.thing_classes, stuff: psg.stuff_classes },
    });
    expect(file.thing_classes).toHaveLength(80);
    expect(file.data[0].annotations.map((a) => a.category_id)).toEqual([0, 80 + 51]);
    expect(file.data[0].segments_info.map((s) => s.isthing)).toEqual([1, 0]);
    expect(file.data[0].relations).toEqual([[0, 1, 1]]);
    expect(file.data[0].relation_scores).toEqual([0.75]);
    expect(warnings.join('\n')).toMatch(/label is not a class left out.*spaceship/);
    expect(warnings.join('\n')).toMatch(/predicate is not a PSG class left out.*left of/);
  });

  it('keeps relation and object scores through a round trip, and filters by source', () => {
    const scene: SceneGraph = {
      version: 1,
      image: { uri: 'p.jpg', width: 50, height: 50 },
      objects: [
        { key: 'o1', label: 'person', box: [1, 1, 20, 40], score: 0.9 },
        { key: 'o2', label: 'horse', box: [5, 10, 45, 48], score: 0.8 },
      ],
      relations: [
        { subject: 'o1', predicate: 'riding', object: 'o2', source: 'ANNOTATION', score: 0.6 },
        { subject: 'o1', predicate: 'on', object: 'o2', source: 'GEOMETRY' },
      ],
      provenance: { importedFrom: 'psg' },
    };
    const { file } = exportPsg([{ name: 'p', scene }], { sources: ['ANNOTATION'] });
    const again = importPsg(JSON.parse(JSON.stringify(file)), {});
    expect(again.scenes[0].scene).toEqual({ ...scene, relations: [scene.relations![0]] });
  });

  it('documents the loss for COCO: masks and keys do not survive', () => {
    const coco = importCoco(fixture('coco-instances.json'), {});
    const again = importPsg(JSON.parse(JSON.stringify(exportPsg(coco.scenes).file)), {});
    const before = coco.scenes[0].scene.objects;
    const after = again.scenes[0].scene.objects;
    expect(after.map((o) => [o.label, o.box, o.score])).toEqual(before.map((o) => [o.label, o.box, o.score]));
    expect(after.every((o) => o.mask === undefined)).toBe(true);
    expect(after[0].key).toBe('o1');
  });
});
