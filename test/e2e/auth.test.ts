import { createApiKey, revokeApiKey } from '../../src/auth/apiKey.store';
import type { Role } from '../../src/auth/roles';
import type { Database } from '../../src/db/database';
import { loadConfig } from '../../src/config/config';
import { createLogger } from '../../src/log/logger';
import { startService, type RunningService } from '../../src/server/service';
import { streetScene } from '../helpers/scenes';
import { testDatabase, uniquePrefix } from '../helpers/testDatabase';
import { startTestService } from '../helpers/testService';

/**
 * Every role boundary over HTTP against the real Neo4j: who may connect (401), what each role may do
 * (403, nothing written), the per-key rate limit (429), anonymous read mode, and the start-up refusal
 * on a non-loopback HOST without AUTH_MODE.
 */

const INFO = '{ serverInfo { version } }';
const INGEST = 'mutation($input: JSONObject!) { ingestSceneGraph(input: $input) { status image { id } } }';
const DELETE = 'mutation($id: ID!) { deleteImage(id: $id) { id } }';

interface Reply {
  status: number;
  headers: Headers;
  body: {
    data?: Record<string, unknown> | null;
    errors?: { message: string; extensions?: { code?: string } }[];
  };
}

async function post(
  service: RunningService,
  query: string,
  headers: Record<string, string> = {},
  variables?: Record<string, unknown>,
): Promise<Reply> {
  const res = await fetch(`${service.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Reply['body'] };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const code = (r: Reply) => r.body.errors?.[0]?.extensions?.code;

let db: Database;
const createdKeys: string[] = [];

async function key(role: Role, ratePerMinute?: number): Promise<{ id: string; token: string }> {
  const { record, token } = await createApiKey(db, {
    name: uniquePrefix(`auth-test-${role}`),
    role,
    ratePerMinute,
  });
  createdKeys.push(record.id);
  return { id: record.id, token };
}

async function imageCount(uri: string): Promise<number> {
  const r = await db.read('test.imageCount', (tx) =>
    tx.run<{ n: number }>('MATCH (i:Image {uri: $uri}) RETURN count(i) AS n', { uri }),
  );
  return r.records[0].get('n');
}

beforeAll(() => {
  db = testDatabase();
});

afterAll(async () => {
  await db.write('test.cleanupKeys', (tx) =>
    tx.run('MATCH (k:ApiKey) WHERE k.id IN $ids DELETE k', { ids: createdKeys }),
  );
  await db.close();
});

describe('AUTH_MODE=keys', () => {
  let service: RunningService;
  beforeAll(async () => {
    service = await startTestService({ AUTH_MODE: 'keys', AUTH_KEY_CACHE_MS: '300' });
  });
  afterAll(() => service.stop());

  it('keeps /healthz and /readyz open', async () => {
    expect((await fetch(`${service.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${service.url}/readyz`)).status).toBe(200);
  });

  it('refuses a request without a key with 401 UNAUTHENTICATED', async () => {
    const r = await post(service, INFO);
    expect(r.status).toBe(401);
    expect(code(r)).toBe('UNAUTHENTICATED');
    expect(r.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(r.body.data).toBeUndefined();
  });

  it('refuses malformed, unknown and wrong-secret keys, and non-Bearer schemes', async () => {
    const good = await key('read');
    const wrongSecret = good.token.slice(0, -4) + (good.token.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    const unknownId = good.token.replace(/^sgk_[0-9a-f]{12}/, 'sgk_000000000000');
    for (const headers of [
      bearer('not-a-key'),
      bearer(wrongSecret),
      bearer(unknownId),
      { authorization: `Basic ${Buffer.from('neo4j:x').toString('base64')}` },
      { 'x-api-key': wrongSecret },
    ]) {
      const r = await post(service, INFO, headers);
      expect([r.status, code(r)]).toEqual([401, 'UNAUTHENTICATED']);
    }
  });

  it('lets a read key query (Bearer and X-API-Key) but not mutate: 403 FORBIDDEN, nothing written', async () => {
    const read = await key('read');
    for (const headers of [bearer(read.token), { 'x-api-key': read.token }]) {
      const r = await post(service, INFO, headers);
      expect(r.status).toBe(200);
      expect(r.body.errors).toBeUndefined();
    }
    const scene = streetScene(uniquePrefix('auth-read'));
    const r = await post(service, INGEST, bearer(read.token), { input: scene });
    expect(r.status).toBe(403);
    expect(code(r)).toBe('FORBIDDEN');
    expect(r.body.errors?.[0].message).toMatch(/ingestSceneGraph needs the write role/);
    expect(r.body.data ?? null).toBeNull();
    expect(await imageCount(scene.image.uri)).toBe(0);
  });

  it('lets write and admin keys mutate', async () => {
    for (const role of ['write', 'admin'] as const) {
      const k = await key(role);
      const scene = streetScene(uniquePrefix(`auth-${role}`));
      const r = await post(service, INGEST, bearer(k.token), { input: scene });
      expect(r.status).toBe(200);
      expect(r.body.errors).toBeUndefined();
      const id = (r.body.data!.ingestSceneGraph as { image: { id: string } }).image.id;
      expect(await imageCount(scene.image.uri)).toBe(1);
      const del = await post(service, DELETE, bearer(k.token), { id });
      expect(del.status).toBe(200);
      expect(await imageCount(scene.image.uri)).toBe(0);
    }
  });

  it('refuses a revoked key within AUTH_KEY_CACHE_MS', async () => {
    const k = await key('write');
    expect((await post(service, INFO, bearer(k.token))).status).toBe(200);
    await revokeApiKey(db, k.id);
    await new Promise((resolve) => setTimeout(resolve, 350));
    const r = await post(service, INFO, bearer(k.token));
    expect([r.status, code(r)]).toEqual([401, 'UNAUTHENTICATED']);
    expect(r.body.errors?.[0].message).toMatch(/revoked/);
  });

  it('limits each key to its rate: 429 RATE_LIMITED with Retry-After, other keys unaffected', async () => {
    const limited = await key('read', 2);
    const other = await key('read', 2);
    expect((await post(service, INFO, bearer(limited.token))).status).toBe(200);
    expect((await post(service, INFO, bearer(limited.token))).status).toBe(200);
    const r = await post(service, INFO, bearer(limited.token));
    expect([r.status, code(r)]).toEqual([429, 'RATE_LIMITED']);
    // 2 per minute: the next token is 30 s away.
    const retryAfter = Number(r.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(29);
    expect(retryAfter).toBeLessThanOrEqual(30);
    expect((await post(service, INFO, bearer(other.token))).status).toBe(200);
  });

  it('refuses anonymous reads unless AUTH_ANONYMOUS=read', async () => {
    expect((await post(service, INFO)).status).toBe(401);
  });
});

describe('AUTH_MODE=keys with AUTH_ANONYMOUS=read', () => {
  let service: RunningService;
  beforeAll(async () => {
    service = await startTestService({ AUTH_MODE: 'keys', AUTH_ANONYMOUS: 'read' });
  });
  afterAll(() => service.stop());

  it('lets anonymous clients query but not mutate (403, nothing written)', async () => {
    const q = await post(service, INFO);
    expect(q.status).toBe(200);
    expect(q.body.errors).toBeUndefined();
    const scene = streetScene(uniquePrefix('auth-anon'));
    const m = await post(service, INGEST, {}, { input: scene });
    expect([m.status, code(m)]).toEqual([403, 'FORBIDDEN']);
    expect(await imageCount(scene.image.uri)).toBe(0);
  });

  it('still refuses a bad key instead of treating it as anonymous', async () => {
    expect((await post(service, INFO, bearer('sgk_bogus'))).status).toBe(401);
  });

  it('still lets a write key mutate', async () => {
    const k = await key('write');
    const scene = streetScene(uniquePrefix('auth-anon-write'));
    const r = await post(service, INGEST, bearer(k.token), { input: scene });
    expect(r.status).toBe(200);
    const id = (r.body.data!.ingestSceneGraph as { image: { id: string } }).image.id;
    expect((await post(service, DELETE, bearer(k.token), { id })).status).toBe(200);
  });
});

describe('AUTH_MODE unset', () => {
  it('serves everything without a key on loopback (the default HOST)', async () => {
    const service = await startTestService();
    try {
      const scene = streetScene(uniquePrefix('auth-off'));
      const r = await post(service, INGEST, {}, { input: scene });
      expect(r.status).toBe(200);
      const id = (r.body.data!.ingestSceneGraph as { image: { id: string } }).image.id;
      expect((await post(service, DELETE, {}, { id })).status).toBe(200);
    } finally {
      await service.stop();
    }
  });

  it('refuses to start on a non-loopback HOST, saying to set AUTH_MODE', async () => {
    const config = loadConfig({
      NEO4J_URI: process.env.NEO4J_URI,
      NEO4J_PASSWORD: process.env.NEO4J_PASSWORD,
      HOST: '0.0.0.0',
    });
    const queriesBefore = db.queries;
    await expect(
      startService(config, createLogger('silent'), { connection: { db, startedLocal: false } }),
    ).rejects.toThrow(/AUTH_MODE: HOST 0\.0\.0\.0 is not a loopback address.*Set AUTH_MODE=keys/s);
    // Refused before migrations or anything else touched the database.
    expect(db.queries).toBe(queriesBefore);
  });

  it('starts on a non-loopback HOST with AUTH_MODE=off set explicitly', async () => {
    const service = await startTestService({ HOST: '0.0.0.0', AUTH_MODE: 'off' });
    try {
      const port = new URL(service.url).port;
      const r = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: INFO }),
      });
      expect(r.status).toBe(200);
    } finally {
      await service.stop();
    }
  });
});
