import { randomUUID } from 'node:crypto';
import { Database } from '../../src/db/database';

/**
 * Integration and e2e suites run against the Neo4j that scripts/test.sh started (or the one NEO4J_URI
 * names). Each test works under its own random prefix and removes what it wrote.
 */
export function testDatabase(): Database {
  const uri = process.env.NEO4J_URI;
  const password = process.env.NEO4J_PASSWORD;
  if (!uri || !password) {
    throw new Error('NEO4J_URI and NEO4J_PASSWORD must be set: run these tests through `npm test`');
  }
  return Database.connect({
    uri,
    user: process.env.NEO4J_USER ?? 'neo4j',
    password,
    database: process.env.NEO4J_DATABASE ?? 'neo4j',
  });
}

export function uniquePrefix(name: string): string {
  return `${name}-${randomUUID().slice(0, 8)}`;
}

/** Removes the images whose URI starts with `prefix`, with their objects (a suite's cleanup). */
export async function deleteImagesUnder(db: Database, prefix: string): Promise<void> {
  await db.write('test.cleanup', (tx) =>
    tx.run(
      `MATCH (i:Image) WHERE i.uri STARTS WITH $prefix
       OPTIONAL MATCH (i)-[:HAS_OBJECT]->(n) DETACH DELETE n, i`,
      { prefix },
    ),
  );
}
