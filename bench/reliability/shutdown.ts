/**
 * Graceful shutdown: SIGTERM reaches `serve` while requests are in flight. Those must complete (or be
 * answered 503), new connections must be refused, and the process must exit 0 within a bound.
 */

import { gql, outcomeOf, round1, Service, sleep, tally, type GqlResponse } from './harness';
import { INGEST, read, READ_KINDS, sceneFor } from './workload';
import { seeded } from '../random';

export interface ShutdownResult {
  inFlight: number;
  /** Of those, answered before the signal (the rest were in flight when it came). */
  answeredBeforeSignal: number;
  signalAfterMs: number;
  /** Outcome of every request sent before the signal. */
  inFlightOutcomes: Record<string, number>;
  /** Requests cut off without an answer (reset connections): must be 0. */
  cutOff: number;
  /** What a request sent after the signal got. */
  afterSignal: Record<string, number>;
  exitCode: number | null;
  exitSignal: string | null;
  exitSeconds: number;
  boundSeconds: number;
  ok: boolean;
}

export async function gracefulShutdown(
  service: Service,
  opts: {
    inFlight: number;
    seed: number;
    ids: readonly string[];
    prefix: string;
    boundSeconds: number;
    /** Time between sending the requests and the signal: long enough for the service to accept them. */
    signalAfterMs: number;
  },
): Promise<ShutdownResult> {
  const random = seeded(opts.seed);
  // A warm-up request first, so the signal does not land while the service is still compiling code paths.
  await gql(service.url, '{ serverInfo { version } }');
  const pending: Promise<GqlResponse>[] = [];
  const sentAt = performance.now();
  let answered = 0;
  for (let i = 0; i < opts.inFlight; i++) {
    const p =
      i % 4 === 0
        ? gql(service.url, INGEST, { g: sceneFor(opts.prefix, i, opts.seed).scene })
        : read(service.url, READ_KINDS[i % READ_KINDS.length], random, opts.ids);
    pending.push(p.then((r) => (answered++, r)));
  }
  await sleep(opts.signalAfterMs);
  const answeredBeforeSignal = answered;
  const signalled = performance.now();
  service.kill('SIGTERM');
  await sleep(200);
  const afterSignal: Record<string, number> = {};
  for (let i = 0; i < 5; i++) {
    tally(afterSignal, outcomeOf(await gql(service.url, '{ serverInfo { version } }', undefined, 5000)));
    await sleep(100);
  }
  const inFlightOutcomes: Record<string, number> = {};
  let cutOff = 0;
  for (const r of await Promise.all(pending)) {
    tally(inFlightOutcomes, outcomeOf(r));
    if (r.status === 0) cutOff++;
  }
  const bound = setTimeout(() => service.kill('SIGKILL'), opts.boundSeconds * 1000 * 3);
  const { code, signal } = await service.exited;
  clearTimeout(bound);
  const exitSeconds = (performance.now() - signalled) / 1000;
  const refusedOr503 = Object.keys(afterSignal).every(
    (k) => k.startsWith('network') || k === 'SHUTTING_DOWN',
  );
  const completedOr503 = Object.keys(inFlightOutcomes).every((k) => k === 'ok' || k === 'SHUTTING_DOWN');
  return {
    inFlight: opts.inFlight,
    answeredBeforeSignal,
    signalAfterMs: Math.round(performance.now() - sentAt - (performance.now() - signalled)),
    inFlightOutcomes,
    cutOff,
    afterSignal,
    exitCode: code,
    exitSignal: signal,
    exitSeconds: round1(exitSeconds),
    boundSeconds: opts.boundSeconds,
    ok: code === 0 && cutOff === 0 && completedOr503 && refusedOr503 && exitSeconds <= opts.boundSeconds,
  };
}
