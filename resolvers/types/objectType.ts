import { ObjectType as TypeGraphQLObjectType, type ObjectTypeOptions } from 'type-graphql';

/**
 * The decorator of every output type in the schema: type-graphql's `@ObjectType` with
 * `simpleResolvers`, so a plain field (one without a `@FieldResolver`) is read by graphql-js's
 * default resolver instead of a type-graphql wrapper that builds a resolver-data object and a
 * middleware chain for every field of every row: ~4% of the CPU profile of a replayed 20-edge
 * objectsInFrontOf page (bench/storeNotes.md, item 15), more on wider pages. It is sound because no
 * field of an output type has middleware or `@Authorized` (roles guard mutations only;
 * test/unit/graphql/authorization.test.ts checks both); `@FieldResolver` methods keep type-graphql's
 * full path.
 */
export function ObjectType(options: Omit<ObjectTypeOptions, 'simpleResolvers'> = {}): ClassDecorator {
  return TypeGraphQLObjectType({ ...options, simpleResolvers: true });
}
