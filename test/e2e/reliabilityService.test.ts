import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Driver } from 'neo4j-driver';
import { fuzz } from '../../bench/reliability/fuzz';
import { connectDriver, deleteUnder, envTarget, gql, Service } from '../../bench/reliability/harness';
import { gracefulShutdown } from '../../bench/reliability/shutdown';
import { acknowledged, INGEST, sceneFor } from '../../bench/reliability/workload';

/**
 * The fast part of the fuzz and shutdown tests against `scenegraph serve` as a process
 * (scripts/reliability.sh runs 2,000 fuzz requests): no request may get a 5xx or kill the process,
 * and SIGTERM with requests in flight must let them finish and exit 0.
 */
describe('serve under fuzzing and SIGTERM (HTTP, real Neo4j)', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'reliability-service-'));
  const prefix = `reliab://service-e2e/${path.basename(tmp)}/`;
  let driver: Driver;

  beforeAll(() => {
    driver = connectDriver(envTarget());
  });

  afterAll(async () => {
    await deleteUnder(driver, prefix);
    await driver.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('answers 200 seeded fuzz requests without a 5xx and stays up', async () => {
    const service = await Service.start(envTarget(), { IMAGE_FETCH_TIMEOUT_MS: '2000', DEPTH_MODEL: 'none' });
    try {
      const r = await fuzz(service.url, { seed: 11, requests: 200 });
      expect(r.requests).toBe(200);
      // Every kind of request was sent, so the run covers more than the validation layer.
      expect(Object.keys(r.byKind).sort()).toEqual(
        ['content-type', 'get', 'json-shape', 'malformed-json', 'operation', 'syntax', 'variables'].sort(),
      );
      expect(r.byCode.ok).toBeGreaterThan(0);
      expect(r.serverErrors).toEqual([]);
      expect(r.noResponse).toEqual([]);
      expect(r.healthFailures).toBe(0);
      expect(service.running).toBe(true);
    } finally {
      await service.stop();
    }
  }, 120_000);

  // SIGTERM with requests in flight: each gets its answer or a clean 503 (src/server/drain.ts), none
  // is reset, new connections are refused, and the process exits 0 within the bound.
  it('completes in-flight requests on SIGTERM, refuses new ones and exits 0', async () => {
    const service = await Service.start(envTarget());
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const ack = acknowledged(await gql(service.url, INGEST, { g: sceneFor(prefix, 1000 + i, 6).scene }));
      if (ack) ids.push(ack.id);
    }
    expect(ids).toHaveLength(20);
    const r = await gracefulShutdown(service, {
      inFlight: 40,
      seed: 6,
      ids,
      prefix,
      boundSeconds: 15,
      signalAfterMs: 300,
    });
    expect(r.cutOff).toBe(0);
    expect(Object.keys(r.inFlightOutcomes).every((k) => k === 'ok' || k === 'SHUTTING_DOWN')).toBe(true);
    expect(Object.keys(r.afterSignal).every((k) => k.startsWith('network') || k === 'SHUTTING_DOWN')).toBe(
      true,
    );
    expect(r.exitCode).toBe(0);
    expect(r.exitSeconds).toBeLessThanOrEqual(15);
  }, 120_000);
});
