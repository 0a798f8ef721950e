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

  /**
   * Output types resolve plain fields with graphql-js's default resolver (resolvers/types/objectType.ts),
   * which skips type-graphql's auth and middleware on them: that is only sound while none is declared
   * on an output type's field, and only fast while every output type takes the option.
   */
  it('declares no roles or middleware on output type fields, which resolve as plain reads', () => {
    const outputClasses = new Set(storage.objectTypes.map((t) => t.target));
    expect(storage.authorizedFields.filter((a) => outputClasses.has(a.target))).toEqual([]);
    expect(storage.middlewares.filter((m) => outputClasses.has(m.target))).toEqual([]);
    expect(storage.objectTypes.filter((t) => !t.simpleResolvers).map((t) => t.name)).toEqual([]);
    const resolved = new Set(
      storage.fieldResolvers.map(
        (r) => `${storage.objectTypes.find((t) => t.target === r.getObjectType?.())?.name}.${r.schemaName}`,
      ),
    );
    const roots = new Set(['Query', 'Mutation']);
    let plain = 0;
    for (const type of storage.objectTypes) {
      if (roots.has(type.name)) continue;
      const gqlType = schema.getType(type.name);
      if (!gqlType || !('getFields' in gqlType)) throw new Error(`no output type ${type.name} in the schema`);
      for (const [name, field] of Object.entries(gqlType.getFields())) {
        const key = `${type.name}.${name}`;
        if (resolved.has(key)) continue;
        plain++;
        expect({ key, resolve: field.resolve }).toEqual({ key, resolve: undefined });
      }
    }
    expect(plain).toBeGreaterThan(50);
  });

  it('asks no more than read of queries', () => {
    for (const field of Object.keys(schema.getQueryType()?.getFields() ?? {})) {
      for (const role of rolesOf('queries', field) ?? [])
        expect({ field, role }).toEqual({ field, role: 'read' });
    }
  });
});
