import { importLabelme } from '../../../src/formats/labelme.importer';
import { fixture, formatErrorOf } from './fixtures';

describe('labelme importer', () => {
  const result = importLabelme(fixture('labelme-kitchen.json'), { file: 'kitchen.json' });
  const objects = result.scenes[0].scene.objects;

  it('gives one scene named after imagePath, sized by imageWidth/imageHeight, imageData ignored', () => {
    expect(result.failures).toEqual([]);
    expect(result.scenes[0].name).toBe('kitchen');
    expect(result.scenes[0].scene.image).toEqual({ uri: 'kitchen.jpg', width: 640, height: 480 });
    expect(JSON.stringify(result.scenes[0].scene)).not.toContain('iVBOR');
  });

  it('reads rectangles (corners in any order), polygons (with mask) and circles (bounding box)', () => {
    expect(objects.map((o) => [o.key, o.label])).toEqual([
      ['o1', 'cup'],
      ['o2', 'plate'],
      ['o3', 'clock'],
      ['o4', 'table'],
    ]);
    expect(objects[0]).toEqual({ key: 'o1', label: 'cup', box: [180, 100.25, 220.5, 140] });
    expect(objects[1].box).toEqual([300, 200, 390, 270]);
    expect(objects[1].mask).toEqual([[300, 200, 380, 210, 390, 260, 310, 270]]);
    expect(objects[2]).toEqual({ key: 'o3', label: 'clock', box: [470, 50, 530, 110] });
  });

  it('skips shapes without area, with a warning', () => {
    expect(objects.map((o) => o.label)).not.toContain('knob');
    expect(result.warnings).toContain('point shape skipped (it has no area) (shapes[3])');
  });

  it('merges shapes with the same label and group_id into one object (union box, both polygons)', () => {
    const table = objects[3];
    expect(table.box).toEqual([0, 300, 640, 480]);
    expect(table.mask).toHaveLength(2);
  });

  it.each([
    ['labelme-broken-polygon.json', 'shapes[0].points: a polygon needs at least 3 points; got 2'],
    ['labelme-broken-type.json', 'shapes[0].shape_type: unknown shape type "ellipse"'],
    ['labelme-broken-size.json', 'imageWidth: must be an integer >= 1; got "640"'],
    ['labelme-broken-points.json', 'shapes[0].points[1]: must be 2 finite numbers; got [5,"x"]'],
  ])('reports %s with the file and the JSON path', (name, message) => {
    const r = importLabelme(fixture(name), { file: name });
    expect(r.scenes).toEqual([]);
    expect(r.failures).toHaveLength(1);
    expect(r.failures[0].error.message).toContain(`${name}: ${message}`);
  });

  it('refuses a file that is not labelme as a whole', () => {
    expect(formatErrorOf(() => importLabelme({ shapes: [] }, { file: 'x.json' }))).toBe(
      'x.json: imagePath: must be a string; got nothing (the field is missing)',
    );
  });
});
