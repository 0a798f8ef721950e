import neo4j from 'neo4j-driver';
import type { Database } from '../../src/db/database';
import { migrate } from '../../src/db/migrations';
import { ingestImages } from '../../src/store/ingest.store';
import { EDGE_TYPE, pairKey, type EdgeType } from '../../src/store/relationModel';
import {
  searchImagesParams,
  searchImagesQuery,
  searchImagesTopK,
  TOPK_READS,
  type TripletPattern,
} from '../../src/store/search.store';
import { leadEdges, objectIdFor, type StoredEdge, type StoredImage } from '../../src/store/storedScene';
import { IMAGE_COLUMNS } from '../../src/store/rows';
import { testDatabase, uniquePrefix } from '../helpers/testDatabase';

/**
 * The top-k search (threshold algorithm) against today's query, which ranks every candidate: on a
 * seeded store with scores drawn from few values (many ties, inside the driving list and between
 * image totals), every page of several pattern shapes, page sizes and cursors must be the same.
 * The store is written as store model 4 writes it (the pair key on each group's lead edge only);
 * the same data written as model 3 did (every edge keyed) must give the same pages.
 */

const tag = uniquePrefix('topk');
const labelsOf = (prefix: string) => [`${prefix} person`, `${prefix} car`, `${prefix} dog`];
const [P, C, D] = labelsOf(tag);
const IMAGES = 120;
/** The model 3 copy: its own image ids and labels. */
const tag3 = `${tag}-m3`;

/** A small LCG: the same store every run. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function storedImages(prefix = tag, model: 3 | 4 = 4): StoredImage[] {
  const LABELS = labelsOf(prefix);
  const random = lcg(7);
  // Few distinct scores, so equal scores meet at chunk ends and at page ends.
  const score = (): number | null => {
    const u = random();
    if (u < 0.02) return null; // counts 1
    return [0.5, 0.75, 0.75, 0.9, 1, 1][Math.floor(random() * 6)];
  };
  const out: StoredImage[] = [];
  for (let n = 0; n < IMAGES; n++) {
    const id = `${prefix}-img-${String(n).padStart(3, '0')}`;
    const count = 2 + Math.floor(random() * 4);
    const objects = Array.from({ length: count }, (_, k) => ({
      id: objectIdFor(id, `o${k}`),
      imageId: id,
      key: `o${k}`,
      label: LABELS[Math.floor(random() * LABELS.length)],
    }));
    const edges: StoredEdge[] = [];
    const semantic: StoredImage['semantic'] = [];
    const edge = (type: EdgeType, s: (typeof objects)[number], o: (typeof objects)[number]) =>
      edges.push({ type, subject: s.id, object: o.id, score: score(), k: pairKey(s.label, o.label) });
    for (const s of objects) {
      for (const o of objects) {
        if (s === o) continue;
        if (random() < 0.5) edge(EDGE_TYPE['in front of'], s, o);
        if (random() < 0.4) edge(EDGE_TYPE['left of'], s, o);
        if (s.id < o.id && random() < 0.3) edge(EDGE_TYPE.beside, s, o);
        if (random() < 0.06) {
          semantic.push({
            subject: s.id,
            object: o.id,
            props: {
              predicate: random() < 0.5 ? 'in front of' : 'holding',
              score: random() < 0.2 ? null : Math.round(random() * 4) / 4,
              source: 'MODEL',
              sl: s.label,
              ol: o.label,
              evidence: null,
            },
          });
        }
      }
    }
    if (model === 4) leadEdges(edges, new Map(objects.map((o) => [o.id, o.label])));
    out.push({
      id,
      props: { id, uri: `file:///${id}.jpg`, width: 640, height: 480, configHash: tag, storeModel: model },
      objects,
      edges,
      semantic,
      configHash: tag,
    });
  }
  return out;
}

type Row = [string, number];

async function reference(
  db: Database,
  patterns: TripletPattern[],
  first: number,
  after?: Row,
): Promise<Row[]> {
  const res = await db.read('test.search', (tx) =>
    tx.run<{ image: unknown[]; score: number }>(
      searchImagesQuery(patterns),
      searchImagesParams(patterns, first, after && [after[1], after[0]]),
    ),
  );
  return res.records.map((r) => [IMAGE_COLUMNS.read(r.get('image')).id, r.get('score')]);
}

/** Small reads, so that a small store reaches every path: several chunks, tie groups met in id order. */
const SMALL_READS = { firstChunk: 2, maxChunk: 8, tieGroup: 3 };
/** Every tie group met through the subject label's index, or read whole from the (k, score) index. */
const WALK_READS = { ...SMALL_READS, tieGroup: 0 };
const WHOLE_READS = { ...SMALL_READS, tieGroup: 100_000 };
const ALL_READS = [SMALL_READS, WALK_READS, WHOLE_READS, TOPK_READS];

async function topK(
  db: Database,
  patterns: TripletPattern[],
  first: number,
  after?: Row,
  reads: typeof TOPK_READS = SMALL_READS,
) {
  const res = await searchImagesTopK(db, patterns, first, after && [after[1], after[0]], reads);
  return res && { rows: res.rows.map((r): Row => [r.image.id, r.score]), visited: res.visited };
}

describe('top-k image search (real Neo4j)', () => {
  let db: Database;
  beforeAll(async () => {
    db = testDatabase();
    await migrate(db);
    await ingestImages(db, storedImages());
    await ingestImages(db, storedImages(tag3, 3));
  });
  afterAll(async () => {
    await db.write('test.cleanup', (tx) =>
      tx.run(
        `MATCH (i:Image) WHERE i.id STARTS WITH $tag OR i.id STARTS WITH $tag3
         OPTIONAL MATCH (i)-[:HAS_OBJECT]->(o) DETACH DELETE o, i`,
        { tag: `${tag}-img-`, tag3: `${tag3}-img-` },
      ),
    );
    await db.close();
  });

  const shapes: [string, TripletPattern[]][] = [
    ['one pattern', [{ subject: P, predicate: 'in front of', object: C }]],
    [
      'with a label-only pattern (the benchmark shape)',
      [
        { subject: P, predicate: 'in front of', object: C },
        { subject: P, predicate: 'left of' },
      ],
    ],
    [
      'an inverse and a symmetric pattern',
      [
        { subject: C, predicate: 'behind', object: P },
        { subject: D, predicate: 'beside', object: P },
      ],
    ],
    ['symmetric, the same label on both ends', [{ subject: P, predicate: 'beside', object: P }]],
    [
      'minScore and an object-only pattern',
      [
        { subject: P, predicate: 'in front of', object: C, minScore: 0.75 },
        { predicate: 'right of', object: D },
      ],
    ],
    [
      'typed edges only, beside a semantic pattern',
      [
        { subject: P, predicate: 'in front of', object: C, source: 'GEOMETRY' },
        { subject: P, predicate: 'holding', object: C },
      ],
    ],
    [
      'three patterns, the driver chosen by selectivity',
      [
        { subject: D, predicate: 'left of' },
        { subject: C, predicate: 'in front of', object: D },
        { subject: D, predicate: 'right of', object: P },
      ],
    ],
  ];

  it.each(shapes)('%s: every page equals the full ranking, at several page sizes', async (_, patterns) => {
    for (const first of [1, 3, 10]) {
      let after: Row | undefined;
      for (let pageNo = 0; pageNo < 200; pageNo++) {
        const want = await reference(db, patterns, first, after);
        for (const reads of ALL_READS) {
          const got = await topK(db, patterns, first, after, reads);
          expect(got).toBeDefined();
          expect(got!.rows).toEqual(want);
        }
        if (want.length <= first) break;
        after = want[first - 1];
      }
    }
  });

  it.each(shapes)(
    '%s: the model 3 copy of the store (every edge keyed) gives the same pages',
    async (_, patterns) => {
      const [P3, C3, D3] = labelsOf(tag3);
      const to3 = new Map([
        [P, P3],
        [C, C3],
        [D, D3],
      ]);
      const patterns3 = patterns.map((p) => ({
        ...p,
        ...(p.subject !== undefined ? { subject: to3.get(p.subject) ?? p.subject } : {}),
        ...(p.object !== undefined ? { object: to3.get(p.object) ?? p.object } : {}),
      }));
      const as4 = (rows: Row[]): Row[] =>
        rows.map(([id, score]) => [id.replace(`${tag3}-img-`, `${tag}-img-`), score]);
      const all4 = await reference(db, patterns, 1000);
      expect(as4(await reference(db, patterns3, 1000))).toEqual(all4);
      const top3 = await topK(db, patterns3, 10);
      if (top3) expect(as4(top3.rows)).toEqual(all4.slice(0, 11));
    },
  );

  it('pages after cursors inside a run of equal scores', async () => {
    const patterns: TripletPattern[] = [
      { subject: P, predicate: 'in front of', object: C },
      { subject: P, predicate: 'left of' },
    ];
    const all = await reference(db, patterns, 1000);
    expect(all.length).toBeGreaterThan(20);
    const tied = all.filter((r, k) => k > 0 && r[1] === all[k - 1][1]);
    expect(tied.length).toBeGreaterThan(3); // the data has ties to test
    for (const cursor of tied) {
      const want = await reference(db, patterns, 2, cursor);
      for (const reads of ALL_READS) expect((await topK(db, patterns, 2, cursor, reads))!.rows).toEqual(want);
    }
    // A cursor that is no stored row: between two scores.
    const between: Row = ['', (all[3][1] + all[4][1]) / 2];
    expect((await topK(db, patterns, 4, between))!.rows).toEqual(await reference(db, patterns, 4, between));
  });

  it('stops before it has met every candidate image', async () => {
    // 300 images with one edge each, all scores distinct: the first chunk decides a page of one.
    const [A, B] = [`${tag} solo a`, `${tag} solo b`];
    const images: StoredImage[] = Array.from({ length: 300 }, (_, n) => {
      const id = `${tag}-img-solo-${String(n).padStart(3, '0')}`;
      const objects = [A, B].map((label, k) => ({
        id: objectIdFor(id, `o${k}`),
        imageId: id,
        key: `o${k}`,
        label,
      }));
      return {
        id,
        props: { id, uri: `file:///${id}.jpg`, width: 640, height: 480, configHash: tag, storeModel: 3 },
        objects,
        edges: [
          {
            type: EDGE_TYPE['in front of'],
            subject: objects[0].id,
            object: objects[1].id,
            score: (n + 1) / 400,
            k: pairKey(A, B),
          },
        ],
        semantic: [],
        configHash: tag,
      };
    });
    await ingestImages(db, images);
    const patterns: TripletPattern[] = [{ subject: A, predicate: 'in front of', object: B }];
    const got = await topK(db, patterns, 1, undefined, TOPK_READS);
    expect(got!.rows).toEqual(await reference(db, patterns, 1));
    expect(got!.rows[0][0]).toBe(images[299].id);
    // The first chunk (and the images of the other test data with unscored edges, scored first).
    const unscored =
      storedImages().filter((i) => i.edges.some((e) => e.score === null && e.k !== null)).length +
      storedImages(tag3, 3).filter((i) => i.edges.some((e) => e.score === null)).length;
    expect(got!.visited).toBeLessThanOrEqual(64 + unscored);
    expect(got!.visited).toBeLessThan(300);
  });

  it('finds nothing when some pattern holds nowhere, and leaves undriveable searches to the full ranking', async () => {
    const none: TripletPattern[] = [
      { subject: P, predicate: 'in front of', object: C },
      { subject: `${tag} unicorn`, predicate: 'over', object: D },
    ];
    expect((await topK(db, none, 5))!.rows).toEqual(await reference(db, none, 5));
    expect((await topK(db, none, 5))!.rows).toEqual([]);
    // No pattern with both labels on typed edges: nothing to drive with.
    expect(await topK(db, [{ subject: P, predicate: 'left of' }], 5)).toBeUndefined();
    expect(await topK(db, [{ subject: P, predicate: 'holding', object: C }], 5)).toBeUndefined();
  });

  it('reads the driving edges in index order (PROFILE: the (k, score) index, no sort of all edges)', async () => {
    const res = await db.read('test.profile', (tx) =>
      tx.run(
        `PROFILE MATCH (a:Object)-[r:IN_FRONT_OF]->(b:Object) USING INDEX r:IN_FRONT_OF(k, score)
         WHERE r.k = $k AND r.score IS NOT NULL AND a.label = $a AND b.label = $b
         WITH a, r ORDER BY r.k DESC, r.score DESC LIMIT $limit RETURN a.imageId AS imageId`,
        { k: neo4j.int(pairKey(P, C)), a: P, b: C, limit: neo4j.int(3) },
      ),
    );
    const ops: string[] = [];
    const walk = (n: { operatorType: string; children: unknown[] }): void => {
      ops.push(n.operatorType.replace(/@neo4j$/, ''));
      for (const c of n.children) walk(c as typeof n);
    };
    walk(res.summary.profile as unknown as { operatorType: string; children: unknown[] });
    expect(ops.some((o) => /RelationshipIndexSeek/.test(o))).toBe(true);
    expect(ops.some((o) => /^(Sort|Top)$/.test(o))).toBe(false);
  });
});
