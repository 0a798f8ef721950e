import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');
const cli = path.join(root, 'dist/src/cli/main.js');

function run(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [cli, ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
}

describe('scenegraph CLI (built, against the real Neo4j)', () => {
  it('prints help for every command', () => {
    for (const args of [['--help'], ['serve', '--help'], ['db', '--help'], ['db', 'start', '--help']]) {
      const r = run(args);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/Usage: scenegraph/);
    }
  });

  it('exits 2 on an unknown command and 3 on a bad variable', () => {
    expect(run(['nope']).status).toBe(2);
    const r = run(['serve'], { PORT: 'abc' });
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/PORT:/);
  });

  it('refuses to manage the local Neo4j while NEO4J_URI points elsewhere', () => {
    const r = run(['db', 'stop']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/NEO4J_URI is set/);
  });

  it('shows migration status of the configured server', () => {
    const r = run(['db', 'status']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/migration 0001_constraints: applied/);
  });

  it('rebuilds a named index and refuses names that are not rebuildable indexes', () => {
    const r = run(['db', 'reindex', '--index', 'review_image_id']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(
      /^rebuilding review_image_id \(1\/1\) \.\.\. \d+\.\d s\n1 index rebuilt in \d+\.\d s\n$/,
    );
    const bad = run(['db', 'reindex', '--index', 'object_id']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/index: not a rebuildable index: object_id/);
  });

  it('serves until SIGTERM, then exits 0', async () => {
    const child = spawn(process.execPath, [cli, 'serve', '--port', '0'], {
      cwd: root,
      env: { ...process.env, LOG_LEVEL: 'info' },
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no start-up line; stderr: ${stderr}`)), 60_000);
      child.stderr.on('data', () => {
        const m = /GraphQL at (http:\/\/\S+)\/graphql/.exec(stderr);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
    });
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(stderr).toMatch(/shutting down/);
  });
});
