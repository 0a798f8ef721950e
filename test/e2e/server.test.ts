import { RunningService } from '../../src/server/service';
import { gql, startTestService } from '../helpers/testService';

describe('service over HTTP (real Neo4j)', () => {
  let service: RunningService;
  beforeAll(async () => {
    service = await startTestService({ MAX_UPLOAD_BYTES: '2048' });
  });
  afterAll(async () => {
    await service.stop();
  });

  it('answers /healthz and /readyz', async () => {
    const health = await fetch(`${service.url}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${service.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { neo4j: 'ok', migrations: 'ok' } });
  });

  it('serves GraphQL from the database', async () => {
    const { status, body } = await gql(service, '{ serverInfo { neo4jVersion neo4jEdition migrations } }');
    expect(status).toBe(200);
    expect(body.data?.serverInfo).toMatchObject({
      neo4jVersion: expect.stringMatching(/^5\.26\./),
      neo4jEdition: 'community',
      migrations: expect.arrayContaining(['0001_constraints']),
    });
  });

  it('answers in compact JSON', async () => {
    const res = await fetch(`${service.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ serverInfo { neo4jEdition migrations } }' }),
    });
    const text = await res.text();
    expect(JSON.parse(text)).toMatchObject({ data: { serverInfo: { neo4jEdition: 'community' } } });
    expect(text).toBe(JSON.stringify(JSON.parse(text)));
  });

  it('rejects queries over the depth, alias and cost limits with typed errors', async () => {
    const strict = await startTestService({ MAX_QUERY_DEPTH: '4', MAX_ALIASES: '1', MAX_QUERY_COST: '100' });
    try {
      const deep = await gql(strict, '{ images { edges { node { objects { id } } } } }');
      expect(deep.status).toBe(400);
      expect(deep.body.errors?.[0].extensions).toEqual({
        code: 'GRAPHQL_VALIDATION_FAILED',
        reason: 'QUERY_TOO_DEEP',
      });
      const aliases = await gql(strict, '{ a: __typename b: __typename }');
      expect(aliases.body.errors?.[0].extensions?.reason).toBe('TOO_MANY_ALIASES');
      const costly = await gql(strict, '{ images(first: 50) { edges { node { id } } } }');
      expect(costly.body.errors?.[0].extensions?.code).toBe('QUERY_TOO_COSTLY');
      expect(costly.body.errors?.[0].message).toMatch(/cost 151 exceeds the limit of 100/);
      expect(
        (await gql(strict, '{ images(first: 5) { edges { node { id } } } }')).body.errors,
      ).toBeUndefined();
    } finally {
      await strict.stop();
    }
  });

  it('blocks CSRF-prone requests', async () => {
    const res = await fetch(`${service.url}/graphql?query=%7B__typename%7D`);
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/CSRF/);
  });

  it('refuses oversized bodies and invalid JSON', async () => {
    const big = await fetch(`${service.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ __typename } #${'x'.repeat(4096)}` }),
    });
    expect(big.status).toBe(413);
    const bad = await fetch(`${service.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query": ',
    });
    expect(bad.status).toBe(400);
  });

  it('404s unknown paths', async () => {
    expect((await fetch(`${service.url}/nope`)).status).toBe(404);
  });
});

describe('production mode', () => {
  it('turns introspection off', async () => {
    const service = await startTestService({ NODE_ENV: 'production' });
    try {
      const { body } = await gql(service, '{ __schema { queryType { name } } }');
      expect(body.errors?.[0].message).toMatch(/introspection/i);
    } finally {
      await service.stop();
    }
  });
});
