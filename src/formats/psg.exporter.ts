/**
 * Scene graphs -> a PSG-style relations JSON (the layout of OpenPSG's `psg.json`), the inverse of
 * importPsg as far as the format reaches.
 *
 * - Classes: by default every label found, sorted, as `thing_classes` (`stuff_classes` empty); with
 *   reference classes (a PSG file's thing_classes + stuff_classes), labels are matched to them through
 *   normalizeLabel(psgClassLabel(class)), so that "wall" finds `wall-other-merged` and "people" finds
 *   `person`, and objects whose label is not a class are left out with their relations.
 * - Predicates: PSG's 56 (PSG_PREDICATES) unless others are given, matched after normalizePredicate;
 *   relations with any other predicate (most geometric ones: left of, behind, covers...) are left out.
 * - Per image: `file_name` = image.uri, `height`, `width`, `image_id` = the scene's name,
 *   `annotations` [{bbox [x1, y1, x2, y2], bbox_mode 0, category_id, score?}], `segments_info`
 *   [{id, category_id, iscrowd 0, isthing, area (of the box)}], `relations` [[s, o, p]] and, when any
 *   relation has a score, `relation_scores` (an extension importPsg reads back).
 *
 * What does not survive a round trip: object keys (o1, o2, ... in order), masks (PSG keeps them in
 * panoptic PNGs, which are not written: no `pan_seg_file_name`), depth statistics, centroids,
 * extents, layers, intrinsics, the depth map reference, image sha256, relation evidence and source
 * (re-imported as ANNOTATION), and labels' spelling where reference classes replace them.
 */

import { normalizeLabel } from '../labels/normalizeLabel';
import type { RelationSource, SceneGraph } from '../scenegraph/sceneGraph.types';
import { normalizePredicate } from '../spatial/predicateNames';
import { Warnings } from './importScene';
import { psgClassLabel } from './psg.importer';
import { PSG_PREDICATES } from '../eval/psgPredicates';

export interface PsgAnnotation {
  bbox: [number, number, number, number];
  bbox_mode: 0;
  category_id: number;
  score?: number;
}

export interface PsgImage {
  file_name: string;
  height: number;
  width: number;
  image_id: string;
  annotations: PsgAnnotation[];
  segments_info: Array<{ id: number; category_id: number; iscrowd: 0; isthing: 0 | 1; area: number }>;
  relations: Array<[number, number, number]>;
  relation_scores?: number[];
}

export interface PsgFile {
  thing_classes: string[];
  stuff_classes: string[];
  predicate_classes: string[];
  data: PsgImage[];
  test_image_ids: string[];
}

export interface PsgExportOptions {
  /** Classes to index labels into (a PSG file's); default: the labels found. */
  classes?: { thing: readonly string[]; stuff: readonly string[] };
  /** Predicate classes; default PSG's 56. */
  predicates?: readonly string[];
  /** Only relations of these sources; default all. */
  sources?: readonly RelationSource[];
}

export interface PsgExportResult {
  file: PsgFile;
  /** What was left out, counted by kind. */
  warnings: string[];
  relations: number;
}

export function exportPsg(
  scenes: ReadonlyArray<{ name: string; scene: SceneGraph }>,
  options: PsgExportOptions = {},
): PsgExportResult {
  const warnings = new Warnings();
  const predicates = [...(options.predicates ?? PSG_PREDICATES)];
  const predicateIndex = new Map(predicates.map((p, i) => [normalizePredicate(p), i] as const));
  const thing = options.classes
    ? [...options.classes.thing]
    : [...new Set(scenes.flatMap((s) => s.scene.objects.map((o) => o.label)))].sort();
  const stuff = options.classes ? [...options.classes.stuff] : [];
  const classIndex = new Map<string, number>();
  [...thing, ...stuff].forEach((c, i) => {
    const key = options.classes ? normalizeLabel(psgClassLabel(c)) : c;
    if (!classIndex.has(key)) classIndex.set(key, i);
  });
  const sources = options.sources ? new Set(options.sources) : undefined;
  let relationCount = 0;

  const data = scenes.map(({ name, scene }): PsgImage => {
    const index = new Map<string, number>();
    const annotations: PsgAnnotation[] = [];
    const segments: PsgImage['segments_info'] = [];
    for (const o of scene.objects) {
      const category = classIndex.get(options.classes ? normalizeLabel(o.label) : o.label);
      if (category === undefined) {
        warnings.add(
          'object whose label is not a class left out, with its relations',
          `${name} ${o.key} "${o.label}"`,
        );
        continue;
      }
      index.set(o.key, annotations.length);
      const a: PsgAnnotation = { bbox: [...o.box], bbox_mode: 0, category_id: category };
      if (o.score !== undefined) a.score = o.score;
      annotations.push(a);
      const [x1, y1, x2, y2] = o.box;
      segments.push({
        id: annotations.length,
        category_id: category,
        iscrowd: 0,
        isthing: category < thing.length ? 1 : 0,
        area: Math.round((x2 - x1) * (y2 - y1)),
      });
    }
    const relations: PsgImage['relations'] = [];
    const scores: number[] = [];
    const seen = new Set<string>();
    for (const r of scene.relations ?? []) {
      if (sources && !sources.has(r.source)) continue;
      const p = predicateIndex.get(normalizePredicate(r.predicate));
      const s = index.get(r.subject);
      const o = index.get(r.object);
      if (p === undefined) {
        warnings.add(`relation whose predicate is not a PSG class left out`, `${name} "${r.predicate}"`);
        continue;
      }
      if (s === undefined || o === undefined) continue;
      const id = `${s}|${o}|${p}`;
      if (seen.has(id)) continue;
      seen.add(id);
      relations.push([s, o, p]);
      scores.push(r.score ?? Number.NaN);
    }
    relationCount += relations.length;
    const image: PsgImage = {
      file_name: scene.image.uri,
      height: scene.image.height,
      width: scene.image.width,
      image_id: name,
      annotations,
      segments_info: segments,
      relations,
    };
    if (scores.some((s) => !Number.isNaN(s))) {
      // A relation without a score among scored ones ranks last, as an unscored prediction would.
      image.relation_scores = scores.map((s) => (Number.isNaN(s) ? 0 : s));
    }
    return image;
  });
  return {
    file: {
      thing_classes: thing,
      stuff_classes: stuff,
      predicate_classes: predicates,
      data,
      test_image_ids: [],
    },
    warnings: warnings.list(),
    relations: relationCount,
  };
}
