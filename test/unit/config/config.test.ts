import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { resolveAuthMode } from '../../../src/auth/authMode';
import { CONFIG_DOCS, ConfigError, loadConfig } from '../../../src/config/config';

const root = path.resolve(__dirname, '../../..');

describe('loadConfig', () => {
  it('resolves defaults relative to the working directory', () => {
    const c = loadConfig({}, '/srv/app');
    expect(c.http).toEqual({ host: '127.0.0.1', port: 4000, corsOrigins: [] });
    expect(c.neo4j.uri).toBeUndefined();
    expect(c.neo4j.localBoltPort).toBe(7687);
    expect(c.dataDir).toBe('/srv/app/.data');
    expect(c.modelDir).toBe('/srv/app/.data/models');
    expect(c.isProduction).toBe(false);
    expect(c.ingestRoots).toEqual(['/srv/app/.data/inputs']);
    expect(loadConfig({ INGEST_ROOTS: 'a:/b' }, '/srv').ingestRoots).toEqual(['/srv/a', '/b']);
  });

  it('treats empty strings as unset', () => {
    expect(loadConfig({ PORT: '', NEO4J_URI: '' }).http.port).toBe(4000);
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ NEO4J_URI: 'http://x', NEO4J_PASSWORD: 'p' }, 'NEO4J_URI'],
    [{ NEO4J_URI: 'bolt://db:7687' }, 'NEO4J_PASSWORD'],
    [{ NODE_ENV: 'prod' }, 'NODE_ENV'],
    [{ MAX_QUERY_DEPTH: '0' }, 'MAX_QUERY_DEPTH'],
    [{ NEO4J_HEAP: 'lots' }, 'NEO4J_HEAP'],
    [{ NEO4J_PAGE_CACHE: '8gb' }, 'NEO4J_PAGE_CACHE'],
  ])('rejects %j naming %s', (env, variable) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    try {
      loadConfig(env);
    } catch (err) {
      expect((err as ConfigError).message).toContain(`${variable}:`);
    }
  });

  it('reports every bad variable at once', () => {
    try {
      loadConfig({ PORT: 'x', LOG_LEVEL: 'y' });
      throw new Error('expected a ConfigError');
    } catch (err) {
      expect((err as ConfigError).issues.map((i) => i.variable).sort()).toEqual(['LOG_LEVEL', 'PORT']);
    }
  });

  it('reads the local Neo4j memory sizes, defaults when unset', () => {
    expect(loadConfig({}).neo4j).toMatchObject({ localHeap: '1g', localPageCache: '256m' });
    expect(loadConfig({ NEO4J_HEAP: '2g', NEO4J_PAGE_CACHE: ' 8G ' }).neo4j).toMatchObject({
      localHeap: '2g',
      localPageCache: '8G',
    });
  });

  it('documents every variable in the README', () => {
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    for (const name of Object.keys(CONFIG_DOCS)) expect(readme).toContain(`| \`${name}\``);
  });
  it('reads CORS origins, `*` only when given, and refuses anything else', () => {
    expect(
      loadConfig({ CORS_ORIGINS: 'https://a.example, http://localhost:5173/' }).http.corsOrigins,
    ).toEqual(['https://a.example', 'http://localhost:5173']);
    expect(loadConfig({ CORS_ORIGINS: '*' }).http.corsOrigins).toEqual(['*']);
    expect(() => loadConfig({ CORS_ORIGINS: 'a.example' })).toThrow(/CORS_ORIGINS/);
  });
});

describe('docker-compose.yml', () => {
  const compose = parse(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8')) as {
    services: Record<
      string,
      { image?: string; environment?: Record<string, string>; ports?: string[]; depends_on?: unknown }
    >;
  };

  it('runs Neo4j 5.26 Community and the app, the app waiting for a healthy Neo4j', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['app', 'neo4j']);
    expect(compose.services.neo4j.image).toBe('neo4j:5.26-community');
    expect(compose.services.app.depends_on).toEqual({ neo4j: { condition: 'service_healthy' } });
  });

  it('sets only variables the config module knows, and they validate', () => {
    const env = compose.services.app.environment!;
    for (const key of Object.keys(env)) expect(Object.keys(CONFIG_DOCS)).toContain(key);
    const resolved = Object.fromEntries(
      Object.entries(env).map(([k, v]) => [
        k,
        String(v)
          .replace(/\$\{NEO4J_PASSWORD[^}]*\}/, 'secret')
          .replace(/\$\{\w+:-([^}]*)\}/, '$1'),
      ]),
    );
    const c = loadConfig(resolved, '/app');
    expect(c.neo4j.uri).toBe('bolt://neo4j:7687');
    expect(c.isProduction).toBe(true);
    // It binds 0.0.0.0 inside the container, so it starts only with AUTH_MODE set.
    expect(resolveAuthMode(c)).toBe('off');
    expect(compose.services.app.ports).toContain(`127.0.0.1:${c.http.port}:${c.http.port}`);
    expect(compose.services.neo4j.ports).toContain(
      `127.0.0.1:7687:${new URL(c.neo4j.uri!.replace('bolt', 'http')).port}`,
    );
  });
});

describe('configuration module dependencies', () => {
  it('loads without the Neo4j driver (the GPU benchmark ships a node_modules without it)', () => {
    jest.isolateModules(() => {
      jest.doMock('neo4j-driver', () => {
        throw new Error('neo4j-driver was loaded');
      });
      const mod = require('../../../src/config/config') as typeof import('../../../src/config/config');
      expect(typeof mod.loadConfig).toBe('function');
    });
  });
});
