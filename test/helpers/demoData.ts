import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse, print, type OperationDefinitionNode } from 'graphql';
import type { Database } from '../../src/db/database';

/**
 * The demo's data (scripts/demo.sh): 24 synthetic scenes, seed 1, 12 objects each, rendered and
 * ingested by the BUILT CLI (npm run build first). Rendered once per machine into a temp folder.
 */
export const ROOT = path.resolve(__dirname, '../..');
export const DEMO_SAMPLES = path.join(os.tmpdir(), 'scenegraph-demo-samples-seed1-24x12');

function cli(args: string[]): void {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'dist/src/cli/main.js'), ...args], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'silent' },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`scenegraph ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
}

export function ingestDemoScenes(): void {
  if (!existsSync(path.join(DEMO_SAMPLES, '.complete'))) {
    cli(['synth', '--seed', '1', '--count', '24', '--objects', '12', '--out', DEMO_SAMPLES]);
    writeFileSync(path.join(DEMO_SAMPLES, '.complete'), '');
  }
  cli(['ingest', '--scenes', DEMO_SAMPLES]);
}

/** Removes the demo's images (those ingested from DEMO_SAMPLES) with their subgraphs. */
export async function removeDemoScenes(db: Database): Promise<void> {
  await db.write('test.cleanup.reviews', (tx) =>
    tx.run('MATCH (i:Image) WHERE i.uri STARTS WITH $dir MATCH (rv:Review {imageId: i.id}) DELETE rv', {
      dir: DEMO_SAMPLES,
    }),
  );
  await db.write('test.cleanup', (tx) =>
    tx.run('MATCH (i:Image) WHERE i.uri STARTS WITH $dir OPTIONAL MATCH (i)-->(n) DETACH DELETE n, i', {
      dir: DEMO_SAMPLES,
    }),
  );
}

/** The named operations of README.md's ```graphql blocks, in order, each printed on its own. */
export function readmeOperations(): { name: string; kind: string; text: string }[] {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]);
  return blocks.flatMap((b) =>
    parse(b).definitions.map((d) => {
      const op = d as OperationDefinitionNode;
      if (op.kind !== 'OperationDefinition' || !op.name) throw new Error('README operations must be named');
      return { name: op.name.value, kind: op.operation, text: print(op) };
    }),
  );
}
