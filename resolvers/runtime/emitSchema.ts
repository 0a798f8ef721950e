import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/paths';
import { printGraphQLSchema } from './schema';

/** `npm run schema`: rewrites schema/schema.graphql from the resolvers (a test fails when it drifts). */
export const SCHEMA_FILE = path.join(PROJECT_ROOT, 'schema', 'schema.graphql');

if (require.main === module) {
  writeFileSync(SCHEMA_FILE, printGraphQLSchema());
  process.stdout.write(`wrote ${path.relative(process.cwd(), SCHEMA_FILE)}\n`);
}
