import type { Database } from '../../src/db/database';
import { NotFoundError, UserInputError } from '../../src/errors/errors';
import { migrate } from '../../src/db/migrations';
import { storeScenes } from '../../src/pipeline/store';
import { deleteImage } from '../../src/store/ingest.store';
import { relationsOfImages } from '../../src/store/relations.store';
import { addHumanRelation, loadReviewedSet, reviewRelation } from '../../src/store/review.store';
import { listRelations } from '../../src/store/search.store';
import { streetScene } from '../helpers/scenes';
import { testDatabase, uniquePrefix } from '../helpers/testDatabase';

const ANN = { name: 'ann', keyId: null };

describe('human review of relations (real Neo4j)', () => {
  let db: Database;
  const created: string[] = [];
  beforeAll(async () => {
    db = testDatabase();
    await migrate(db);
  });
  afterAll(async () => {
    for (const id of created) await deleteImage(db, id);
    await db.close();
  });

  async function reviewCount(imageId: string): Promise<number> {
    const res = await db.read('test.reviews', (tx) =>
      tx.run<{ n: number }>('MATCH (rv:Review {imageId: $imageId}) RETURN count(rv) AS n', { imageId }),
    );
    return res.records[0].get('n');
  }

  it('migration 0006 makes the review constraint and index', async () => {
    const c = await db.read('test.constraints', (tx) =>
      tx.run<{ name: string }>('SHOW CONSTRAINTS YIELD name RETURN name'),
    );
    expect(c.records.map((r) => r.get('name'))).toContain('review_relation_id');
    const i = await db.read('test.indexes', (tx) =>
      tx.run<{ name: string }>('SHOW INDEXES YIELD name RETURN name'),
    );
    expect(i.records.map((r) => r.get('name'))).toContain('review_image_id');
  });

  it('confirms and rejects derived relations; verdicts come back with every derivation; added HUMAN relations outlive a replacement', async () => {
    const tag = uniquePrefix('rev');
    const scene = streetScene(tag);
    const [stored] = await storeScenes(db, [scene]);
    const imageId = stored.imageId;
    created.push(imageId);
    const rels = (await relationsOfImages(db, [imageId])).get(imageId)!;
    const geometric = rels.filter((r) => r.source === 'GEOMETRY');
    expect(geometric.length).toBeGreaterThan(1);
    expect(rels.every((r) => r.review === undefined)).toBe(true);
    const [a, b] = geometric;

    const confirmed = await reviewRelation(
      db,
      a.id,
      'CONFIRMED',
      ANN,
      'id',
      () => new Date('2026-03-01T10:00:00Z'),
    );
    expect(confirmed.review).toMatchObject({
      verdict: 'CONFIRMED',
      reviewer: 'ann',
      at: '2026-03-01T10:00:00.000Z',
    });
    await reviewRelation(db, b.id, 'REJECTED', { name: 'bob', keyId: 'k1' });

    const again = (await relationsOfImages(db, [imageId])).get(imageId)!;
    expect(again.find((r) => r.id === a.id)?.review?.verdict).toBe('CONFIRMED');
    expect(again.find((r) => r.id === b.id)?.review).toMatchObject({
      verdict: 'REJECTED',
      reviewer: 'bob',
      reviewerKeyId: 'k1',
    });
    expect(again.filter((r) => r.review === null).length).toBe(again.length - 2);

    // The filter: only the rejected one, only the confirmed one.
    const rejected = await listRelations(db, { imageId, review: 'REJECTED' }, 10);
    expect(rejected.rows.map((r) => r.relation.id)).toEqual([b.id]);
    const unreviewed = await listRelations(db, { imageId, review: 'UNREVIEWED' }, 100);
    expect(unreviewed.rows.length).toBe(again.length - 2);

    // Unknown relation: NOT_FOUND, nothing written.
    const before = await reviewCount(imageId);
    await expect(
      reviewRelation(db, `${imageId}:p|riding|${imageId}:c|MODEL`, 'CONFIRMED', ANN),
    ).rejects.toThrow(NotFoundError);
    await expect(reviewRelation(db, 'nonsense', 'CONFIRMED', ANN)).rejects.toThrow(UserInputError);
    expect(await reviewCount(imageId)).toBe(before);

    // Adding: bad input names the field and writes nothing.
    const p = `${imageId}:p`;
    const c = `${imageId}:c`;
    await expect(
      addHumanRelation(db, { subjectId: p, predicate: 'holding', objectId: p }, ANN),
    ).rejects.toThrow(/^input\.objectId: must be another object/);
    await expect(
      addHumanRelation(db, { subjectId: p, predicate: 'holding', objectId: 'ffff:c' }, ANN),
    ).rejects.toThrow(/^input\.objectId: must be an object of the same image/);
    await expect(
      addHumanRelation(db, { subjectId: p, predicate: 'holding', objectId: `${imageId}:nope` }, ANN),
    ).rejects.toThrow(/^input\.objectId: no object/);
    await expect(addHumanRelation(db, { subjectId: p, predicate: '  ', objectId: c }, ANN)).rejects.toThrow(
      /^input\.predicate: /,
    );
    await expect(
      addHumanRelation(db, { subjectId: p, predicate: 'on', objectId: c, score: 2 }, ANN),
    ).rejects.toThrow(/^input\.score: /);
    expect(await reviewCount(imageId)).toBe(before);

    const added = await addHumanRelation(
      db,
      { subjectId: p, predicate: 'Looking_At', objectId: c, score: 0.7 },
      ANN,
    );
    expect(added.relation).toMatchObject({ id: `${p}|looking at|${c}|HUMAN`, source: 'HUMAN', score: 0.7 });
    expect(added.review.verdict).toBe('CONFIRMED');
    // Adding it again without a score refreshes the review and keeps the score.
    const readded = await addHumanRelation(
      db,
      { subjectId: p, predicate: 'looking at', objectId: c },
      { name: 'cy', keyId: null },
    );
    expect(readded.relation.score).toBe(0.7);
    expect(readded.review.reviewer).toBe('cy');
    await addHumanRelation(db, { subjectId: p, predicate: 'looking at', objectId: c }, ANN);
    const withHuman = (await relationsOfImages(db, [imageId])).get(imageId)!;
    expect(withHuman.find((r) => r.id === added.relation.id)?.review?.reviewer).toBe('ann');

    // A new ingest with another graph replaces the image: the reviews stay, the HUMAN edge is written again.
    const replaced = await storeScenes(db, [
      { ...scene, relations: [{ subject: 'g', predicate: 'sniffing', object: 'c', source: 'ANNOTATION' }] },
    ]);
    expect(replaced[0].status).toBe('replaced');
    const after = (await relationsOfImages(db, [imageId])).get(imageId)!;
    expect(after.find((r) => r.id === added.relation.id)).toMatchObject({ source: 'HUMAN', score: 0.7 });
    expect(after.find((r) => r.id === a.id)?.review?.verdict).toBe('CONFIRMED');
    expect(await reviewCount(imageId)).toBe(3);

    // Ground truth: the confirmed geometric one and the added one; predictions: GEOMETRY and MODEL.
    const set = await loadReviewedSet(db, ['GEOMETRY', 'MODEL'], 1_000_000, '--gt');
    const k = set.sources.indexOf(`store image ${imageId}`);
    expect(k).toBeGreaterThanOrEqual(0);
    const key = (id: string) => id.slice(id.indexOf(':') + 1);
    expect(set.gt[k].relations!.map((r) => `${r.subject}|${r.predicate}|${r.object}`).sort()).toEqual(
      [`${key(a.subjectId)}|${a.predicate}|${key(a.objectId)}`, 'p|looking at|c'].sort(),
    );
    expect(set.pred[k].relations!.every((r) => r.source === 'GEOMETRY' || r.source === 'MODEL')).toBe(true);

    // Deleting the image deletes its reviews.
    const del = await deleteImage(db, imageId);
    expect(del.deleted).toBe(true);
    expect(await reviewCount(imageId)).toBe(0);
  });
});
