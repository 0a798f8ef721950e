/**
 * PSG json (OpenPSG's `psg.json`) -> one scene graph per `data[]` entry, relations with source
 * ANNOTATION (or options.relationSource).
 *
 * - Labels: `category_id` indexes `thing_classes` followed by `stuff_classes` (133 classes in the
 *   release); COCO-panoptic's suffixes are removed as OpenPSG's own tools do (`wall-other-merged` ->
 *   `wall`, `door-stuff` -> `door`; psgClassLabel).
 * - `annotations[k].bbox` is [x1, y1, x2, y2] in pixels (detectron2's XYXY_ABS, `bbox_mode` 0; other
 *   modes are refused); objects are keyed o1, o2, ... in annotation order, so relation index k is
 *   object o<k+1>. A `score` on an annotation is kept (prediction files).
 * - `relations` [[s, o, p]]: s and o index `annotations`, p indexes the file's `predicate_classes`
 *   (the 56 of src/eval/psgPredicates.ts in the release), normalised by normalizePredicate. A repeated triplet is
 *   kept once, as OpenPSG's loader does for val/test. `relation_scores` (this project's extension, a
 *   number per relation, written by the PSG exporter for predictions) become relation scores.
 * - Not imported: the panoptic masks (`pan_seg_file_name` PNGs, `segments_info` ids refer to their
 *   colours), `coco_image_id`, `test_image_ids` (the split).
 */

import type { RelationSource, SceneGraph, SceneObject } from '../scenegraph/sceneGraph.types';
import { normalizePredicate } from '../spatial/predicateNames';
import { JsonReader } from './formatError';
import { clipBox, ImportCollector } from './importScene';
import type { Importer, ImportOptions } from './importTypes';
import { IMPORT_LIMITS } from './limits';

/** `wall-other-merged` -> `wall`: the readable class name OpenPSG's tools print. */
export function psgClassLabel(name: string): string {
  return name.replace(/-(merged|other|stuff)\b/g, '').trim() || name;
}

function readClasses(r: JsonReader, v: unknown, at: string): string[] {
  return r.array(v, at).map((c, i) => r.name(c, `${at}[${i}]`, IMPORT_LIMITS.maxNameLength));
}

export const importPsg: Importer = (data: unknown, options: ImportOptions) => {
  const r: JsonReader = new JsonReader(options.file);
  const collector = new ImportCollector('psg', options.file);
  const source: RelationSource = options.relationSource ?? 'ANNOTATION';
  const root = r.record(data, '$');
  const classes = [
    ...readClasses(r, root.thing_classes, 'thing_classes'),
    ...readClasses(r, root.stuff_classes ?? [], 'stuff_classes'),
  ].map(psgClassLabel);
  const predicates = readClasses(r, root.predicate_classes, 'predicate_classes').map((p, i) => {
    const n = normalizePredicate(p);
    if (n === '') r.fail('must be a predicate name', `predicate_classes[${i}]`);
    return n;
  });
  const entries = r.array(root.data, 'data', IMPORT_LIMITS.maxImages);
  let total = 0;
  entries.forEach((raw, i) => {
    const at = `data[${i}]`;
    const entry = raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
    const fileName = typeof entry.file_name === 'string' ? entry.file_name : undefined;
    collector.item(at, fileName, (): SceneGraph => {
      const d = r.record(raw, at);
      const name = r.name(d.file_name, `${at}.file_name`, 4096);
      const width = r.integer(d.width, `${at}.width`, 1);
      const height = r.integer(d.height, `${at}.height`, 1);
      const anns = r.array(d.annotations, `${at}.annotations`, IMPORT_LIMITS.maxObjectsPerImage);
      const rels = r.array(d.relations ?? [], `${at}.relations`, IMPORT_LIMITS.maxRelationsPerImage);
      total += anns.length + rels.length;
      if (total > IMPORT_LIMITS.maxAnnotations)
        r.fail(`the file holds more than ${IMPORT_LIMITS.maxAnnotations} annotations and relations`, at);
      if (d.segments_info !== undefined) {
        const segments = r.array(d.segments_info, `${at}.segments_info`);
        if (segments.length !== anns.length) {
          r.fail(
            `has ${segments.length} entries but annotations has ${anns.length}; PSG pairs them by position`,
            `${at}.segments_info`,
          );
        }
      }
      const objects: SceneObject[] = anns.map((a, k) => {
        const ap = `${at}.annotations[${k}]`;
        const ann = r.record(a, ap);
        if (ann.bbox_mode !== undefined && ann.bbox_mode !== 0) {
          r.fail(
            `must be 0 (XYXY_ABS: [x1, y1, x2, y2] in pixels); got ${JSON.stringify(ann.bbox_mode)}`,
            `${ap}.bbox_mode`,
          );
        }
        const bbox = r.numbers(ann.bbox, `${ap}.bbox`, 4);
        if (bbox[2] < bbox[0] || bbox[3] < bbox[1])
          r.fail(`is inverted: need x1 <= x2 and y1 <= y2; got ${JSON.stringify(bbox)}`, `${ap}.bbox`);
        const clipped = clipBox(bbox, width, height);
        // A relation may refer to this annotation, so it cannot be dropped: an empty box is an error.
        if (!clipped)
          r.fail(
            `has no area inside the ${width}x${height} image; got ${JSON.stringify(bbox)}`,
            `${ap}.bbox`,
          );
        if (clipped.clipped) collector.warnings.add('box clipped to the image frame', `${ap}.bbox`);
        const category = r.integer(ann.category_id, `${ap}.category_id`, 0);
        if (category >= classes.length) {
          r.fail(
            `${category} is out of range: thing_classes + stuff_classes has ${classes.length} classes`,
            `${ap}.category_id`,
          );
        }
        const object: SceneObject = { key: `o${k + 1}`, label: classes[category], box: clipped.box };
        if (ann.score !== undefined) {
          const score = r.number(ann.score, `${ap}.score`);
          if (score < 0 || score > 1) r.fail(`must be in [0, 1]; got ${score}`, `${ap}.score`);
          object.score = score;
        }
        return object;
      });
      const scores =
        d.relation_scores === undefined ? undefined : r.array(d.relation_scores, `${at}.relation_scores`);
      if (scores && scores.length !== rels.length) {
        r.fail(`has ${scores.length} entries but relations has ${rels.length}`, `${at}.relation_scores`);
      }
      const seen = new Set<string>();
      const relations: NonNullable<SceneGraph['relations']> = [];
      rels.forEach((rel, k) => {
        const rp = `${at}.relations[${k}]`;
        const [s, o, p] = r.array(rel, rp);
        if ((rel as unknown[]).length !== 3)
          r.fail(`must be [subject, object, predicate]; got ${JSON.stringify(rel)}`, rp);
        const si = r.integer(s, `${rp}[0]`, 0);
        const oi = r.integer(o, `${rp}[1]`, 0);
        const pi = r.integer(p, `${rp}[2]`, 0);
        for (const [v, j] of [
          [si, 0],
          [oi, 1],
        ] as const) {
          if (v >= objects.length)
            r.fail(`${v} is out of range: the image has ${objects.length} annotations`, `${rp}[${j}]`);
        }
        if (pi >= predicates.length)
          r.fail(`${pi} is out of range: predicate_classes has ${predicates.length} classes`, `${rp}[2]`);
        if (si === oi) r.fail(`subject and object are the same annotation (${si})`, rp);
        const id = `${si}|${oi}|${pi}`;
        if (seen.has(id)) return;
        seen.add(id);
        const relation: NonNullable<SceneGraph['relations']>[number] = {
          subject: objects[si].key,
          predicate: predicates[pi],
          object: objects[oi].key,
          source,
        };
        if (scores) {
          const score = r.number(scores[k], `${at}.relation_scores[${k}]`);
          if (score < 0 || score > 1)
            r.fail(`must be in [0, 1]; got ${score}`, `${at}.relation_scores[${k}]`);
          relation.score = score;
        }
        relations.push(relation);
      });
      return {
        version: 1,
        image: { uri: options.imageUri ? options.imageUri(name) : name, width, height },
        objects,
        relations,
        provenance: { importedFrom: 'psg' },
      };
    });
  });
  return collector.result();
};
