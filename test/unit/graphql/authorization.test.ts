import { getMetadataStorage } from 'type-graphql';
import { buildGraphQLSchema } from '../../../resolvers/runtime/schema';
import { hasRole, isRole } from '../../../src/auth/roles';

/**
 * Every mutation must name a role of at least `write`: a mutation added without `@Authorized` would
 * otherwise be open to read keys and anonymous clients. Queries need no more than `read`.
 */
describe('roles on the schema', () => {
  const schema = buildGraphQLSchema();
  const storage = getMetadataStorage();

  function rolesOf(kind: 'mutations' | 'queries', field: string): string[] | undefined {
    const resolver = storage[kind].find((r) => r.schemaName === field);
    if (!resolver) throw new Error(`no resolver metadata for ${field}`);
    const authorized = storage.authorizedFields.find(
      (a) => a.target === resolver.target && a.fieldName === resolver.methodName,
    );
    return authorized?.roles.map(String);
  }

  it('requires write or admin on every mutation', () => {
    const mutations = Object.keys(schema.getMutationType()?.getFields() ?? {});
    expect(mutations).toEqual(expect.arrayContaining(['ingestSceneGraph', 'ingestImage', 'deleteImage']));
    for (const field of mutations) {
      const roles = rolesOf('mutations', field);
      expect({ field, roles }).toEqual({ field, roles: expect.arrayContaining([expect.any(String)]) });
      for (const role of roles!) {
        expect(isRole(role)).toBe(true);
        expect({ field, atLeastWrite: isRole(role) && hasRole(role, 'write') }).toEqual({
          field,
          atLeastWrite: true,
        });
      }
    }
  });

  it('asks no more than read of queries', () => {
    for (const field of Object.keys(schema.getQueryType()?.getFields() ?? {})) {
      for (const role of rolesOf('queries', field) ?? [])
        expect({ field, role }).toEqual({ field, role: 'read' });
    }
  });
});
