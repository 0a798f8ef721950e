import { spawnSync } from 'node:child_process';
import path from 'node:path';
import type { Database } from '../../src/db/database';
import type { RunningService } from '../../src/server/service';
import { testDatabase, uniquePrefix } from '../helpers/testDatabase';
import { startTestService } from '../helpers/testService';

const root = path.resolve(__dirname, '../..');
const cli = path.join(root, 'dist/src/cli/main.js');

function run(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [cli, ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
}

async function ask(service: RunningService, token: string): Promise<number> {
  const res = await fetch(`${service.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: '{ serverInfo { version } }' }),
  });
  return res.status;
}

describe('scenegraph keys (built CLI, against the real Neo4j)', () => {
  let db: Database;
  let service: RunningService;
  const ids: string[] = [];

  beforeAll(async () => {
    db = testDatabase();
    service = await startTestService({ AUTH_MODE: 'keys', AUTH_KEY_CACHE_MS: '300' });
  });

  afterAll(async () => {
    await service.stop();
    await db.write('test.cleanupKeys', (tx) =>
      tx.run('MATCH (k:ApiKey) WHERE k.id IN $ids DELETE k', { ids }),
    );
    await db.close();
  });

  it('creates a key printed once, lists it without the secret, and revokes it', async () => {
    const name = uniquePrefix('cli-key');
    const created = run(['keys', 'create', '--name', name, '--role', 'write', '--rate', '90']);
    expect(created.status).toBe(0);
    const token = created.stdout.trim();
    expect(token).toMatch(/^sgk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    const id = token.slice(4, 16);
    ids.push(id);
    expect(created.stderr).toMatch(
      new RegExp(`created API key ${id} \\(${name}, write, 90/min\\).*shown only now`),
    );

    const listed = run(['keys', 'list']);
    expect(listed.status).toBe(0);
    const line = listed.stdout.split('\n').find((l) => l.startsWith(id));
    expect(line).toMatch(new RegExp(`^${id}\\s+${name}\\s+write\\s+90\\s+\\S+\\s+active$`));
    expect(listed.stdout).not.toContain(token.slice(17));

    // The stored node holds the hash, not the secret.
    const stored = await db.read('test.key', (tx) =>
      tx.run<{ k: Record<string, unknown> }>('MATCH (k:ApiKey {id: $id}) RETURN properties(k) AS k', { id }),
    );
    const props = stored.records[0].get('k');
    expect(Object.values(props).map(String).join(' ')).not.toContain(token.slice(17));
    expect(props.hash).toMatch(/^[0-9a-f]{64}$/);

    expect(await ask(service, token)).toBe(200);

    const revoked = run(['keys', 'revoke', id]);
    expect(revoked.status).toBe(0);
    expect(revoked.stdout).toBe(`revoked API key ${id} (${name})\n`);
    expect(
      run(['keys', 'list'])
        .stdout.split('\n')
        .find((l) => l.startsWith(id)),
    ).toMatch(/revoked \S+$/);
    expect(run(['keys', 'revoke', id]).stdout).toMatch(/already revoked/);

    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(await ask(service, token)).toBe(401);
  });

  it('exits 2 naming the option on bad input, and on an unknown id', () => {
    const badRole = run(['keys', 'create', '--name', 'x', '--role', 'root']);
    expect(badRole.status).toBe(2);
    expect(badRole.stderr).toMatch(/--role: must be one of read, write, admin/);
    const badRate = run(['keys', 'create', '--name', 'x', '--role', 'read', '--rate', '0']);
    expect(badRate.status).toBe(2);
    expect(badRate.stderr).toMatch(/--rate/);
    const badId = run(['keys', 'revoke', 'nope']);
    expect(badId.status).toBe(2);
    expect(badId.stderr).toMatch(/ID: must be a key id/);
    const unknown = run(['keys', 'revoke', '000000000000']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/no API key with id 000000000000/);
  });

  it('refuses to serve on a non-loopback HOST without AUTH_MODE (exit 3, says what to set)', () => {
    const r = run(['serve', '--host', '0.0.0.0', '--port', '0'], { AUTH_MODE: '' });
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/AUTH_MODE: HOST 0\.0\.0\.0 is not a loopback address/);
    expect(r.stderr).toMatch(/Set AUTH_MODE=keys/);
  });
});
