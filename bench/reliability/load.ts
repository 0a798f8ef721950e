/**
 * Load: mixed reads from many concurrent clients plus a stream of ingests against a service that
 * holds a few hundred scenes. Counts 5xx (the target is none) and reports latency per query kind.
 */

import { seeded } from '../random';
import { gql, outcomeOf, percentile, round1, sleep, tally } from './harness';
import { acknowledged, INGEST, read, READ_KINDS, sceneFor, type ReadKind } from './workload';

export interface LatencyRow {
  requests: number;
  errors: number;
  p50: number;
  p99: number;
  max: number;
}

export interface LoadResult {
  seconds: number;
  clients: number;
  requests: number;
  throughput: number;
  status5xx: number;
  byOutcome: Record<string, number>;
  perKind: Record<ReadKind | 'ingestSceneGraph', LatencyRow>;
  ingested: number;
  ok: boolean;
}

export async function load(
  url: string,
  opts: { seconds: number; clients: number; seed: number; ids: readonly string[]; ingestPrefix: string },
): Promise<LoadResult> {
  const lat = new Map<string, number[]>();
  const errs = new Map<string, number>();
  const byOutcome: Record<string, number> = {};
  let status5xx = 0;
  let ingested = 0;
  const record = (kind: string, r: Awaited<ReturnType<typeof gql>>) => {
    const outcome = outcomeOf(r);
    tally(byOutcome, outcome);
    if (r.status >= 500) status5xx++;
    if (outcome !== 'ok') errs.set(kind, (errs.get(kind) ?? 0) + 1);
    if (!lat.has(kind)) lat.set(kind, []);
    lat.get(kind)!.push(r.ms);
  };
  const end = performance.now() + opts.seconds * 1000;
  const t0 = performance.now();
  const client = async (c: number) => {
    const random = seeded(opts.seed * 1000 + c);
    await sleep(Math.floor(random() * 200)); // not all 50 at the same instant
    while (performance.now() < end) {
      const kind = READ_KINDS[Math.floor(random() * READ_KINDS.length)];
      record(kind, await read(url, kind, random, opts.ids));
    }
  };
  const ingester = async () => {
    let i = 0;
    while (performance.now() < end) {
      const r = await gql(url, INGEST, { g: sceneFor(opts.ingestPrefix, i++, opts.seed).scene });
      if (acknowledged(r)) ingested++;
      record('ingestSceneGraph', r);
    }
  };
  await Promise.all([...Array.from({ length: opts.clients }, (_, c) => client(c)), ingester()]);
  const seconds = (performance.now() - t0) / 1000;
  const perKind = {} as LoadResult['perKind'];
  let requests = 0;
  for (const [kind, xs] of lat) {
    xs.sort((a, b) => a - b);
    requests += xs.length;
    perKind[kind as ReadKind] = {
      requests: xs.length,
      errors: errs.get(kind) ?? 0,
      p50: round1(percentile(xs, 50)),
      p99: round1(percentile(xs, 99)),
      max: round1(xs[xs.length - 1]),
    };
  }
  return {
    seconds: round1(seconds),
    clients: opts.clients,
    requests,
    throughput: round1(requests / seconds),
    status5xx,
    byOutcome,
    perKind,
    ingested,
    ok: status5xx === 0 && (byOutcome.ok ?? 0) === requests,
  };
}
