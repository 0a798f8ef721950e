/**
 * A seeded GraphQL fuzzer. It reads the schema by introspection and sends operations built from it:
 * random selections (to depth 4) with arguments of the right type, the wrong type, null for non-null,
 * huge numbers and long strings, unknown fields and arguments, plus requests that are broken below
 * GraphQL: malformed JSON, wrong content types, GET with query parameters, odd JSON shapes. Whatever
 * it sends, the service must answer below 500 and stay up; every 5xx is written out with its request.
 *
 * Our own fuzzer rather than schemathesis: it runs inside `npm test` with no Python, it is seeded so
 * a failure replays from its seed and index, and it knows this API's own limits (depth, aliases, cost)
 * well enough to spend requests past the validation layer instead of on it.
 */

import {
  buildClientSchema,
  getIntrospectionQuery,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  isUnionType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
  type IntrospectionQuery,
} from 'graphql';
import { seeded } from '../random';
import { tally } from './harness';

export interface FuzzRequest {
  index: number;
  kind: string;
  method: 'GET' | 'POST';
  /** Path and query string. */
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface FuzzFinding {
  request: FuzzRequest;
  status: number;
  response: string;
}

export interface FuzzResult {
  seed: number;
  requests: number;
  byKind: Record<string, number>;
  byStatus: Record<string, number>;
  /** First error code of each GraphQL response, or the transport outcome. */
  byCode: Record<string, number>;
  serverErrors: FuzzFinding[];
  /** Requests that got no response at all (reset, timeout). */
  noResponse: FuzzFinding[];
  /** Answers below 500 carrying INTERNAL_SERVER_ERROR: an unexpected failure the service masked. */
  internalErrors: FuzzFinding[];
  healthChecks: number;
  healthFailures: number;
  seconds: number;
}

class Gen {
  constructor(readonly random: () => number) {}
  int(n: number): number {
    return Math.floor(this.random() * n);
  }
  chance(p: number): boolean {
    return this.random() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
  word(): string {
    const alphabet = 'abcdefghijklmnopqrstuvwxyz_0123456789';
    let s = 'abcdefghijklmnopqrstuvwxyz'[this.int(26)];
    for (let i = this.int(10); i > 0; i--) s += alphabet[this.int(alphabet.length)];
    return s;
  }
  string(): string {
    return this.pick([
      () => this.word(),
      () => '',
      () => 'x'.repeat(100_000 + this.int(50_000)),
      () => 'person',
      () => 'in front of',
      () => '日本語 ☃ \u0000 \ud83d\ude00',
      () => '../../../etc/passwd',
      () => "' OR 1=1 //",
      () => '}]) MATCH (n) DETACH DELETE n //',
      () => 'file:///etc/passwd',
      () => 'http://169.254.169.254/latest/meta-data',
      () => 'data:image/png;base64,AAAA',
    ])();
  }
  number(integer: boolean): number | string {
    return this.pick<() => number | string>([
      () => this.int(200),
      () => -1 - this.int(1000),
      () => 0,
      () => 2 ** 31,
      () => -(2 ** 31) - 1,
      () => Number.MAX_SAFE_INTEGER,
      () => '99999999999999999999999999',
      () => (integer ? 1e21 : 1.5e308),
      () => (integer ? 3 : this.random()),
      () => '1e400',
    ])();
  }
  json(depth: number): unknown {
    if (depth <= 0 || this.chance(0.4))
      return this.pick<() => unknown>([
        () => this.string(),
        () => this.number(false),
        () => null,
        () => true,
      ])();
    if (this.chance(0.3)) return Array.from({ length: this.int(4) }, () => this.json(depth - 1));
    const o: Record<string, unknown> = {};
    const keys = [
      'version',
      'image',
      'objects',
      'relations',
      'uri',
      'width',
      'height',
      'key',
      'label',
      'box',
    ];
    for (let i = this.int(5); i >= 0; i--)
      o[this.chance(0.7) ? this.pick(keys) : this.word()] = this.json(depth - 1);
    return o;
  }
}

/** A JS value as a GraphQL literal (enums as bare names, strings JSON-quoted). */
function literal(v: unknown, enumValue = false): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return enumValue ? v : JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map((x) => literal(x)).join(', ')}]`;
  if (typeof v === 'object') {
    return `{${Object.entries(v as Record<string, unknown>)
      .filter(([k]) => /^[_A-Za-z][_0-9A-Za-z]*$/.test(k))
      .map(([k, x]) => `${k}: ${literal(x)}`)
      .join(', ')}}`;
  }
  return 'null';
}

/** An argument value as GraphQL source text, right or deliberately wrong for its type. */
function argValue(g: Gen, type: GraphQLInputType, depth: number, wrong: boolean): string {
  if (wrong) {
    return g.pick<() => string>([
      () => 'null',
      () => literal(g.string()),
      () => String(g.number(false)),
      () => 'true',
      () => `[${literal(g.string())}]`,
      () => `{${g.word()}: 1}`,
      () => g.word().toUpperCase(),
      () => '99999999999999999999999999',
    ])();
  }
  if (isNonNullType(type)) return argValue(g, type.ofType, depth, false);
  if (g.chance(0.05)) return 'null';
  if (isListType(type)) {
    const n = g.chance(0.05) ? 200 : g.int(4);
    return `[${Array.from({ length: n }, () => argValue(g, type.ofType, depth, g.chance(0.05))).join(', ')}]`;
  }
  if (isEnumType(type)) return g.pick(type.getValues()).name;
  if (isInputObjectType(type)) {
    if (depth > 3) return '{}';
    const fields = Object.values(type.getFields()).filter((f) => isNonNullType(f.type) || g.chance(0.5));
    const parts = fields.map((f) => `${f.name}: ${argValue(g, f.type, depth + 1, g.chance(0.08))}`);
    if (g.chance(0.05)) parts.push(`${g.word()}: 1`);
    return `{${parts.join(', ')}}`;
  }
  if (isScalarType(type)) {
    switch (type.name) {
      case 'Int':
        return String(g.chance(0.7) ? 1 + g.int(30) : g.number(true));
      case 'Float':
        return String(g.chance(0.7) ? g.random() * 2 : g.number(false));
      case 'Boolean':
        return g.chance(0.5) ? 'true' : 'false';
      case 'JSONObject':
      case 'JSON': {
        const v = g.json(4);
        return literal(v !== null && typeof v === 'object' && !Array.isArray(v) ? v : { value: v });
      }
      default:
        return literal(g.string());
    }
  }
  return 'null';
}

function selection(g: Gen, type: GraphQLNamedType, depth: number): string {
  if (isUnionType(type) || isInterfaceType(type)) {
    const members = isUnionType(type) ? type.getTypes() : [];
    const parts = ['__typename'];
    for (const m of members) if (g.chance(0.5)) parts.push(`... on ${m.name} ${selection(g, m, depth)}`);
    return `{ ${parts.join(' ')} }`;
  }
  if (!isObjectType(type)) return '';
  const fields = Object.values(type.getFields());
  const chosen = new Set<GraphQLField<unknown, unknown>>();
  for (let i = 1 + g.int(4); i > 0; i--) chosen.add(g.pick(fields));
  const parts: string[] = [];
  for (const f of chosen) parts.push(fieldText(g, f, depth + 1));
  if (g.chance(0.04)) parts.push(g.word());
  if (g.chance(0.03)) parts.push(`a${g.word()}: __typename`);
  return `{ ${parts.join(' ')} }`;
}

function fieldText(g: Gen, f: GraphQLField<unknown, unknown>, depth: number): string {
  const args: string[] = [];
  for (const a of f.args) {
    const required = isNonNullType(a.type);
    if (!required && g.chance(0.5)) continue;
    if (required && g.chance(0.03)) continue; // a required argument left out
    args.push(`${a.name}: ${argValue(g, a.type, 0, g.chance(0.1))}`);
  }
  if (g.chance(0.03)) args.push(`${g.word()}: 1`);
  const named = getNamedType(f.type);
  const leaf = !isObjectType(named) && !isInterfaceType(named) && !isUnionType(named);
  let sub = '';
  if (!leaf) sub = depth >= 4 ? '{ __typename }' : selection(g, named, depth);
  if (leaf && g.chance(0.02)) sub = '{ id }'; // a selection on a leaf
  return `${f.name}${args.length ? `(${args.join(', ')})` : ''} ${sub}`;
}

function operation(g: Gen, schema: GraphQLSchema): string {
  const mutation = schema.getMutationType();
  const root: GraphQLObjectType =
    mutation && g.chance(0.2) ? mutation : (schema.getQueryType() as GraphQLObjectType);
  const keyword = root === mutation ? 'mutation' : 'query';
  const fields = Object.values(root.getFields());
  const parts: string[] = [];
  for (let i = 1 + g.int(2); i > 0; i--) parts.push(`f${i}: ${fieldText(g, g.pick(fields), 0)}`);
  return `${keyword} Fuzz { ${parts.join(' ')} }`;
}

/** Request i of seed s: a pure function of both, so a finding replays alone. */
export function makeRequest(schema: GraphQLSchema, seed: number, index: number): FuzzRequest {
  const g = new Gen(seeded((seed * 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)));
  const json = { 'content-type': 'application/json' };
  const post = (kind: string, body: string, headers: Record<string, string> = json): FuzzRequest => ({
    index,
    kind,
    method: 'POST',
    path: '/graphql',
    headers,
    body,
  });
  const u = g.random();
  if (u < 0.55) return post('operation', JSON.stringify({ query: operation(g, schema) }));
  if (u < 0.62) {
    // The same through variables: a JSON value of any shape for a typed variable.
    const name = g.pick(['ID!', 'String', 'Int!', 'JSONObject!', '[TripletPatternInput!]!', 'Float']);
    const value = g.pick<() => unknown>([
      () => g.json(3),
      () => g.string(),
      () => g.number(false),
      () => null,
    ])();
    const query = g.pick([
      'query($v: ID!) { image(id: $v) { id objectCount } }',
      'query($v: Int!) { images(first: $v) { edges { node { id } } } }',
      'query($v: [TripletPatternInput!]!) { searchImages(pattern: $v) { edges { score } } }',
      'mutation($v: JSONObject!) { ingestSceneGraph(input: $v) { status } }',
      `query($v: ${name}) { serverInfo { version } }`,
    ]);
    return post('variables', JSON.stringify({ query, variables: { v: value } }));
  }
  if (u < 0.7) {
    const op = JSON.stringify({ query: operation(g, schema) });
    return post(
      'malformed-json',
      g.pick([
        op.slice(0, g.int(op.length)),
        `${op}}`,
        '{"query": "{ serverInfo { version } }",}',
        '\u0000\u0001\u0002',
        '{"query": "\\ud800"}',
        '['.repeat(5000),
        '{"query": '.repeat(2000),
      ]),
    );
  }
  if (u < 0.77) {
    const body = JSON.stringify({ query: '{ serverInfo { version } }' });
    const type = g.pick([
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/xml',
      '',
      'application/graphql',
    ]);
    return post('content-type', body, type ? { 'content-type': type } : {});
  }
  if (u < 0.87) {
    const query = g.chance(0.2)
      ? 'mutation { deleteImage(id: "nope") { nodesDeleted } }'
      : operation(g, schema).replace(/^mutation/, 'query');
    const params = new URLSearchParams({ query });
    if (g.chance(0.3)) params.set('variables', g.pick(['{', '[]', '{"v": 1}', 'null']));
    if (g.chance(0.2)) params.set('extensions', '{"persistedQuery": {"version": 1, "sha256Hash": "00"}}');
    const headers: Record<string, string> = g.chance(0.6) ? { 'apollo-require-preflight': 'true' } : {};
    return { index, kind: 'get', method: 'GET', path: `/graphql?${params.toString()}`, headers };
  }
  if (u < 0.93) {
    return post(
      'json-shape',
      g.pick([
        '[]',
        '[{"query": "{ serverInfo { version } }"}]',
        'null',
        '"{ serverInfo { version } }"',
        '{"query": 5}',
        '{"query": null}',
        '{}',
        '{"query": "{ serverInfo { version } }", "variables": "x"}',
        '{"query": "{ serverInfo { version } }", "operationName": 7}',
        '{"query": "query A { serverInfo { version } } query B { labels { label } }"}',
      ]),
    );
  }
  const op = operation(g, schema);
  return post(
    'syntax',
    JSON.stringify({
      query: g.chance(0.5) ? op.slice(0, g.int(op.length)) : `${op} ${'{'.repeat(g.int(3000))}`,
    }),
  );
}

export async function fetchSchema(url: string): Promise<GraphQLSchema> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: getIntrospectionQuery() }),
  });
  const body = (await res.json()) as { data: IntrospectionQuery };
  return buildClientSchema(body.data);
}

async function send(url: string, r: FuzzRequest): Promise<{ status: number; text: string }> {
  try {
    const res = await fetch(`${url}${r.path}`, {
      method: r.method,
      headers: r.headers,
      body: r.body,
      signal: AbortSignal.timeout(30_000),
    });
    return { status: res.status, text: await res.text() };
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause;
    return { status: 0, text: cause?.code ?? (err instanceof Error ? err.message : String(err)) };
  }
}

function codeOf(status: number, text: string): string {
  if (status === 0) return `network ${text}`;
  try {
    const body = JSON.parse(text) as { errors?: { extensions?: { code?: string } }[] };
    if (body.errors?.length) return body.errors[0].extensions?.code ?? `HTTP ${status} (no code)`;
    return status === 200 ? 'ok' : `HTTP ${status}`;
  } catch {
    return `HTTP ${status} (not JSON)`;
  }
}

export async function fuzz(
  url: string,
  opts: { seed: number; requests: number; concurrency?: number; healthEvery?: number },
): Promise<FuzzResult> {
  const t0 = performance.now();
  const schema = await fetchSchema(url);
  const result: FuzzResult = {
    seed: opts.seed,
    requests: 0,
    byKind: {},
    byStatus: {},
    byCode: {},
    serverErrors: [],
    noResponse: [],
    internalErrors: [],
    healthChecks: 0,
    healthFailures: 0,
    seconds: 0,
  };
  const health = async () => {
    result.healthChecks++;
    const h = await send(url, { index: -1, kind: 'health', method: 'GET', path: '/healthz', headers: {} });
    if (h.status !== 200) result.healthFailures++;
  };
  let next = 0;
  const every = opts.healthEvery ?? 50;
  const worker = async () => {
    while (next < opts.requests) {
      const i = next++;
      const r = makeRequest(schema, opts.seed, i);
      const { status, text } = await send(url, r);
      result.requests++;
      tally(result.byKind, r.kind);
      tally(result.byStatus, String(status));
      tally(result.byCode, codeOf(status, text));
      const finding = { request: r, status, response: text.slice(0, 2000) };
      if (status >= 500) result.serverErrors.push(finding);
      if (status === 0) result.noResponse.push(finding);
      if (status > 0 && status < 500 && text.includes('"INTERNAL_SERVER_ERROR"'))
        result.internalErrors.push(finding);
      if (i % every === every - 1) await health();
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency ?? 4 }, worker));
  await health();
  result.seconds = (performance.now() - t0) / 1000;
  return result;
}
