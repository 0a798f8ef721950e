import { importPsg, psgClassLabel } from '../../../src/formats/psg.importer';
import { PSG_PREDICATES } from '../../../src/eval/psgPredicates';
import { normalizePredicate } from '../../../src/spatial/predicateNames';
import { failureOf, fixture, formatErrorOf } from './fixtures';

describe('PSG predicate classes', () => {
  it('are the 56 of the dataset, distinct, in canonical spelling, positional ones first', () => {
    expect(PSG_PREDICATES).toHaveLength(56);
    expect(new Set(PSG_PREDICATES).size).toBe(56);
    for (const p of PSG_PREDICATES) expect(normalizePredicate(p)).toBe(p);
    expect(PSG_PREDICATES.slice(0, 6)).toEqual(['over', 'in front of', 'beside', 'on', 'in', 'attached to']);
    expect(PSG_PREDICATES[23]).toBe('looking at');
    expect(PSG_PREDICATES[55]).toBe('leaning on');
  });

  it('match the predicate_classes of the fixture psg.json', () => {
    expect((fixture('psg-excerpt.json') as { predicate_classes: string[] }).predicate_classes).toEqual([
      ...PSG_PREDICATES,
    ]);
  });
});

describe('PSG importer', () => {
  const result = importPsg(fixture('psg-excerpt.json'), { file: 'psg.json' });
  const [first, second] = result.scenes;

  it('gives one scene per data entry, named after file_name', () => {
    expect(result.failures).toEqual([]);
    expect(result.scenes.map((s) => s.name)).toEqual(['000000000139', '000000000785']);
    expect(first.scene.image).toEqual({ uri: 'val2017/000000000139.jpg', width: 640, height: 426 });
  });

  it('labels from thing_classes + stuff_classes, COCO-panoptic suffixes removed', () => {
    expect(first.scene.objects.map((o) => o.label)).toEqual(['person', 'tv', 'chair', 'wall', 'floor-wood']);
    expect(second.scene.objects.map((o) => o.label)).toEqual(['person', 'horse', 'grass']);
    expect(psgClassLabel('door-stuff')).toBe('door');
    expect(psgClassLabel('sky-other-merged')).toBe('sky');
    expect(psgClassLabel('traffic light')).toBe('traffic light');
  });

  it('keeps [x1, y1, x2, y2] boxes and keys annotations o1, o2, ... in order', () => {
    expect(first.scene.objects[0]).toEqual({ key: 'o1', label: 'person', box: [412, 157, 466, 296] });
  });

  it('reads relations [s, o, p] by index, once per triplet, with source ANNOTATION', () => {
    expect(first.scene.relations).toEqual([
      { subject: 'o1', predicate: 'looking at', object: 'o2', source: 'ANNOTATION' },
      { subject: 'o3', predicate: 'on', object: 'o5', source: 'ANNOTATION' },
      { subject: 'o2', predicate: 'in front of', object: 'o4', source: 'ANNOTATION' },
      { subject: 'o1', predicate: 'standing on', object: 'o5', source: 'ANNOTATION' },
    ]);
    expect(second.scene.relations!.map((r) => r.predicate)).toEqual(['riding', 'standing on']);
  });

  it("uses the given relation source and normalises the file's predicate spelling", () => {
    const data = fixture('psg-excerpt.json') as { predicate_classes: string[] };
    data.predicate_classes[23] = 'Looking_At';
    const r = importPsg(data, { relationSource: 'MODEL' });
    expect(r.scenes[0].scene.relations![0]).toEqual({
      subject: 'o1',
      predicate: 'looking at',
      object: 'o2',
      source: 'MODEL',
    });
  });

  it('reports each broken image with the file and the JSON path, and imports the rest', () => {
    const broken = importPsg(fixture('psg-broken.json'), { file: 'psg.json' });
    expect(broken.scenes.map((s) => s.name)).toEqual(['ok']);
    expect(failureOf(broken, 'data[1]')).toBe(
      'psg.json: data[1].relations[0][1]: 5 is out of range: the image has 2 annotations',
    );
    expect(failureOf(broken, 'data[2]')).toBe(
      'psg.json: data[2].relations[0][2]: 56 is out of range: predicate_classes has 56 classes',
    );
    expect(failureOf(broken, 'data[3]')).toBe(
      'psg.json: data[3].annotations[0].bbox: must be 4 finite numbers; got [10,10,50]',
    );
    expect(failureOf(broken, 'data[4]')).toBe(
      'psg.json: data[4].annotations[0].category_id: 133 is out of range: thing_classes + stuff_classes has 133 classes',
    );
    expect(failureOf(broken, 'data[5]')).toBe(
      'psg.json: data[5].relations[0]: must be [subject, object, predicate]; got [0,1]',
    );
    expect(failureOf(broken, 'data[6]')).toBe(
      'psg.json: data[6].relations[0]: subject and object are the same annotation (1)',
    );
  });

  it('refuses a file without predicate_classes, and segments_info that does not pair with annotations', () => {
    expect(formatErrorOf(() => importPsg(fixture('psg-no-predicates.json'), { file: 'psg.json' }))).toBe(
      'psg.json: predicate_classes: must be an array; got nothing (the field is missing)',
    );
    const data = fixture('psg-excerpt.json') as { data: Array<{ segments_info: unknown[] }> };
    data.data[0].segments_info.pop();
    expect(importPsg(data, {}).failures[0].error.message).toMatch(
      /^data\[0\]\.segments_info: has 4 entries but annotations has 5/,
    );
  });

  it('refuses other bbox modes and inverted boxes', () => {
    const data = fixture('psg-excerpt.json') as {
      data: Array<{ annotations: Array<Record<string, unknown>> }>;
    };
    data.data[0].annotations[0].bbox_mode = 1;
    data.data[1].annotations[0].bbox = [50, 50, 10, 10];
    const r = importPsg(data, {});
    expect(r.failures.map((f) => f.error.message)).toEqual([
      'data[0].annotations[0].bbox_mode: must be 0 (XYXY_ABS: [x1, y1, x2, y2] in pixels); got 1',
      'data[1].annotations[0].bbox: is inverted: need x1 <= x2 and y1 <= y2; got [50,50,10,10]',
    ]);
  });
});
