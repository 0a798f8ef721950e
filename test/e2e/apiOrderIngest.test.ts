/**
 * Over HTTP against the real Neo4j: orderBy on objectsInFrontOf / objectsBehind (score, depth, either
 * way, with cursors that hold their order), the typed ingest input beside the JSON form (one pipeline:
 * the same graph either way is stored once), and the depth-unit enums with their accepted spellings.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { RunningService } from '../../src/server/service';
import type { SceneGraph } from '../../src/scenegraph/sceneGraph.types';
import { obj, streetScene } from '../helpers/scenes';
import { testDatabase } from '../helpers/testDatabase';
import { gql, startTestService } from '../helpers/testService';

const INGEST_JSON = `mutation($input: JSONObject!) { ingestSceneGraph(input: $input) { status image { id objectCount } } }`;
const INGEST_TYPED = `mutation($scene: SceneGraphInput!) { ingestScene(scene: $scene) { status image { id objectCount relationCount } } }`;

type Edge = {
  cursor: string;
  score: number | null;
  node: { id: string; depth: { p50: number } | null };
  reference: { id: string };
};
type Page = { totalCount: number; edges: Edge[]; pageInfo: { hasNextPage: boolean; endCursor: string } };

describe('GraphQL ordering and typed ingest over HTTP (real Neo4j)', () => {
  let service: RunningService;
  const tag = randomUUID().slice(0, 8);
  const wall = `wall${tag}`;
  const cup = `cup${tag}`;
  const db = testDatabase();
  const roots = mkdtempSync(path.join(os.tmpdir(), 'order-ingest-'));
  const ingested: string[] = [];

  async function ingestJson(input: unknown) {
    const r = await gql(service, INGEST_JSON, { input });
    const id = (r.body.data?.ingestSceneGraph as { image: { id: string } } | undefined)?.image.id;
    if (id) ingested.push(id);
    return r;
  }
  async function ingestTyped(scene: unknown) {
    const r = await gql(service, INGEST_TYPED, { scene });
    const id = (r.body.data?.ingestScene as { image: { id: string } } | undefined)?.image.id;
    if (id) ingested.push(id);
    return r;
  }
  async function imageCount(): Promise<number> {
    const res = await db.read('test.count', (tx) =>
      tx.run<{ n: number }>('MATCH (i:Image) RETURN count(i) AS n'),
    );
    return res.records[0].get('n');
  }

  /** A wall behind cups at the given depths, plus an annotated "in front of" without score or depth. */
  function wallScene(name: string, cupDepths: number[]): SceneGraph {
    return streetScene(`${tag}${name}`, {
      objects: [
        obj('x', wall, [0, 0, 640, 200], 5, 5.5),
        ...cupDepths.map((z, k) =>
          obj(`o${k + 1}`, cup, [60 * k, 300, 60 * k + 40, 340], z, z + 0.3 * (k + 1)),
        ),
        { key: 'n', label: 'note', box: [600, 400, 630, 430] },
      ],
      relations: [{ subject: 'n', predicate: 'in front of', object: 'x', source: 'ANNOTATION' }],
    });
  }

  beforeAll(async () => {
    service = await startTestService({ INGEST_ROOTS: roots });
    for (const [name, depths] of [
      ['a', [1, 4, 2.5, 3]],
      ['b', [1.5, 3.5, 2.5]],
    ] as const) {
      const r = await ingestJson(wallScene(name, [...depths]));
      expect(r.body.errors).toBeUndefined();
    }
  });
  afterAll(async () => {
    for (const id of ingested) {
      await db.write('test.cleanup', (tx) =>
        tx.run('MATCH (i:Image {id: $id}) OPTIONAL MATCH (i)-->(n) DETACH DELETE n, i', { id }),
      );
    }
    await db.close();
    await service.stop();
  });

  const FRONT = `query($label: String!, $order: SpatialOrder, $after: String, $first: Int!, $m: Float) {
    objectsInFrontOf(label: $label, orderBy: $order, after: $after, first: $first, minMargin: $m) {
      totalCount edges { cursor score node { id depth { p50 } } reference { id } }
      pageInfo { hasNextPage endCursor } } }`;

  async function front(vars: Record<string, unknown>) {
    return gql(service, FRONT, { label: wall, first: 100, ...vars });
  }

  /** Every page of an ordering, two at a time. */
  async function allPages(vars: Record<string, unknown>, root = 'objectsInFrontOf', query = FRONT) {
    const edges: Edge[] = [];
    let after: string | null = null;
    let total = -1;
    for (let i = 0; i < 50; i++) {
      const r = await gql(service, query, { label: wall, first: 2, ...vars, after });
      expect(r.body.errors).toBeUndefined();
      const p = r.body.data![root] as Page;
      total = p.totalCount;
      edges.push(...p.edges);
      if (!p.pageInfo.hasNextPage) break;
      after = p.pageInfo.endCursor;
    }
    return { edges, total };
  }

  const keyOf = (e: Edge) => `${e.reference.id}>${e.node.id}@${e.score}`;

  it('orders by score and by depth either way, nulls last, pages covering every match once', async () => {
    const base = (await front({})).body.data!.objectsInFrontOf as Page;
    // Two walls: 4 + 3 cups in front by the engine, plus one annotated note each (no score, no depth).
    expect(base.totalCount).toBe(9);
    const expected = base.edges.map(keyOf).sort();
    const value = {
      SCORE: (e: Edge) => e.score,
      DEPTH: (e: Edge) => e.node.depth?.p50 ?? null,
    };
    for (const field of ['SCORE', 'DEPTH'] as const) {
      for (const direction of ['ASC', 'DESC'] as const) {
        const { edges, total } = await allPages({ order: { field, direction } });
        expect(total).toBe(9);
        expect(edges.map(keyOf).sort()).toEqual(expected);
        const values = edges.map(value[field]);
        const present = values.filter((v): v is number => v !== null);
        expect(present.length).toBe(7);
        // Present values first, sorted the asked way; the two without a value last.
        expect(values.slice(7)).toEqual([null, null]);
        const sorted = [...present].sort((a, b) => (direction === 'ASC' ? a - b : b - a));
        expect(present).toEqual(sorted);
        expect(new Set(present).size).toBeGreaterThan(1);
      }
    }
    // The default order is unchanged: (reference id, object id).
    const ids = base.edges.map((e) => [e.reference.id, e.node.id].join('>'));
    expect(ids).toEqual([...ids].sort());
  });

  it('refuses a cursor of another ordering, naming both', async () => {
    const byScore = (await front({ first: 2, order: { field: 'SCORE', direction: 'DESC' } })).body.data!
      .objectsInFrontOf as Page;
    const byDefault = (await front({ first: 2 })).body.data!.objectsInFrontOf as Page;
    const cases: [Record<string, unknown>, RegExp][] = [
      [
        { after: byScore.pageInfo.endCursor, order: { field: 'DEPTH', direction: 'ASC' } },
        /another order \(SCORE DESC\), not of DEPTH ASC/,
      ],
      [{ after: byScore.pageInfo.endCursor, order: { field: 'SCORE' } }, /another order \(SCORE DESC\)/],
      [{ after: byScore.pageInfo.endCursor }, /another order \(SCORE DESC\), not of the default order/],
      [
        { after: byDefault.pageInfo.endCursor, order: { field: 'SCORE', direction: 'DESC' } },
        /another order \(the default order\), not of SCORE DESC/,
      ],
    ];
    for (const [vars, message] of cases) {
      const r = await front(vars);
      expect(r.body.errors?.[0]).toMatchObject({
        message: expect.stringMatching(message),
        extensions: { code: 'BAD_USER_INPUT', field: 'after' },
      });
    }
    // A cursor of objectsInFrontOf is not one of objectsBehind.
    const behind = await gql(
      service,
      `query($a: String) { objectsBehind(label: "cup", after: $a, orderBy: {field: SCORE, direction: DESC}) { totalCount } }`,
      { a: byScore.pageInfo.endCursor },
    );
    expect(behind.body.errors?.[0]).toMatchObject({
      message: expect.stringMatching(/not a cursor returned by this connection/),
      extensions: { code: 'BAD_USER_INPUT', field: 'after' },
    });
  });

  it('orders derived matches by depth and refuses SCORE with minMargin', async () => {
    const refused = await front({ m: 1, order: { field: 'SCORE' } });
    expect(refused.body.errors?.[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'orderBy.field',
    });
    const { edges, total } = await allPages({ m: 0.3, order: { field: 'DEPTH', direction: 'DESC' } });
    // Derived from depth ranges: the 7 cups (the note has none), each over 0.3 m nearer than the wall.
    expect(total).toBe(7);
    const depths = edges.map((e) => e.node.depth!.p50);
    expect(depths).toEqual([...depths].sort((a, b) => b - a));
  });

  it('orders objectsBehind the same way', async () => {
    const behind = `query($label: String!, $order: SpatialOrder, $after: String, $first: Int!) {
      objectsBehind(label: $label, orderBy: $order, after: $after, first: $first) {
        totalCount edges { cursor score node { id depth { p50 } } reference { id } }
        pageInfo { hasNextPage endCursor } } }`;
    const { edges, total } = await allPages(
      { label: cup, order: { field: 'SCORE', direction: 'ASC' } },
      'objectsBehind',
      behind,
    );
    // The walls behind each of the 7 cups, and the farther cups behind the nearer ones.
    expect(edges.length).toBe(total);
    expect(total).toBeGreaterThanOrEqual(7);
    expect(new Set(edges.map(keyOf)).size).toBe(total);
    const scores = edges.map((e) => e.score).filter((s): s is number => s !== null);
    expect(scores).toEqual([...scores].sort((a, b) => a - b));
  });

  it('ingests a typed scene through the same path as the JSON form', async () => {
    const scene = streetScene(`${tag}typed`);
    const typed = await ingestTyped(scene);
    expect(typed.body.errors).toBeUndefined();
    const made = typed.body.data!.ingestScene as {
      status: string;
      image: { id: string; objectCount: number };
    };
    expect(made).toMatchObject({ status: 'CREATED', image: { objectCount: 3 } });
    // The same graph as JSON is the same stored graph: same id, nothing to change.
    const json = await ingestJson(scene);
    expect(json.body.data!.ingestSceneGraph).toMatchObject({
      status: 'UNCHANGED',
      image: { id: made.image.id },
    });
    // And the other way round, with intrinsics and provenance (JSON-valued fields pass as given).
    const other = streetScene(`${tag}typed2`, {
      intrinsics: { fx: 500, fy: 500, cx: 320, cy: 240, source: 'GIVEN' },
      provenance: { annotator: 'test', nested: { ok: true } },
    });
    const a = await ingestJson(other);
    const b = await ingestTyped(other);
    expect(b.body.errors).toBeUndefined();
    expect(b.body.data!.ingestScene).toMatchObject({
      status: 'UNCHANGED',
      image: { id: (a.body.data!.ingestSceneGraph as { image: { id: string } }).image.id },
    });
  });

  it('refuses a bad typed scene naming the field under scene, writing nothing', async () => {
    const good = streetScene(`${tag}bad`);
    const cases: [string, unknown, string, RegExp][] = [
      [
        'a box of three numbers',
        { ...good, objects: [{ ...good.objects[0], box: [1, 2, 3] }] },
        'scene.objects[0].box',
        /box/,
      ],
      [
        'a relation to an unknown key',
        { ...good, relations: [{ subject: 'p', predicate: 'near', object: 'zz', source: 'ANNOTATION' }] },
        'scene.relations[0].object',
        /zz/,
      ],
      ['version 2', { ...good, version: 2 }, 'scene.version', /must be 1/],
      [
        'a depth map outside INGEST_ROOTS (unit in the JSON spelling)',
        { ...good, depth: { uri: '/etc/passwd', unit: 'meters' } },
        'scene.depth.uri',
        /.+/,
      ],
      [
        'a depth map outside INGEST_ROOTS (unit as the enum)',
        { ...good, depth: { uri: '/etc/passwd', unit: 'INVERSE' } },
        'scene.depth.uri',
        /.+/,
      ],
      [
        'an unknown depth unit',
        { ...good, depth: { uri: 'd.npy', unit: 'feet' } },
        'scene.depth.unit',
        /DepthInputUnit/,
      ],
      ['an unknown field', { ...good, colour: 'red' }, 'scene', /colour/],
    ];
    const before = await imageCount();
    for (const [name, scene, field, message] of cases) {
      const r = await ingestTyped(scene);
      expect({ name, error: r.body.errors?.[0] }).toMatchObject({
        name,
        error: { message: expect.stringMatching(message), extensions: { code: 'BAD_USER_INPUT', field } },
      });
    }
    expect(await imageCount()).toBe(before);
  });

  it('takes the depth file unit of ingestImage as an enum, in either spelling', async () => {
    const q = `mutation($input: IngestImageInput!) { ingestImage(input: $input) { status } }`;
    for (const unit of ['METERS', 'RELATIVE', 'INVERSE', 'meters', 'relative', 'inverse']) {
      const r = await gql(service, q, { input: { path: 'x.png', depth: { path: '/etc/passwd', unit } } });
      // The unit is accepted: the next check (the depth file's place) is what refuses.
      expect(r.body.errors?.[0].extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'input.depth.path',
      });
    }
    const bad = await gql(service, q, { input: { path: 'x.png', depth: { path: 'd.png', unit: 'feet' } } });
    expect(bad.body.errors?.[0]).toMatchObject({
      message: expect.stringMatching(/"feet" does not exist in "DepthInputUnit"/),
      extensions: { code: 'BAD_USER_INPUT', field: 'input.depth.unit' },
    });
    const literal = await gql(
      service,
      `mutation { ingestImage(input: {path: "x.png", depth: {path: "/etc/passwd", unit: INVERSE}}) { status } }`,
    );
    expect(literal.body.errors?.[0].extensions).toMatchObject({ field: 'input.depth.path' });
  });
});
