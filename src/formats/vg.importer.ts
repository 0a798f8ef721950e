/**
 * Visual Genome relationships JSON (`relationships.json`) -> one scene graph per image, relations
 * with source ANNOTATION (or options.relationSource).
 *
 * - The file has no image sizes: they come from Visual Genome's `image_data.json` (options.imageData,
 *   `[{image_id | id, width, height, url}]`), or from `width`/`height` on an entry where a processed
 *   copy has them. An image with neither is a failure naming what is missing.
 * - Image names: the last two parts of image_data's `url` (`VG_100K/2345.jpg`, the layout of the
 *   unpacked image archives), else `<image_id>.jpg`.
 * - `subject`/`object` become objects keyed `obj<object_id>` (one object per id: the first box seen
 *   wins), box [x, y, x + w, y + h] clipped to the image, label `name` or the first of `names`.
 *   An object whose box has no area inside the image is dropped with its relations (warning).
 * - `predicate` is normalised (normalizePredicate: "ON" -> "on", "next to" -> "beside"); Visual
 *   Genome has relationships with an empty predicate, and relationships of an object with itself:
 *   both are dropped with a warning. A repeated triplet is kept once.
 * - Not imported: synsets, relationship_id, attributes.
 */

import type { Relation, RelationSource, SceneGraph, SceneObject } from '../scenegraph/sceneGraph.types';
import { normalizePredicate } from '../spatial/predicateNames';
import { JsonReader } from './formatError';
import { clipBox, ImportCollector } from './importScene';
import type { Importer, ImportOptions } from './importTypes';
import { IMPORT_LIMITS } from './limits';

interface ImageMeta {
  width: number;
  height: number;
  name?: string;
}

function readImageData(options: ImportOptions): Map<string, ImageMeta> {
  const out = new Map<string, ImageMeta>();
  if (options.imageData === undefined) return out;
  const r: JsonReader = new JsonReader(options.imageDataFile);
  r.array(options.imageData, '$', IMPORT_LIMITS.maxImages).forEach((raw, i) => {
    const at = `[${i}]`;
    const e = r.record(raw, at);
    const id = r.id(e.image_id ?? e.id, e.image_id === undefined ? `${at}.id` : `${at}.image_id`);
    let name: string | undefined;
    if (typeof e.url === 'string') {
      const parts = e.url
        .replace(/[?#].*$/, '')
        .split('/')
        .filter(Boolean);
      if (parts.length >= 2) name = parts.slice(-2).join('/');
    }
    out.set(id, {
      width: r.integer(e.width, `${at}.width`, 1),
      height: r.integer(e.height, `${at}.height`, 1),
      name,
    });
  });
  return out;
}

export const importVg: Importer = (data: unknown, options: ImportOptions) => {
  const r: JsonReader = new JsonReader(options.file);
  const collector = new ImportCollector('vg', options.file);
  const source: RelationSource = options.relationSource ?? 'ANNOTATION';
  const meta = readImageData(options);
  const entries = r.array(data, '$', IMPORT_LIMITS.maxImages);
  let total = 0;
  entries.forEach((raw, i) => {
    const at = `[${i}]`;
    const e0 = raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
    const rawId = e0.image_id ?? e0.id;
    const hint =
      typeof rawId === 'number' || typeof rawId === 'string'
        ? (meta.get(String(rawId))?.name ?? `${rawId}.jpg`)
        : undefined;
    collector.item(at, hint, (): SceneGraph => {
      const e = r.record(raw, at);
      const id = r.id(e.image_id ?? e.id, `${at}.image_id`);
      const m = meta.get(id);
      let width: number;
      let height: number;
      if (e.width !== undefined || e.height !== undefined) {
        width = r.integer(e.width, `${at}.width`, 1);
        height = r.integer(e.height, `${at}.height`, 1);
      } else if (m) {
        ({ width, height } = m);
      } else {
        r.fail(
          options.imageData === undefined
            ? `image ${id} has no size: relationships.json carries none; give Visual Genome's image_data.json (--image-data)`
            : `image ${id} is not in ${options.imageDataFile ?? 'the image data'}, and the entry has no width and height`,
          at,
        );
      }
      const rels = r.array(e.relationships ?? [], `${at}.relationships`, IMPORT_LIMITS.maxRelationsPerImage);
      total += rels.length;
      if (total > IMPORT_LIMITS.maxAnnotations)
        r.fail(`the file holds more than ${IMPORT_LIMITS.maxAnnotations} relationships`, at);
      const objects: SceneObject[] = [];
      const byId = new Map<string, SceneObject | null>();
      const objectFor = (v: unknown, op: string): SceneObject | null => {
        const o = r.record(v, op);
        const objectId = r.id(o.object_id ?? o.id, `${op}.object_id`);
        const known = byId.get(objectId);
        if (known !== undefined) return known;
        const label =
          o.name !== undefined
            ? r.name(o.name, `${op}.name`, IMPORT_LIMITS.maxNameLength)
            : r.name(r.array(o.names, `${op}.names`)[0], `${op}.names[0]`, IMPORT_LIMITS.maxNameLength);
        const x = r.number(o.x, `${op}.x`);
        const y = r.number(o.y, `${op}.y`);
        const w = r.number(o.w, `${op}.w`);
        const h = r.number(o.h, `${op}.h`);
        if (w < 0 || h < 0) r.fail(`w and h must be >= 0; got w ${w}, h ${h}`, op);
        const clipped = clipBox([x, y, x + w, y + h], width, height);
        if (!clipped) {
          collector.warnings.add('object with no area inside the image dropped, with its relationships', op);
          byId.set(objectId, null);
          return null;
        }
        if (clipped.clipped) collector.warnings.add('box clipped to the image frame', op);
        const object: SceneObject = { key: `obj${objectId}`, label, box: clipped.box };
        byId.set(objectId, object);
        objects.push(object);
        if (objects.length > IMPORT_LIMITS.maxObjectsPerImage)
          r.fail(`has more than ${IMPORT_LIMITS.maxObjectsPerImage} objects`, at);
        return object;
      };
      const seen = new Set<string>();
      const relations: Relation[] = [];
      rels.forEach((raw, k) => {
        const rp = `${at}.relationships[${k}]`;
        const rel = r.record(raw, rp);
        const subject = objectFor(rel.subject, `${rp}.subject`);
        const object = objectFor(rel.object, `${rp}.object`);
        const predicate = normalizePredicate(r.string(rel.predicate, `${rp}.predicate`));
        if (subject === null || object === null) return;
        if (predicate === '') {
          collector.warnings.add('relationship with an empty predicate dropped', `${rp}.predicate`);
          return;
        }
        if ([...predicate].length > IMPORT_LIMITS.maxNameLength)
          r.fail(`is longer than ${IMPORT_LIMITS.maxNameLength} characters`, `${rp}.predicate`);
        if (subject === object) {
          collector.warnings.add('relationship of an object with itself dropped', rp);
          return;
        }
        const id = `${subject.key}|${predicate}|${object.key}`;
        if (seen.has(id)) return;
        seen.add(id);
        relations.push({ subject: subject.key, predicate, object: object.key, source });
      });
      const name = m?.name ?? `${id}.jpg`;
      return {
        version: 1,
        image: { uri: options.imageUri ? options.imageUri(name) : name, width, height },
        objects,
        relations,
        provenance: { importedFrom: 'vg', imageId: id },
      };
    });
  });
  return collector.result();
};
