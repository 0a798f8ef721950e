import { importVg } from '../../../src/formats/vg.importer';
import { failureOf, fixture } from './fixtures';

describe('Visual Genome relationships importer', () => {
  const options = {
    file: 'relationships.json',
    imageData: fixture('vg-image_data.json'),
    imageDataFile: 'image_data.json',
  };
  const result = importVg(fixture('vg-relationships.json'), options);

  it('needs image sizes: without image_data.json each image fails, naming what is missing', () => {
    const r = importVg(fixture('vg-relationships.json'), { file: 'relationships.json' });
    expect(r.scenes).toEqual([]);
    expect(failureOf(r, '[0]')).toBe(
      "relationships.json: [0]: image 1 has no size: relationships.json carries none; give Visual Genome's image_data.json (--image-data)",
    );
    expect(failureOf(result, '[2]')).toBe(
      'relationships.json: [2]: image 3 is not in image_data.json, and the entry has no width and height',
    );
  });

  it('names images after image_data urls (the archive layout), scenes after the file', () => {
    expect(result.scenes.map((s) => [s.name, s.scene.image])).toEqual([
      ['1', { uri: 'VG_100K_2/1.jpg', width: 800, height: 600 }],
      ['2', { uri: 'VG_100K/2.jpg', width: 800, height: 600 }],
    ]);
  });

  it('makes one object per object_id, box [x, y, x + w, y + h] clipped, label from name or names', () => {
    const objects = result.scenes[0].scene.objects;
    expect(objects).toEqual([
      { key: 'obj5045', label: 'shade', box: [119, 338, 393, 530] },
      { key: 'obj5046', label: 'street', box: [77, 328, 791, 590] },
      { key: 'obj1058549', label: 'man', box: [238, 254, 301, 536] },
      { key: 'obj1058534', label: 'sneakers', box: [246, 471, 282, 534] },
    ]);
  });

  it('normalises predicates, drops empty ones with a warning, source ANNOTATION', () => {
    expect(result.scenes[0].scene.relations).toEqual([
      { subject: 'obj5045', predicate: 'on', object: 'obj5046', source: 'ANNOTATION' },
      { subject: 'obj1058549', predicate: 'wears', object: 'obj1058534', source: 'ANNOTATION' },
      { subject: 'obj1058549', predicate: 'beside', object: 'obj5046', source: 'ANNOTATION' },
    ]);
    expect(result.warnings).toEqual([
      'relationship with an empty predicate dropped ([0].relationships[3].predicate)',
    ]);
  });

  it('reports missing coordinates and names with the JSON path', () => {
    const broken = importVg(fixture('vg-broken.json'), {
      file: 'vg.json',
      imageData: fixture('vg-image_data.json'),
    });
    expect(failureOf(broken, '[0]')).toBe(
      'vg.json: [0].relationships[0].subject.x: must be a finite number; got nothing (the field is missing)',
    );
    expect(failureOf(broken, '[1]')).toBe(
      'vg.json: [1].relationships[0].subject.names: must be an array; got nothing (the field is missing)',
    );
  });

  it('drops objects outside the image with their relationships, and self-relations', () => {
    const r = importVg(
      [
        {
          image_id: 9,
          width: 100,
          height: 100,
          relationships: [
            {
              predicate: 'on',
              subject: { object_id: 1, x: 200, y: 200, w: 5, h: 5, name: 'cup' },
              object: { object_id: 2, x: 0, y: 0, w: 50, h: 50, name: 'table' },
            },
            {
              predicate: 'near',
              subject: { object_id: 2, x: 0, y: 0, w: 50, h: 50, name: 'table' },
              object: { object_id: 2, x: 0, y: 0, w: 50, h: 50, name: 'table' },
            },
          ],
        },
      ],
      {},
    );
    expect(r.scenes[0].scene.objects.map((o) => o.key)).toEqual(['obj2']);
    expect(r.scenes[0].scene.relations).toEqual([]);
    expect(r.warnings).toHaveLength(2);
  });
});
