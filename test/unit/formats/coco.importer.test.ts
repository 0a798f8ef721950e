import { importCoco } from '../../../src/formats/coco.importer';
import { decodeCocoRle } from '../../../src/io/cocoRle';
import type { CocoRle } from '../../../src/scenegraph/sceneGraph.types';
import { failureOf, fixture, formatErrorOf } from './fixtures';

const file = 'instances.json';

describe('COCO instances importer', () => {
  const result = importCoco(fixture('coco-instances.json'), { file });
  const scene = (name: string) => result.scenes.find((s) => s.name === name)!.scene;

  it('gives one scene per image, named after the image file, empty images included', () => {
    expect(result.failures).toEqual([]);
    expect(result.scenes.map((s) => s.name)).toEqual(['000000000139', '000000000632', '000000000724']);
    expect(scene('000000000139').image).toEqual({ uri: '000000000139.jpg', width: 640, height: 426 });
    expect(scene('000000000724').objects).toEqual([]);
  });

  it('turns bbox [x, y, w, h] into [x1, y1, x2, y2], categories into labels, keys from annotation ids', () => {
    const person = scene('000000000139').objects[0];
    expect(person).toMatchObject({ key: 'ann230831', label: 'person', box: [412.8, 157.61, 465.85, 295.62] });
    expect(person.score).toBeUndefined();
    expect(scene('000000000632').objects[0]).toMatchObject({ key: 'ann315724', label: 'bed' });
  });

  it('keeps a detection score', () => {
    expect(scene('000000000139').objects.find((o) => o.label === 'tv')!.score).toBe(0.912);
  });

  it('keeps polygons and a compressed RLE as masks; the RLE still decodes to its box', () => {
    const [person, , chair] = scene('000000000139').objects;
    expect(Array.isArray(person.mask)).toBe(true);
    const rle = chair.mask as CocoRle;
    expect(typeof rle.counts).toBe('string');
    const pixels = decodeCocoRle(rle);
    expect(pixels.reduce((a, b) => a + b, 0)).toBe(60 * 98);
    expect(pixels[218 * 640 + 292]).toBe(1);
    expect(pixels[217 * 640 + 292]).toBe(0);
  });

  it('skips crowd annotations by default and keeps them (uncompressed RLE) with crowd: keep', () => {
    expect(scene('000000000139').objects.map((o) => o.key)).not.toContain('ann900100000139');
    expect(result.warnings.join('\n')).toMatch(/crowd annotation \(iscrowd 1\) skipped \(annotations\[3\]\)/);
    const kept = importCoco(fixture('coco-instances.json'), { file, crowd: 'keep' });
    const crowd = kept.scenes[0].scene.objects.find((o) => o.key === 'ann900100000139')!;
    expect(Array.isArray((crowd.mask as CocoRle).counts)).toBe(true);
    expect(decodeCocoRle(crowd.mask as CocoRle).reduce((a, b) => a + b, 0)).toBe(1600);
  });

  it('clips a box that ends outside the image and drops a polygon of fewer than 3 points, saying so', () => {
    const plant = scene('000000000139').objects.find((o) => o.label === 'potted plant')!;
    expect(plant.box).toEqual([600, 400, 640, 426]);
    expect(plant.mask).toHaveLength(1);
    expect(result.warnings.join('\n')).toMatch(/box clipped to the image frame \(annotations\[4\]\.bbox\)/);
    expect(result.warnings.join('\n')).toMatch(
      /fewer than 3 points dropped \(annotations\[4\]\.segmentation\[1\]\)/,
    );
  });

  it('maps image names through imageUri', () => {
    const r = importCoco(fixture('coco-instances.json'), { imageUri: (n) => `/data/val2017/${n}` });
    expect(r.scenes[0].scene.image.uri).toBe('/data/val2017/000000000139.jpg');
  });

  it('reads a detection-results list against the instances file it was computed on', () => {
    const r = importCoco(fixture('coco-results.json'), {
      file: 'results.json',
      imageData: fixture('coco-instances.json'),
    });
    expect(r.failures).toEqual([]);
    const bed = r.scenes.find((s) => s.name === '000000000632')!.scene.objects;
    expect(bed).toEqual([{ key: 'det0', label: 'bed', box: [40, 80, 210, 280], score: 0.87 }]);
    expect(formatErrorOf(() => importCoco(fixture('coco-results.json'), { file: 'results.json' }))).toMatch(
      /^results\.json: \$: is a COCO detection-results list .*--image-data/,
    );
  });

  describe('broken files', () => {
    const broken = importCoco(fixture('coco-broken.json'), { file: 'broken.json' });

    it('imports the valid image and reports each broken one with the file and the JSON path', () => {
      expect(broken.scenes.map((s) => s.name)).toEqual(['a']);
      expect(failureOf(broken, 'images[1]')).toBe(
        'broken.json: annotations[1].bbox: must be 4 finite numbers; got [10,"10",20,20]',
      );
      expect(failureOf(broken, 'images[2]')).toBe(
        'broken.json: annotations[2].category_id: 99 is not the id of any category',
      );
      expect(failureOf(broken, 'images[3]')).toMatch(
        /^broken\.json: annotations\[3\]\.segmentation\[0\]: .*odd count \(5\)/,
      );
      expect(failureOf(broken, 'images[4]')).toBe(
        'broken.json: images[4].height: must be an integer >= 1; got "100"',
      );
      expect(failureOf(broken, 'images[5]')).toMatch(
        /annotations\[5\]\.segmentation\.size: must be \[height, width\] = \[100, 100\]/,
      );
      expect(failureOf(broken, 'annotations[4]')).toBe(
        'broken.json: annotations[4].image_id: 77 is not the id of any image',
      );
      expect(broken.failures).toHaveLength(6);
    });

    it('refuses a file without categories as a whole', () => {
      expect(formatErrorOf(() => importCoco(fixture('coco-no-categories.json'), { file: 'x.json' }))).toBe(
        'x.json: categories: must be an array; got nothing (the field is missing)',
      );
      expect(formatErrorOf(() => importCoco('not coco', { file: 'x.json' }))).toMatch(
        /^x\.json: \$: must be an object/,
      );
    });

    it('refuses duplicate image ids and negative sizes', () => {
      const dup = importCoco(
        {
          images: [
            { id: 1, file_name: 'a.jpg', width: 10, height: 10 },
            { id: 1, file_name: 'b.jpg', width: 10, height: 10 },
          ],
          annotations: [{ id: 5, image_id: 1, category_id: 1, bbox: [1, 1, -2, 2] }],
          categories: [{ id: 1, name: 'cup' }],
        },
        {},
      );
      expect(dup.scenes).toEqual([]);
      expect(dup.failures.map((f) => f.error.message)).toEqual(['images[1].id: duplicate image id 1']);
      const negative = importCoco(
        {
          images: [{ id: 1, file_name: 'a.jpg', width: 10, height: 10 }],
          annotations: [{ id: 5, image_id: 1, category_id: 1, bbox: [1, 1, -2, 2] }],
          categories: [{ id: 1, name: 'cup' }],
        },
        {},
      );
      expect(negative.failures[0].error.message).toMatch(
        /^annotations\[0\]\.bbox: width and height must be >= 0/,
      );
    });
  });
});
