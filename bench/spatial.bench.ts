/**
 * Spatial engine benchmark: per-object 3D statistics, relations and layers for 50 objects on a
 * 518x518 (Depth Anything's native size) and a 1920x1080 metric depth map. Single-threaded, like the
 * engine. Reports the median over many runs after a warm-up, in milliseconds per scene.
 *
 *   npx tsc -p tsconfig.build.json && node dist/bench/spatial.bench.js [--size 518x518]... [--runs 200]
 *
 * The scenes are synthetic and seeded: the same numbers each run, no files.
 */

import type { Box, SceneGraph, SceneObject } from '../src/scenegraph/sceneGraph.types';
import type { DepthMap } from '../src/spatial/depthMap';
import { buildSceneGraph } from '../src/spatial/engine';
import { resolveIntrinsics } from '../src/spatial/intrinsics';
import { measureObjects, type MeasureInput } from '../src/spatial/boxSurface';
import { addEdgeEvidence } from '../src/spatial/edgeOcclusion';
import { computeLayers } from '../src/spatial/layers';
import { DEFAULT_BOX_MARGIN, regionFromBox } from '../src/spatial/mask';
import { DEFAULT_MAX_PIXELS_PER_OBJECT, measureObject, type Object3d } from '../src/spatial/object3d';
import { computeRelations } from '../src/spatial/predicates';
import { DEFAULT_THRESHOLDS } from '../src/spatial/thresholds';
import { seeded } from './random';

const OBJECTS = 50;
const SIZES: ReadonlyArray<[number, number]> = [
  [518, 518],
  [1920, 1080],
];

/** A floor-and-wall background with 50 boxes painted on it, each a tilted plane at its own depth. */
export function syntheticScene(
  width: number,
  height: number,
  seed: number,
): { scene: SceneGraph; depth: DepthMap } {
  const random = seeded(seed);
  const data = new Float32Array(width * height);
  for (let v = 0; v < height; v++) {
    const z = v > height / 2 ? 2 + (8 * (height - v)) / height : 10;
    data.fill(z, v * width, (v + 1) * width);
  }
  const objects: SceneObject[] = [];
  for (let i = 0; i < OBJECTS; i++) {
    const w = Math.max(4, Math.round(width * (0.05 + 0.35 * random())));
    const h = Math.max(4, Math.round(height * (0.05 + 0.35 * random())));
    const x1 = Math.floor(random() * (width - w));
    const y1 = Math.floor(random() * (height - h));
    const z = 1 + 8 * random();
    const tilt = (random() - 0.5) * 0.01;
    for (let v = y1; v < y1 + h; v++) {
      for (let u = x1; u < x1 + w; u++)
        data[v * width + u] = z + tilt * (u - x1) + (random() < 0.02 ? NaN : 0);
    }
    const box: Box = [x1, y1, x1 + w, y1 + h];
    objects.push({ key: `o${i}`, label: `object ${i}`, box });
  }
  return {
    scene: { version: 1, image: { uri: `bench://${width}x${height}`, width, height }, objects },
    depth: { width, height, data, unit: 'METERS' },
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function timeMs(f: () => void, warmup: number, runs: number): number {
  for (let i = 0; i < warmup; i++) f();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    f();
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return median(samples);
}

/**
 * The baseline in the same run: what a straightforward implementation does for the per-object
 * statistics — back-project every pixel of the shrunk box, sort each axis, read the percentiles —
 * with no pixel budget and no selection.
 */
function naiveStats(scene: SceneGraph, depth: DepthMap, fx: number, cx: number, cy: number): number {
  let sink = 0;
  for (const o of scene.objects) {
    const [x1, y1, x2, y2] = o.box;
    const mx = (x2 - x1) * 0.1;
    const my = (y2 - y1) * 0.1;
    const xs: number[] = [];
    const ys: number[] = [];
    const zs: number[] = [];
    for (let v = Math.floor(y1 + my); v < Math.ceil(y2 - my); v++) {
      for (let u = Math.floor(x1 + mx); u < Math.ceil(x2 - mx); u++) {
        const z = depth.data[v * depth.width + u];
        if (!(z > 0)) continue;
        xs.push(((u + 0.5 - cx) * z) / fx);
        ys.push(((v + 0.5 - cy) * z) / fx);
        zs.push(z);
      }
    }
    for (const a of [xs, ys, zs]) {
      a.sort((p, q) => p - q);
      const at = (q: number) => a[Math.floor(q * (a.length - 1))];
      sink += at(0.05) + at(0.5) + at(0.95) + a[0] + a[a.length - 1];
    }
  }
  return sink;
}

export interface SpatialBenchRow {
  size: string;
  objects: number;
  maxPixelsPerObject: number;
  /** Regions and per-object statistics (box-only: each object's own surface) for all objects. */
  statsMs: number;
  /** The same with engine 1.1.0's plain box statistics (shrunk box, no attribution): the cost of the surface step. */
  plainStatsMs: number;
  relationsMs: number;
  layersMs: number;
  /** stats + relations + layers in one pass: the target is <= 5 ms at 518x518. */
  totalMs: number;
  /** buildSceneGraph end to end (adds validation and output assembly). */
  buildMs: number;
  /** Baseline: naive full-sort statistics + the same relations and layers. */
  baselineTotalMs: number;
  relations: number;
  layers: number;
}

export async function runSpatialBench(
  options: { runs?: number; warmup?: number; sizes?: ReadonlyArray<[number, number]> } = {},
): Promise<{
  node: string;
  runs: number;
  rows: SpatialBenchRow[];
}> {
  const runs = options.runs ?? 200;
  const warmup = options.warmup ?? 30;
  const rows: SpatialBenchRow[] = [];
  for (const [width, height] of options.sizes ?? SIZES) {
    const { scene, depth } = syntheticScene(width, height, width * 31 + height);
    const intrinsics = resolveIntrinsics({ width, height });
    // What buildSceneGraph does for box-only objects: regions, then each object's own surface
    // (boxSurface.ts: attribution to overlapping objects, background rejection) and its statistics,
    // then the hidden edges (edgeOcclusion.ts, engine 1.4.0).
    const measure = (): Object3d[] => {
      const inputs: MeasureInput[] = scene.objects.map((o) => ({
        key: o.key,
        box: o.box,
        region: regionFromBox(o.box, width, height, DEFAULT_BOX_MARGIN),
      }));
      const measured = measureObjects(inputs, depth, intrinsics, { thresholds: DEFAULT_THRESHOLDS });
      addEdgeEvidence(measured, inputs, depth, intrinsics, DEFAULT_THRESHOLDS);
      return measured;
    };
    // Engine 1.1.0's statistics (every pixel of the box shrunk by 0.1, no attribution), for comparison.
    const measurePlain = (): Object3d[] =>
      scene.objects.map((o) =>
        measureObject(
          { key: o.key, box: o.box, region: regionFromBox(o.box, width, height, 0.1) },
          depth,
          intrinsics,
        ),
      );
    const objects3d = measure();
    const ranges = objects3d.flatMap((o) => (o.range ? [{ key: o.key, range: o.range }] : []));
    const statsMs = timeMs(measure, warmup, runs);
    const plainStatsMs = timeMs(measurePlain, warmup, runs);
    const relationsMs = timeMs(() => computeRelations(objects3d, DEFAULT_THRESHOLDS), warmup, runs);
    const layersMs = timeMs(() => computeLayers(ranges), warmup, runs);
    const totalMs = timeMs(
      () => {
        const measured = measure();
        computeLayers(measured.flatMap((o) => (o.range ? [{ key: o.key, range: o.range }] : [])));
        computeRelations(measured, DEFAULT_THRESHOLDS);
      },
      warmup,
      runs,
    );
    const buildMs = timeMs(() => buildSceneGraph(scene, depth), warmup, runs);
    const baselineTotalMs =
      timeMs(() => naiveStats(scene, depth, intrinsics.fx, intrinsics.cx, intrinsics.cy), warmup, runs) +
      relationsMs +
      layersMs;
    const built = buildSceneGraph(scene, depth);
    rows.push({
      size: `${width}x${height}`,
      objects: scene.objects.length,
      maxPixelsPerObject: DEFAULT_MAX_PIXELS_PER_OBJECT,
      statsMs,
      plainStatsMs,
      relationsMs,
      layersMs,
      totalMs,
      buildMs,
      baselineTotalMs,
      relations: built.relations?.length ?? 0,
      layers: built.layers?.length ?? 0,
    });
  }
  return { node: process.version, runs, rows };
}

function printTable(rows: SpatialBenchRow[]): void {
  const f = (ms: number) => ms.toFixed(3).padStart(9);
  console.log(
    'size        objects   stats ms  1.1 stats ms  relations ms  layers ms  total ms  build ms  baseline ms  total/baseline  relations',
  );
  for (const r of rows) {
    console.log(
      `${r.size.padEnd(12)}${String(r.objects).padStart(7)}${f(r.statsMs)}   ${f(r.plainStatsMs)}   ${f(r.relationsMs)}  ${f(r.layersMs)}${f(r.totalMs)} ${f(r.buildMs)}    ${f(r.baselineTotalMs)}  ${(r.totalMs / r.baselineTotalMs).toFixed(3).padStart(14)}  ${String(r.relations).padStart(9)}`,
    );
  }
}

/** `--size WxH` (repeatable; default both sizes), `--runs N`, `--warmup N`. */
function parseArgs(argv: readonly string[]): {
  runs?: number;
  warmup?: number;
  sizes?: Array<[number, number]>;
} {
  const out: { runs?: number; warmup?: number; sizes?: Array<[number, number]> } = {};
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1] ?? ''];
    const int = (v: string): number => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} needs a positive integer; got "${v}"`);
      return n;
    };
    if (flag === '--runs') out.runs = int(value);
    else if (flag === '--warmup') out.warmup = int(value);
    else if (flag === '--size') {
      const m = /^(\d+)x(\d+)$/.exec(value);
      if (!m) throw new Error(`--size needs WxH; got "${value}"`);
      (out.sizes ??= []).push([Number(m[1]), Number(m[2])]);
    } else
      throw new Error(
        `unknown argument ${flag}; usage: spatial.bench.js [--size WxH]... [--runs N] [--warmup N]`,
      );
  }
  return out;
}

if (require.main === module) {
  runSpatialBench(parseArgs(process.argv.slice(2)))
    .then((result) => {
      console.log(
        `spatial engine, ${result.rows[0]?.objects ?? 0} objects, median of ${result.runs} runs, node ${result.node}`,
      );
      printTable(result.rows);
    })
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}
