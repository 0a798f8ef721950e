/**
 * Database faults under load: `scenegraph serve` runs against a local Neo4j started with
 * `scenegraph db start`; while readers and ingesters run, the Neo4j is stopped (`db stop`) and
 * started again. Every ingest the service acknowledged must be stored, and replaying every ingest
 * (the failed ones too) must leave exactly one copy of each image.
 */

import type { Driver } from 'neo4j-driver';
import { seeded } from '../random';
import { checkStore, type CrashCheck, checkPassed } from './crash';
import {
  connectDriver,
  dbCommand,
  gql,
  outcomeOf,
  round1,
  Service,
  sleep,
  tally,
  type Neo4jTarget,
} from './harness';
import {
  acknowledged,
  IMAGE_BY_ID,
  INGEST,
  read,
  READ_KINDS,
  sceneFor,
  type IngestAttempt,
} from './workload';

export interface FaultResult {
  requests: number;
  reads: number;
  ingests: number;
  acknowledgedIngests: number;
  /** Outcome of every request during the load: "ok", an error code, `HTTP n` or `network X`. */
  byOutcome: Record<string, number>;
  /** Seconds from the start of the load. */
  stopAt: number;
  stopTook: number;
  startAt: number;
  startTook: number;
  /** `db start` runs needed to bring the database back. */
  startAttempts: number;
  firstFailureAt: number | null;
  /** First success of a read and of an ingest after `db start` returned, in seconds after it. */
  readRecoveredAfter: number | null;
  ingestRecoveredAfter: number | null;
  /** Acknowledged ingests whose image is not found afterwards (must be 0). */
  lostAcknowledged: number;
  /** Acknowledged ingests found with another object count (must be 0). */
  wrongAcknowledged: number;
  replayOutcomes: Record<string, number>;
  check: CrashCheck;
  serviceUpAfter: boolean;
  ok: boolean;
}

export async function dbFaults(
  target: Neo4jTarget,
  opts: {
    prefix: string;
    seed: number;
    readers: number;
    ingesters: number;
    warmupMs: number;
    downMs: number;
    afterMs: number;
  },
): Promise<FaultResult> {
  await dbCommand(target, 'start');
  const driver: Driver = connectDriver(target);
  const service = await Service.start(target);
  // Also the workers' exit when a step below throws: they would otherwise keep the process alive.
  let stop = false;
  try {
    const t0 = performance.now();
    const now = () => (performance.now() - t0) / 1000;
    const byOutcome: Record<string, number> = {};
    const attempts: IngestAttempt[] = [];
    const ids: string[] = [];
    let reads = 0;
    let firstFailureAt: number | null = null;
    let startedAt = Infinity;
    let readRecovered: number | null = null;
    let ingestRecovered: number | null = null;
    let next = 0;
    const note = (r: Awaited<ReturnType<typeof gql>>, kind: 'read' | 'ingest') => {
      const outcome = outcomeOf(r);
      tally(byOutcome, outcome);
      const t = now();
      if (outcome !== 'ok' && firstFailureAt === null) firstFailureAt = t;
      if (outcome === 'ok' && t > startedAt) {
        if (kind === 'read' && readRecovered === null) readRecovered = t - startedAt;
        if (kind === 'ingest' && ingestRecovered === null) ingestRecovered = t - startedAt;
      }
      return outcome;
    };
    const reader = async (w: number) => {
      const random = seeded(opts.seed + w);
      while (!stop) {
        const r = await read(service.url, READ_KINDS[Math.floor(random() * READ_KINDS.length)], random, ids);
        reads++;
        note(r, 'read');
        if (r.status === 0) await sleep(50); // a refused connection returns at once: do not spin
      }
    };
    const ingester = async () => {
      while (!stop) {
        const index = next++;
        const s = sceneFor(opts.prefix, index, opts.seed);
        const r = await gql(service.url, INGEST, { g: s.scene });
        const ack = acknowledged(r);
        if (ack) ids.push(ack.id);
        attempts.push({
          index,
          uri: s.uri,
          objects: s.objects,
          acknowledged: !!ack,
          imageId: ack?.id,
          outcome: note(r, 'ingest'),
          at: now(),
        });
        if (r.status === 0) await sleep(50);
      }
    };
    const workers = [
      ...Array.from({ length: opts.readers }, (_, w) => reader(w)),
      ...Array.from({ length: opts.ingesters }, () => ingester()),
    ];
    await sleep(opts.warmupMs);
    const stopAt = now();
    await dbCommand(target, 'stop');
    const stopTook = now() - stopAt;
    await sleep(opts.downMs);
    const startAt = now();
    // On a loaded machine a restart can outlast `db start`'s own wait; an operator would run it again
    // (it is idempotent: a second start finds the starting process).
    let startAttempts = 0;
    for (;;) {
      startAttempts++;
      try {
        await dbCommand(target, 'start');
        break;
      } catch (err) {
        if (startAttempts >= 3) throw err;
      }
    }
    const startTook = now() - startAt;
    startedAt = now();
    const until = Date.now() + 120_000;
    while ((readRecovered === null || ingestRecovered === null) && Date.now() < until) await sleep(200);
    await sleep(opts.afterMs);
    stop = true;
    await Promise.all(workers);

    let lost = 0;
    let wrong = 0;
    for (const a of attempts.filter((x) => x.acknowledged)) {
      const r = await gql(service.url, IMAGE_BY_ID, { id: a.imageId });
      const img = r.data?.image as { objectCount: number } | null | undefined;
      if (!img) lost++;
      else if (img.objectCount !== a.objects) wrong++;
    }
    const replayOutcomes: Record<string, number> = {};
    let i = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (i < attempts.length) {
          const a = attempts[i++];
          const r = await gql(service.url, INGEST, { g: sceneFor(opts.prefix, a.index, opts.seed).scene });
          tally(
            replayOutcomes,
            acknowledged(r) ? `ok ${(r.data?.ingestSceneGraph as { status: string }).status}` : outcomeOf(r),
          );
        }
      }),
    );
    const expected = new Map(attempts.map((a) => [a.uri, a.objects]));
    const check = await checkStore(driver, opts.prefix, expected);
    const serviceUpAfter = await service.healthy();
    const acknowledgedIngests = attempts.filter((a) => a.acknowledged).length;
    return {
      requests: reads + attempts.length,
      reads,
      ingests: attempts.length,
      acknowledgedIngests,
      byOutcome,
      stopAt: round1(stopAt),
      stopTook: round1(stopTook),
      startAt: round1(startAt),
      startTook: round1(startTook),
      startAttempts,
      firstFailureAt: firstFailureAt === null ? null : round1(firstFailureAt),
      readRecoveredAfter: readRecovered === null ? null : round1(readRecovered),
      ingestRecoveredAfter: ingestRecovered === null ? null : round1(ingestRecovered),
      lostAcknowledged: lost,
      wrongAcknowledged: wrong,
      replayOutcomes,
      check,
      serviceUpAfter,
      ok:
        lost === 0 &&
        wrong === 0 &&
        serviceUpAfter &&
        checkPassed(check, expected.size) &&
        !byOutcome['HTTP 500'],
    };
  } finally {
    stop = true;
    await service.stop();
    await driver.close();
    await dbCommand(target, 'stop');
  }
}
