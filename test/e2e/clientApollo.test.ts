/**
 * A real client: @apollo/client's normalised InMemoryCache with the type policies README.md documents
 * (relayStylePagination on the connections), paging through answers on the demo's data, with every
 * console warning captured: merging pages and re-reading objects must not warn of lost cache data.
 */
import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { relayStylePagination } from '@apollo/client/utilities';
import { RunningService } from '../../src/server/service';
import { ingestDemoScenes, removeDemoScenes } from '../helpers/demoData';
import { testDatabase } from '../helpers/testDatabase';
import { startTestService } from '../helpers/testService';

const SPATIAL_KEYS = [
  'label',
  'imageId',
  'minMargin',
  'objectLabels',
  'minScore',
  'minObjectScore',
  'orderBy',
];

function makeCache(): InMemoryCache {
  return new InMemoryCache({
    possibleTypes: { Node: ['Image', 'SceneObject', 'Relation', 'Layer'] },
    typePolicies: {
      Query: {
        fields: {
          images: relayStylePagination(['where', 'orderBy']),
          objectsInFrontOf: relayStylePagination(SPATIAL_KEYS),
          objectsBehind: relayStylePagination(SPATIAL_KEYS),
          searchImages: relayStylePagination(['pattern']),
          relations: relayStylePagination(['where']),
        },
      },
      DepthRange: { merge: true },
      ServerInfo: { merge: true },
    },
  });
}

const FRONT = gql`
  query Front($after: String) {
    objectsInFrontOf(label: "box", first: 7, after: $after) {
      totalCount
      edges {
        cursor
        score
        node {
          id
          key
          label
          depth {
            p5
            p95
          }
        }
        reference {
          id
          label
        }
        image {
          id
          uri
        }
      }
      pageInfo {
        hasNextPage
        endCursor
        startCursor
        hasPreviousPage
      }
    }
  }
`;

const ONE_BALL = gql`
  query OneBall($after: String) {
    searchImages(
      pattern: [
        { subject: "ball", subjectVar: "b", predicate: "in front of", object: "box" }
        { subjectVar: "b", predicate: "left of", object: "pillar" }
      ]
      first: 2
      after: $after
    ) {
      totalCount
      edges {
        cursor
        score
        node {
          id
          uri
        }
        bindings {
          variable
          object {
            id
            label
            depth {
              p50
              unit
            }
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

type Page<E> = {
  totalCount: number;
  edges: E[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
};

describe('@apollo/client against the API (normalised cache, relay pagination)', () => {
  const db = testDatabase();
  let service: RunningService;
  let client: ApolloClient;
  const warnings: unknown[][] = [];

  beforeAll(async () => {
    ingestDemoScenes();
    service = await startTestService();
    client = new ApolloClient({
      link: new HttpLink({ uri: `${service.url}/graphql`, fetch }),
      cache: makeCache(),
    });
    for (const level of ['warn', 'error'] as const) {
      jest.spyOn(console, level).mockImplementation((...args: unknown[]) => {
        warnings.push([level, ...args]);
      });
    }
  }, 300_000);

  afterAll(async () => {
    jest.restoreAllMocks();
    await removeDemoScenes(db);
    await db.close();
    await service?.stop();
  });

  it('pages objectsInFrontOf to the end, merging pages into one list in the cache', async () => {
    const first = await client.query<{ objectsInFrontOf: Page<{ cursor: string }> }>({ query: FRONT });
    const total = first.data!.objectsInFrontOf.totalCount;
    expect(total).toBeGreaterThan(7);
    let page = first.data!.objectsInFrontOf;
    const obs = client.watchQuery<{ objectsInFrontOf: Page<{ cursor: string }> }>({ query: FRONT });
    let pages = 1;
    while (page.pageInfo.hasNextPage) {
      const more = await obs.fetchMore({ variables: { after: page.pageInfo.endCursor } });
      page = more.data!.objectsInFrontOf;
      pages++;
    }
    expect(pages).toBe(Math.ceil(total / 7));
    const merged = client.readQuery<{ objectsInFrontOf: Page<{ cursor: string }> }>({ query: FRONT })!;
    const cursors = merged.objectsInFrontOf.edges.map((e) => e.cursor);
    expect(cursors).toHaveLength(total);
    expect(new Set(cursors).size).toBe(total);
    expect(merged.objectsInFrontOf.pageInfo.hasNextPage).toBe(false);
  });

  it('pages a bound search and keeps one normalised entry per object', async () => {
    const obs = client.watchQuery<{ searchImages: Page<{ node: { id: string } }> }>({ query: ONE_BALL });
    const first = await client.query<{ searchImages: Page<{ node: { id: string } }> }>({ query: ONE_BALL });
    let page = first.data!.searchImages;
    expect(page.totalCount).toBeGreaterThan(2);
    while (page.pageInfo.hasNextPage) {
      page = (await obs.fetchMore({ variables: { after: page.pageInfo.endCursor } })).data!.searchImages;
    }
    const merged = client.readQuery<{ searchImages: Page<{ node: { id: string } }> }>({ query: ONE_BALL })!;
    expect(merged.searchImages.edges.map((e) => e.node.id)).toHaveLength(merged.searchImages.totalCount);

    // The same objects, read again with other fields of their depth: one cache entry each, merged.
    const cache = client.cache.extract() as Record<string, { __typename?: string }>;
    const objectKeys = Object.keys(cache).filter((k) => k.startsWith('SceneObject:'));
    expect(objectKeys.length).toBeGreaterThan(0);
    const id = objectKeys[0].slice('SceneObject:'.length);
    const again = await client.query<{
      node: { __typename: string; id: string; depth: { p5: number; p50: number } };
    }>({
      query: gql`
        query Again($id: ID!) {
          node(id: $id) {
            __typename
            id
            ... on SceneObject {
              label
              depth {
                p5
                p95
              }
            }
          }
        }
      `,
      variables: { id },
    });
    expect(again.data!.node).toMatchObject({ __typename: 'SceneObject', id });
    expect(client.cache.identify({ __typename: 'SceneObject', id })).toBe(`SceneObject:${id}`);
    const entry = (client.cache.extract() as Record<string, unknown>)[`SceneObject:${id}`] as {
      depth: Record<string, unknown>;
    };
    expect(Object.keys(entry.depth)).toEqual(expect.arrayContaining(['p5', 'p50', 'p95', 'unit']));
  });

  it('logged no warning (no cache-merge or missing-field warnings)', () => {
    expect(warnings).toEqual([]);
  });
});
