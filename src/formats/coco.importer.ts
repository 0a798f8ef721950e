/**
 * COCO instances JSON (`instances_val2017.json`) -> one scene graph per image.
 *
 * - `images[]` give the scenes (`file_name`, `width`, `height`); an image without annotations is a
 *   scene without objects.
 * - `annotations[]` become objects keyed `ann<id>`: `bbox` [x, y, w, h] -> [x, y, x + w, y + h]
 *   (clipped to the image; a box with nothing inside it is dropped with a warning), the category's
 *   `name` as label, `score` when present (detection results), `segmentation` as the mask: polygons
 *   as they are (a polygon of fewer than 3 points has no area and is dropped), RLE in either form
 *   (uncompressed `counts` array or compressed string) when its `size` is the image's.
 * - `iscrowd: 1` annotations mark a group of instances, not one object (COCO's evaluation ignores
 *   them): skipped by default, kept as ordinary objects with `crowd: 'keep'`.
 * - `area`, `supercategory`, `licenses`, `info`, `coco_url` are not part of a scene graph and are dropped.
 *
 * A detection-results list (a bare array of {image_id, category_id, bbox, score, segmentation?}) has
 * no images or categories: give the instances JSON it was computed on as `imageData`.
 */

import type { Mask, SceneGraph, SceneObject } from '../scenegraph/sceneGraph.types';
import { JsonReader } from './formatError';
import { clipBox, ImportCollector } from './importScene';
import type { Importer, ImportOptions } from './importTypes';
import { IMPORT_LIMITS } from './limits';

interface CocoImage {
  at: string;
  fileName: string;
  width: number;
  height: number;
  annotations: Array<{ at: string; raw: Record<string, unknown> }>;
}

function readSegmentation(
  r: JsonReader,
  seg: unknown,
  at: string,
  image: CocoImage,
  collector: ImportCollector,
): Mask | undefined {
  if (seg === undefined || seg === null) return undefined;
  if (Array.isArray(seg)) {
    if (seg.length === 0) return undefined;
    const polygons: number[][] = [];
    seg.forEach((poly, j) => {
      const p = `${at}[${j}]`;
      const coords = r.array(poly, p);
      coords.forEach((v, k) => r.number(v, `${p}[${k}]`));
      if (coords.length % 2 !== 0)
        r.fail(`must be a flat [x1, y1, x2, y2, ...] list; got an odd count (${coords.length})`, p);
      if (coords.length < 6) collector.warnings.add('polygon of fewer than 3 points dropped', p);
      else polygons.push(coords as number[]);
    });
    return polygons.length > 0 ? polygons : undefined;
  }
  const rle = r.record(seg, at);
  const size = r.array(rle.size, `${at}.size`);
  if (size.length !== 2 || size[0] !== image.height || size[1] !== image.width) {
    r.fail(
      `must be [height, width] = [${image.height}, ${image.width}], the image's; got ${JSON.stringify(size)}`,
      `${at}.size`,
    );
  }
  const counts = rle.counts;
  if (typeof counts === 'string') return { size: [image.height, image.width], counts };
  const runs = r.array(counts, `${at}.counts`);
  runs.forEach((c, k) => r.integer(c, `${at}.counts[${k}]`, 0));
  return { size: [image.height, image.width], counts: runs as number[] };
}

export const importCoco: Importer = (data: unknown, options: ImportOptions) => {
  const r: JsonReader = new JsonReader(options.file);
  const collector = new ImportCollector('coco', options.file);
  let root: Record<string, unknown>;
  let metaReader: JsonReader = r;
  if (Array.isArray(data)) {
    if (options.imageData === undefined) {
      r.fail(
        'is a COCO detection-results list (no images or categories); give the instances JSON it was computed on as image data (--image-data)',
        '$',
      );
    }
    metaReader = new JsonReader(options.imageDataFile);
    const meta = metaReader.record(options.imageData, '$');
    root = { images: meta.images, categories: meta.categories, annotations: data };
  } else {
    root = r.record(data, '$');
  }
  const annotationsReader: JsonReader = r;

  const categories = new Map<number, string>();
  metaReader.array(root.categories, 'categories').forEach((c, i) => {
    const cat = metaReader.record(c, `categories[${i}]`);
    const id = metaReader.integer(cat.id, `categories[${i}].id`);
    if (categories.has(id)) metaReader.fail(`duplicate category id ${id}`, `categories[${i}].id`);
    categories.set(id, metaReader.name(cat.name, `categories[${i}].name`, IMPORT_LIMITS.maxNameLength));
  });

  const images = new Map<string, CocoImage>();
  const order: CocoImage[] = [];
  const imageList = metaReader.array(root.images, 'images', IMPORT_LIMITS.maxImages);
  const badImages = new Set<string>();
  imageList.forEach((raw, i) => {
    const at = `images[${i}]`;
    collector.item(at, undefined, () => {
      const img = metaReader.record(raw, at);
      const id = metaReader.id(img.id, `${at}.id`);
      if (images.has(id) || badImages.has(id)) {
        // Neither entry can be told apart from the other: both are refused, with their annotations.
        const first = images.get(id);
        if (first) order.splice(order.indexOf(first), 1);
        images.delete(id);
        badImages.add(id);
        metaReader.fail(`duplicate image id ${id}`, `${at}.id`);
      }
      badImages.add(id); // until the entry is read: its annotations are reported with it
      const entry: CocoImage = {
        at,
        fileName: metaReader.name(img.file_name, `${at}.file_name`, 4096),
        width: metaReader.integer(img.width, `${at}.width`, 1),
        height: metaReader.integer(img.height, `${at}.height`, 1),
        annotations: [],
      };
      badImages.delete(id);
      images.set(id, entry);
      order.push(entry);
      return undefined;
    });
  });

  const annotations = annotationsReader.array(
    root.annotations ?? [],
    Array.isArray(data) ? '$' : 'annotations',
    IMPORT_LIMITS.maxAnnotations,
  );
  const annPrefix = Array.isArray(data) ? '' : 'annotations';
  annotations.forEach((raw, i) => {
    const at = `${annPrefix}[${i}]`;
    collector.item(at, undefined, () => {
      const ann = annotationsReader.record(raw, at);
      const imageId = annotationsReader.id(ann.image_id, `${at}.image_id`);
      const image = images.get(imageId);
      if (!image) {
        if (badImages.has(imageId)) return undefined; // reported with its image
        annotationsReader.fail(`${imageId} is not the id of any image`, `${at}.image_id`);
      }
      image.annotations.push({ at, raw: ann });
      if (image.annotations.length > IMPORT_LIMITS.maxObjectsPerImage) {
        annotationsReader.fail(
          `image ${imageId} has more than ${IMPORT_LIMITS.maxObjectsPerImage} annotations`,
          at,
        );
      }
      return undefined;
    });
  });

  for (const image of order) {
    collector.item(image.at, image.fileName, (): SceneGraph => {
      const objects: SceneObject[] = [];
      const keys = new Set<string>();
      for (const { at, raw: ann } of image.annotations) {
        const rd: JsonReader = annotationsReader;
        const crowd = ann.iscrowd === undefined ? 0 : rd.integer(ann.iscrowd, `${at}.iscrowd`, 0, 1);
        if (crowd === 1 && (options.crowd ?? 'skip') === 'skip') {
          collector.warnings.add('crowd annotation (iscrowd 1) skipped', at);
          continue;
        }
        const categoryId = rd.integer(ann.category_id, `${at}.category_id`);
        const label = categories.get(categoryId);
        if (label === undefined) rd.fail(`${categoryId} is not the id of any category`, `${at}.category_id`);
        const [x, y, w, h] = rd.numbers(ann.bbox, `${at}.bbox`, 4);
        if (w < 0 || h < 0)
          rd.fail(`width and height must be >= 0; got ${JSON.stringify(ann.bbox)}`, `${at}.bbox`);
        const clipped = clipBox([x, y, x + w, y + h], image.width, image.height);
        if (!clipped) {
          collector.warnings.add('annotation whose box has no area inside the image dropped', `${at}.bbox`);
          continue;
        }
        if (clipped.clipped) collector.warnings.add('box clipped to the image frame', `${at}.bbox`);
        // Detection results carry no annotation id; their position in the list identifies them.
        const key = ann.id === undefined ? `det${at.replace(/\D/g, '')}` : `ann${rd.id(ann.id, `${at}.id`)}`;
        if (keys.has(key)) rd.fail(`duplicate annotation id ${key.slice(3)}`, `${at}.id`);
        keys.add(key);
        const object: SceneObject = { key, label, box: clipped.box };
        if (ann.score !== undefined) {
          const score = rd.number(ann.score, `${at}.score`);
          if (score < 0 || score > 1) rd.fail(`must be in [0, 1]; got ${score}`, `${at}.score`);
          object.score = score;
        }
        const mask = readSegmentation(rd, ann.segmentation, `${at}.segmentation`, image, collector);
        if (mask) object.mask = mask;
        objects.push(object);
      }
      return {
        version: 1,
        image: {
          uri: options.imageUri ? options.imageUri(image.fileName) : image.fileName,
          width: image.width,
          height: image.height,
        },
        objects,
        provenance: { importedFrom: 'coco' },
      };
    });
  }
  return collector.result();
};
