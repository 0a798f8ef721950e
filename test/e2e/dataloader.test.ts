import { randomUUID } from 'node:crypto';
import { RunningService } from '../../src/server/service';
import { ingestImages } from '../../src/store/ingest.store';
import { toStoredImage } from '../../src/store/storedScene';
import { buildSceneGraph } from '../../src/spatial/engine';
import { obj } from '../helpers/scenes';
import { gql, startTestService } from '../helpers/testService';

const NESTED = `query($label: String!, $n: Int!) {
  images(first: $n, where: {label: $label}) {
    edges { node { uri objects { label relations { predicate subject { label } object { label image { uri } } } } } }
  }
}`;

describe('DataLoader batching (real Neo4j)', () => {
  let service: RunningService;
  const label = `probe${randomUUID().slice(0, 8)}x`;
  const ids: string[] = [];

  beforeAll(async () => {
    service = await startTestService();
    const stored = Array.from({ length: 50 }, (_, i) =>
      toStoredImage(
        buildSceneGraph({
          version: 1,
          image: { uri: `test://${label}/${i}.jpg`, width: 640, height: 480 },
          objects: [
            obj('a', label, [100, 100, 200, 300], 2, 2.5),
            obj('b', 'table', [300, 200, 500, 400], 5, 6),
            obj('c', 'lamp', [520, 50, 600, 150], 8, 9),
          ],
        }),
        new Date().toISOString(),
      ),
    );
    await ingestImages(service.connection.db, stored);
    ids.push(...stored.map((s) => s.id));
  });

  afterAll(async () => {
    await service.connection.db.write('test.cleanup', (tx) =>
      tx.run('UNWIND $ids AS id MATCH (i:Image {id: id}) OPTIONAL MATCH (i)-->(n) DETACH DELETE n, i', {
        ids,
      }),
    );
    await service.stop();
  });

  async function roundTrips(n: number): Promise<{ queries: number; relations: number }> {
    const before = service.connection.db.queries;
    const r = await gql(service, NESTED, { label, n });
    expect(r.body.errors).toBeUndefined();
    const edges = (r.body.data!.images as { edges: { node: { objects: { relations: unknown[] }[] } }[] })
      .edges;
    expect(edges).toHaveLength(n);
    const relations = edges.flatMap((e) => e.node.objects.flatMap((o) => o.relations)).length;
    return { queries: service.connection.db.queries - before, relations };
  }

  async function search(selection: string, first: number): Promise<{ queries: number; edges: unknown[] }> {
    const before = service.connection.db.queries;
    const r = await gql(
      service,
      `query($label: String!, $first: Int!) {
        searchImages(pattern: [{subject: $label, predicate: "in front of", object: "table"}], first: $first) {
          edges { score node { id } ${selection} }
        }
      }`,
      { label, first },
    );
    expect(r.body.errors).toBeUndefined();
    const edges = (r.body.data!.searchImages as { edges: unknown[] }).edges;
    expect(edges).toHaveLength(first);
    return { queries: service.connection.db.queries - before, edges };
  }

  it('derives searchImages matches only when selected, for the whole page in one query', async () => {
    const bare = await search('', 5);
    const predicates = await search('matches { predicate }', 5);
    const small = await search('matches { predicate subject { label } object { label } }', 5);
    const large = await search('matches { predicate subject { label } object { label } }', 20);
    expect(predicates.queries).toBe(bare.queries + 1); // the page's derivation
    expect(small.queries).toBe(predicates.queries + 1); // the matched objects, one batch
    expect(large.queries).toBe(small.queries);
    // a match's image is the page's (primed): no further query
    const imaged = await search('matches { predicate image { id } }', 5);
    expect(imaged.queries).toBe(predicates.queries);
    for (const e of imaged.edges as { node: { id: string }; matches: { image: { id: string } }[] }[]) {
      expect(e.matches.map((m) => m.image.id)).toEqual([e.node.id]);
    }
    for (const e of large.edges as { matches: unknown[] }[]) {
      expect(e.matches).toEqual([
        { predicate: 'in front of', subject: { label }, object: { label: 'table' } },
      ]);
    }
  });

  it('answers images -> objects -> relations -> subject/object in a constant number of queries', async () => {
    const small = await roundTrips(5);
    const large = await roundTrips(50);
    expect(large.relations).toBeGreaterThan(50 * 6);
    expect(large.queries).toBe(small.queries);
    expect(large.queries).toBeLessThanOrEqual(4);
  });
});
