/**
 * Crash safety of `scenegraph ingest`: the command is SIGKILLed while it stores batches, started
 * again, and what is in Neo4j afterwards must be exactly the input, each image once, each with all
 * its objects, nothing half-written left behind.
 */

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { Driver } from 'neo4j-driver';
import { syntheticScene } from '../storeData';
import { seeded } from '../random';
import { CliProcess, cypher, productEnv, sleep, type Neo4jTarget } from './harness';

/** Objects per generated scene file. */
export const SCENE_OBJECTS = 8;

export interface CrashCheck {
  images: number;
  distinctImageIds: number;
  /** Images whose stored object count differs from their file's. */
  wrongObjectCounts: number;
  /** Input files without a stored image. */
  missing: number;
  duplicateObjectIds: number;
  /** Over the whole database: objects and layers no image points at. */
  orphanObjects: number;
  layerNodes: number;
}

export interface KillRecord {
  /** Images stored under the run's prefix when the kill was sent. */
  storedAtKill: number;
  /** The last progress line the command had printed. */
  progress: string;
  signal: string | null;
}

export interface CrashResult {
  kind: 'scenes' | 'images';
  files: number;
  kills: KillRecord[];
  /** Exit code of the run that was left to finish. */
  finalExit: number | null;
  finalSummary: string;
  check: CrashCheck;
  /** Expected object count per image URI (what the files hold); checked against the store. */
  ok: boolean;
  seconds: number;
}

/**
 * N scene-graph files (JSON v1 with stored geometry) under their own URI prefix. The store
 * benchmark's scenes cut to `objects` objects each: relations grow with the square of the objects,
 * and 20 objects (about 1,150 relations an image) make 1,000 files take minutes to store.
 */
export function writeSceneFiles(
  dir: string,
  prefix: string,
  n: number,
  seed: number,
  objects = SCENE_OBJECTS,
): Map<string, number> {
  mkdirSync(dir, { recursive: true });
  const expected = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const scene = syntheticScene(i, seed);
    scene.objects = scene.objects.slice(0, objects);
    const uri = `${prefix}${i}.jpg`;
    scene.image.uri = uri;
    expected.set(uri, scene.objects.length);
    writeFileSync(path.join(dir, `scene-${String(i).padStart(5, '0')}.json`), JSON.stringify(scene));
  }
  return expected;
}

/** N small photos-like pictures (blocks of colour over noise), PNG and JPEG alternately. */
export async function writeImageFiles(dir: string, n: number, seed: number): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const random = seeded(seed);
  const width = 192;
  const height = 144;
  for (let i = 0; i < n; i++) {
    const px = Buffer.alloc(width * height * 3);
    for (let k = 0; k < px.length; k++) px[k] = Math.floor(random() * 64);
    for (let b = 0; b < 4; b++) {
      const [w, h] = [20 + Math.floor(random() * 80), 20 + Math.floor(random() * 80)];
      const [x0, y0] = [Math.floor(random() * (width - w)), Math.floor(random() * (height - h))];
      const rgb = [random(), random(), random()].map((c) => 64 + Math.floor(c * 191));
      for (let y = y0; y < y0 + h; y++)
        for (let x = x0; x < x0 + w; x++) for (let c = 0; c < 3; c++) px[(y * width + x) * 3 + c] = rgb[c];
    }
    const img = sharp(px, { raw: { width, height, channels: 3 } });
    const name = `photo-${String(i).padStart(4, '0')}`;
    if (i % 2 === 0) await img.png().toFile(path.join(dir, `${name}.png`));
    else await img.jpeg({ quality: 85 }).toFile(path.join(dir, `${name}.jpg`));
  }
}

async function storedCount(driver: Driver, prefix: string): Promise<number> {
  const [r] = await cypher<{ n: number }>(
    driver,
    'MATCH (i:Image) WHERE i.uri STARTS WITH $prefix RETURN count(i) AS n',
    { prefix },
  );
  return r.n;
}

export async function checkStore(
  driver: Driver,
  prefix: string,
  expected: Map<string, number> | number,
): Promise<CrashCheck> {
  const rows = await cypher<{ uri: string; id: string; n: number }>(
    driver,
    `MATCH (i:Image) WHERE i.uri STARTS WITH $prefix
     OPTIONAL MATCH (i)-[:HAS_OBJECT]->(o) RETURN i.uri AS uri, i.id AS id, count(o) AS n`,
    { prefix },
  );
  const [dup] = await cypher<{ n: number }>(
    driver,
    `MATCH (i:Image)-[:HAS_OBJECT]->(o) WHERE i.uri STARTS WITH $prefix
     WITH o.id AS id, count(*) AS c WHERE c > 1 RETURN count(*) AS n`,
    { prefix },
  );
  const [orphanObjects] = await cypher<{ n: number }>(
    driver,
    'MATCH (o:Object) WHERE NOT ()-[:HAS_OBJECT]->(o) RETURN count(o) AS n',
  );
  // Layers live on their image (store model 5): a Layer node would be a writer from before it.
  const [layerNodes] = await cypher<{ n: number }>(driver, 'MATCH (l:Layer) RETURN count(l) AS n');
  let wrong = 0;
  let missing = 0;
  if (expected instanceof Map) {
    const byUri = new Map(rows.map((r) => [r.uri, r.n]));
    for (const [uri, n] of expected) {
      const got = byUri.get(uri);
      if (got === undefined) missing++;
      else if (got !== n) wrong++;
    }
  } else {
    missing = Math.max(0, expected - rows.length);
  }
  return {
    images: rows.length,
    distinctImageIds: new Set(rows.map((r) => r.id)).size,
    wrongObjectCounts: wrong,
    missing,
    duplicateObjectIds: dup.n,
    orphanObjects: orphanObjects.n,
    layerNodes: layerNodes.n,
  };
}

export function checkPassed(c: CrashCheck, files: number): boolean {
  return (
    c.images === files &&
    c.distinctImageIds === files &&
    c.wrongObjectCounts === 0 &&
    c.missing === 0 &&
    c.duplicateObjectIds === 0 &&
    c.orphanObjects === 0 &&
    c.layerNodes === 0
  );
}

const lastProgress = (stderr: string): string =>
  stderr
    .split(/[\r\n]+/)
    .filter((l) => l.includes('ingest ['))
    .pop() ?? '';

export interface CrashOptions {
  target: Neo4jTarget;
  driver: Driver;
  /** The ingest arguments (`--scenes DIR --batch 50` or `--images DIR ...`). */
  args: string[];
  /** Where the stored images' URIs start (to count only this run's images). */
  prefix: string;
  expected: Map<string, number> | number;
  /** Kill when at least this many images are stored, one run per entry (ascending). */
  killAt: number[];
  kind: 'scenes' | 'images';
  seed: number;
  env?: Record<string, string>;
}

/** Runs the ingest, SIGKILLs it at each kill point, lets the last run finish, then checks the store. */
export async function crashIngest(o: CrashOptions): Promise<CrashResult> {
  const t0 = performance.now();
  const files = o.expected instanceof Map ? o.expected.size : o.expected;
  const random = seeded(o.seed);
  const env = productEnv(o.target, o.env);
  const kills: KillRecord[] = [];
  for (const at of o.killAt) {
    const run = new CliProcess(['ingest', ...o.args], env);
    let stored = await storedCount(o.driver, o.prefix);
    while (run.running && stored < at) {
      await sleep(25);
      stored = await storedCount(o.driver, o.prefix);
    }
    // A seeded delay moves the kill off the commit boundary, into building or writing the next batch.
    await sleep(Math.floor(random() * 400));
    if (!run.running) throw new Error(`ingest finished before kill point ${at}: ${run.stderr}${run.stdout}`);
    run.kill('SIGKILL');
    const { signal } = await run.exited;
    kills.push({
      storedAtKill: await storedCount(o.driver, o.prefix),
      progress: lastProgress(run.stderr),
      signal,
    });
  }
  const last = new CliProcess(['ingest', ...o.args], env);
  const { code } = await last.exited;
  const check = await checkStore(o.driver, o.prefix, o.expected);
  return {
    kind: o.kind,
    files,
    kills,
    finalExit: code,
    finalSummary: last.stdout.trim().split('\n')[0] ?? '',
    check,
    ok: code === 0 && checkPassed(check, files),
    seconds: (performance.now() - t0) / 1000,
  };
}
