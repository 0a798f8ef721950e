/**
 * The one path from an input to a built scene graph, used by every entry point (`scenegraph build`,
 * `ingest`, `text`, the `ingestSceneGraph` and `ingestImage` mutations):
 *
 *   decode -> inference (only for what is missing: objects, depth) -> spatial engine -> scene graph
 *
 * Two kinds of input arrive here. A scene graph (JSON v1) brings its objects and, optionally, a depth
 * map file; it is validated once, its depth file read (inside the allowed roots only) and the engine
 * run, unless it was already built and brings no depth. An image brings pixels; its objects come from
 * the caller (annotations) or the detector, its depth from a given file or the depth model, and
 * without either it still gets its detections and 2D relations, with `depth: 'absent'` saying so.
 *
 * The result carries provenance (models with their sha256 and the execution provider, the engine,
 * thresholds) and the time spent per stage. Storing is the caller's step (src/pipeline/store.ts).
 */

import path from 'node:path';
import { UserInputError } from '../errors/errors';
import { readDepthFile } from '../io/depthFile';
import { decodeImage } from '../io/decodeImage';
import { readExifFocalLength, type ExifFocalLength } from '../io/exif';
import type { DepthRef, SceneGraph, SceneObject } from '../scenegraph/sceneGraph.types';
import { toDepthMap, type DepthMap } from '../spatial/depthMap';
import { buildSceneGraph, SPATIAL_ENGINE } from '../spatial/engine';
import { validateSceneInput } from '../spatial/sceneValidation';
import type { BuildOptions } from '../spatial/spatialOptions';
import type { SpatialEngine } from './engineThreads';
import { inputKeyFor } from './inputKey';
import { resolveLocalPath, type FileAccess } from './localFiles';
import type { SceneInference } from './sceneInference';
import type { MllmBackend } from '../mllm/mllmBackend';
import { mllmObjects, type MllmObjects } from '../mllm/mllmObjects';

export type { FileAccess } from './localFiles';

export interface PipelineOptions {
  access: FileAccess;
  build?: BuildOptions;
  /** Models for images; without them an image must bring its objects. */
  inference?: SceneInference;
  /** Largest decoded image accepted. */
  maxPixels?: number;
  /**
   * An MLLM as the object source (instead of the detector): its grounded reply gives the objects
   * and relations (source MODEL); depth and the engine's geometric relations come as for detections.
   */
  mllm?: MllmBackend;
  /** Runs the spatial engine elsewhere (the service's worker threads); default: in this thread. */
  engine?: SpatialEngine;
}

function runEngine(
  opts: PipelineOptions,
  scene: SceneGraph,
  depth: DepthMap | undefined,
  build: BuildOptions,
): Promise<SceneGraph> | SceneGraph {
  return opts.engine ? opts.engine(scene, depth, build) : buildSceneGraph(scene, depth, build);
}

export interface SceneSource {
  kind: 'scene';
  /** Scene-graph JSON v1, unvalidated. */
  input: unknown;
  /** Replaces the scene's own `depth` entry (the CLI's --depth). */
  depth?: DepthRef;
  /** How errors name `depth` (default `depth`; the CLI says `--depth`). */
  depthField?: string;
}

export interface ImageSource {
  kind: 'image';
  bytes: Buffer;
  /** How the image is referred to in the stored graph (a path, an URL, `upload:<sha256>`). */
  uri: string;
  /** Objects known beforehand (annotations); the detector runs only when absent. */
  objects?: SceneObject[];
  /** A depth map for this image; the depth model runs only when absent. */
  depth?: DepthRef;
  /** How errors name `depth` (default `depth`). */
  depthField?: string;
  /** Text queries for an open-vocabulary detector. */
  queries?: string[];
}

export type PipelineSource = SceneSource | ImageSource;

/** Where the graph's depth came from. */
export type DepthSource = 'file' | 'model' | 'stored' | 'absent';

export interface StageTimings {
  decode: number;
  detect: number;
  depth: number;
  engine: number;
}

export interface PipelineResult {
  scene: SceneGraph;
  depth: DepthSource;
  timings: StageTimings;
  /** What was read around rather than refused (an MLLM reply's malformed parts). */
  warnings: string[];
}

function since(start: number): number {
  return performance.now() - start;
}

async function readDepth(ref: DepthRef, access: FileAccess, field: string): Promise<DepthMap> {
  const file = resolveLocalPath(ref.uri, access, field);
  const raw = await readDepthFile(file, { unit: ref.unit, scale: ref.scale, field });
  return toDepthMap(raw.data, raw.width, raw.height, { unit: raw.unit });
}

/** The recorded focal length of a local image inside the roots; a remote or unreadable one has none. */
async function exifOf(uri: string, access: FileAccess): Promise<ExifFocalLength | undefined> {
  try {
    return await readExifFocalLength(resolveLocalPath(uri, access, 'image.uri'));
  } catch {
    return undefined;
  }
}

async function fromScene(source: SceneSource, opts: PipelineOptions): Promise<PipelineResult> {
  const timings: StageTimings = { decode: 0, detect: 0, depth: 0, engine: 0 };
  validateSceneInput(source.input);
  const scene = source.input;
  let t = performance.now();
  const ref = source.depth ?? scene.depth;
  const depth = ref
    ? await readDepth(ref, opts.access, source.depth ? (source.depthField ?? 'depth') : 'depth.uri')
    : undefined;
  timings.depth = since(t);
  if (!depth && scene.provenance?.engine === SPATIAL_ENGINE)
    return { scene, depth: 'stored', timings, warnings: [] };
  const exif = opts.build?.intrinsics ? undefined : await exifOf(scene.image.uri, opts.access);
  t = performance.now();
  const built = await runEngine(opts, source.depth ? { ...scene, depth: source.depth } : scene, depth, {
    ...opts.build,
    exif,
  });
  timings.engine = since(t);
  const hasStoredGeometry = scene.objects.some((o) => o.depth);
  return {
    scene: built,
    depth: depth ? 'file' : hasStoredGeometry ? 'stored' : 'absent',
    timings,
    warnings: [],
  };
}

function keyed(
  objects: { label: string; score: number; box: [number, number, number, number] }[],
): SceneObject[] {
  return objects.map((d, i) => ({
    key: `o${i + 1}`,
    label: d.label,
    score: Math.round(d.score * 1e4) / 1e4,
    box: d.box.map((v) => Math.round(v * 100) / 100) as SceneObject['box'],
  }));
}

async function fromImage(source: ImageSource, opts: PipelineOptions): Promise<PipelineResult> {
  const timings: StageTimings = { decode: 0, detect: 0, depth: 0, engine: 0 };
  let t = performance.now();
  const decoded = await decodeImage(source.bytes, { maxPixels: opts.maxPixels, field: 'image' });
  timings.decode = since(t);
  const { width, height, sha256 } = decoded.info;
  const inference = opts.inference;
  const image = { width, height, data: decoded.rgb };

  const mllm = source.objects ? undefined : opts.mllm;
  if (!source.objects && !mllm && !inference?.detector) {
    throw new UserInputError(
      'no detector is configured and the image brings no objects; give objects or configure DETECTOR_MODEL',
      'objects',
    );
  }
  const depthRef = source.depth;
  const detect = async (): Promise<MllmObjects> => {
    if (source.objects) return { objects: source.objects, relations: [], warnings: [] };
    const start = performance.now();
    try {
      if (mllm) return await mllmObjects(mllm, image, source.uri);
      const found = await inference!.detect(image, { queries: source.queries });
      return { objects: keyed(found), relations: [], warnings: [] };
    } finally {
      timings.detect = since(start);
    }
  };
  const estimate = async (): Promise<{ map?: DepthMap; from: DepthSource }> => {
    const start = performance.now();
    try {
      if (depthRef) {
        return { map: await readDepth(depthRef, opts.access, source.depthField ?? 'depth'), from: 'file' };
      }
      if (!inference?.depth) return { from: 'absent' };
      const p = await inference.estimateDepth(image);
      return { map: toDepthMap(p.values, p.width, p.height, { unit: p.unit }), from: 'model' };
    } finally {
      timings.depth = since(start);
    }
  };
  // Detection and depth are independent: with two or more workers they run at the same time.
  const [found, depth] = await Promise.all([detect(), estimate()]);
  const { objects } = found;
  const exif = opts.build?.intrinsics ? undefined : await readExifFocalLength(source.bytes);

  const scene: SceneGraph = {
    version: 1,
    image: { uri: source.uri, width, height, sha256 },
    objects,
    provenance: {
      input: 'image',
      inputKey: inputKeyFor(source, sha256, opts),
      objects: source.objects ? 'given' : mllm ? 'mllm' : 'detector',
      depthSource: depth.from,
      models: {
        ...(source.objects ? {} : mllm ? { mllm: mllm.provenance } : { detector: inference!.detector }),
        ...(depth.from === 'model' ? { depth: inference!.depth } : {}),
      },
      ...(source.queries ? { queries: source.queries } : {}),
    },
  };
  if (depthRef) scene.depth = depthRef;
  if (found.relations.length > 0) scene.relations = found.relations;
  t = performance.now();
  const built = await runEngine(opts, scene, depth.map, { ...opts.build, exif });
  timings.engine = since(t);
  return { scene: built, depth: depth.from, timings, warnings: found.warnings };
}

export function runPipeline(source: PipelineSource, opts: PipelineOptions): Promise<PipelineResult> {
  return source.kind === 'scene' ? fromScene(source, opts) : fromImage(source, opts);
}

/** Image files the image path reads, by extension (the decoder checks the content itself). */
export const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.webp', '.tif', '.tiff', '.gif', '.avif', '.heic'];

export function isImageFile(file: string): boolean {
  return IMAGE_EXTENSIONS.includes(path.extname(file).toLowerCase());
}
