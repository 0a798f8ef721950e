/**
 * labelme JSON (one file per image) -> one scene graph.
 *
 * - `imagePath` (relative to the JSON file, as labelme writes it), `imageWidth`, `imageHeight` give
 *   the image; `imageData` (the embedded base64 copy of the image) is ignored: the scene refers to
 *   the image file instead.
 * - `shapes[]`: `rectangle` (two corners, in any order) -> box; `polygon` -> box around its points and
 *   the polygon as mask; `circle` (centre, a point on the rim) -> the circle's bounding box, no mask;
 *   `mask` (labelme 5.3+: two corners and a PNG of the box) -> the box, the bitmap is dropped.
 *   `point`, `line`, `linestrip` and `points` have no area and are skipped with a warning.
 * - Shapes with the same `label` and the same non-null `group_id` are one object (labelme's way of
 *   drawing an object in several parts): the box is their union, the mask the union of their
 *   polygons (no mask if any part is not a polygon).
 * - `flags`, `description` and the shapes' own `flags` are dropped. Keys are o1, o2, ... in order.
 */

import type { Box, SceneObject } from '../scenegraph/sceneGraph.types';
import { JsonReader } from './formatError';
import { clipBox, ImportCollector } from './importScene';
import type { Importer, ImportOptions } from './importTypes';
import { IMPORT_LIMITS } from './limits';

const AREA_SHAPES = ['rectangle', 'polygon', 'circle', 'mask'] as const;
const SKIPPED_SHAPES = ['point', 'line', 'linestrip', 'points'];

interface Part {
  at: string;
  label: string;
  box: Box;
  polygon?: number[];
}

function readPoints(r: JsonReader, v: unknown, at: string): Array<[number, number]> {
  return r.array(v, at).map((p, k) => r.numbers(p, `${at}[${k}]`, 2) as [number, number]);
}

function bounds(points: Array<[number, number]>): Box {
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}

export const importLabelme: Importer = (data: unknown, options: ImportOptions) => {
  const r: JsonReader = new JsonReader(options.file);
  const collector = new ImportCollector('labelme', options.file);
  const root = r.record(data, '$');
  const imagePath = r.name(root.imagePath, 'imagePath', 4096);
  collector.item('$', imagePath, () => {
    const width = r.integer(root.imageWidth, 'imageWidth', 1);
    const height = r.integer(root.imageHeight, 'imageHeight', 1);
    const shapes = r.array(root.shapes, 'shapes', IMPORT_LIMITS.maxObjectsPerImage);
    const parts: Part[] = [];
    const groups = new Map<string, number[]>();
    shapes.forEach((raw, i) => {
      const at = `shapes[${i}]`;
      const shape = r.record(raw, at);
      const label = r.name(shape.label, `${at}.label`, IMPORT_LIMITS.maxNameLength);
      const type =
        shape.shape_type === undefined || shape.shape_type === null
          ? 'polygon'
          : r.string(shape.shape_type, `${at}.shape_type`);
      if (SKIPPED_SHAPES.includes(type)) {
        collector.warnings.add(`${type} shape skipped (it has no area)`, at);
        return;
      }
      if (!(AREA_SHAPES as readonly string[]).includes(type)) {
        r.fail(
          `unknown shape type ${JSON.stringify(type)}; known: ${[...AREA_SHAPES, ...SKIPPED_SHAPES].join(', ')}`,
          `${at}.shape_type`,
        );
      }
      const points = readPoints(r, shape.points, `${at}.points`);
      let box: Box;
      let polygon: number[] | undefined;
      if (type === 'polygon') {
        if (points.length < 3)
          r.fail(`a polygon needs at least 3 points; got ${points.length}`, `${at}.points`);
        box = bounds(points);
        polygon = points.flat();
      } else if (type === 'circle') {
        if (points.length !== 2)
          r.fail(`a circle needs 2 points (centre, rim); got ${points.length}`, `${at}.points`);
        const [[cx, cy], [px, py]] = points;
        const radius = Math.hypot(px - cx, py - cy);
        box = [cx - radius, cy - radius, cx + radius, cy + radius];
      } else {
        if (points.length !== 2)
          r.fail(`a ${type} needs 2 points (corners); got ${points.length}`, `${at}.points`);
        box = bounds(points);
        if (type === 'mask')
          collector.warnings.add('mask shape imported as its box (the bitmap is dropped)', at);
      }
      const clipped = clipBox(box, width, height);
      if (!clipped) {
        collector.warnings.add('shape with no area inside the image skipped', at);
        return;
      }
      if (clipped.clipped) collector.warnings.add('box clipped to the image frame', at);
      const group =
        shape.group_id === undefined || shape.group_id === null
          ? undefined
          : `${label}\u0000${r.id(shape.group_id, `${at}.group_id`)}`;
      parts.push({ at, label, box: clipped.box, polygon });
      if (group !== undefined) groups.set(group, [...(groups.get(group) ?? []), parts.length - 1]);
    });

    const grouped = new Set([...groups.values()].flatMap((g) => g.slice(1)));
    const firstOfGroup = new Map([...groups.values()].map((g) => [g[0], g] as const));
    const objects: SceneObject[] = [];
    parts.forEach((part, i) => {
      if (grouped.has(i)) return;
      const members = (firstOfGroup.get(i) ?? [i]).map((k) => parts[k]);
      const box: Box = [
        Math.min(...members.map((m) => m.box[0])),
        Math.min(...members.map((m) => m.box[1])),
        Math.max(...members.map((m) => m.box[2])),
        Math.max(...members.map((m) => m.box[3])),
      ];
      const object: SceneObject = { key: `o${objects.length + 1}`, label: part.label, box };
      if (members.every((m) => m.polygon)) object.mask = members.map((m) => m.polygon!);
      objects.push(object);
    });
    return {
      version: 1,
      image: {
        uri: options.imageUri ? options.imageUri(imagePath) : imagePath,
        width,
        height,
      },
      objects,
      provenance: { importedFrom: 'labelme' },
    };
  });
  return collector.result();
};
