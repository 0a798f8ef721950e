/**
 * Store and GraphQL benchmark: ingest throughput and cross-image query latency against a real Neo4j.
 *
 *   npm run build
 *   node dist/bench/store.bench.js --images 10000 [--images-list 10000,100000] [--port 7690] [--data-dir .data/bench]
 *
 * It starts its OWN local Neo4j (LocalNeo4j, data in <data-dir>/neo4j, Bolt on --port, never the 7687
 * of `npm start` or the 7688 of the tests), deleting that folder first, and stops it at the end (also on
 * error or Ctrl-C). Then:
 *
 *  1. Data: seeded synthetic scene graphs of ~20 objects (bench/storeData.ts) built by the spatial
 *     engine (stored-geometry path) and converted by toStoredImage, made one batch at a time.
 *  2. Ingest: `ingestImages` (ours) against plain batched-UNWIND Cypher writing the same records
 *     (raw) and a raw variant that creates relations by position instead of id lookups, in one
 *     database, batch by batch in mirrored order (A B C C B A) so drift favours no one. Each writes a
 *     batch (--batch) as the same transactions of whole images, --writers of them at once. Only the
 *     database calls are timed; generating the records is timed apart.
 *  3. Queries at each scale: GraphQL over HTTP (the real service on port 0, one keep-alive `node:http`
 *     connection; `--client fetch` for `fetch`) against the same Cypher text with the same parameters
 *     through Database.query (auto-commit, as the service reads), interleaved request by request, with
 *     labels drawn from the whole vocabulary (frequent and rare); checks both return the same page.
 *     Before them, the request floor, the nested page with the database answer replayed
 *     (`replayedRequests`), and a warm-up round of every kind (`warmUpKinds`).
 *  4. Materialised (stored edges) vs derived (depth ranges at query time) objectsInFrontOf, with the
 *     storage each implies (RELATION edges, store size on disk), and a PROFILE of every query.
 *
 * Before the queries of each scale Neo4j restarts (the files are measured in between) and a prewarm
 * reads the whole store into the page cache, as a long-running service holds it (`--no-prewarm`: the
 * queries start cold, reading from disk what the warm-up requests do not). `--reuse-store --images N`
 * measures the queries again on the N-image store an earlier run left in --data-dir, without the
 * ingest comparison or a load (a 100,000-image load takes about 13 minutes on 2 cores).
 *
 * Results: bench/results/store-<date>.json and the "## Store and GraphQL" section of BENCHMARKS.md.
 */

// First: NODE_ENV must be set before graphql-js and Apollo are loaded.
import { BENCH_NODE_ENV } from './productionEnv';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import neo4j, { type QueryResult as DriverResult } from 'neo4j-driver';
import { loadConfig } from '../src/config/config';
import { Database, type QueryRunner } from '../src/db/database';
import { rebuildIndexes } from '../src/db/indexes';
import { LocalNeo4j } from '../src/db/localNeo4j';
import { DEFAULT_HEAP, DEFAULT_PAGE_CACHE } from '../src/db/neo4jMemory';
import { migrate } from '../src/db/migrations';
import { createLogger } from '../src/log/logger';
import { PROJECT_ROOT } from '../src/paths';
import { startService, type RunningService } from '../src/server/service';
import {
  DEFAULT_WRITERS,
  edgeParams,
  MAX_WRITERS,
  ingestImages,
  planTransactions,
  writeConcurrently,
} from '../src/store/ingest.store';
import {
  DERIVED_SPATIAL_CYPHER,
  MATERIALISED_SPATIAL_CYPHER,
  materialisedSpatialCypher,
  patternParams,
  searchImagesQuery,
  searchImagesTopK,
  spatialParams,
  type SpatialQuery,
  type TripletPattern,
} from '../src/store/search.store';
import { IMAGE_COLUMNS, OBJECT_COLUMNS } from '../src/store/rows';
import { EDGE_TYPE, EDGE_TYPES, SEMANTIC_TYPE } from '../src/store/relationModel';
import type { StoredImage } from '../src/store/storedScene';
import { seeded } from './random';
import { countRecords, StoreData, STORED_LABELS, VOCABULARY, type RecordCounts } from './storeData';
import {
  type FixResult,
  type IngestMethodResult,
  type MachineInfo,
  type PlanSummary,
  type QueryResult,
  type ReplayedRequests,
  type RequestFloor,
  type ScaleResult,
  type StoreBenchResult,
  type StorageInfo,
  writeReport,
} from './storeReport';

// ---- options -------------------------------------------------------------------------------------

interface Options {
  scales: number[];
  port: number;
  dataDir: string;
  batch: number;
  /** Transactions each method writes at once (ingestImages' writers). */
  writers: number;
  ingestImages: number;
  ingestWarmup: number;
  variants: boolean;
  queries: number;
  referenceQueries: number;
  warmup: number;
  pool: number;
  seed: number;
  maxIngestMinutes: number;
  maxStoreGb: number;
  /** Local Neo4j memory (NEO4J_HEAP / NEO4J_PAGE_CACHE of the service). */
  heap?: string;
  pageCache?: string;
  /** Measure the queries on the store an earlier run left in dataDir (one scale), without loading. */
  reuseStore: boolean;
  /** Read the whole store into the page cache before the queries (prewarm); off: they start cold. */
  prewarm: boolean;
  /** Rebuild the indexes after the load, before the storage is measured (`scenegraph db reindex`). */
  reindex: boolean;
  /** The GraphQL side's HTTP client: `node:http` with one keep-alive connection, or `fetch`. */
  client: 'http' | 'fetch';
  out: string;
  markdown: string | null;
  command: string;
}

const FORBIDDEN_PORTS = [7687, 7688];

function usage(message: string): never {
  console.error(`store.bench: ${message}`);
  console.error(
    'usage: node dist/bench/store.bench.js --images N [--images-list N1,N2] [--port 7690] [--data-dir .data/bench]\n' +
      '  [--batch 100] [--writers 4] [--ingest-images M] [--ingest-warmup W] [--no-variants] [--queries 300] [--reference-queries 60] [--warmup 30]\n' +
      '  [--pool 2000] [--seed 1] [--max-ingest-minutes 15] [--max-store-gb 15] [--heap 1g] [--page-cache 256m] [--out FILE.json]\n' +
      '  [--markdown BENCHMARKS.md | --no-markdown] [--reuse-store] [--no-prewarm] [--reindex] [--client http|fetch]',
  );
  process.exit(2);
}

function parseOptions(argv: string[]): Options {
  const args = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) usage(`unexpected argument ${a}`);
    if (['--no-variants', '--no-markdown', '--reuse-store', '--no-prewarm', '--reindex'].includes(a))
      flags.add(a);
    else if (i + 1 < argv.length) args.set(a, argv[++i]);
    else usage(`${a} needs a value`);
  }
  const known = [
    '--images',
    '--images-list',
    '--port',
    '--data-dir',
    '--batch',
    '--writers',
    '--ingest-images',
    '--ingest-warmup',
    '--queries',
    '--reference-queries',
    '--warmup',
    '--pool',
    '--seed',
    '--max-ingest-minutes',
    '--max-store-gb',
    '--heap',
    '--page-cache',
    '--out',
    '--markdown',
    '--client',
  ];
  for (const k of args.keys()) if (!known.includes(k)) usage(`unknown option ${k}`);
  const int = (name: string, dflt: number): number => {
    const v = args.get(name);
    if (v === undefined) return dflt;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) usage(`${name} must be a non-negative integer; got ${v}`);
    return n;
  };
  const list = args.get('--images-list');
  const scales = (list ? list.split(',').map((s) => Number(s.trim())) : [int('--images', 10_000)]).sort(
    (a, b) => a - b,
  );
  if (list && args.has('--images') && !scales.includes(int('--images', 0))) {
    scales.push(int('--images', 0));
    scales.sort((a, b) => a - b);
  }
  if (scales.some((n) => !Number.isInteger(n) || n < 1)) usage('image counts must be positive integers');
  if (flags.has('--reuse-store') && scales.length !== 1)
    usage('--reuse-store measures one scale: the image count of the stored data (--images N)');
  const port = int('--port', 7690);
  if (FORBIDDEN_PORTS.includes(port))
    usage(`port ${port} belongs to the service or the tests; use another (7690)`);
  const batch = Math.max(1, int('--batch', 100));
  const writers = int('--writers', DEFAULT_WRITERS);
  if (writers < 1 || writers > MAX_WRITERS)
    usage(`--writers must be from 1 to ${MAX_WRITERS}; got ${writers}`);
  const methods = flags.has('--no-variants') ? 2 : 3;
  // Warm-up cycles give every method whole batches: round up to a multiple of methods x batch.
  const ingestWarmup =
    Math.ceil(int('--ingest-warmup', methods * batch) / (methods * batch)) * methods * batch;
  const perMethod = Math.min(
    int('--ingest-images', 1000),
    Math.floor((scales[0] - ingestWarmup) / methods / batch) * batch,
  );
  if (perMethod < batch) {
    usage(
      `the smallest scale (${scales[0]}) leaves no room for the ingest comparison: lower --ingest-warmup or --batch`,
    );
  }
  const client = args.get('--client') ?? 'http';
  if (client !== 'http' && client !== 'fetch') usage(`--client must be http or fetch; got ${client}`);
  const date = new Date().toISOString().slice(0, 10);
  return {
    scales,
    port,
    dataDir: path.resolve(args.get('--data-dir') ?? '.data/bench'),
    batch,
    writers,
    // Per method; the comparison writes warm-up + methods x this many images, all below the first scale.
    ingestImages: perMethod,
    ingestWarmup,
    variants: !flags.has('--no-variants'),
    queries: Math.max(1, int('--queries', 300)),
    referenceQueries: int('--reference-queries', 60),
    warmup: int('--warmup', 30),
    pool: int('--pool', 2000),
    seed: int('--seed', 1),
    maxIngestMinutes: Number(args.get('--max-ingest-minutes') ?? 15),
    maxStoreGb: Number(args.get('--max-store-gb') ?? 15),
    heap: args.get('--heap'),
    pageCache: args.get('--page-cache'),
    reuseStore: flags.has('--reuse-store'),
    prewarm: !flags.has('--no-prewarm'),
    reindex: flags.has('--reindex'),
    client,
    out: path.resolve(args.get('--out') ?? path.join(PROJECT_ROOT, 'bench', 'results', `store-${date}.json`)),
    markdown: flags.has('--no-markdown')
      ? null
      : path.resolve(args.get('--markdown') ?? path.join(PROJECT_ROOT, 'BENCHMARKS.md')),
    command: `node dist/bench/store.bench.js ${argv.join(' ')}`.trim(),
  };
}

// ---- small helpers -------------------------------------------------------------------------------

const t0 = Date.now();
function log(message: string): void {
  const s = ((Date.now() - t0) / 1000).toFixed(0).padStart(5);
  const load = os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  console.log(`[${s}s load ${load}] ${message}`);
}

function sh(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx];
}

function stats(samples: number[]): {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  mean: number;
  max: number;
} {
  const s = [...samples].sort((a, b) => a - b);
  const r3 = (x: number): number => Math.round(x * 1000) / 1000;
  return {
    n: s.length,
    p50: r3(percentile(s, 50)),
    p90: r3(percentile(s, 90)),
    p99: r3(percentile(s, 99)),
    mean: r3(s.reduce((a, b) => a + b, 0) / Math.max(1, s.length)),
    max: r3(s[s.length - 1] ?? NaN),
  };
}

function machineInfo(): MachineInfo {
  const cpuinfo = fs.existsSync('/proc/cpuinfo') ? fs.readFileSync('/proc/cpuinfo', 'utf8') : '';
  // java -version writes to stderr.
  const java = spawnSync('java', ['-version'], { encoding: 'utf8' });
  return {
    date: sh('date', []),
    nproc: sh('nproc', []),
    freeG: sh('free', ['-g']),
    cpuModel: /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? 'unknown',
    node: process.version,
    java: `${java.stderr ?? ''}${java.stdout ?? ''}`.trim().split('\n')[0] ?? '',
    loadStart: os.loadavg(),
  };
}

// ---- the benchmark's own Neo4j -------------------------------------------------------------------

interface Neo4jHandle {
  local: LocalNeo4j;
  db: Database;
  pid: number;
}

const logger = {
  info: (msg: string) => {
    if (/ready|Stopping|stopped/i.test(msg)) log(`neo4j: ${msg}`);
  },
  warn: (msg: string) => log(`neo4j WARN: ${msg}`),
};

let current: Neo4jHandle | undefined;

/**
 * Starts Neo4j in the data folder and migrates: a fresh one (the folder's Neo4j files deleted first),
 * or, with `keep`, the store an earlier run left there.
 */
async function startNeo4j(opts: Options, keep = false): Promise<Neo4jHandle> {
  await stopNeo4j();
  const local = new LocalNeo4j({
    dataDir: opts.dataDir,
    port: opts.port,
    projectRoot: PROJECT_ROOT,
    logger,
    heap: opts.heap,
    pageCache: opts.pageCache,
  });
  // Never take over (or wipe) a Neo4j this run did not start: someone may be using that folder.
  const status = await local.status();
  if (status.running) {
    throw new Error(
      `a Neo4j (pid ${status.pid}, ${status.uri}) is already running for ${opts.dataDir}; stop it first ` +
        `(DATA_DIR=${opts.dataDir} NEO4J_BOLT_PORT=${opts.port} node dist/src/cli/main.js db stop) or pass another --data-dir`,
    );
  }
  const home = path.join(opts.dataDir, 'neo4j');
  if (path.resolve(home) === path.resolve(PROJECT_ROOT) || home.split(path.sep).length < 3) {
    throw new Error(`refusing to delete ${home}`);
  }
  if (keep) {
    if (!fs.existsSync(path.join(home, 'data', 'databases', 'neo4j')))
      throw new Error(`no store in ${home} to reuse: run the benchmark without --reuse-store first`);
  } else fs.rmSync(home, { recursive: true, force: true });
  const started = await local.start();
  const db = Database.connect({
    uri: started.uri,
    user: started.user,
    password: started.password,
    database: 'neo4j',
  });
  current = { local, db, pid: started.pid };
  await db.verify();
  await migrate(db);
  return current;
}

async function stopNeo4j(): Promise<void> {
  const h = current;
  current = undefined;
  if (!h) return;
  await h.db.close().catch(() => undefined);
  await h.local.stop().catch((err: unknown) => log(`stopping Neo4j failed: ${String(err)}`));
}

async function neo4jVersion(db: Database): Promise<string> {
  const res = await db.read('bench.version', (tx) =>
    tx.run<{ name: string; versions: string[]; edition: string }>(
      'CALL dbms.components() YIELD name, versions, edition RETURN name, versions, edition',
    ),
  );
  return res.records
    .map((r) => `${r.get('name')} ${r.get('versions').join(',')} ${r.get('edition')}`)
    .join('; ');
}

// ---- ingest --------------------------------------------------------------------------------------

/** Writes a batch with up to `writers` transactions at once (ours: ingestImages' own plan). */
type IngestFn = (db: Database, images: StoredImage[], writers: number) => Promise<void>;

/** Plain batched UNWIND, written apart from src/store on purpose: no existence check, no replace. */
const RAW = {
  images: `
UNWIND $images AS img
CREATE (i:Image) SET i = img.props
WITH i, img
UNWIND img.objects AS o
CREATE (i)-[:HAS_OBJECT]->(x:Object) SET x = o`,
  /** The typed edges: one statement per edge type (a relationship type cannot be a parameter). */
  edges: Object.fromEntries(
    EDGE_TYPES.map((type) => [
      type,
      `
UNWIND $edges AS r
MATCH (s:Object {id: r.subject})
MATCH (o:Object {id: r.object})
CREATE (s)-[:${type} {score: r.score, k: r.k}]->(o)`,
    ]),
  ) as Record<string, string>,
  semantic: `
UNWIND $relations AS r
MATCH (s:Object {id: r.subject})
MATCH (o:Object {id: r.object})
CREATE (s)-[e:RELATION]->(o) SET e = r.props`,
};

/**
 * Variant: one statement per batch; relations refer to the objects created in the same statement by
 * position, so no index lookup per relation end.
 */
const RAW_POSITIONAL = `
UNWIND $images AS img
CREATE (i:Image) SET i = img.props
WITH i, img
CALL {
  WITH i, img
  UNWIND img.objects AS o
  CREATE (i)-[:HAS_OBJECT]->(x:Object) SET x = o
  RETURN collect(x) AS xs
}
${EDGE_TYPES.map(
  (type) => `CALL {
  WITH xs, img
  UNWIND [e IN img.edges WHERE e.type = '${type}'] AS r
  WITH xs[toInteger(r.s)] AS s, xs[toInteger(r.o)] AS o, r
  CREATE (s)-[:${type} {score: r.score, k: r.k}]->(o)
}`,
).join('\n')}
CALL {
  WITH xs, img
  UNWIND img.semantic AS r
  WITH xs[toInteger(r.s)] AS s, xs[toInteger(r.o)] AS o, r
  CREATE (s)-[e:RELATION]->(o) SET e = r.props
}`;

const METHODS: Record<string, { label: string; fn: IngestFn }> = {
  ours: {
    label: 'ours: ingestImages (existence check + UNWIND, transactions of whole images)',
    fn: async (db, images, writers) => {
      await ingestImages(db, images, { writers });
    },
  },
  raw: {
    label: 'raw baseline: plain batched UNWIND (same statements, no check, the same transactions)',
    fn: (db, images, writers) =>
      eachTransaction(images, writers, (images) =>
        db.write('bench.raw', async (tx: QueryRunner) => {
          await tx.run(RAW.images, { images: images.map((i) => ({ props: i.props, objects: i.objects })) });
          const edges = images.flatMap((i) => i.edges);
          for (const type of EDGE_TYPES) {
            const ofType = edges.filter((e) => e.type === type).map(edgeParams);
            if (ofType.length > 0) await tx.run(RAW.edges[type], { edges: ofType });
          }
          const relations = images.flatMap((i) => i.semantic);
          if (relations.length > 0) await tx.run(RAW.semantic, { relations });
        }),
      ),
  },
  positional: {
    label: 'variant: one statement, relations by position, picked out by type in Cypher',
    fn: (db, images, writers) =>
      eachTransaction(images, writers, async (images) => {
        const payload = images.map((img) => {
          const index = new Map(img.objects.map((o, k) => [o.id as string, k]));
          return {
            props: img.props,
            objects: img.objects,
            edges: img.edges.map((e) => ({
              ...edgeParams(e),
              type: e.type,
              s: index.get(e.subject),
              o: index.get(e.object),
            })),
            semantic: img.semantic.map((r) => ({
              s: index.get(r.subject),
              o: index.get(r.object),
              props: r.props,
            })),
          };
        });
        await db.write('bench.positional', (tx: QueryRunner) => tx.run(RAW_POSITIONAL, { images: payload }));
      }),
  },
};

/** The baselines write the transactions ingestImages would, as many at once. */
async function eachTransaction(
  images: StoredImage[],
  writers: number,
  write: (images: StoredImage[]) => Promise<unknown>,
): Promise<void> {
  await writeConcurrently(planTransactions(images, writers), writers, write);
}

interface IngestTiming {
  images: number;
  counts: RecordCounts;
  dbMs: number;
  genMs: number;
  wallMs: number;
}

async function ingestRange(
  db: Database,
  data: StoreData,
  fn: IngestFn,
  from: number,
  to: number,
  batch: number,
  writers: number,
  progress?: string,
  countPredicates = false,
): Promise<IngestTiming> {
  const counts: RecordCounts = { images: 0, objects: 0, relations: 0, layers: 0, layerMembers: 0 };
  let dbMs = 0;
  let genMs = 0;
  const wall = performance.now();
  let lastLog = performance.now();
  for (let start = from; start < to; start += batch) {
    const g = performance.now();
    const images = data.batch(start, Math.min(to, start + batch), countPredicates);
    genMs += performance.now() - g;
    const c = countRecords(images);
    const t = performance.now();
    await fn(db, images, writers);
    dbMs += performance.now() - t;
    counts.images += c.images;
    counts.objects += c.objects;
    counts.relations += c.relations;
    counts.layers += c.layers;
    counts.layerMembers += c.layerMembers;
    if (progress !== undefined && (performance.now() - lastLog > 15_000 || start + batch >= to)) {
      lastLog = performance.now();
      const done = Math.min(to, start + batch) - from;
      const rate = (counts.images / dbMs) * 1000;
      const eta = (to - from - done) / rate;
      log(
        `${progress}: ${done}/${to - from} images, ${rate.toFixed(1)} img/s, ` +
          `${((counts.relations / dbMs) * 1000).toFixed(0)} rel/s, ETA ${eta.toFixed(0)} s`,
      );
    }
  }
  return { images: counts.images, counts, dbMs, genMs, wallMs: performance.now() - wall };
}

/**
 * Reads the whole store once, so that the queries meet the page cache a long-running service has
 * (Neo4j community has no page cache warm-up): every node's and relationship's properties, every node's
 * relationships (the group and degree stores), and every range index scanned. What the page cache
 * cannot hold stays cold (NEO4J_PAGE_CACHE below the store's size). Returns the seconds it took.
 */
async function prewarm(db: Database): Promise<number> {
  const started = performance.now();
  const indexes = await db.read('bench.indexes', (tx) =>
    tx.run<{ entity: string; name: string; props: string[] }>(
      'SHOW RANGE INDEXES YIELD entityType, labelsOrTypes, properties RETURN entityType AS entity, labelsOrTypes[0] AS name, properties AS props',
    ),
  );
  const scans = indexes.records.map((r) => {
    const [entity, name, props] = [r.get('entity'), r.get('name'), r.get('props')];
    const x = entity === 'NODE' ? `(x:\`${name}\`)` : `()-[x:\`${name}\`]->()`;
    const list = props.map((p) => `\`${p}\``).join(', ');
    const exists = props.map((p) => `x.\`${p}\` IS NOT NULL`).join(' AND ');
    return `MATCH ${x} USING INDEX x:\`${name}\`(${list}) WHERE ${exists} RETURN count(*) AS n`;
  });
  const statements = [
    'MATCH (n) RETURN count(size(keys(properties(n)))) AS n',
    'MATCH (n) RETURN sum(COUNT { (n)--() }) AS n',
    'MATCH ()-[r]->() RETURN count(size(keys(properties(r)))) AS n',
    ...scans,
  ];
  for (const [k, cypher] of statements.entries()) {
    await db.query('bench.prewarm', cypher);
    log(
      `prewarm: ${k + 1}/${statements.length} statements (${((performance.now() - started) / 1000).toFixed(0)} s)`,
    );
  }
  return Math.round(performance.now() - started) / 1000;
}

/** Typed edges per type and semantic relations per predicate, as StoreData tallies what it generates. */
async function storedPredicates(db: Database): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  await db.read('bench.predicates', async (tx) => {
    for (const type of EDGE_TYPES) {
      // the count store answers a count of one relationship type
      const res = await tx.run<{ n: number }>(`MATCH ()-[r:${type}]->() RETURN count(r) AS n`);
      const n = res.records[0]?.get('n') ?? 0;
      if (n > 0) out.set(type, n);
    }
    const semantic = await tx.run<{ p: string; n: number }>(
      `MATCH ()-[r:${SEMANTIC_TYPE}]->() RETURN r.predicate AS p, count(*) AS n`,
    );
    for (const r of semantic.records) out.set(r.get('p'), r.get('n'));
  });
  return out;
}

async function storedCounts(db: Database): Promise<Record<string, number>> {
  const res = await db.read('bench.counts', (tx) =>
    tx.run<{ k: string; n: number }>(
      `CALL { MATCH (n:Image) RETURN 'images' AS k, count(n) AS n
        UNION ALL MATCH (n:Object) RETURN 'objects' AS k, count(n) AS n
        UNION ALL MATCH (n:Image) RETURN 'layers' AS k, sum(size(coalesce(n.layerBasics, []))) AS n
        UNION ALL MATCH (n:Image) RETURN 'layerMembers' AS k, sum(size(coalesce(n.layerMembers, []))) AS n
        UNION ALL MATCH (n:Layer) RETURN 'layerNodes' AS k, count(n) AS n
        UNION ALL MATCH (:Object)-[r]->(:Object) RETURN 'relations' AS k, count(r) AS n
        UNION ALL MATCH ()-[r:HAS_OBJECT]->() RETURN 'hasObject' AS k, count(r) AS n }
       RETURN k, n`,
    ),
  );
  return Object.fromEntries(res.records.map((r) => [r.get('k'), r.get('n')]));
}

function sameCounts(stored: Record<string, number>, expected: RecordCounts): boolean {
  return (
    stored.images === expected.images &&
    stored.objects === expected.objects &&
    stored.relations === expected.relations &&
    stored.layers === expected.layers &&
    stored.layerMembers === expected.layerMembers &&
    (stored.layerNodes ?? 0) === 0 &&
    stored.hasObject === expected.objects
  );
}

function rates(t: IngestTiming): { imagesPerS: number; objectsPerS: number; relationsPerS: number } {
  const s = t.dbMs / 1000;
  return {
    imagesPerS: Math.round((t.counts.images / s) * 10) / 10,
    objectsPerS: Math.round(t.counts.objects / s),
    relationsPerS: Math.round(t.counts.relations / s),
  };
}

/**
 * One fresh database; the methods take turns batch by batch in mirrored order (A B C, C B A, ...), each
 * writing its own images, so all see the same database size, JIT state, page cache and background load.
 * (Whole rounds on freshly wiped databases were tried first: on this shared 2-core machine their spread
 * was larger than the difference being measured.) Warm-up: the first cycles are not timed. The database,
 * which then holds the same records whichever method wrote them, is kept to carry on loading.
 */
async function ingestComparison(
  opts: Options,
  data: StoreData,
): Promise<{ results: IngestMethodResult[]; handle: Neo4jHandle; loaded: number; ratioPerCycle: number[] }> {
  const names = opts.variants ? ['ours', 'raw', 'positional'] : ['ours', 'raw'];
  const handle = await startNeo4j(opts);
  const warmCycles = opts.ingestWarmup / opts.batch / names.length;
  const timedCycles = Math.max(1, Math.ceil(opts.ingestImages / opts.batch));
  const timings = new Map<string, IngestTiming[]>(names.map((n) => [n, []]));
  const perCycle: Map<string, number>[] = [];
  const expected: RecordCounts = { images: 0, objects: 0, relations: 0, layers: 0, layerMembers: 0 };
  let next = 0;
  let lastLog = performance.now();
  for (let cycle = 0; cycle < warmCycles + timedCycles; cycle++) {
    const order = cycle % 2 === 0 ? names : [...names].reverse();
    const times = new Map<string, number>();
    for (const name of order) {
      const t = await ingestRange(
        handle.db,
        data,
        METHODS[name].fn,
        next,
        next + opts.batch,
        opts.batch,
        opts.writers,
      );
      next += opts.batch;
      for (const k of Object.keys(expected) as (keyof RecordCounts)[]) expected[k] += t.counts[k];
      if (cycle >= warmCycles) {
        timings.get(name)!.push(t);
        times.set(name, t.dbMs);
      }
    }
    if (cycle >= warmCycles) perCycle.push(times);
    if (performance.now() - lastLog > 15_000 || cycle === warmCycles + timedCycles - 1) {
      lastLog = performance.now();
      const summary = names
        .map((n) => {
          const list = timings.get(n)!;
          const ms = list.reduce((x, t) => x + t.dbMs, 0);
          const imgs = list.reduce((x, t) => x + t.counts.images, 0);
          return `${n} ${ms > 0 ? ((imgs / ms) * 1000).toFixed(1) : '-'} img/s`;
        })
        .join(', ');
      log(
        `ingest comparison: cycle ${cycle + 1}/${warmCycles + timedCycles} (${warmCycles} warm-up): ${summary}`,
      );
    }
  }
  const stored = await storedCounts(handle.db);
  if (!sameCounts(stored, expected)) {
    throw new Error(
      `the database holds ${JSON.stringify(stored)} but ${JSON.stringify(expected)} were written`,
    );
  }
  log(`ingest comparison: stored counts verified (${JSON.stringify(stored)})`);
  const results: IngestMethodResult[] = names.map((name) => {
    const list = timings.get(name)!;
    const total: IngestTiming = {
      images: 0,
      counts: { images: 0, objects: 0, relations: 0, layers: 0, layerMembers: 0 },
      dbMs: 0,
      genMs: 0,
      wallMs: 0,
    };
    for (const t of list) {
      total.dbMs += t.dbMs;
      for (const k of Object.keys(total.counts) as (keyof RecordCounts)[]) total.counts[k] += t.counts[k];
    }
    const r = rates(total);
    log(
      `ingest ${name}: ${r.imagesPerS} img/s, ${r.objectsPerS} obj/s, ${r.relationsPerS} rel/s over ${list.length} batches`,
    );
    return {
      method: name,
      label: METHODS[name].label,
      rounds: list.length,
      images: total.counts.images,
      objects: total.counts.objects,
      relations: total.counts.relations,
      dbSeconds: [Math.round(total.dbMs) / 1000],
      ...r,
      perRound: [],
    };
  });
  // raw time / ours time per cycle: > 1 means ours was faster in that cycle.
  const ratioPerCycle = perCycle.map((m) => Math.round((m.get('raw')! / m.get('ours')!) * 1000) / 1000);
  return { results, handle, loaded: next, ratioPerCycle };
}

// ---- storage -------------------------------------------------------------------------------------

function duBytes(p: string): number {
  const out = sh('du', ['-sb', p]);
  const n = Number(out.split(/\s+/)[0]);
  return Number.isFinite(n) ? n : 0;
}

/**
 * Sizes on disk. Neo4j 5.26 Community has no db.checkpoint procedure, so the caller restarts the
 * database first (a clean shutdown checkpoints and prunes the transaction logs to the kept one).
 */
function storage(dataDir: string, relationCount: number, frontBehind: number): StorageInfo {
  const home = path.join(dataDir, 'neo4j');
  const store = path.join(home, 'data', 'databases', 'neo4j');
  const files = fs.existsSync(store) ? fs.readdirSync(store) : [];
  const sizeOf = (pred: (f: string) => boolean): number =>
    files.filter(pred).reduce((a, f) => a + duBytes(path.join(store, f)), 0);
  const relationshipStore = sizeOf((f) => f.startsWith('neostore.relationshipstore.db'));
  const propertyStores = sizeOf((f) => f.startsWith('neostore.propertystore.db'));
  const nodeStore = sizeOf((f) => f.startsWith('neostore.nodestore.db'));
  const indexes = duBytes(path.join(store, 'schema'));
  const total = duBytes(dataDir);
  const databases = duBytes(store);
  const transactions = duBytes(path.join(home, 'data', 'transactions'));
  // Relations dominate the property volume (hundreds per image against ~20 objects), so relationship
  // + property stores over the edge count is a fair per-edge figure; the relation indexes come on top.
  const perEdge = relationCount > 0 ? (relationshipStore + propertyStores) / relationCount : 0;
  return {
    totalBytes: total,
    databaseBytes: databases,
    transactionLogBytes: transactions,
    nodeStoreBytes: nodeStore,
    relationshipStoreBytes: relationshipStore,
    propertyStoreBytes: propertyStores,
    indexBytes: indexes,
    relationCount,
    frontBehindCount: frontBehind,
    bytesPerRelationEstimate: Math.round(perEdge),
    frontBehindBytesEstimate: Math.round(perEdge * frontBehind),
  };
}

// ---- queries -------------------------------------------------------------------------------------

const GQL = {
  front: `query Front($label: String!, $first: Int!) {
  objectsInFrontOf(label: $label, first: $first) {
    edges { cursor score derived node { id } reference { id } }
    pageInfo { hasNextPage endCursor }
  }
}`,
  frontNested: `query FrontNested($label: String!, $first: Int!) {
  objectsInFrontOf(label: $label, first: $first) {
    edges { cursor node { id label image { uri } } reference { id label } }
    pageInfo { hasNextPage endCursor }
  }
}`,
  frontDerived: `query FrontDerived($label: String!, $minMargin: Float!, $first: Int!) {
  objectsInFrontOf(label: $label, minMargin: $minMargin, first: $first) {
    edges { cursor derived evidence node { id } reference { id } }
    pageInfo { hasNextPage endCursor }
  }
}`,
  behind: `query Behind($label: String!, $first: Int!) {
  objectsBehind(label: $label, first: $first) {
    edges { cursor score derived node { id } reference { id } }
    pageInfo { hasNextPage endCursor }
  }
}`,
  search: `query Search($pattern: [TripletPatternInput!]!, $first: Int!) {
  searchImages(pattern: $pattern, first: $first) {
    edges { cursor score node { id uri } matches { id predicate } }
    pageInfo { hasNextPage endCursor }
  }
}`,
  searchRanked: `query SearchRanked($pattern: [TripletPatternInput!]!, $first: Int!) {
  searchImages(pattern: $pattern, first: $first) {
    edges { cursor score node { id uri } }
    pageInfo { hasNextPage endCursor }
  }
}`,
};

interface Case {
  /** Vocabulary ranks of the labels used (for the frequent/rare split). */
  ranks: number[];
  gqlVars: Record<string, unknown>;
  cypher: string;
  params: Record<string, unknown>;
}

interface QueryKind {
  name: string;
  description: string;
  gql: string;
  /** Extracts comparable ids from the GraphQL data and from the Cypher records. */
  gqlIds: (data: Record<string, unknown>) => string[];
  cypherIds: (records: { get(k: string): unknown }[]) => string[];
  make: (random: () => number) => Case;
  /** Kinds with the same stream draw the same cases (default: the name). */
  stream?: string;
}

const FIRST = 20;
const MIN_MARGIN = 0.5;

type Edge = { node: { id: string }; reference?: { id: string } };

function spatialKind(
  name: string,
  description: string,
  gql: string,
  field: 'objectsInFrontOf' | 'objectsBehind',
  direction: SpatialQuery['direction'],
  minMargin?: number,
): QueryKind {
  return {
    name,
    description,
    gql,
    gqlIds: (data) =>
      ((data[field] as { edges: Edge[] }).edges ?? []).map((e) => `${e.reference?.id}>${e.node.id}`),
    cypherIds: (records) =>
      records
        .slice(0, FIRST)
        .map(
          (r) =>
            `${OBJECT_COLUMNS.read(r.get('reference') as unknown[]).id}>${OBJECT_COLUMNS.read(r.get('object') as unknown[]).id}`,
        ),
    make: (random) => {
      const rank = Math.floor(random() * VOCABULARY.length);
      const q: SpatialQuery = { direction, label: STORED_LABELS[rank], minMargin, first: FIRST };
      return {
        ranks: [rank],
        gqlVars: { label: VOCABULARY[rank], first: FIRST, ...(minMargin === undefined ? {} : { minMargin }) },
        cypher:
          minMargin === undefined ? materialisedSpatialCypher(false, direction) : DERIVED_SPATIAL_CYPHER,
        params: spatialParams(q),
      };
    },
  };
}

/** searchImages with two patterns of a random label pair; `gql` chooses what a client selects. */
function searchKind(name: string, description: string, gql: string): QueryKind {
  return {
    name,
    description,
    gql,
    stream: 'search',
    gqlIds: (data) =>
      ((data.searchImages as { edges: { node: { id: string }; score: number }[] }).edges ?? []).map(
        (e) => `${e.node.id}@${e.score.toFixed(6)}`,
      ),
    cypherIds: (records) =>
      records
        .slice(0, FIRST)
        .map(
          (r) =>
            `${IMAGE_COLUMNS.read(r.get('image') as unknown[]).id}@${(r.get('score') as number).toFixed(6)}`,
        ),
    make: (random) => {
      const a = Math.floor(random() * VOCABULARY.length);
      const b = Math.floor(random() * VOCABULARY.length);
      const patterns: TripletPattern[] = [
        { subject: STORED_LABELS[a], predicate: 'in front of', object: STORED_LABELS[b] },
        { subject: STORED_LABELS[a], predicate: 'left of' },
      ];
      return {
        ranks: [a, b],
        gqlVars: {
          pattern: [
            { subject: VOCABULARY[a], predicate: 'in front of', object: VOCABULARY[b] },
            { subject: VOCABULARY[a], predicate: 'left of' },
          ],
          first: FIRST,
        },
        cypher: searchImagesQuery(patterns),
        params: {
          patterns: patternParams(patterns),
          afterScore: null,
          afterId: '',
          limit: neo4j.int(FIRST + 1),
        },
      };
    },
  };
}

const QUERY_KINDS: QueryKind[] = [
  spatialKind(
    'front',
    'objectsInFrontOf(label, first: 20) — materialised edges',
    GQL.front,
    'objectsInFrontOf',
    'in front of',
  ),
  spatialKind(
    'frontNested',
    'objectsInFrontOf, nested selection node { label image { uri } } reference { label }',
    GQL.frontNested,
    'objectsInFrontOf',
    'in front of',
  ),
  spatialKind(
    'frontDerived',
    `objectsInFrontOf(label, minMargin: ${MIN_MARGIN}, first: 20) — derived from depth ranges`,
    GQL.frontDerived,
    'objectsInFrontOf',
    'in front of',
    MIN_MARGIN,
  ),
  spatialKind(
    'behind',
    'objectsBehind(label, first: 20) — materialised edges',
    GQL.behind,
    'objectsBehind',
    'behind',
  ),
  searchKind('search', 'searchImages([{A, "in front of", B}, {A, "left of"}], first: 20)', GQL.search),
  searchKind(
    'searchRanked',
    'the same searches, selecting the ranked images without their matches',
    GQL.searchRanked,
  ),
];

/**
 * One keep-alive connection, as a client that sends request after request would hold. `node:http`
 * rather than `fetch`: on these 2 shared cores `fetch` (undici) cost the client ~0.7 ms more per
 * request than `node:http` (BENCHMARKS.md, "Cheaper scoring and one read per tie group"), time that is
 * the client's and not the service's.
 */
const GRAPHQL_AGENT = new http.Agent({ keepAlive: true, maxSockets: 1 });

async function graphql(
  client: Options['client'],
  url: string,
  query: string,
  variables: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const payload = JSON.stringify({ query, variables });
  const { status, text } = client === 'fetch' ? await viaFetch(url, payload) : await viaHttp(url, payload);
  const body = JSON.parse(text) as { data?: Record<string, unknown>; errors?: { message: string }[] };
  if (status !== 200 || body.errors || !body.data) {
    throw new Error(`GraphQL ${status}: ${JSON.stringify(body.errors ?? body).slice(0, 500)}`);
  }
  return body.data;
}

async function viaFetch(url: string, payload: string): Promise<{ status: number; text: string }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', connection: 'keep-alive' },
    body: payload,
  });
  return { status: res.status, text: await res.text() };
}

function viaHttp(url: string, payload: string): Promise<{ status: number; text: string }> {
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        agent: GRAPHQL_AGENT,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

async function cypherRead(db: Database, cypher: string, params: Record<string, unknown>) {
  // the same transaction form as the service's single-statement reads (Database.query: auto-commit)
  return db.query('bench.cypher', cypher, params);
}

const FREQUENT = (rank: number): boolean => rank < 5;
const RARE = (rank: number): boolean => rank >= 20;

/**
 * The least a GraphQL request costs on this connection: `{ __typename }` (HTTP, the route, the context,
 * Apollo's pipeline, no resolver, no database) and `GET /healthz` (HTTP alone), interleaved, as many as
 * each query kind sends. A query whose plain Cypher p50 is below floor / (target - 1) cannot meet the
 * GraphQL / Cypher target however cheap its execution.
 */
async function requestFloor(service: RunningService, opts: Options): Promise<RequestFloor> {
  const url = `${service.url}/graphql`;
  const typename: number[] = [];
  const healthz: number[] = [];
  const total = opts.warmup + opts.queries;
  for (let i = 0; i < total; i++) {
    let s = performance.now();
    const data = await graphql(opts.client, url, '{ __typename }', {});
    const t = performance.now() - s;
    if (data.__typename !== 'Query') throw new Error(`{ __typename } answered ${JSON.stringify(data)}`);
    s = performance.now();
    const health = await getStatus(`${service.url}/healthz`);
    const h = performance.now() - s;
    if (health !== 200) throw new Error(`GET /healthz answered ${health}`);
    if (i < opts.warmup) continue;
    typename.push(t);
    healthz.push(h);
  }
  return {
    typename: stats(typename),
    healthz: stats(healthz),
    replayed: await replayedRequests(service, opts),
  };
}

/** How long a replayed request waits before it is sent, in `replayedRequests`: about one Cypher call. */
const REPLAY_WAIT_MS = 2;

/**
 * The nested objectsInFrontOf page (`GQL.frontNested`) with the database answer replayed from memory:
 * what the service and this client cost around the Cypher call (HTTP both ways, Apollo, resolvers,
 * serialising, the client's parse), sent back to back ("hot") and after a REPLAY_WAIT_MS wait with
 * nothing to do ("after a wait"), as every real request meets its work after waiting on the database.
 * Interleaved, one of each per round, over the 10 most frequent labels; each replayed page is checked
 * against the page the same label gave with the real database.
 */
async function replayedRequests(service: RunningService, opts: Options): Promise<ReplayedRequests> {
  const url = `${service.url}/graphql`;
  const db = service.connection.db;
  const labels = VOCABULARY.slice(0, 10);
  const nested = QUERY_KINDS.find((k) => k.gql === GQL.frontNested);
  if (!nested) throw new Error('no query kind sends GQL.frontNested');
  const ids = (data: Record<string, unknown>): string => nested.gqlIds(data).join(',');
  const live = new Map<string, string>();
  for (const label of labels)
    live.set(label, ids(await graphql(opts.client, url, GQL.frontNested, { label, first: FIRST })));
  // The service shares this Database with the benchmark: its one read per page is answered from the
  // first answer to the same statement and parameters until `finally` puts the real method back.
  const answers = new Map<string, ReturnType<Database['query']>>();
  const real = db.query;
  db.query = ((op: string, cypher: string, params?: Record<string, unknown>) => {
    const key = `${cypher}\u0000${JSON.stringify(params ?? {})}`;
    let answer = answers.get(key);
    if (!answer) {
      answer = real.call(db, op, cypher, params);
      answers.set(key, answer);
    }
    return answer;
  }) as Database['query'];
  const hot: number[] = [];
  const afterWait: number[] = [];
  let mismatches = 0;
  try {
    const total = opts.warmup + opts.queries;
    for (let i = 0; i < total; i++) {
      const label = labels[i % labels.length];
      const vars = { label, first: FIRST };
      await new Promise((r) => setTimeout(r, REPLAY_WAIT_MS));
      let s = performance.now();
      const waited = await graphql(opts.client, url, GQL.frontNested, vars);
      const w = performance.now() - s;
      s = performance.now();
      const next = await graphql(opts.client, url, GQL.frontNested, vars);
      const h = performance.now() - s;
      if (ids(waited) !== live.get(label) || ids(next) !== live.get(label)) mismatches++;
      if (i < opts.warmup) continue;
      afterWait.push(w);
      hot.push(h);
    }
  } finally {
    db.query = real;
  }
  return { hot: stats(hot), afterWait: stats(afterWait), waitMs: REPLAY_WAIT_MS, mismatches };
}

function getStatus(url: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    http
      .get(url, { agent: GRAPHQL_AGENT }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

/**
 * `--warmup` requests of every kind, GraphQL and Cypher, before any kind is measured, drawn from a
 * stream of their own so that the measured cases stay those of earlier runs. Without this round the
 * first kind measured met a Neo4j still warming up: in every run up to 2026-12-07 its Cypher p50 was
 * 1.3-2x that of the next kind, which runs the same statement.
 */
async function warmUpKinds(
  service: RunningService,
  db: Database,
  opts: Options,
  scale: number,
): Promise<void> {
  const url = `${service.url}/graphql`;
  const random = seeded(opts.seed * 104723 + scale);
  const started = performance.now();
  for (const kind of QUERY_KINDS) {
    for (let i = 0; i < opts.warmup; i++) {
      const c = kind.make(random);
      await graphql(opts.client, url, kind.gql, c.gqlVars);
      await cypherRead(db, c.cypher, c.params);
    }
  }
  log(
    `warm-up: ${opts.warmup} requests of each kind, both sides (${Math.round((performance.now() - started) / 1000)} s)`,
  );
}

async function runQueryKind(
  kind: QueryKind,
  service: RunningService,
  db: Database,
  opts: Options,
  scale: number,
): Promise<QueryResult> {
  const random = seeded(opts.seed * 7919 + scale + (kind.stream ?? kind.name).length * 104729);
  const url = `${service.url}/graphql`;
  const gqlMs: number[] = [];
  const cyMs: number[] = [];
  const byClass = {
    frequent: { gql: [] as number[], cypher: [] as number[] },
    rare: { gql: [] as number[], cypher: [] as number[] },
  };
  let mismatches = 0;
  let emptyPages = 0;
  let rowsTotal = 0;
  const total = opts.warmup + opts.queries;
  const progress = progressLogger(kind.name, total);
  for (let i = 0; i < total; i++) {
    progress(i);
    const c = kind.make(random);
    let gqlData: Record<string, unknown> = {};
    let records: { get(k: string): unknown }[] = [];
    let g = 0;
    let y = 0;
    const doGql = async (): Promise<void> => {
      const s = performance.now();
      gqlData = await graphql(opts.client, url, kind.gql, c.gqlVars);
      g = performance.now() - s;
    };
    const doCypher = async (): Promise<void> => {
      const s = performance.now();
      records = (await cypherRead(db, c.cypher, c.params)).records;
      y = performance.now() - s;
    };
    // Alternate which side goes first, so neither always finds the pages the other just touched.
    if (i % 2 === 0) {
      await doGql();
      await doCypher();
    } else {
      await doCypher();
      await doGql();
    }
    if (i < opts.warmup) continue;
    gqlMs.push(g);
    cyMs.push(y);
    const primary = c.ranks[0];
    if (FREQUENT(primary)) {
      byClass.frequent.gql.push(g);
      byClass.frequent.cypher.push(y);
    } else if (RARE(primary)) {
      byClass.rare.gql.push(g);
      byClass.rare.cypher.push(y);
    }
    const a = kind.gqlIds(gqlData);
    const b = kind.cypherIds(records);
    if (a.join('\n') !== b.join('\n')) mismatches++;
    if (a.length === 0) emptyPages++;
    rowsTotal += a.length;
  }
  const gs = stats(gqlMs);
  const cs = stats(cyMs);
  const r2 = (x: number): number => Math.round(x * 100) / 100;
  return {
    name: kind.name,
    description: kind.description,
    graphql: gs,
    cypher: cs,
    ratioP50: r2(gs.p50 / cs.p50),
    ratioP99: r2(gs.p99 / cs.p99),
    frequentP50: { graphql: stats(byClass.frequent.gql).p50, cypher: stats(byClass.frequent.cypher).p50 },
    rareP50: { graphql: stats(byClass.rare.gql).p50, cypher: stats(byClass.rare.cypher).p50 },
    mismatches,
    emptyPages,
    meanRows: r2(rowsTotal / Math.max(1, opts.queries)),
  };
}

// ---- before/after: the pre-fix spatial queries as a reference ---------------------------------------

/**
 * objectsInFrontOf/Behind as they were before commit 2be3a51: match every candidate, sort them all (Top),
 * then LIMIT. PROFILE showed Neo4j did not take `ORDER BY x.id, a.id` from the (label, id) index, so a
 * page cost O(objects with that label x their relations). The service now reads the index in order and
 * stops after a page, relying on row order surviving the CALL subquery; this plainly-sorted form is kept
 * here to check, request by request, that the current queries return exactly the same page, and to time
 * the before/after. Not what the service runs.
 */
const PRE_FIX_RETURN = `MATCH (i:Image {id: x.imageId})
RETURN ${OBJECT_COLUMNS.project('a')} AS object, ${OBJECT_COLUMNS.project('x')} AS reference,
       ${IMAGE_COLUMNS.project('i')} AS image,`;

export const PRE_FIX = {
  derived: `
MATCH (x:Object)
WHERE x.label = $label AND x.id >= $afterRef AND ($imageId IS NULL OR x.imageId = $imageId)
  AND x.depthP5 IS NOT NULL
MATCH (x)<-[:HAS_OBJECT]-(:Image)-[:HAS_OBJECT]->(a:Object)
WHERE a <> x AND a.depthP5 IS NOT NULL AND (x.id > $afterRef OR a.id > $afterObj)
WITH a, x, CASE WHEN $predicate = 'in front of' THEN x.depthP5 - a.depthP95 ELSE a.depthP5 - x.depthP95 END AS gap
WHERE gap >= $minMargin
WITH a, x, gap ORDER BY x.id, a.id LIMIT $limit
${PRE_FIX_RETURN}
       null AS relation, {gap: gap, minMargin: $minMargin, objectNear: a.depthP5, objectFar: a.depthP95,
       referenceNear: x.depthP5, referenceFar: x.depthP95} AS derivedEvidence`,
};

interface Fix {
  name: string;
  description: string;
  kind: QueryKind;
  preFix: string;
}

// The materialised before/after (RELATION edges with a predicate property) is store model 1's and has no
// counterpart since model 2 (typed edges); its last measurement is in bench/results/store-2026-12-02.json.
const FIXES: Fix[] = [
  {
    name: 'frontDerived-before-after',
    description: `objectsInFrontOf, derived (minMargin ${MIN_MARGIN})`,
    kind: QUERY_KINDS[2],
    preFix: PRE_FIX.derived,
  },
];

/**
 * The pre-fix query costs up to seconds per request at 10k images, so it runs on a sample
 * (--reference-queries, same label sequence as the main comparison), interleaved with the current one.
 */
async function runFix(fix: Fix, db: Database, opts: Options, scale: number): Promise<FixResult> {
  const random = seeded(opts.seed * 7919 + scale + fix.kind.name.length * 104729);
  const before: number[] = [];
  const after: number[] = [];
  let mismatches = 0;
  const warm = Math.min(opts.warmup, 5);
  const progress = progressLogger(`${fix.name}`, warm + opts.referenceQueries);
  for (let i = 0; i < warm + opts.referenceQueries; i++) {
    const c = fix.kind.make(random);
    let a: { get(k: string): unknown }[] = [];
    let b: { get(k: string): unknown }[] = [];
    let ta = 0;
    let tb = 0;
    const runBefore = async (): Promise<void> => {
      const s = performance.now();
      a = (await cypherRead(db, fix.preFix, c.params)).records;
      ta = performance.now() - s;
    };
    const runAfter = async (): Promise<void> => {
      const s = performance.now();
      b = (await cypherRead(db, c.cypher, c.params)).records;
      tb = performance.now() - s;
    };
    if (i % 2 === 0) {
      await runBefore();
      await runAfter();
    } else {
      await runAfter();
      await runBefore();
    }
    progress(i + 1);
    if (i < warm) continue;
    before.push(ta);
    after.push(tb);
    if (fix.kind.cypherIds(a).join('\n') !== fix.kind.cypherIds(b).join('\n')) mismatches++;
  }
  const label = STORED_LABELS[0];
  const c0 = fix.kind.make(() => 0);
  const pBefore = await profile(db, fix.name, label, fix.preFix, c0.params);
  const pAfter = await profile(db, fix.name, label, c0.cypher, c0.params);
  const o = stats(before);
  const f = stats(after);
  return {
    name: fix.name,
    description: fix.description,
    original: o,
    fixed: f,
    speedupP50: Math.round((o.p50 / f.p50) * 10) / 10,
    mismatches,
    profiledLabel: label,
    dbHitsOriginal: pBefore.dbHits,
    dbHitsFixed: pAfter.dbHits,
    planFixed: pAfter.plan,
  };
}

/** Logs "name: i/n" at most every 60 s (the slow queries run for minutes). */
function progressLogger(name: string, total: number): (done: number) => void {
  let last = performance.now();
  return (done) => {
    if (performance.now() - last < 60_000 || done === total) return;
    last = performance.now();
    log(`${name}: ${done}/${total} requests`);
  };
}

// ---- query plans ---------------------------------------------------------------------------------

interface ProfileNode {
  operatorType: string;
  rows: number;
  dbHits: number;
  arguments: Record<string, unknown>;
  children: ProfileNode[];
}

const SCAN =
  /AllNodesScan|NodeByLabelScan|RelationshipTypeScan|RelationshipIndexScan|NodeIndexScan|RelationshipScan/;

async function profile(
  db: Database,
  name: string,
  label: string,
  cypher: string,
  params: Record<string, unknown>,
): Promise<PlanSummary> {
  const res = await db.read('bench.profile', (tx) => tx.run(`PROFILE ${cypher}`, params));
  return summarise(name, label, res);
}

function summarise(name: string, label: string, res: DriverResult): PlanSummary {
  const root = res.summary.profile as unknown as ProfileNode | false;
  const lines: string[] = [];
  let dbHits = 0;
  const scans: string[] = [];
  const walk = (n: ProfileNode, depth: number): void => {
    dbHits += n.dbHits;
    const op = n.operatorType.replace(/@neo4j$/, '');
    const details = String(n.arguments?.Details ?? '')
      .replace(/\s+/g, ' ')
      .slice(0, 140);
    lines.push(
      `${'  '.repeat(depth)}${op} rows=${n.rows} dbHits=${n.dbHits}${details ? ` | ${details}` : ''}`,
    );
    if (SCAN.test(op)) scans.push(`${op}: ${details}`);
    for (const c of n.children ?? []) walk(c, depth + 1);
  };
  if (root) walk(root, 0);
  return { query: name, label, dbHits, rows: res.records.length, scans, plan: lines };
}

async function profileAll(db: Database): Promise<PlanSummary[]> {
  const out: PlanSummary[] = [];
  const frequent = 0;
  const rare = VOCABULARY.length - 1;
  for (const rank of [frequent, rare]) {
    const label = STORED_LABELS[rank];
    const spatial = (direction: SpatialQuery['direction'], minMargin?: number): Record<string, unknown> =>
      spatialParams({ direction, label, minMargin, first: FIRST });
    out.push(
      await profile(db, 'front (materialised)', label, MATERIALISED_SPATIAL_CYPHER, spatial('in front of')),
    );
    out.push(
      await profile(db, 'front (derived)', label, DERIVED_SPATIAL_CYPHER, spatial('in front of', MIN_MARGIN)),
    );
    out.push(
      await profile(
        db,
        'behind (materialised)',
        label,
        materialisedSpatialCypher(false, 'behind'),
        spatial('behind'),
      ),
    );
    const other = STORED_LABELS[rank === 0 ? 1 : VOCABULARY.length - 2];
    const patterns: TripletPattern[] = [
      { subject: label, predicate: 'in front of', object: other },
      { subject: label, predicate: 'left of' },
    ];
    out.push(
      await profile(db, 'search', `${label}/${other}`, searchImagesQuery(patterns), {
        patterns: patternParams(patterns),
        afterScore: null,
        afterId: '',
        limit: neo4j.int(FIRST + 1),
      }),
    );
    out.push(await profileTopK(db, `${label}/${other}`, patterns));
  }
  return out;
}

/**
 * The top-k search (what searchImages runs) under PROFILE: every statement it runs, db hits summed;
 * its plan lists each statement's total and the images it scored in full.
 */
async function profileTopK(db: Database, label: string, patterns: TripletPattern[]): Promise<PlanSummary> {
  const statements: PlanSummary[] = [];
  const profiling: Pick<Database, 'read'> = {
    read: (op, work) =>
      db.read(op, (tx) =>
        work({
          run: async (cypher, params) => {
            const res = await tx.run(`PROFILE ${cypher}`, params);
            const p = summarise('search (top-k)', label, res);
            statements.push(p);
            return res as never;
          },
        }),
      ),
  };
  const res = await searchImagesTopK(profiling, patterns, FIRST);
  return {
    query: 'search (top-k)',
    label,
    dbHits: statements.reduce((n, p) => n + p.dbHits, 0),
    rows: res?.rows.length ?? -1,
    scans: statements.flatMap((p) => p.scans),
    plan: [
      `${statements.length} statements, ${res ? `${res.visited} images scored` : 'fell back to the full ranking'}`,
      ...statements.map((p, n) => `statement ${n + 1}: ${p.dbHits} db hits, ${p.rows} rows`),
    ],
  };
}

// ---- one scale -----------------------------------------------------------------------------------

/**
 * Files, plans and query timings at one scale. `predicates`: edges per type in the store; `load`: how
 * the images from `from` on were loaded (absent for a reused store).
 */
async function measureScale(
  opts: Options,
  started: Neo4jHandle,
  predicates: ReadonlyMap<string, number>,
  scale: number,
  load?: { timing: IngestTiming; from: number },
): Promise<{ result: ScaleResult; handle: Neo4jHandle }> {
  let handle = started;
  const counts = await storedCounts(handle.db);
  if (counts.images !== scale) throw new Error(`expected ${scale} images, found ${counts.images}`);
  // behind is an IN_FRONT_OF edge read backwards (store model 3): one edge type holds both
  const frontBehind = predicates.get(EDGE_TYPE['in front of']) ?? 0;
  // Stop (checkpoint), measure the files, start again on a cold page cache; the prewarm then reads
  // what a long-running service would hold in it.
  let reindex: ScaleResult['reindex'];
  if (opts.reindex) {
    // The files as ingest left them, then the indexes rebuilt (scenegraph db reindex) and measured below.
    await handle.db.close();
    await handle.local.stop();
    const before = storage(opts.dataDir, counts.relations, frontBehind);
    handle = await restart(handle);
    const rebuilt = await rebuildIndexes(handle.db, {
      onDone: (r, i, n) => log(`reindex ${i}/${n}: ${r.name} ${r.seconds.toFixed(1)} s`),
    });
    const seconds = Math.round(rebuilt.reduce((a, r) => a + r.seconds, 0) * 10) / 10;
    reindex = { seconds, indexes: rebuilt.length, storageBefore: before };
  }
  await handle.db.close();
  await handle.local.stop();
  const store = storage(opts.dataDir, counts.relations, frontBehind);
  if (reindex) {
    log(
      `reindex: ${reindex.indexes} indexes in ${reindex.seconds} s; index files ` +
        `${(reindex.storageBefore.indexBytes / 1e6).toFixed(1)} -> ${(store.indexBytes / 1e6).toFixed(1)} MB`,
    );
  }
  handle = await restart(handle);
  const { db } = handle;
  const prewarmSeconds = opts.prewarm ? await prewarm(db) : undefined;
  log(
    `scale ${scale}: ${counts.objects} objects, ${counts.relations} object-to-object edges ` +
      `(${frontBehind} in front of/behind), store ${(store.totalBytes / 2 ** 30).toFixed(2)} GiB`,
  );
  const plans = await profileAll(db);
  for (const p of plans) {
    log(
      `PROFILE ${p.query} [${p.label}]: ${p.dbHits} db hits, ${p.rows} rows${p.scans.length ? `, SCANS: ${p.scans.join('; ')}` : ''}`,
    );
  }

  const config = loadConfig({
    NODE_ENV: BENCH_NODE_ENV,
    PORT: '0',
    LOG_LEVEL: 'silent',
    DATA_DIR: opts.dataDir,
    NEO4J_BOLT_PORT: String(opts.port),
  });
  config.http.port = 0;
  const service = await startService(config, createLogger('silent'), {
    connection: { db, startedLocal: false },
    keepDatabase: true,
  });
  const queries: QueryResult[] = [];
  let floor: RequestFloor;
  try {
    floor = await requestFloor(service, opts);
    log(
      `request floor: { __typename } p50 ${floor.typename.p50} p99 ${floor.typename.p99} ms | ` +
        `GET /healthz p50 ${floor.healthz.p50} p99 ${floor.healthz.p99} ms`,
    );
    if (floor.replayed) {
      const r = floor.replayed;
      log(
        `nested page, database answer replayed: hot p50 ${r.hot.p50} ms, after a ${r.waitMs} ms wait p50 ` +
          `${r.afterWait.p50} ms | pages differing ${r.mismatches}`,
      );
    }
    await warmUpKinds(service, db, opts, scale);
    for (const kind of QUERY_KINDS) {
      const r = await runQueryKind(kind, service, db, opts, scale);
      queries.push(r);
      log(
        `${kind.name}: GraphQL p50 ${r.graphql.p50} p99 ${r.graphql.p99} ms | Cypher p50 ${r.cypher.p50} p99 ${r.cypher.p99} ms | ` +
          `ratio p50 ${r.ratioP50} p99 ${r.ratioP99} | mismatches ${r.mismatches}, empty ${r.emptyPages}`,
      );
    }
  } finally {
    // Drains HTTP and closes the driver it shares with the Cypher side.
    GRAPHQL_AGENT.destroy();
    await service.stop();
  }
  handle = await reconnect(handle);
  const fixes: FixResult[] = [];
  for (const fix of opts.referenceQueries > 0 ? FIXES : []) {
    const r = await runFix(fix, handle.db, opts, scale);
    fixes.push(r);
    log(
      `${fix.name}: pre-fix p50 ${r.original.p50} p99 ${r.original.p99} ms (${r.dbHitsOriginal} db hits for "${r.profiledLabel}") | ` +
        `current p50 ${r.fixed.p50} p99 ${r.fixed.p99} ms (${r.dbHitsFixed} db hits) | pages differing ${r.mismatches}`,
    );
  }
  const result: ScaleResult = {
    images: scale,
    counts,
    predicates: Object.fromEntries([...predicates.entries()].sort((a, b) => b[1] - a[1])),
    ...(prewarmSeconds !== undefined ? { prewarmSeconds } : {}),
    ...(load
      ? {
          load: {
            fromImages: load.from,
            images: load.timing.counts.images,
            dbSeconds: Math.round(load.timing.dbMs) / 1000,
            wallSeconds: Math.round(load.timing.wallMs) / 1000,
            ...rates(load.timing),
          },
        }
      : {}),
    storage: store,
    ...(reindex ? { reindex } : {}),
    queries,
    floor,
    fixes,
    plans,
    loadAvg: os.loadavg(),
  };
  return { result, handle };
}

// ---- main ----------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  const machine = machineInfo();
  log(
    `store benchmark: scales ${opts.scales.join(', ')} images; data ${opts.dataDir}; Bolt port ${opts.port}`,
  );
  log(
    `machine: ${machine.nproc} cores, ${machine.cpuModel}; load ${machine.loadStart.map((l) => l.toFixed(2)).join(' ')}`,
  );

  const data = new StoreData(opts.seed, opts.pool);
  // Self-check: records (pool clones included) equal toStoredImage of the image's own scene.
  for (const i of [0, 1, opts.pool + 3, 2 * opts.pool + 17]) {
    if (!data.verify(i)) throw new Error(`generated record for image ${i} differs from toStoredImage`);
  }
  const genProbe = new StoreData(opts.seed, 0);
  const probeStart = performance.now();
  const probe = genProbe.batch(0, 200, false);
  const probeMs = performance.now() - probeStart;
  const probeCounts = countRecords(probe);
  const generation = {
    buildMsPerImage: Math.round((genProbe.buildMs / 200) * 1000) / 1000,
    toStoredMsPerImage: Math.round((genProbe.storedMs / 200) * 1000) / 1000,
    totalMsPerImage: Math.round((probeMs / 200) * 1000) / 1000,
    objectsPerImage: probeCounts.objects / 200,
    relationsPerImage: probeCounts.relations / 200,
    layersPerImage: probeCounts.layers / 200,
    pool: opts.pool,
    cloneMsPerImage: 0,
  };
  log(
    `generation: buildSceneGraph ${generation.buildMsPerImage} ms/image, toStoredImage ${generation.toStoredMsPerImage} ms/image; ` +
      `${generation.objectsPerImage} objects, ${generation.relationsPerImage} relations, ${generation.layersPerImage} layers per image` +
      (opts.pool > 0 ? `; pool of ${opts.pool} built scenes, cloned under unique URIs` : ''),
  );

  if (opts.pool > 0) {
    const p = performance.now();
    data.batch(0, Math.min(opts.pool, opts.scales[opts.scales.length - 1]), false);
    log(`built the pool of ${opts.pool} scenes in ${((performance.now() - p) / 1000).toFixed(1)} s`);
  }

  const result: StoreBenchResult = {
    machine,
    neo4j: '',
    command: opts.command,
    options: {
      nodeEnv: BENCH_NODE_ENV,
      scales: opts.scales,
      batch: opts.batch,
      writers: opts.writers,
      ingestImages: opts.ingestImages,
      ingestWarmup: opts.ingestWarmup,
      queries: opts.queries,
      referenceQueries: opts.referenceQueries,
      warmup: opts.warmup,
      pool: opts.pool,
      seed: opts.seed,
      port: opts.port,
      jvm: `heap ${opts.heap ?? `${DEFAULT_HEAP} (default)`}, page cache ${opts.pageCache ?? `${DEFAULT_PAGE_CACHE} (default)`}`,
    },
    generation,
    ingest: [],
    scales: [],
    skipped: [],
    notes: [],
  };

  try {
    if (opts.reuseStore) {
      // Queries only, on the store an earlier run left (its own checks: the image count, GraphQL
      // pages against the plain Cypher's on the same store).
      const handle = await startNeo4j(opts, true);
      result.neo4j = await neo4jVersion(handle.db);
      const [scale] = opts.scales;
      log(`reusing the store in ${opts.dataDir}: no ingest comparison, no load`);
      result.notes.push(
        `queries only (--reuse-store), on the ${scale}-image store an earlier run left in the data folder`,
      );
      const measured = await measureScale(opts, handle, await storedPredicates(handle.db), scale);
      result.scales.push(measured.result);
    } else await loadAndMeasure(opts, data, result);
  } finally {
    result.machine.loadEnd = os.loadavg();
    await stopNeo4j();
  }
  writeResults(result, opts);
  log(`results: ${opts.out}`);
  if (opts.markdown) {
    writeReport(result, opts.markdown, path.relative(PROJECT_ROOT, opts.out));
    log(`markdown: ${opts.markdown} (section "## Store and GraphQL")`);
  }
}

/** The ingest comparison, then each scale loaded (ingestImages) and measured. */
async function loadAndMeasure(opts: Options, data: StoreData, result: StoreBenchResult): Promise<void> {
  const cmp = await ingestComparison(opts, data);
  result.ingest = cmp.results;
  result.neo4j = await neo4jVersion(cmp.handle.db);
  const ours = cmp.results.find((r) => r.method === 'ours')!;
  const raw = cmp.results.find((r) => r.method === 'raw')!;
  result.ingestRatio = Math.round((ours.imagesPerS / raw.imagesPerS) * 100) / 100;
  const sorted = [...cmp.ratioPerCycle].sort((x, y) => x - y);
  result.ingestRatioPerBatch = {
    p10: percentile(sorted, 10),
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    batches: sorted.length,
  };
  log(
    `ingest ratio ours/raw: ${result.ingestRatio} (target >= 0.8); per batch p10/p50/p90 ` +
      `${result.ingestRatioPerBatch.p10}/${result.ingestRatioPerBatch.p50}/${result.ingestRatioPerBatch.p90}`,
  );

  writeResults(result, opts);
  let handle = cmp.handle;
  let loaded = cmp.loaded;
  let lastRate = ours.imagesPerS;
  let lastBytesPerImage = 0;
  // Tally the predicates of what the comparison's last round stored; the loads add theirs.
  data.batch(0, loaded, true);
  for (const scale of opts.scales) {
    if (scale < loaded) {
      result.skipped.push({
        images: scale,
        reason: `smaller than the ${loaded} images the ingest comparison loaded`,
      });
      continue;
    }
    if (result.scales.length > 0) {
      const minutes = (scale - loaded) / lastRate / 60;
      const gb = (lastBytesPerImage * scale) / 1e9;
      if (minutes > opts.maxIngestMinutes || gb > opts.maxStoreGb) {
        const reason =
          `not run: at the measured ${lastRate.toFixed(1)} images/s the remaining ${scale - loaded} images would take ` +
          `~${minutes.toFixed(0)} min (limit ${opts.maxIngestMinutes}) and the store would be ~${gb.toFixed(1)} GB ` +
          `(limit ${opts.maxStoreGb})`;
        result.skipped.push({ images: scale, reason });
        log(`scale ${scale} ${reason}`);
        continue;
      }
    }
    log(
      `loading images ${loaded}..${scale} with ingestImages (batches of ${opts.batch}, ${opts.writers} writers)`,
    );
    const load = await ingestRange(
      handle.db,
      data,
      METHODS.ours.fn,
      loaded,
      scale,
      opts.batch,
      opts.writers,
      `load ${scale}`,
      true,
    );
    const from = loaded;
    loaded = scale;
    if (load.counts.images > 0) lastRate = rates(load).imagesPerS;
    const measured = await measureScale(opts, handle, data.predicates, scale, { timing: load, from });
    handle = measured.handle;
    lastBytesPerImage = measured.result.storage.totalBytes / scale;
    result.scales.push(measured.result);
    writeResults(result, opts);
  }
  result.generation.cloneMsPerImage = Math.round((data.cloneMs / Math.max(1, loaded)) * 1000) / 1000;
}

/** A new driver for the same running Neo4j (the service's stop() closed the old one). */
async function reconnect(h: Neo4jHandle): Promise<Neo4jHandle> {
  const db = Database.connect(h.db.options);
  await db.verify();
  current = { ...h, db };
  return current;
}

/** Starts the (stopped) Neo4j of this handle again, keeping its data. */
async function restart(h: Neo4jHandle): Promise<Neo4jHandle> {
  const started = await h.local.start();
  const db = Database.connect({
    ...h.db.options,
    uri: started.uri,
    user: started.user,
    password: started.password,
  });
  await db.verify();
  current = { local: h.local, db, pid: started.pid };
  return current;
}

/** Written after every scale, so a long run that dies later keeps what it measured. */
function writeResults(result: StoreBenchResult, opts: Options): void {
  fs.mkdirSync(path.dirname(opts.out), { recursive: true });
  fs.writeFileSync(opts.out, `${JSON.stringify(result, null, 2)}\n`);
}

let interrupted = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    log(`${sig}: stopping the benchmark's Neo4j`);
    void stopNeo4j().finally(() => process.exit(130));
  });
}

main().catch(async (err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  await stopNeo4j();
  process.exit(1);
});
