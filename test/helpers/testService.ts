import { loadConfig } from '../../src/config/config';
import { createLogger } from '../../src/log/logger';
import { RunningService, startService } from '../../src/server/service';
import { testDatabase } from './testDatabase';

/** The full service on an ephemeral port, over the test Neo4j. */
export async function startTestService(env: Record<string, string> = {}): Promise<RunningService> {
  const config = loadConfig({
    NEO4J_URI: process.env.NEO4J_URI,
    NEO4J_PASSWORD: process.env.NEO4J_PASSWORD,
    PORT: '1',
    NODE_ENV: 'test',
    ...env,
  });
  config.http.port = 0;
  return startService(config, createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'), {
    connection: { db: testDatabase(), startedLocal: false },
  });
}

export async function gql(
  service: RunningService,
  query: string,
  variables?: Record<string, unknown>,
): Promise<{
  status: number;
  body: {
    data?: Record<string, unknown> | null;
    errors?: { message: string; extensions?: Record<string, unknown> }[];
  };
}> {
  const res = await fetch(`${service.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, body: (await res.json()) as never };
}
