/**
 * Result types of bench/store.bench.ts and the markdown it writes into the "## Store and GraphQL"
 * section of BENCHMARKS.md (only that section: the rest of the file belongs to other benchmarks).
 *
 * Re-render the section from a results file without re-running:
 *   node dist/bench/storeReport.js bench/results/store-<date>.json [BENCHMARKS.md]
 * bench/storeNotes.md, when present, is appended to the section verbatim (hand-written analysis).
 */

import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../src/paths';

export interface MachineInfo {
  date: string;
  nproc: string;
  freeG: string;
  cpuModel: string;
  node: string;
  java: string;
  loadStart: number[];
  loadEnd?: number[];
}

export interface Latency {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  mean: number;
  max: number;
}

export interface QueryResult {
  name: string;
  description: string;
  graphql: Latency;
  cypher: Latency;
  ratioP50: number;
  ratioP99: number;
  frequentP50: { graphql: number; cypher: number };
  rareP50: { graphql: number; cypher: number };
  /** Requests whose GraphQL page differed from the Cypher page (must be 0). */
  mismatches: number;
  emptyPages: number;
  meanRows: number;
}

/** What a GraphQL request costs with no resolver and no database (store.bench.ts, requestFloor). */
export interface RequestFloor {
  /** `{ __typename }` through the service. */
  typename: Latency;
  /** `GET /healthz`: HTTP alone. */
  healthz: Latency;
  /** The nested objectsInFrontOf page with the database answer replayed (absent in older results). */
  replayed?: ReplayedRequests;
}

/** store.bench.ts, replayedRequests: the GraphQL layer's own cost, without and after a wait. */
export interface ReplayedRequests {
  /** Sent right after the previous request. */
  hot: Latency;
  /** Sent after `waitMs` of idle, as a real request meets its work after the database call. */
  afterWait: Latency;
  waitMs: number;
  /** Replayed pages that differed from the live page of the same label (must be 0). */
  mismatches: number;
}

export interface FixResult {
  name: string;
  description: string;
  original: Latency;
  fixed: Latency;
  speedupP50: number;
  /** original = the pre-fix query (reference), fixed = the service's current query. */
  /** Requests whose current page differed from the pre-fix query's (must be 0). */
  mismatches: number;
  profiledLabel: string;
  dbHitsOriginal: number;
  dbHitsFixed: number;
  planFixed: string[];
}

export interface PlanSummary {
  query: string;
  label: string;
  dbHits: number;
  rows: number;
  scans: string[];
  plan: string[];
}

export interface StorageInfo {
  totalBytes: number;
  databaseBytes: number;
  transactionLogBytes: number;
  nodeStoreBytes: number;
  relationshipStoreBytes: number;
  propertyStoreBytes: number;
  indexBytes: number;
  relationCount: number;
  frontBehindCount: number;
  bytesPerRelationEstimate: number;
  frontBehindBytesEstimate: number;
}

export interface IngestRates {
  imagesPerS: number;
  objectsPerS: number;
  relationsPerS: number;
}

export interface IngestMethodResult extends IngestRates {
  method: string;
  label: string;
  rounds: number;
  images: number;
  objects: number;
  relations: number;
  dbSeconds: number[];
  perRound: IngestRates[];
}

export interface ScaleResult {
  images: number;
  counts: Record<string, number>;
  predicates: Record<string, number>;
  /** Seconds the prewarm took (absent: none, --no-prewarm). */
  prewarmSeconds?: number;
  /** Absent when the run reused a stored store (--reuse-store). */
  load?: IngestRates & { fromImages: number; images: number; dbSeconds: number; wallSeconds: number };
  storage: StorageInfo;
  /** --reindex: the indexes were rebuilt after the load; `storage` is measured after, this before. */
  reindex?: { seconds: number; indexes: number; storageBefore: StorageInfo };
  queries: QueryResult[];
  /** Absent in results from before it was measured. */
  floor?: RequestFloor;
  fixes?: FixResult[];
  plans: PlanSummary[];
  loadAvg: number[];
}

export interface StoreBenchResult {
  machine: MachineInfo;
  neo4j: string;
  command: string;
  options: Record<string, unknown>;
  generation: {
    buildMsPerImage: number;
    toStoredMsPerImage: number;
    totalMsPerImage: number;
    cloneMsPerImage: number;
    objectsPerImage: number;
    relationsPerImage: number;
    layersPerImage: number;
    pool: number;
  };
  ingest: IngestMethodResult[];
  ingestRatio?: number;
  /** Per interleaved cycle: raw batch time / ours batch time. */
  ingestRatioPerBatch?: { p10: number; p50: number; p90: number; batches: number };
  scales: ScaleResult[];
  skipped: { images: number; reason: string }[];
  notes: string[];
}

export const SECTION = '## Store and GraphQL';

const gib = (b: number): string => `${(b / 2 ** 30).toFixed(2)} GiB`;
const mib = (b: number): string => `${(b / 2 ** 20).toFixed(0)} MiB`;
const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const ms = (x: number): string => (Number.isFinite(x) ? x.toFixed(1) : '-');
const loads = (l: number[] | undefined): string => (l ? l.map((x) => x.toFixed(2)).join(' ') : '?');

export function renderSection(r: StoreBenchResult, resultsFile: string, notes?: string): string {
  const out: string[] = [SECTION, ''];
  const m = r.machine;
  out.push(
    `Run ${m.date}: \`${r.command}\` (after \`npm run build\`); results in \`${resultsFile}\`.`,
    '',
    `- Machine: ${m.nproc} cores, ${m.cpuModel}; Node ${m.node}; ${m.java}`,
    `- Memory (\`free -g\`): ${m.freeG.split('\n')[1]?.replace(/\s+/g, ' ') ?? m.freeG}`,
    `- Load average at start ${loads(m.loadStart)}, at end ${loads(m.loadEnd)} (other work shared the 2 cores).`,
    `- Neo4j: ${r.neo4j}, the project's embedded launcher (${String(r.options.jvm)}), its own data folder and Bolt port ${String(r.options.port)}.`,
    `- Data: seeded synthetic scenes of ${r.generation.objectsPerImage.toFixed(1)} objects (30 labels, Zipf 1/rank), built by ` +
      `\`buildSceneGraph\` (stored-geometry path): ${r.generation.relationsPerImage.toFixed(0)} relations and ` +
      `${r.generation.layersPerImage.toFixed(1)} layers per image. buildSceneGraph ${r.generation.buildMsPerImage} ms/image, ` +
      `toStoredImage ${r.generation.toStoredMsPerImage} ms/image` +
      (r.generation.pool > 0
        ? `; a pool of ${r.generation.pool} built scenes is re-used under unique URIs (ids re-derived, checked against toStoredImage).`
        : '.'),
    '',
  );

  if (r.ingest.length > 0) {
    const first = r.ingest[0];
    out.push(
      `### Ingest throughput`,
      '',
      `${first.images} images (${int(first.objects)} objects, ${int(first.relations)} relations) per method, in batches of ` +
        `${String(r.options.batch)} images (${String(r.options.writers ?? 1)} writers: transactions of whole images written at once). One fresh database; the methods take turns batch by batch in ` +
        `mirrored order (A B C, C B A, ...) after ${String(r.options.ingestWarmup)} warm-up images, so they see the same database ` +
        'size, caches and background load. Database time only (records are generated before each timed call).',
      '',
      '| method | images/s | objects/s | relations/s | seconds |',
      '| --- | ---: | ---: | ---: | --- |',
      ...r.ingest.map(
        (x) =>
          `| ${x.label} | ${x.imagesPerS} | ${int(x.objectsPerS)} | ${int(x.relationsPerS)} | ${x.dbSeconds.join(', ')} |`,
      ),
      '',
      `Ours / raw baseline: **${r.ingestRatio ?? '?'}x** (target >= 0.8x)` +
        (r.ingestRatioPerBatch
          ? `; per batch pair (raw time / ours time) p10 ${r.ingestRatioPerBatch.p10}, median ${r.ingestRatioPerBatch.p50}, ` +
            `p90 ${r.ingestRatioPerBatch.p90} over ${r.ingestRatioPerBatch.batches} pairs.`
          : '.'),
      '',
    );
  }

  for (const s of r.scales) {
    out.push(`### ${int(s.images)} images`, '');
    out.push(
      `Stored: ${int(s.counts.images)} images, ${int(s.counts.objects)} objects, ${int(s.counts.layers)} layers, ` +
        `${int(s.counts.relations)} object-to-object edges. ` +
        (s.load
          ? `Loaded images ${int(s.load.fromImages)}..${int(s.images)} with ingestImages at ` +
            `${s.load.imagesPerS} images/s, ${int(s.load.relationsPerS)} relations/s (${s.load.dbSeconds} s). `
          : 'Store reused from an earlier run (--reuse-store), not loaded. ') +
        (s.prewarmSeconds !== undefined
          ? `Queries after a prewarm that read the whole store (${s.prewarmSeconds} s). `
          : 'Queries on a cold page cache (--no-prewarm). ') +
        `Load average after: ${loads(s.loadAvg)}.`,
      '',
      '| query (first: 20) | GraphQL p50 | GraphQL p99 | Cypher p50 | Cypher p99 | ratio p50 | ratio p99 | frequent p50 GQL/Cy | rare p50 GQL/Cy | same page |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
      ...s.queries.map(
        (q) =>
          `| ${q.description} | ${ms(q.graphql.p50)} | ${ms(q.graphql.p99)} | ${ms(q.cypher.p50)} | ${ms(q.cypher.p99)} | ${q.ratioP50} | ${q.ratioP99} | ` +
          `${ms(q.frequentP50.graphql)} / ${ms(q.frequentP50.cypher)} | ${ms(q.rareP50.graphql)} / ${ms(q.rareP50.cypher)} | ` +
          `${q.mismatches === 0 ? 'yes' : `NO (${q.mismatches})`} |`,
      ),
      '',
      `Milliseconds, ${s.queries[0]?.graphql.n ?? 0} sequential requests per query after ${String(r.options.warmup)} warm-up, ` +
        'GraphQL and Cypher interleaved; labels drawn uniformly from the 30-label vocabulary (frequent = 5 most common, rare = 10 least). ' +
        'Ratio = GraphQL / Cypher (target <= 1.3x).',
      '',
    );
    if (s.floor) {
      const f = s.floor;
      out.push(
        `Request floor on the same connection: \`{ __typename }\` p50 ${f.typename.p50.toFixed(2)} ms (p99 ${f.typename.p99.toFixed(2)}), ` +
          `\`GET /healthz\` p50 ${f.healthz.p50.toFixed(2)} ms. At the 1.3x target, a query whose Cypher p50 is under ` +
          `${ms(f.typename.p50 / 0.3)} ms misses it even if its resolvers cost nothing.`,
        '',
      );
      const nested = s.queries.find((q) => q.name === 'frontNested');
      if (f.replayed && nested) {
        const rp = f.replayed;
        out.push(
          `The nested page with the database answer replayed from memory: p50 ${ms(rp.hot.p50)} ms sent back to back, ` +
            `${ms(rp.afterWait.p50)} ms after a ${rp.waitMs} ms wait${rp.mismatches === 0 ? '' : ` (${rp.mismatches} pages DIFFERED)`}; ` +
            `with the real database, its GraphQL p50 exceeds its Cypher p50 by ${ms(nested.graphql.p50 - nested.cypher.p50)} ms.`,
          '',
        );
      }
    }
    const front = s.queries.find((q) => q.name === 'front');
    const derived = s.queries.find((q) => q.name === 'frontDerived');
    const st = s.storage;
    if (front && derived) {
      out.push(
        '**Materialised vs derived objectsInFrontOf**',
        '',
        '| strategy | GraphQL p50 | GraphQL p99 | Cypher p50 | Cypher p99 | storage it needs |',
        '| --- | ---: | ---: | ---: | ---: | --- |',
        `| materialised (stored edges) | ${ms(front.graphql.p50)} | ${ms(front.graphql.p99)} | ${ms(front.cypher.p50)} | ${ms(front.cypher.p99)} | ` +
          `${int(st.frontBehindCount)} in front of/behind edges of ${int(st.relationCount)} RELATION edges, ~${gib(st.frontBehindBytesEstimate)} |`,
        `| derived (minMargin ${0.5}) | ${ms(derived.graphql.p50)} | ${ms(derived.graphql.p99)} | ${ms(derived.cypher.p50)} | ${ms(derived.cypher.p99)} | ` +
          'none beyond the depth range already on each Object |',
        '',
        `Store on disk (\`du -sb\` of the data folder after a clean restart, which checkpoints): ${gib(st.totalBytes)} total; database ${gib(st.databaseBytes)} ` +
          `(relationship store ${mib(st.relationshipStoreBytes)}, property stores ${mib(st.propertyStoreBytes)}, node store ${mib(st.nodeStoreBytes)}, ` +
          `indexes ${mib(st.indexBytes)}), transaction logs ${mib(st.transactionLogBytes)}. ` +
          `~${int(st.bytesPerRelationEstimate)} bytes per RELATION edge (relationship + property stores / edges; the edge-id and predicate indexes come on top).`,
        ...(s.reindex
          ? [
              '',
              `Measured after \`scenegraph db reindex\` (${s.reindex.indexes} indexes rebuilt in ${s.reindex.seconds} s); as ingest left them the ` +
                `indexes took ${mib(s.reindex.storageBefore.indexBytes)} and the data folder ${gib(s.reindex.storageBefore.totalBytes)}.`,
            ]
          : []),
        '',
      );
    }
    if (s.fixes && s.fixes.length > 0) {
      const n = s.fixes[0].original.n;
      out.push(
        '**Before/after the index-order fix** (commit 2be3a51). Before: `... WITH a, r, x ORDER BY x.id, a.id LIMIT $limit`; ' +
          'Neo4j did not take that order from the (label, id) index, so it matched every object with the label and all their ' +
          'relations and sorted them (Top). After: `WITH x ORDER BY x.label, x.id` (index order) then a per-reference ' +
          '`CALL { ... ORDER BY a.id }` and LIMIT, which stops after one page. The pre-fix text is kept in the benchmark as a ' +
          `reference and run on ${n} of the same requests, interleaved with the current query; "same page" compares every page.`,
        '',
        '| query | before p50 | before p99 | after p50 | after p99 | p50 speed-up | db hits before -> after (most frequent label) | same page |',
        '| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |',
        ...s.fixes.map(
          (f) =>
            `| ${f.description} | ${ms(f.original.p50)} | ${ms(f.original.p99)} | ${ms(f.fixed.p50)} | ${ms(f.fixed.p99)} | ${f.speedupP50}x | ` +
            `${int(f.dbHitsOriginal)} -> ${int(f.dbHitsFixed)} ("${f.profiledLabel}") | ${f.mismatches === 0 ? 'yes' : `NO (${f.mismatches})`} |`,
        ),
        '',
      );
    }
    const flagged = s.plans.filter((p) => p.scans.length > 0);
    out.push(
      '**Query plans** (PROFILE, most frequent and rarest label):',
      '',
      '| query | label | db hits | rows | scans |',
      '| --- | --- | ---: | ---: | --- |',
      ...s.plans.map(
        (p) =>
          `| ${p.query} | ${p.label} | ${int(p.dbHits)} | ${p.rows} | ${p.scans.length ? p.scans.join('; ').replace(/\|/g, '\\|') : 'none'} |`,
      ),
      '',
    );
    if (flagged.length === 0) out.push('No plan scans a label or relationship type.', '');
  }

  if (r.skipped.length > 0) {
    out.push('### Scales not run', '');
    for (const k of r.skipped) out.push(`- ${int(k.images)} images: ${k.reason}`);
    out.push('');
  }
  for (const n of r.notes) out.push(`- ${n}`);
  if (notes && notes.trim().length > 0) out.push(notes.trim(), '');
  return `${out.join('\n').trimEnd()}\n`;
}

/** Replaces (or appends) the "## Store and GraphQL" section, leaving every other section as it is. */
export function replaceSection(existing: string, section: string): string {
  if (existing.trim().length === 0) return `# Benchmarks\n\n${section}`;
  const lines = existing.split('\n');
  const start = lines.findIndex((l) => l.trim() === SECTION);
  if (start < 0) return `${existing.trimEnd()}\n\n${section}`;
  let end = lines.findIndex((l, i) => i > start && /^## /.test(l));
  if (end < 0) end = lines.length;
  const before = lines.slice(0, start).join('\n').trimEnd();
  const after = lines.slice(end).join('\n').trim();
  return `${before ? `${before}\n\n` : ''}${section}${after ? `\n${after}\n` : ''}`;
}

export function writeReport(result: StoreBenchResult, markdownFile: string, resultsFile: string): void {
  const notesFile = path.join(PROJECT_ROOT, 'bench', 'storeNotes.md');
  const notes = fs.existsSync(notesFile) ? fs.readFileSync(notesFile, 'utf8') : undefined;
  const section = renderSection(result, resultsFile, notes);
  // Read just before writing: other benchmarks may have written their sections meanwhile.
  const existing = fs.existsSync(markdownFile) ? fs.readFileSync(markdownFile, 'utf8') : '';
  fs.writeFileSync(markdownFile, replaceSection(existing, section));
}

if (require.main === module) {
  const [file, md] = process.argv.slice(2);
  if (!file) {
    console.error('usage: node dist/bench/storeReport.js bench/results/store-<date>.json [BENCHMARKS.md]');
    process.exit(2);
  }
  const result = JSON.parse(fs.readFileSync(file, 'utf8')) as StoreBenchResult;
  const target = path.resolve(md ?? 'BENCHMARKS.md');
  writeReport(result, target, path.relative(process.cwd(), path.resolve(file)));
  console.log(`wrote the "${SECTION}" section of ${target}`);
}
