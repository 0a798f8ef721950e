import {
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isScalarType,
  isEnumType,
  isUnionType,
} from 'graphql';
import { buildGraphQLSchema } from '../../../resolvers/runtime/schema';

/** Every type, field, argument and input field a client sees says what it means (ranges, units, nulls). */
function undescribed(): string[] {
  const schema = buildGraphQLSchema();
  const missing: string[] = [];
  const has = (d: string | null | undefined) => typeof d === 'string' && d.trim().length > 0;
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__')) continue;
    if (isScalarType(type) && ['String', 'Int', 'Float', 'Boolean', 'ID'].includes(type.name)) continue;
    // Root types are containers; their fields carry the descriptions.
    const root = ['Query', 'Mutation', 'Subscription'].includes(type.name);
    if (!root && !has(type.description)) missing.push(type.name);
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        if (!has(field.description)) missing.push(`${type.name}.${field.name}`);
        for (const arg of field.args) {
          if (!has(arg.description)) missing.push(`${type.name}.${field.name}(${arg.name})`);
        }
      }
    } else if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) {
        if (!has(field.description)) missing.push(`${type.name}.${field.name}`);
      }
    } else if (isEnumType(type) || isUnionType(type)) {
      // The enum's own description names its values.
    }
  }
  return missing.sort();
}

describe('schema descriptions', () => {
  it('describes every type, field, argument and input field', () => {
    expect(undescribed()).toEqual([]);
  });
});
