/**
 * The reliability scenarios from the command line (scripts/reliability.sh runs them all):
 *
 *   node dist/bench/reliability/main.js all|crash|images|faults|load|fuzz|shutdown [--quick] [--out FILE]
 *
 * crash, images, load, fuzz and shutdown use the Neo4j in NEO4J_URI/NEO4J_PASSWORD; faults starts and
 * stops its own local Neo4j (DATA_DIR=RELIABILITY_FAULT_DATA_DIR, Bolt port RELIABILITY_FAULT_PORT).
 * Results are printed as JSON and written to --out (default bench/results/reliability.json); fuzz 5xx
 * findings go to bench/results/fuzz-findings.json with the full request. Exit 1 when a check fails.
 */

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { crashIngest, writeImageFiles, writeSceneFiles } from './crash';
import { dbFaults } from './dbFaults';
import { fuzz } from './fuzz';
import {
  cliSync,
  connectDriver,
  cypher,
  deleteUnder,
  envTarget,
  localTarget,
  productEnv,
  ROOT,
  Service,
} from './harness';
import { load } from './load';
import { gracefulShutdown } from './shutdown';

const args = process.argv.slice(2);
const what = args[0] ?? 'all';
const quick = args.includes('--quick');
const outAt = args.indexOf('--out');
const out = outAt >= 0 ? args[outAt + 1] : path.join(ROOT, 'bench/results/reliability.json');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'reliability-'));
const results: Record<string, unknown> = { date: new Date().toISOString(), quick };
let failed = false;

function report<T extends { ok: boolean }>(name: string, r: T): void {
  results[name] = r;
  if (!r.ok) failed = true;
  process.stdout.write(`${name}: ${r.ok ? 'PASS' : 'FAIL'}\n${JSON.stringify(r, null, 2)}\n`);
}

async function crash(): Promise<void> {
  const target = envTarget();
  const driver = connectDriver(target);
  try {
    const n = quick ? 400 : 1000;
    const prefix = `reliab://crash/${path.basename(tmp)}/`;
    const dir = path.join(tmp, 'scenes');
    const expected = writeSceneFiles(dir, prefix, n, 1);
    const killAt = quick ? [60] : [150, 450, 750];
    report(
      'crash',
      await crashIngest({
        target,
        driver,
        args: ['--scenes', dir, '--batch', '50'],
        prefix,
        expected,
        killAt,
        kind: 'scenes',
        seed: 1,
      }),
    );
    await deleteUnder(driver, prefix);
  } finally {
    await driver.close();
  }
}

async function images(): Promise<void> {
  const target = envTarget();
  const driver = connectDriver(target);
  try {
    const dir = path.join(tmp, 'photos');
    await writeImageFiles(dir, 100, 7);
    report(
      'images',
      await crashIngest({
        target,
        driver,
        args: ['--images', dir, '--batch', '10'],
        prefix: dir,
        expected: 100,
        killAt: [30],
        kind: 'images',
        seed: 2,
        env: { DEPTH_MODEL: 'none', INFERENCE_PROVIDER: 'cpu' },
      }),
    );
    await deleteUnder(driver, dir);
  } finally {
    await driver.close();
  }
}

async function faults(): Promise<void> {
  const target = localTarget(
    process.env.RELIABILITY_FAULT_DATA_DIR ?? path.join(ROOT, '.data/reliability-faults'),
    Number(process.env.RELIABILITY_FAULT_PORT ?? 7709),
  );
  report(
    'faults',
    await dbFaults(target, {
      prefix: `reliab://faults/${path.basename(tmp)}/`,
      seed: 3,
      readers: 6,
      ingesters: 2,
      warmupMs: quick ? 3000 : 8000,
      downMs: quick ? 2000 : 5000,
      afterMs: quick ? 3000 : 8000,
    }),
  );
}

/** Stores `n` scenes through the CLI and returns their image ids. */
async function seedScenes(n: number, prefix: string): Promise<string[]> {
  const target = envTarget();
  const dir = path.join(tmp, `seed-${n}`);
  writeSceneFiles(dir, prefix, n, 5);
  const r = cliSync(['ingest', '--scenes', dir, '--batch', '100'], productEnv(target));
  if (r.status !== 0) throw new Error(`seeding ingest failed (${r.status}): ${r.stderr}`);
  const driver = connectDriver(target);
  try {
    const rows = await cypher<{ id: string }>(
      driver,
      'MATCH (i:Image) WHERE i.uri STARTS WITH $prefix RETURN i.id AS id',
      { prefix },
    );
    return rows.map((x) => x.id);
  } finally {
    await driver.close();
  }
}

async function withCleanup(prefixes: string[], f: () => Promise<void>): Promise<void> {
  try {
    await f();
  } finally {
    const driver = connectDriver(envTarget());
    for (const p of prefixes) await deleteUnder(driver, p);
    await driver.close();
  }
}

async function loadScenario(): Promise<void> {
  const prefix = `reliab://load/${path.basename(tmp)}/`;
  const streamPrefix = `reliab://load-stream/${path.basename(tmp)}/`;
  await withCleanup([prefix, streamPrefix], async () => {
    const ids = await seedScenes(quick ? 100 : 300, prefix);
    const service = await Service.start(envTarget());
    try {
      const r = await load(service.url, {
        seconds: quick ? 15 : 60,
        clients: 50,
        seed: 4,
        ids,
        ingestPrefix: streamPrefix,
      });
      report('load', { ...r, storedScenes: ids.length, ok: r.ok && (await service.healthy()) });
    } finally {
      await service.stop();
    }
  });
}

async function fuzzScenario(): Promise<void> {
  const service = await Service.start(envTarget(), { IMAGE_FETCH_TIMEOUT_MS: '2000', DEPTH_MODEL: 'none' });
  try {
    const r = await fuzz(service.url, { seed: 11, requests: quick ? 200 : 2000 });
    const findings = path.join(path.dirname(out), 'fuzz-findings.json');
    writeFileSync(
      findings,
      JSON.stringify(
        { serverErrors: r.serverErrors, noResponse: r.noResponse, internalErrors: r.internalErrors },
        null,
        2,
      ),
    );
    const alive = service.running && (await service.healthy());
    report('fuzz', {
      ...r,
      serverErrors: r.serverErrors.length,
      noResponse: r.noResponse.length,
      internalErrors: r.internalErrors.length,
      findings,
      alive,
      ok: r.serverErrors.length === 0 && r.noResponse.length === 0 && r.healthFailures === 0 && alive,
    });
  } finally {
    await service.stop();
  }
}

async function shutdownScenario(): Promise<void> {
  const prefix = `reliab://shutdown/${path.basename(tmp)}/`;
  const inflightPrefix = `reliab://shutdown-inflight/${path.basename(tmp)}/`;
  await withCleanup([prefix, inflightPrefix], async () => {
    const ids = await seedScenes(quick ? 50 : 200, prefix);
    const service = await Service.start(envTarget());
    report(
      'shutdown',
      await gracefulShutdown(service, {
        inFlight: 40,
        seed: 6,
        ids,
        prefix: inflightPrefix,
        boundSeconds: 15,
        signalAfterMs: 300,
      }),
    );
  });
}

const scenarios: Record<string, () => Promise<void>> = {
  crash,
  images,
  faults,
  load: loadScenario,
  fuzz: fuzzScenario,
  shutdown: shutdownScenario,
};

async function main(): Promise<void> {
  const names = what === 'all' ? Object.keys(scenarios) : [what];
  for (const name of names) {
    const f = scenarios[name];
    if (!f) throw new Error(`unknown scenario ${name}; one of all, ${Object.keys(scenarios).join(', ')}`);
    const t0 = performance.now();
    try {
      await f();
    } catch (err) {
      failed = true;
      results[name] = { ok: false, error: err instanceof Error ? err.stack : String(err) };
      process.stdout.write(`${name}: ERROR ${err instanceof Error ? err.stack : String(err)}\n`);
    }
    process.stderr.write(`${name}: ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  }
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  rmSync(tmp, { recursive: true, force: true });
  process.exitCode = failed ? 1 : 0;
}

void main();
