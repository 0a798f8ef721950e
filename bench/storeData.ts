/**
 * Synthetic, seeded scene graphs for the store benchmark (bench/store.bench.ts).
 *
 * Each image has ~20 objects (18 to 22) on a 640x480 picture with labels drawn from a vocabulary of
 * 30 everyday labels at Zipf-like frequencies (rank r has weight 1/r), boxes, depth statistics in
 * metres, and a centroid/extent that agree with box + depth through the same pinhole (fx = 500, centre
 * 320,240) as test/helpers/scenes.ts `obj`. The scene then goes through `buildSceneGraph` without a depth
 * map (the stored-geometry path), so relations and layers are exactly what the engine produces, and
 * through `toStoredImage`, so the records are exactly what the store writes.
 *
 * Image i is a pure function of (seed, i): no Math.random, the same data every run. Images are made one
 * batch at a time (never all at once: 100k images of ~20 objects and hundreds of relations each would
 * not fit in the Node heap).
 */

import { normalizeLabel } from '../src/labels/normalizeLabel';
import type { Box, SceneGraph, SceneObject } from '../src/scenegraph/sceneGraph.types';
import { buildSceneGraph } from '../src/spatial/engine';
import { imageIdFor, toStoredImage, type StoredImage } from '../src/store/storedScene';
import { seeded } from './random';

/** Raw labels, most frequent first; the store keeps normalizeLabel(label). */
export const VOCABULARY: readonly string[] = [
  'person',
  'car',
  'chair',
  'tree',
  'table',
  'window',
  'cup',
  'bottle',
  'plant',
  'book',
  'dog',
  'bicycle',
  'lamp',
  'door',
  'bench',
  'cat',
  'couch',
  'tv',
  'bag',
  'clock',
  'bus',
  'truck',
  'laptop',
  'bed',
  'umbrella',
  'motorcycle',
  'traffic light',
  'vase',
  'horse',
  'bird',
];

/** Zipf-ish: weight of rank r (1-based) is 1/r. */
export const LABEL_WEIGHTS: readonly number[] = VOCABULARY.map((_, r) => 1 / (r + 1));
const WEIGHT_SUM = LABEL_WEIGHTS.reduce((a, b) => a + b, 0);
const CUMULATIVE: number[] = (() => {
  let acc = 0;
  return LABEL_WEIGHTS.map((w) => (acc += w / WEIGHT_SUM));
})();

/** The stored (normalised) form of each vocabulary label, in the same order. */
export const STORED_LABELS: readonly string[] = VOCABULARY.map((l) => normalizeLabel(l));

/** Expected share of objects with vocabulary label `rank` (0-based). */
export function labelShare(rank: number): number {
  return LABEL_WEIGHTS[rank] / WEIGHT_SUM;
}

export function pickLabelRank(random: () => number): number {
  const u = random();
  const i = CUMULATIVE.findIndex((c) => u < c);
  return i < 0 ? CUMULATIVE.length - 1 : i;
}

export const WIDTH = 640;
export const HEIGHT = 480;
const FX = 500;

/** Box + depth range -> the object with the geometry a built graph stores (as test/helpers/scenes.ts). */
export function objectWithGeometry(
  key: string,
  label: string,
  box: Box,
  p5: number,
  p95: number,
  score: number,
): SceneObject {
  const z = (p5 + p95) / 2;
  const back = (u: number, c: number): number => ((u - c) * z) / FX;
  return {
    key,
    label,
    box,
    score,
    depth: { min: p5 - 0.1, p5, p50: z, p95, max: p95 + 0.1, unit: 'METERS' },
    centroid: [back((box[0] + box[2]) / 2, WIDTH / 2), back((box[1] + box[3]) / 2, HEIGHT / 2), z],
    extent: [((box[2] - box[0]) * z) / FX, ((box[3] - box[1]) * z) / FX, p95 - p5],
  };
}

const round = (x: number, digits = 3): number => Math.round(x * 10 ** digits) / 10 ** digits;

export function imageUri(i: number): string {
  return `bench://store/${i}.jpg`;
}

/** Image i before the spatial engine: objects with stored geometry, no relations or layers. */
export function syntheticScene(i: number, seed = 1): SceneGraph {
  const random = seeded((seed * 0x9e3779b1) ^ Math.imul(i + 1, 0x85ebca6b));
  const count = 18 + Math.floor(random() * 5);
  const objects: SceneObject[] = [];
  for (let k = 0; k < count; k++) {
    const label = VOCABULARY[pickLabelRank(random)];
    const w = 24 + Math.floor(random() * 220);
    const h = 24 + Math.floor(random() * 220);
    const x1 = Math.floor(random() * (WIDTH - w));
    const y1 = Math.floor(random() * (HEIGHT - h));
    // Near objects are larger in the picture: depth falls with box size, plus noise.
    const size = Math.sqrt(w * h) / 244;
    const p5 = round(1 + 18 * (1 - size) * (0.4 + 0.6 * random()));
    const p95 = round(p5 + 0.2 + 1.6 * random());
    const score = round(0.5 + 0.5 * random(), 2);
    objects.push(objectWithGeometry(`o${k}`, label, [x1, y1, x1 + w, y1 + h], p5, p95, score));
  }
  return { version: 1, image: { uri: imageUri(i), width: WIDTH, height: HEIGHT }, objects };
}

/** Image i through the spatial engine (stored-geometry path): relations and layers as ingested. */
export function builtScene(i: number, seed = 1): SceneGraph {
  return buildSceneGraph(syntheticScene(i, seed));
}

/** Replaces the template image id by `to` in an id that starts with (or contains) it. */
function swapId(text: string, from: string, to: string): string {
  return text.split(from).join(to);
}

/**
 * The record toStoredImage would give for `template`'s scene under another image URI: only the ids
 * change (they are derived from the URI), the config hash does not (it leaves the URI out).
 */
export function cloneStoredImage(template: StoredImage, uri: string): StoredImage {
  const from = template.id;
  const id = imageIdFor({ version: 1, image: { uri, width: WIDTH, height: HEIGHT }, objects: [] });
  return {
    id,
    props: { ...template.props, id, uri },
    objects: template.objects.map((o) => ({ ...o, id: swapId(o.id as string, from, id), imageId: id })),
    edges: template.edges.map((e) => ({
      ...e,
      subject: swapId(e.subject, from, id),
      object: swapId(e.object, from, id),
    })),
    semantic: template.semantic.map((r) => ({
      subject: swapId(r.subject, from, id),
      object: swapId(r.object, from, id),
      props: { ...r.props },
    })),
    configHash: template.configHash,
  };
}

/**
 * Makes StoredImage records for image indices [from, to). With a pool (poolSize > 0), image i is built
 * scene (i mod poolSize) under its own URI (bench://store/<i>.jpg), so ids, which are derived from the
 * URI, stay unique per image while the engine and toStoredImage run only poolSize times; `verify` checks
 * that a clone equals what toStoredImage gives for that URI. Without a pool every image is generated,
 * built and converted on its own.
 */
export class StoreData {
  private readonly pool: StoredImage[] = [];
  /** Milliseconds spent in generating + buildSceneGraph, in toStoredImage, and in cloning. */
  buildMs = 0;
  storedMs = 0;
  cloneMs = 0;
  /** Relations made so far, by predicate (over every image handed out). */
  readonly predicates = new Map<string, number>();

  constructor(
    readonly seed = 1,
    readonly poolSize = 0,
    readonly ingestedAt = '2025-01-01T00:00:00.000Z',
  ) {}

  private fresh(i: number): StoredImage {
    const t0 = performance.now();
    const scene = builtScene(i, this.seed);
    const t1 = performance.now();
    const stored = toStoredImage(scene, this.ingestedAt);
    this.buildMs += t1 - t0;
    this.storedMs += performance.now() - t1;
    return stored;
  }

  image(i: number): StoredImage {
    if (this.poolSize <= 0) return this.fresh(i);
    const slot = i % this.poolSize;
    while (this.pool.length <= slot) this.pool.push(this.fresh(this.pool.length));
    if (i === slot) return this.pool[slot];
    const t0 = performance.now();
    const clone = cloneStoredImage(this.pool[slot], imageUri(i));
    this.cloneMs += performance.now() - t0;
    return clone;
  }

  batch(from: number, to: number, count = true): StoredImage[] {
    const out: StoredImage[] = [];
    for (let i = from; i < to; i++) {
      const img = this.image(i);
      if (count) {
        for (const e of img.edges) this.predicates.set(e.type, (this.predicates.get(e.type) ?? 0) + 1);
        for (const r of img.semantic) {
          const p = r.props.predicate as string;
          this.predicates.set(p, (this.predicates.get(p) ?? 0) + 1);
        }
      }
      out.push(img);
    }
    return out;
  }

  /** True when image i as handed out equals toStoredImage of its own scene (pool clones included). */
  verify(i: number): boolean {
    const slot = this.poolSize > 0 ? i % this.poolSize : i;
    const base = builtScene(slot, this.seed);
    const expected = toStoredImage({ ...base, image: { ...base.image, uri: imageUri(i) } }, this.ingestedAt);
    return JSON.stringify(this.image(i)) === JSON.stringify(expected);
  }
}

export interface RecordCounts {
  images: number;
  objects: number;
  relations: number;
  layers: number;
  layerMembers: number;
}

export function countRecords(images: readonly StoredImage[]): RecordCounts {
  let objects = 0;
  let relations = 0;
  let layers = 0;
  let layerMembers = 0;
  for (const i of images) {
    objects += i.objects.length;
    relations += i.edges.length + i.semantic.length;
    // Layers are two lists of `index:key` on the image (src/store/layers.ts).
    layers += (i.props.layerBasics as string[] | null)?.length ?? 0;
    layerMembers += (i.props.layerMembers as string[] | null)?.length ?? 0;
  }
  return { images: images.length, objects, relations, layers, layerMembers };
}
