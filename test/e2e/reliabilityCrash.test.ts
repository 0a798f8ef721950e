import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Driver } from 'neo4j-driver';
import { crashIngest, writeSceneFiles } from '../../bench/reliability/crash';
import { connectDriver, deleteUnder, envTarget } from '../../bench/reliability/harness';

/**
 * The fast part of the crash test (scripts/reliability.sh runs 1,000 files and three kills):
 * `scenegraph ingest` is SIGKILLed after some batches are stored, run again, and the store must
 * hold each of the 400 files exactly once with all its objects and nothing orphaned. 400, so that the
 * run cannot finish within the kill's random delay (up to 400 ms) at the speed ingest has now.
 */
describe('ingest survives SIGKILL (CLI, real Neo4j)', () => {
  const FILES = 400;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'reliability-crash-'));
  const prefix = `reliab://crash-e2e/${path.basename(dir)}/`;
  let driver: Driver;

  beforeAll(() => {
    driver = connectDriver(envTarget());
  });

  afterAll(async () => {
    await deleteUnder(driver, prefix);
    await driver.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores every file exactly once after a kill mid-way and a re-run', async () => {
    const expected = writeSceneFiles(dir, prefix, FILES, 1);
    const r = await crashIngest({
      target: envTarget(),
      driver,
      args: ['--scenes', dir, '--batch', '50'],
      prefix,
      expected,
      killAt: [60],
      kind: 'scenes',
      seed: 1,
    });
    expect(r.kills[0].signal).toBe('SIGKILL');
    // Killed after at least one batch and before the end: the re-run had work left.
    expect(r.kills[0].storedAtKill).toBeGreaterThanOrEqual(50);
    expect(r.kills[0].storedAtKill).toBeLessThan(FILES);
    expect(r.finalExit).toBe(0);
    expect(r.check).toEqual({
      images: FILES,
      distinctImageIds: FILES,
      wrongObjectCounts: 0,
      missing: 0,
      duplicateObjectIds: 0,
      orphanObjects: 0,
      layerNodes: 0,
    });
  }, 120_000);
});
