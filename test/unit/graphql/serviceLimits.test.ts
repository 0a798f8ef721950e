import { GraphQLError, parse, print, validate, specifiedRules, Kind } from 'graphql';
import { loadConfig } from '../../../src/config/config';
import { AppError, ErrorCode, UserInputError } from '../../../src/errors/errors';
import { buildGraphQLSchema } from '../../../resolvers/runtime/schema';
import {
  estimateCost,
  expandedFieldCount,
  GuardedDocumentStore,
  queryLimitRules,
} from '../../../resolvers/runtime/limits';
import { makeFormatError, redactMessage } from '../../../resolvers/runtime/formatError';
import { toAppError } from '../../../src/db/database';
import { Neo4jError } from 'neo4j-driver';
import { fragmentBomb } from '../../helpers/queries';

const defaults = loadConfig({}).limits;
const schema = buildGraphQLSchema();

function costOf(query: string): number {
  const doc = parse(query);
  const fragments = new Map(
    doc.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])),
  );
  const op = doc.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION)!;
  const root = op.operation === 'mutation' ? schema.getMutationType()! : schema.getQueryType()!;
  return estimateCost(schema, root, op.selectionSet, {}, fragments);
}

describe('fragment bombs are refused before graphql-js validation', () => {
  it('counts expanded fields linearly, with memoised fragment sizes', () => {
    const bomb = fragmentBomb(22);
    expect(bomb.length).toBeLessThan(1200);
    const start = performance.now();
    const n = expandedFieldCount(parse(bomb));
    const ms = performance.now() - start;
    // 2^22 `id` fields + images, edges, node.
    expect(n).toBe(2 ** 22 + 3);
    expect(n).toBeGreaterThan(defaults.maxQueryFields);
    expect(ms).toBeLessThan(50);
  });

  it('keeps the depth rule and the cost estimate linear too', () => {
    const doc = parse(fragmentBomb(22));
    const start = performance.now();
    const errors = validate(schema, doc, queryLimitRules(defaults));
    expect(errors).toEqual([]);
    expect(costOf(fragmentBomb(22))).toBeGreaterThan(defaults.maxQueryCost);
    expect(performance.now() - start).toBeLessThan(200);
  });

  it('ignores cycles and unknown fragments (validation reports them later)', () => {
    expect(expandedFieldCount(parse('{ a ...X } fragment X on Q { b ...X ...Y }'))).toBe(2);
  });
});

describe('default limits fit the graph', () => {
  const twoHop = `{ images { edges { node { id objects { label relations { predicate object { label
      relations { predicate object { label } } } } } } } } }`;
  it('allow a two-hop traversal from images', () => {
    expect(validate(schema, parse(twoHop), [...specifiedRules, ...queryLimitRules(defaults)])).toEqual([]);
    expect(costOf(twoHop)).toBeLessThanOrEqual(defaults.maxQueryCost);
    expect(expandedFieldCount(parse(twoHop))).toBeLessThanOrEqual(defaults.maxQueryFields);
  });

  it("allow the README's examples", () => {
    const examples = [
      `{ objectsInFrontOf(label: "people", first: 10) {
          edges { node { label depth { p5 p95 } } reference { label } image { uri } score evidence }
          pageInfo { hasNextPage endCursor } } }`,
      `{ image(id: "x") { relations(thresholds: {lateralMargin: 0.2}) { predicate subject { key } object { key } } } }`,
      `{ searchImages(pattern: [{subject: "dog", predicate: "in front of", object: "car"}]) {
          edges { score node { uri } matches { predicate subject { label } object { label } } } } }`,
      `{ relations(where: {predicate: "in_front_of", source: GEOMETRY, minScore: 0.8}, first: 5) {
          edges { node { subject { label } predicate object { label } image { id } } } } }`,
    ];
    for (const q of examples) {
      expect(validate(schema, parse(q), [...specifiedRules, ...queryLimitRules(defaults)])).toEqual([]);
      expect(costOf(q)).toBeLessThanOrEqual(defaults.maxQueryCost);
    }
  });

  it('still refuse a page of a million', () => {
    expect(costOf('{ images(first: 1000000) { edges { node { id } } } }')).toBeGreaterThan(
      defaults.maxQueryCost,
    );
  });
});

describe('formatError', () => {
  const logged: unknown[] = [];
  const logger = {
    error: (o: unknown) => logged.push(o),
    warn: (o: unknown) => logged.push(o),
  } as never;
  const format = makeFormatError(logger);
  const fmt = (e: GraphQLError) =>
    format({ message: e.message, extensions: { code: 'INTERNAL_SERVER_ERROR' } }, e);

  it('reports graphql-js coercion errors as BAD_USER_INPUT with their message', () => {
    const doc = parse('{ images(first: null) { edges { node { id } } } }');
    const arg = (
      doc.definitions[0] as never as { selectionSet: { selections: { arguments: { value: never }[] }[] } }
    ).selectionSet.selections[0].arguments[0].value;
    const inner = new GraphQLError('Argument "first" of non-null type "Int!" must not be null.', {
      nodes: arg,
    });
    const outer = new GraphQLError(inner.message, { path: ['images'], originalError: inner });
    expect(fmt(outer)).toMatchObject({ message: inner.message, extensions: { code: 'BAD_USER_INPUT' } });
  });

  it("reports the request pipeline's own errors (a persisted-query hash mismatch) as BAD_REQUEST", () => {
    const e = new GraphQLError('provided sha does not match query');
    expect(fmt(e)).toEqual({
      message: 'provided sha does not match query',
      extensions: { code: 'BAD_REQUEST' },
    });
  });

  it('still masks a bare exception outside any resolver', () => {
    logged.length = 0;
    const wrapped = new GraphQLError('boom at /srv/secret', { originalError: new Error('boom') });
    expect(fmt(wrapped)).toMatchObject({ message: 'Internal server error' });
  });

  it('masks genuine faults and logs them', () => {
    logged.length = 0;
    const outer = new GraphQLError('boom at /srv/secret', {
      path: ['images'],
      originalError: new Error('boom'),
    });
    expect(fmt(outer)).toEqual({
      message: 'Internal server error',
      path: undefined,
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
    expect(logged).toHaveLength(1);
  });

  it('tells clients only that the database is unavailable', () => {
    const driverErr = new Neo4jError('connect ECONNREFUSED 127.0.0.1:7687', 'ServiceUnavailable', '', '');
    const app = toAppError(driverErr, 'Neo4j at bolt://db.internal:7687 images.list failed', 'images.list');
    expect(app).toBeInstanceOf(AppError);
    const out = fmt(new GraphQLError('x', { path: ['images'], originalError: app as AppError }));
    expect(out.extensions?.code).toBe(ErrorCode.DATABASE_UNAVAILABLE);
    expect(out.message).not.toMatch(/bolt:|images\.list|7687/);
  });

  it('names no operation in a database conflict', () => {
    const driverErr = new Neo4jError(
      'Node(1) already exists',
      'Neo.ClientError.Schema.ConstraintValidationFailed',
      '',
      '',
    );
    const app = toAppError(driverErr, 'Neo4j ingest failed', 'ingest') as AppError;
    const out = fmt(new GraphQLError('x', { path: ['ingestSceneGraph'], originalError: app }));
    expect(out.extensions?.code).toBe(ErrorCode.CONFLICT);
    expect(out.message).not.toMatch(/Neo4j|ingest|Node\(1\)/);
  });

  it('cuts absolute paths out of input errors, keeping the field', () => {
    const err = new UserInputError('cannot read /srv/data/inputs/depth/a.png', 'input.path');
    const out = fmt(new GraphQLError('x', { path: ['ingestImage'], originalError: err }));
    expect(out.message).toBe('input.path: cannot read .../a.png');
    expect(out.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'input.path' });
    expect(redactMessage('see file:///home/u/x.json and bolt://h:1')).toBe('see .../x.json and the database');
    expect(redactMessage('ratio 0/1 at https://example.org/a/b')).toBe(
      'ratio 0/1 at https://example.org/a/b',
    );
  });
});

describe('GuardedDocumentStore', () => {
  it('answers a refused query once with a trivial document, and caches others', async () => {
    const store = new GuardedDocumentStore(2);
    store.refuse('h1');
    const trivial = await store.get('schema:h1');
    expect(trivial && print(trivial)).toMatch(/__typename/);
    expect(await store.get('schema:h1')).toBeUndefined();
    const a = parse('{ a }');
    await store.set('schema:a', a);
    await store.set('schema:b', parse('{ b }'));
    expect(await store.get('schema:a')).toBe(a);
    await store.set('schema:c', parse('{ c }'));
    // b was the least recently used.
    expect(await store.get('schema:b')).toBeUndefined();
    expect(await store.get('schema:a')).toBe(a);
    await store.set('schema:t', trivial!);
    expect(await store.get('schema:t')).toBeUndefined();
  });
});
