/**
 * Every GraphQL operation in README.md, run in order against the demo's data (scripts/demo.sh: the
 * 24 synthetic scenes of seed 1, ingested by the built CLI) and answering something: no errors, no
 * null root field, no empty connection or list.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { RunningService } from '../../src/server/service';
import {
  DEMO_SAMPLES,
  ingestDemoScenes,
  readmeOperations,
  removeDemoScenes,
  ROOT,
} from '../helpers/demoData';
import { streetScene } from '../helpers/scenes';
import { testDatabase } from '../helpers/testDatabase';
import { gql, startTestService } from '../helpers/testService';

type Data = Record<string, unknown>;

describe('README GraphQL examples on the demo data', () => {
  const db = testDatabase();
  const made: string[] = [];
  let service: RunningService;
  let imageId: string;
  let objectId: string;
  let otherObjectId: string;
  let demoIds: Set<string>;
  const answers = new Map<string, Data>();

  beforeAll(async () => {
    ingestDemoScenes();
    service = await startTestService({ INGEST_ROOTS: path.join(ROOT, 'samples') });
    // every page (the test store may hold other tests' images besides the demo's)
    type Node = { id: string; uri: string; objects: { id: string }[] };
    type Page = { edges: { node: Node }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
    const nodes: Node[] = [];
    let after: string | null = null;
    for (let page = 0; page < 200; page++) {
      const r = await gql(
        service,
        `query($after: String) { images(first: 100, after: $after) {
          edges { node { id uri objects { id } } } pageInfo { hasNextPage endCursor } } }`,
        { after },
      );
      const images = r.body.data!.images as Page;
      nodes.push(...images.edges.map((e) => e.node));
      if (!images.pageInfo.hasNextPage) break;
      after = images.pageInfo.endCursor;
    }
    const demo = nodes.filter((n) => n.uri.startsWith(DEMO_SAMPLES));
    expect(demo.length).toBe(24);
    imageId = demo[0].id;
    objectId = demo[0].objects[0].id;
    otherObjectId = demo[0].objects[1].id;
    demoIds = new Set(demo.map((d) => d.id));
  }, 300_000);

  afterAll(async () => {
    await removeDemoScenes(db);
    for (const id of made) {
      await db.write('test.cleanup', (tx) =>
        tx.run('MATCH (i:Image {id: $id}) OPTIONAL MATCH (i)-->(n) DETACH DELETE n, i', { id }),
      );
    }
    await db.close();
    await service?.stop();
  });

  const photo = (name: string) => path.join(ROOT, 'samples/photos', name);
  const variables: Record<string, () => Record<string, unknown>> = {
    Rederived: () => ({ id: imageId }),
    Lookup: () => ({ objectId }),
    SpatialText: () => ({ id: imageId }),
    ExportOne: () => ({ id: imageId }),
    // A relation of a demo image from an earlier answer (the reviews go with the demo images).
    Confirm: () => {
      const edges = (
        answers.get('ConfidentRelations')!.relations as {
          edges: { node: { id: string; image: { id: string } } }[];
        }
      ).edges;
      return { id: edges.find((e) => demoIds.has(e.node.image.id))!.node.id };
    },
    AddHuman: () => ({ s: objectId, o: otherObjectId }),
    Ingest: () => ({ g: streetScene(`readme-${process.pid}`) }),
    IngestTyped: () => ({ scene: streetScene(`readme-typed-${process.pid}`) }),
    IngestPhoto: () => ({ path: photo('coffee.jpg') }),
    IngestUpload: () => ({ b64: readFileSync(photo('chelsea.jpg')).toString('base64') }),
    Delete: () => ({ id: ((answers.get('IngestPhoto')!.ingestImage as Data).image as Data).id }),
  };

  function nonEmpty(value: unknown): boolean {
    if (value === null || value === undefined) return false;
    if (Array.isArray(value)) return value.length > 0;
    if (typeof value === 'object' && 'edges' in value) return nonEmpty((value as { edges: unknown }).edges);
    return true;
  }

  const operations = readmeOperations();

  it('has the operations the README shows', () => {
    expect(operations.map((o) => o.name)).toEqual(
      expect.arrayContaining([
        'FrontOfBox',
        'FrontOfBoxByScore',
        'OneBall',
        'AnyBalls',
        'Latest',
        'Lookup',
        'Ingest',
        'IngestTyped',
        'Delete',
      ]),
    );
  });

  it.each(operations.map((o) => [o.name, o] as const))('%s answers', async (name, op) => {
    const r = await gql(service, op.text, variables[name]?.());
    expect(r.body.errors).toBeUndefined();
    const data = r.body.data as Data;
    answers.set(name, data);
    for (const [field, value] of Object.entries(data)) {
      if (!nonEmpty(value)) throw new Error(`${name}.${field} answered ${JSON.stringify(value)}`);
    }
    for (const o of ['ingestSceneGraph', 'ingestScene', 'ingestImage'] as const) {
      const id = ((data[o] as Data | undefined)?.image as Data | undefined)?.id;
      if (typeof id === 'string') made.push(id);
    }
  });

  it('binds variables: every OneBall match is the bound ball, a subset of AnyBalls', () => {
    const one = answers.get('OneBall')!.searchImages as {
      totalCount: number;
      edges: {
        bindings: { variable: string; object: { key: string } }[];
        matches: { subject: { key: string } }[];
      }[];
    };
    const any = answers.get('AnyBalls')!.searchImages as { totalCount: number };
    expect(one.totalCount).toBeLessThanOrEqual(any.totalCount);
    for (const e of one.edges) {
      expect(e.bindings).toHaveLength(1);
      expect(e.matches.map((m) => m.subject.key)).toEqual([
        e.bindings[0].object.key,
        e.bindings[0].object.key,
      ]);
    }
  });

  it('lists objects in natural key order and finds objects, relations, layers and nodes by id', async () => {
    const r = await gql(
      service,
      `query($id: ID!) { image(id: $id) { objects { key } layers { id index }
         relations(first: 1) { id predicate } } }`,
      { id: imageId },
    );
    const image = r.body.data!.image as {
      objects: { key: string }[];
      layers: { id: string; index: number }[];
      relations: { id: string; predicate: string }[];
    };
    expect(image.objects.map((o) => o.key)).toEqual(Array.from({ length: 12 }, (_, k) => `o${k + 1}`));
    const rel = image.relations[0];
    const layer = image.layers[0];
    const found = await gql(
      service,
      `query($r: ID!, $l: ID!, $o: ID!, $i: ID!) {
        relation(id: $r) { id predicate } layer(id: $l) { id index basic { id } }
        a: node(id: $r) { __typename id } b: node(id: $l) { __typename id } c: node(id: $o) { __typename id }
        d: node(id: $i) { __typename id } missing: node(id: "nope") { id } none: relation(id: "a|b|c|d") { id } }`,
      { r: rel.id, l: layer.id, o: objectId, i: imageId },
    );
    expect(found.body.errors).toBeUndefined();
    expect(found.body.data).toMatchObject({
      relation: rel,
      layer: { id: layer.id, index: 0 },
      a: { __typename: 'Relation' },
      b: { __typename: 'Layer' },
      c: { __typename: 'SceneObject', id: objectId },
      d: { __typename: 'Image', id: imageId },
      missing: null,
      none: null,
    });
  });

  it('pages with complete PageInfo and a totalCount that does not change between pages', async () => {
    const q = `query($after: String) { images(first: 10, after: $after, where: {labels: ["ball"]}) {
      totalCount edges { cursor } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`;
    const p1 = (await gql(service, q)).body.data!.images as {
      totalCount: number;
      edges: { cursor: string }[];
      pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string; endCursor: string };
    };
    expect(p1.pageInfo).toMatchObject({
      hasNextPage: true,
      hasPreviousPage: false,
      startCursor: p1.edges[0].cursor,
    });
    const p2 = (await gql(service, q, { after: p1.pageInfo.endCursor })).body.data!.images as typeof p1;
    expect(p2.pageInfo.hasPreviousPage).toBe(true);
    expect(p2.totalCount).toBe(p1.totalCount);
    const countAll = await db.read('test.count', (tx) =>
      tx.run<{ n: number }>(
        'MATCH (i:Image) WHERE EXISTS { (i)-[:HAS_OBJECT]->(:Object {label: "ball"}) } RETURN count(i) AS n',
      ),
    );
    expect(p1.totalCount).toBe(countAll.records[0].get('n'));
  });

  it('filters objectsInFrontOf by the returned object and counts what it filters', async () => {
    const q = `query($labels: [String!], $min: Float, $after: String) {
      objectsInFrontOf(label: "box", objectLabels: $labels, minScore: $min, first: 100, after: $after) {
        totalCount edges { node { label } score } pageInfo { hasNextPage endCursor } } }`;
    type Ans = {
      totalCount: number;
      edges: { node: { label: string }; score: number | null }[];
      pageInfo: { hasNextPage: boolean; endCursor: string };
    };
    const every = async (vars: Record<string, unknown>): Promise<Ans> => {
      let page = (await gql(service, q, vars)).body.data!.objectsInFrontOf as Ans;
      const edges = [...page.edges];
      while (page.pageInfo.hasNextPage) {
        page = (await gql(service, q, { ...vars, after: page.pageInfo.endCursor })).body.data!
          .objectsInFrontOf as Ans;
        edges.push(...page.edges);
      }
      return { ...page, edges };
    };
    const all = await every({});
    const balls = await every({ labels: ['balls'] });
    const strong = await every({ min: 0.95 });
    expect(all.totalCount).toBe(all.edges.length);
    expect(balls.totalCount).toBe(all.edges.filter((e) => e.node.label === 'ball').length);
    expect(balls.edges.length).toBe(balls.totalCount);
    expect(balls.edges.every((e) => e.node.label === 'ball')).toBe(true);
    expect(strong.totalCount).toBe(all.edges.filter((e) => e.score !== null && e.score >= 0.95).length);
    expect(strong.totalCount).toBeLessThan(all.totalCount);
  });

  it('answers an unknown label or predicate with an empty result and a hint', async () => {
    const r = await gql(
      service,
      `{ searchImages(pattern: [{subject: "dog", predicate: "chasing", object: "ball"}]) { totalCount edges { score } } }`,
    );
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data).toEqual({ searchImages: { totalCount: 0, edges: [] } });
    const hints = (r.body as { extensions?: { hints?: string[] } }).extensions?.hints ?? [];
    expect(hints).toEqual([
      expect.stringMatching(
        /^no object has label 'dog' \(pattern\[0\]\.subject\); known labels include: .*ball/,
      ),
      expect.stringMatching(/^no relation has predicate 'chasing'/),
    ]);
    const known = await gql(
      service,
      `{ objectsInFrontOf(label: "ball", objectLabels: ["ball"], minScore: 1.0) { edges { score } } }`,
    );
    expect((known.body as { extensions?: unknown }).extensions).toBeUndefined();
  });

  it('refuses bad patterns and filters, naming the field', async () => {
    const cases: [string, string][] = [
      [
        '{ searchImages(pattern: [{subjectVar: "a", predicate: "on", objectVar: "a"}]) { totalCount } }',
        'pattern[0]',
      ],
      [
        '{ searchImages(pattern: [{subject: "ball", subjectVar: "a", predicate: "on"}, {subject: "box", subjectVar: "a", predicate: "on"}]) { totalCount } }',
        'pattern[1].subject',
      ],
      [
        '{ searchImages(pattern: [{predicate: "on", subjectVar: "1x"}]) { totalCount } }',
        'pattern[0].subjectVar',
      ],
      ['{ searchImages(pattern: [{predicate: "on", minScore: 2}]) { totalCount } }', 'pattern[0].minScore'],
      ['{ objectsInFrontOf(label: "box", minMargin: 0.1, minScore: 0.5) { totalCount } }', 'minScore'],
      ['{ objectsInFrontOf(label: "box", minObjectScore: -1) { totalCount } }', 'minObjectScore'],
    ];
    for (const [query, field] of cases) {
      const r = await gql(service, query);
      expect(r.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
  });
});
