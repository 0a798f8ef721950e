import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { UserInputError } from '../errors/errors';
import { encodeLabelMapRle } from '../io/cocoRle';
import type { Box, SceneGraph, SceneObject } from '../scenegraph/sceneGraph.types';
import { makeCamera } from './camera';
import { LAYOUT_PARAMS, SceneLayout, STANDARD_LAYOUT, type LayoutVariation } from './layout';
import { measureOcclusion } from './occlusion';
import { Prng } from './prng';
import { Raster, type ObjectHits } from './raster';
import { shadeImage } from './shadeImage';
import type { PinholeCamera, SynthObject, SynthScenario } from './synth.types';
import { computeTruthRelations, TRUTH_THRESHOLDS, type TruthItem } from './truth';
import { TRUTH_PREDICATES, type SynthTruth, type TruthObject, type VisibleDepth } from './truth.types';

/**
 * Seeded synthetic scenes with exact ground truth, for tests, demos and benchmarks.
 *
 * `objects: K` is exact. Objects are proposed one at a time (layout.ts) and ray-cast before being
 * kept; a proposal is rejected, and another drawn, when it would show fewer than `minVisiblePixels`
 * pixels or leave an object already placed with fewer. So every object in the 3D world is listed in
 * the scene and the truth, none is a hidden extra, and no object is ever dropped after the fact.
 * When K objects cannot be placed (tiny image, too many objects) generation fails with a
 * UserInputError rather than returning fewer.
 *
 * Same seed and options, same bytes: the PRNG is seeded, iteration orders are fixed, and the PNG
 * encoder's settings are pinned.
 */

export const SYNTH_GENERATOR_VERSION = 1;

/** File names of a scene folder (writeSceneFolder); scene.json refers to the image and depth by them. */
export const SCENE_FOLDER_FILES = {
  image: 'image.png',
  depth: 'depth.npy',
  scene: 'scene.json',
  truth: 'truth.json',
} as const;
const SKY_DEPTH = Number.POSITIVE_INFINITY;

export const SYNTH_LIMITS = {
  minObjects: 1,
  maxObjects: 100,
  minSide: 32,
  maxSide: 4096,
  /** Proposals per requested object before giving up. */
  attemptsPerObject: 200,
} as const;

export interface GenerateSceneOptions {
  /** Any safe integer. */
  seed: number;
  /** Exact number of objects in the scene, 1..100. */
  objects: number;
  width?: number;
  height?: number;
  /** Objects showing fewer pixels are not listed. Default 30. */
  minVisiblePixels?: number;
  /** A variation of the world (heavier occlusion, a back wall); absent = the standard world. */
  scenario?: SynthScenario;
}

/**
 * Named scenarios of the evaluation (bench/spatialEval.ts --scenario). `standard` is the world of
 * every other use, byte for byte.
 * - `heavy-occlusion`: 70% of ground objects are put behind another (standard 30%), at most 1 m
 *   behind it (standard 2.5 m), so many objects show only a part above or beside their occluder.
 * - `wall`: a wall 10-21 m away closes the scene (no sky: every box that reaches above the horizon
 *   holds wall), and 40% of free ground objects stand with their back against it.
 */
export const SYNTH_SCENARIOS = {
  standard: {},
  'heavy-occlusion': { behindChance: 0.7, behindGapM: 1 },
  wall: { wall: { nearM: 10, farM: 21, againstChance: 0.4 } },
} as const satisfies Record<string, SynthScenario>;

export type SynthScenarioName = keyof typeof SYNTH_SCENARIOS;

export interface SynthDepth {
  width: number;
  height: number;
  /** Row-major z along the optical axis in metres; 0 where the pixel shows sky. */
  data: Float32Array;
}

/** Everything of a scene but the encoded PNG; computed synchronously. */
export interface SynthRender {
  camera: PinholeCamera;
  /** Row-major RGB, 3 bytes a pixel. */
  rgb: Uint8Array;
  depth: SynthDepth;
  objects: SceneObject[];
  truth: SynthTruth;
}

export interface SynthScene extends SynthRender {
  /** PNG of `rgb`. */
  image: Buffer;
  /** scene.json: no relations; masks as uncompressed COCO RLE; image uri image.png, depth uri depth.npy. */
  scene: SceneGraph;
}

export async function generateScene(options: GenerateSceneOptions): Promise<SynthScene> {
  const render = renderSynthScene(options);
  const { width, height } = render.camera;
  const image = await encodeRgbPng(render.rgb, width, height);
  const scene: SceneGraph = {
    version: 1,
    image: {
      uri: SCENE_FOLDER_FILES.image,
      width,
      height,
      sha256: createHash('sha256').update(image).digest('hex'),
    },
    intrinsics: {
      fx: render.camera.fx,
      fy: render.camera.fy,
      cx: render.camera.cx,
      cy: render.camera.cy,
      source: 'GIVEN',
    },
    depth: { uri: SCENE_FOLDER_FILES.depth, unit: 'meters' },
    objects: render.objects,
    provenance: {
      generator: 'scenegraph-synth',
      generatorVersion: SYNTH_GENERATOR_VERSION,
      seed: options.seed,
      objects: options.objects,
      cameraHeightM: render.camera.heightM,
      hfovDeg: render.camera.hfovDeg,
      minVisiblePixels: render.truth.thresholds.minVisiblePixels,
      ...(render.truth.generator.scenario
        ? { scenario: render.truth.generator.scenario, wallZ: render.truth.generator.wallZ }
        : {}),
    },
  };
  return { ...render, image, scene };
}

/** PNG settings are fixed so that the bytes depend on the pixels only. */
export function encodeRgbPng(rgb: Uint8Array, width: number, height: number): Promise<Buffer> {
  return sharp(rgb, { raw: { width, height, channels: 3 } })
    .png({ compressionLevel: 6, adaptiveFiltering: false, palette: false })
    .toBuffer();
}

export function renderSynthScene(options: GenerateSceneOptions): SynthRender {
  const { seed, objects: wanted, width, height, minVisiblePixels, scenario } = checkOptions(options);
  const camera = makeCamera(width, height);
  const rng = new Prng(seed);
  // The wall's depth is the first draw of a wall scene; other scenes draw nothing here.
  const wallZ = scenario.wall ? rng.uniform(scenario.wall.nearM, scenario.wall.farM) : undefined;
  const variation: LayoutVariation = {
    behindChance: scenario.behindChance ?? STANDARD_LAYOUT.behindChance,
    behindGapM: scenario.behindGapM ?? STANDARD_LAYOUT.behindGapM,
    againstWallChance: scenario.wall?.againstChance ?? 0,
    ...(wallZ !== undefined ? { wallZ } : {}),
  };
  const layout = new SceneLayout(camera, rng, variation);
  const raster = new Raster(camera, wallZ);

  let attempts = 0;
  while (layout.objects.length < wanted && attempts < wanted * SYNTH_LIMITS.attemptsPerObject) {
    attempts++;
    const o = layout.propose();
    if (!o) continue;
    const hits = raster.cast(o);
    if (!everyoneStaysVisible(raster, hits, minVisiblePixels)) continue;
    layout.accept(o);
    raster.commit(o.uid, hits);
  }
  if (layout.objects.length !== wanted) {
    throw new UserInputError(
      `could not fit ${wanted} objects with >= ${minVisiblePixels} visible pixels each into ${width}x${height} ` +
        `(placed ${layout.objects.length}); ask for fewer objects or a larger image`,
      'objects',
    );
  }

  const listed = layout.objects;
  const keys = listed.map((_, i) => `o${i + 1}`);
  const measured = measureListed(raster, listed);
  const objects: SceneObject[] = listed.map((o, i) => ({
    key: keys[i],
    label: o.label,
    box: measured.boxes[i],
    score: 1,
    mask: measured.masks[i],
  }));

  const keyByUid = new Map(listed.map((o, i) => [o.uid, keys[i]]));
  const items: TruthItem[] = listed.map((o, i) => ({
    key: keys[i],
    object: o,
    visibleDepth: measured.depths[i],
  }));
  const thresholds = { ...TRUTH_THRESHOLDS, minVisiblePixels };
  const occlusion = measureOcclusion(
    raster,
    listed.map((o) => o.uid),
  );
  const { relations, ambiguous, summary } = computeTruthRelations(items, occlusion, thresholds);
  const truthObjects: TruthObject[] = listed.map((o, i) => ({
    key: keys[i],
    label: o.label,
    shape: o.shape,
    center: [r6(o.center[0]), r6(o.center[1]), r6(o.center[2])],
    size: [r6(2 * o.half[0]), r6(2 * o.half[1]), r6(2 * o.half[2])],
    zRange: [r6(o.center[2] - o.half[2]), r6(o.center[2] + o.half[2])],
    visibleDepth: roundDepth(measured.depths[i]),
    visiblePixels: measured.pixels[i],
    restsOn: o.supportedBy === null ? 'ground' : keyOf(keyByUid, o.supportedBy),
  }));
  const truth: SynthTruth = {
    version: 1,
    generator: {
      name: 'scenegraph-synth',
      seed,
      objects: wanted,
      width,
      height,
      ...(isStandard(scenario) ? {} : { scenario, ...(wallZ !== undefined ? { wallZ: r6(wallZ) } : {}) }),
    },
    camera: {
      fx: camera.fx,
      fy: camera.fy,
      cx: camera.cx,
      cy: camera.cy,
      heightM: camera.heightM,
      hfovDeg: camera.hfovDeg,
    },
    thresholds,
    predicates: [...TRUTH_PREDICATES],
    objects: truthObjects,
    relations,
    ambiguous,
    summary,
  };

  const depth = new Float32Array(width * height);
  for (let p = 0; p < depth.length; p++) {
    const z = raster.zbuf[p];
    depth[p] = z < SKY_DEPTH ? z : 0; // sky is Infinity in the z-buffer
  }
  const rgb = shadeImage(camera, raster, layout.objects);
  return { camera, rgb, depth: { width, height, data: depth }, objects, truth };
}

/** A candidate is kept only if it shows enough pixels and leaves every placed object enough. */
function everyoneStaysVisible(raster: Raster, hits: ObjectHits, minVisiblePixels: number): boolean {
  const { shown, taken } = raster.coverage(hits);
  if (shown < minVisiblePixels) return false;
  for (const [uid, lost] of taken) {
    if ((raster.shown.get(uid) ?? 0) - lost < minVisiblePixels) return false;
  }
  return true;
}

interface Measured {
  boxes: Box[];
  masks: SceneObject['mask'][];
  depths: VisibleDepth[];
  pixels: number[];
}

/** Tight boxes, RLE masks and visible-depth statistics of the listed objects, in one pass over the raster. */
function measureListed(raster: Raster, listed: readonly SynthObject[]): Measured {
  const { width, height } = raster;
  const n = listed.length;
  const indexByUid = new Map(listed.map((o, i) => [o.uid, i]));
  const labels = new Int32Array(width * height).fill(-1);
  const minX = new Int32Array(n).fill(width);
  const minY = new Int32Array(n).fill(height);
  const maxX = new Int32Array(n).fill(-1);
  const maxY = new Int32Array(n).fill(-1);
  const zs: number[][] = Array.from({ length: n }, () => []);
  for (let v = 0, p = 0; v < height; v++) {
    for (let u = 0; u < width; u++, p++) {
      const i = indexByUid.get(raster.ids[p]);
      if (i === undefined) continue;
      labels[p] = i;
      if (u < minX[i]) minX[i] = u;
      if (u > maxX[i]) maxX[i] = u;
      if (v < minY[i]) minY[i] = v;
      if (v > maxY[i]) maxY[i] = v;
      zs[i].push(raster.zbuf[p]);
    }
  }
  return {
    // Pixel-edge boxes: a mask spanning columns 10..19 has x1 = 10, x2 = 20 (COCO's w = 10).
    boxes: listed.map((_, i) => [minX[i], minY[i], maxX[i] + 1, maxY[i] + 1]),
    masks: encodeLabelMapRle(labels, width, height, n),
    depths: zs.map((z) => depthSummary(Float64Array.from(z).sort())),
    pixels: zs.map((z) => z.length),
  };
}

/** Every object in the world is listed, so a supporter always has a key. */
function keyOf(keyByUid: ReadonlyMap<number, string>, uid: number): string {
  const key = keyByUid.get(uid);
  if (key === undefined) throw new Error(`object ${uid} supports another but is not in the scene`);
  return key;
}

function depthSummary(sorted: Float64Array): VisibleDepth {
  return {
    min: sorted[0],
    p5: percentile(sorted, 0.05),
    p50: percentile(sorted, 0.5),
    p95: percentile(sorted, 0.95),
    max: sorted[sorted.length - 1],
  };
}

/** numpy's default ('linear') percentile of sorted values. */
function percentile(sorted: Float64Array, q: number): number {
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

function roundDepth(d: VisibleDepth): VisibleDepth {
  return { min: r6(d.min), p5: r6(d.p5), p50: r6(d.p50), p95: r6(d.p95), max: r6(d.max) };
}

/** Micrometre rounding keeps truth.json readable; decisions are made on the unrounded numbers. */
function r6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

function isStandard(s: SynthScenario): boolean {
  return s.behindChance === undefined && s.behindGapM === undefined && s.wall === undefined;
}

function checkScenario(s: SynthScenario | undefined): SynthScenario {
  if (s === undefined) return {};
  const fraction = (v: unknown, name: string): void => {
    if (v !== undefined && !(typeof v === 'number' && v >= 0 && v <= 1))
      throw new UserInputError(`must be a number from 0 to 1, got ${String(v)}`, `scenario.${name}`);
  };
  fraction(s.behindChance, 'behindChance');
  if (
    s.behindGapM !== undefined &&
    !(typeof s.behindGapM === 'number' && s.behindGapM >= 0 && s.behindGapM <= 20)
  )
    throw new UserInputError(
      `must be a number from 0 to 20, got ${String(s.behindGapM)}`,
      'scenario.behindGapM',
    );
  if (s.wall !== undefined) {
    const { nearM, farM } = s.wall;
    const { zNearM } = LAYOUT_PARAMS;
    if (!(
      typeof nearM === 'number' &&
      typeof farM === 'number' &&
      nearM >= zNearM + 2 &&
      farM >= nearM &&
      farM <= 1000
    ))
      throw new UserInputError(
        `needs ${zNearM + 2} <= nearM <= farM <= 1000 (metres), got ${String(nearM)}..${String(farM)}`,
        'scenario.wall',
      );
    fraction(s.wall.againstChance, 'wall.againstChance');
  }
  return s;
}

function checkOptions(o: GenerateSceneOptions): Required<GenerateSceneOptions> {
  const width = o.width ?? 640;
  const height = o.height ?? 480;
  const minVisiblePixels = o.minVisiblePixels ?? TRUTH_THRESHOLDS.minVisiblePixels;
  if (!Number.isSafeInteger(o.seed))
    throw new UserInputError(`must be a safe integer, got ${o.seed}`, 'seed');
  const { minObjects, maxObjects, minSide, maxSide } = SYNTH_LIMITS;
  if (!Number.isInteger(o.objects) || o.objects < minObjects || o.objects > maxObjects) {
    throw new UserInputError(
      `must be an integer from ${minObjects} to ${maxObjects}, got ${o.objects}`,
      'objects',
    );
  }
  for (const [name, v] of [
    ['width', width],
    ['height', height],
  ] as const) {
    if (!Number.isInteger(v) || v < minSide || v > maxSide) {
      throw new UserInputError(`must be an integer from ${minSide} to ${maxSide}, got ${v}`, name);
    }
  }
  if (!Number.isInteger(minVisiblePixels) || minVisiblePixels < 1) {
    throw new UserInputError(`must be a positive integer, got ${minVisiblePixels}`, 'minVisiblePixels');
  }
  return {
    seed: o.seed,
    objects: o.objects,
    width,
    height,
    minVisiblePixels,
    scenario: checkScenario(o.scenario),
  };
}
