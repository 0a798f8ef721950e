import { readFileSync } from 'node:fs';
import { SCHEMA_FILE } from '../../../resolvers/runtime/emitSchema';
import { printGraphQLSchema } from '../../../resolvers/runtime/schema';

describe('schema/schema.graphql', () => {
  it('matches the schema the resolvers build (run `npm run schema` after changing the API)', () => {
    expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(printGraphQLSchema());
  });
});
