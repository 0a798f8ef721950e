import { buildSchema, FragmentDefinitionNode, Kind, OperationDefinitionNode, parse, validate } from 'graphql';
import {
  ASSUMED_LIST_SIZE,
  DEFAULT_PAGE_SIZE,
  estimateCost,
  queryLimitRules,
} from '../../../resolvers/runtime/limits';

const schema = buildSchema(`
  type Query { images(first: Int): [Image!]! }
  type Image { id: ID! objects(first: Int): [Obj!]! layers: [Layer!]! }
  type Layer { index: Int! members: [Obj!]! }
  type Obj { id: ID! label: String! image: Image! }
`);
const rules = queryLimitRules({ maxQueryDepth: 3, maxAliases: 2 });

function cost(query: string, variables: Record<string, unknown> = {}): number {
  const doc = parse(query);
  const fragments = new Map<string, FragmentDefinitionNode>();
  let op: OperationDefinitionNode | undefined;
  for (const d of doc.definitions) {
    if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
    if (d.kind === Kind.OPERATION_DEFINITION) op = d;
  }
  return estimateCost(schema, schema.getQueryType()!, op!.selectionSet, variables, fragments);
}

describe('query limits', () => {
  it('accepts a query within depth and alias limits', () => {
    expect(validate(schema, parse('{ a: images { id } b: images { id } }'), rules)).toEqual([]);
  });

  it('rejects depth over the limit, also through fragments', () => {
    const deep = '{ images { objects { image { id } } } }';
    expect(validate(schema, parse(deep), rules).map((e) => e.extensions.code)).toEqual(['QUERY_TOO_DEEP']);
    const viaFragment = '{ images { ...F } } fragment F on Image { objects { image { id } } }';
    expect(validate(schema, parse(viaFragment), rules).map((e) => e.extensions.code)).toEqual([
      'QUERY_TOO_DEEP',
    ]);
  });

  it('rejects too many aliases', () => {
    const q = '{ a: images { id } b: images { id } c: images { id } }';
    expect(validate(schema, parse(q), rules).map((e) => e.extensions.code)).toEqual(['TOO_MANY_ALIASES']);
  });

  it('multiplies nested cost by page sizes, from literals and variables', () => {
    expect(cost('{ images(first: 10) { id } }')).toBe(1 + 10 * 1);
    expect(cost('query($n: Int) { images(first: $n) { objects(first: 5) { id label } } }', { n: 4 })).toBe(
      1 + 4 * (1 + 5 * 2),
    );
    expect(cost('{ images { id } }')).toBe(1 + DEFAULT_PAGE_SIZE * 1);
  });

  it('assumes a size for list fields without first, also through fragments', () => {
    expect(cost('{ images(first: 2) { layers { members { id } } } }')).toBe(
      1 + 2 * (1 + ASSUMED_LIST_SIZE * (1 + ASSUMED_LIST_SIZE * 1)),
    );
    expect(cost('{ images(first: 2) { ...L } } fragment L on Image { layers { index } }')).toBe(
      1 + 2 * (1 + ASSUMED_LIST_SIZE * 1),
    );
  });
});
