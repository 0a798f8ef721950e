import neo4j from 'neo4j-driver';
import type { Database } from '../db/database';
import { NotFoundError, UserInputError } from '../errors/errors';
import type { Relation, RelationSource, SceneGraph } from '../scenegraph/sceneGraph.types';
import { SCENE_LIMITS } from '../scenegraph/sceneLimits';
import { normalizePredicate } from '../spatial/predicateNames';
import { exportPageByIds } from './export.store';
import { relationId, SEMANTIC_TYPE } from './relationModel';
import { REVIEW_FIELDS } from './rows';
import { imageIdOfObject, relationsOfImages } from './relations.store';
import { REVIEW_VERDICTS, type RelationRow, type ReviewRow, type ReviewVerdict } from './rows';

/**
 * Human review of relations. A review is a `(:Review)` node keyed by the relation's id as the API
 * exposes it (`subjectId|predicate|objectId|source`, relationModel.ts), holding the verdict, who gave
 * it and when, and the triplet itself:
 *
 * - Geometric relations are derived at read time (store model 2) and have no edge to hang a review
 *   on; their ids are content-derived, so a review keyed by the id meets the relation again every time
 *   it is derived, and a confirmed relation stays ground truth (the triplet is on the node) even if a
 *   later build with other thresholds no longer derives it.
 * - Relations people add are RELATION edges with source HUMAN (the store's semantic relations) plus a
 *   CONFIRMED review that records who added them and when. When an image's graph is replaced by a new
 *   ingest, its reviews stay and the HUMAN edges are written again between the objects that still exist
 *   (ingest.store.ts); `deleteImage` removes them with the image.
 * - The latest verdict on a relation wins (a second reviewer overrides the first; the node says who).
 */

export { REVIEW_VERDICTS, type ReviewVerdict };

/** Who reviewed: an API key (its name and id) or a name given explicitly when keys are off. */
export interface Reviewer {
  name: string;
  /** The API key's public id; null for a name given with AUTH_MODE=off. */
  keyId: string | null;
}

export type { ReviewRow };

export const REVIEW_LIMITS = {
  /** Longest reviewer name, in characters. */
  maxReviewerLength: 200,
  /** Images read per page when reviewed relations are exported or evaluated. */
  pageSize: 100,
} as const;

export const REVIEW_CYPHER = {
  upsert: `
MERGE (rv:Review {relationId: $review.relationId})
SET rv += $review
RETURN rv {${REVIEW_FIELDS}} AS review`,
  addHuman: `
MATCH (s:Object {id: $subjectId})
MATCH (o:Object {id: $objectId})
MERGE (s)-[e:${SEMANTIC_TYPE} {predicate: $predicate, source: 'HUMAN'}]->(o)
SET e.score = coalesce($score, e.score), e.sl = s.label, e.ol = o.label
RETURN s.imageId AS imageId, e.score AS score`,
  /** After a replacement: the HUMAN relations people added, again between the objects that remain. */
  restoreHuman: `
UNWIND $ids AS id
MATCH (rv:Review {imageId: id, source: 'HUMAN', verdict: 'CONFIRMED'})
MATCH (s:Object {id: rv.subjectId})
MATCH (o:Object {id: rv.objectId})
MERGE (s)-[e:${SEMANTIC_TYPE} {predicate: rv.predicate, source: 'HUMAN'}]->(o)
SET e.score = coalesce(e.score, rv.score), e.sl = s.label, e.ol = o.label`,
  deleteOfImages: `
UNWIND $ids AS id
MATCH (rv:Review {imageId: id})
DELETE rv`,
  reviewedImages: `
MATCH (rv:Review) WHERE ($after IS NULL OR rv.imageId > $after)
WITH DISTINCT rv.imageId AS id ORDER BY id
MATCH (i:Image {id: id}) WHERE $uriPrefix IS NULL OR i.uri STARTS WITH $uriPrefix
RETURN id ORDER BY id LIMIT $limit`,
  reviewsOfImages: `
UNWIND $ids AS id
MATCH (rv:Review {imageId: id})
RETURN rv {${REVIEW_FIELDS}} AS review`,
};

/** Reviewer names are shown and exported: one line of printable text, bounded. */
export function checkReviewerName(name: string, field: string): string {
  const trimmed = name.normalize('NFKC').trim();
  if (trimmed.length === 0) throw new UserInputError('must not be empty', field);
  if ([...trimmed].length > REVIEW_LIMITS.maxReviewerLength) {
    throw new UserInputError(`must be at most ${REVIEW_LIMITS.maxReviewerLength} characters`, field);
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(trimmed))
    throw new UserInputError('must not hold control characters', field);
  return trimmed;
}

/** A relation id split into its parts; malformed ids are bad input naming `field`. */
export function parseRelationId(
  id: string,
  field: string,
): { subjectId: string; predicate: string; objectId: string; source: string } {
  const parts = id.split('|');
  if (parts.length !== 4 || parts.some((p) => p.length === 0)) {
    throw new UserInputError('is not a relation id (subjectId|predicate|objectId|source)', field);
  }
  const [subjectId, predicate, objectId, source] = parts;
  return { subjectId, predicate, objectId, source };
}

/** The latest review of each relation id (ids without one are absent). */
export async function reviewsByRelationIds(
  db: Database,
  ids: readonly string[],
): Promise<Map<string, ReviewRow>> {
  const res = await db.read('reviews.byIds', (tx) =>
    tx.run<{ review: ReviewRow }>(
      `UNWIND $ids AS id MATCH (rv:Review {relationId: id}) RETURN rv {${REVIEW_FIELDS}} AS review`,
      { ids: [...ids] },
    ),
  );
  return new Map(res.records.map((r) => [r.get('review').relationId, r.get('review')]));
}

async function upsertReview(db: Database, review: ReviewRow): Promise<ReviewRow> {
  const res = await db.write('reviews.upsert', (tx) =>
    tx.run<{ review: ReviewRow }>(REVIEW_CYPHER.upsert, { review }),
  );
  return res.records[0].get('review');
}

/**
 * Confirms or rejects a relation the store has now (derived or stored), by its id. Unknown ids are
 * NOT_FOUND (naming `field`), and nothing is written.
 */
export async function reviewRelation(
  db: Database,
  id: string,
  verdict: ReviewVerdict,
  reviewer: Reviewer,
  field = 'id',
  now: () => Date = () => new Date(),
): Promise<{ relation: RelationRow; review: ReviewRow }> {
  const parts = parseRelationId(id, field);
  const imageId = imageIdOfObject(parts.subjectId);
  const relation = (await relationsOfImages(db, [imageId])).get(imageId)?.find((r) => r.id === id);
  if (!relation) throw new NotFoundError(`${field}: no relation with id ${id}`, { field, id });
  const review = await upsertReview(db, {
    relationId: relation.id,
    imageId: relation.imageId,
    subjectId: relation.subjectId,
    objectId: relation.objectId,
    predicate: relation.predicate,
    source: relation.source,
    verdict,
    reviewer: reviewer.name,
    reviewerKeyId: reviewer.keyId,
    at: now().toISOString(),
  });
  return { relation: { ...relation, review }, review };
}

export interface AddRelationInput {
  subjectId: string;
  predicate: string;
  objectId: string;
  score?: number | null;
}

/**
 * Adds a relation "subject predicate object" (source HUMAN) between two objects of one image, with a
 * CONFIRMED review naming who added it. Idempotent: adding it again refreshes the reviewer and time.
 * Every check runs before anything is written; the edge and the review are written in one transaction.
 */
export async function addHumanRelation(
  db: Database,
  input: AddRelationInput,
  reviewer: Reviewer,
  now: () => Date = () => new Date(),
): Promise<{ relation: RelationRow; review: ReviewRow }> {
  const predicate = normalizePredicate(input.predicate);
  if (predicate.length === 0) throw new UserInputError('must name a predicate', 'input.predicate');
  if ([...predicate].length > SCENE_LIMITS.maxNameLength) {
    throw new UserInputError(`must be at most ${SCENE_LIMITS.maxNameLength} characters`, 'input.predicate');
  }
  if (input.predicate.includes('|')) throw new UserInputError('must not contain "|"', 'input.predicate');
  if (input.score !== undefined && input.score !== null && !(input.score >= 0 && input.score <= 1)) {
    throw new UserInputError('must be a number in [0, 1]', 'input.score');
  }
  if (input.subjectId === input.objectId) {
    throw new UserInputError('must be another object than input.subjectId', 'input.objectId');
  }
  const imageId = imageIdOfObject(input.subjectId);
  if (imageIdOfObject(input.objectId) !== imageId) {
    throw new UserInputError('must be an object of the same image as input.subjectId', 'input.objectId');
  }
  const found = await db.read('reviews.objects', (tx) =>
    tx.run<{ id: string }>('UNWIND $ids AS id MATCH (o:Object {id: id}) RETURN o.id AS id', {
      ids: [input.subjectId, input.objectId],
    }),
  );
  const present = new Set(found.records.map((r) => r.get('id')));
  for (const [id, field] of [
    [input.subjectId, 'input.subjectId'],
    [input.objectId, 'input.objectId'],
  ] as const) {
    if (!present.has(id)) throw new NotFoundError(`${field}: no object with id ${id}`, { field, id });
  }
  const id = relationId(input.subjectId, predicate, input.objectId, 'HUMAN');
  const review: ReviewRow = {
    relationId: id,
    imageId,
    subjectId: input.subjectId,
    objectId: input.objectId,
    predicate,
    source: 'HUMAN',
    verdict: 'CONFIRMED',
    reviewer: reviewer.name,
    reviewerKeyId: reviewer.keyId,
    at: now().toISOString(),
  };
  const given = input.score ?? null;
  const { stored, score } = await db.write('reviews.addHuman', async (tx) => {
    const res = await tx.run<{ imageId: string; score: number | null }>(REVIEW_CYPHER.addHuman, {
      ...input,
      predicate,
      score: given,
    });
    if (res.records.length === 0) {
      // An object was deleted between the check and the write: nothing was written.
      throw new NotFoundError(`input.subjectId: no object with id ${input.subjectId}`, {
        field: 'input.subjectId',
      });
    }
    // Kept with the review so that a replaced graph gets the relation back with its score.
    const score = res.records[0].get('score');
    const r = await tx.run<{ review: ReviewRow }>(REVIEW_CYPHER.upsert, { review: { ...review, score } });
    return { stored: r.records[0].get('review'), score };
  });
  return {
    relation: {
      id,
      imageId,
      subjectId: input.subjectId,
      objectId: input.objectId,
      predicate,
      score,
      source: 'HUMAN',
      evidence: null,
      provenance: null,
      review: stored,
    },
    review: stored,
  };
}

/** A reviewed image: its stored scene graph and its reviews. */
export interface ReviewedImage {
  id: string;
  scene: SceneGraph;
  reviews: ReviewRow[];
}

/** One page (image-id order, keyset on the id) of images that have at least one review (and a URI with the prefix). */
export async function reviewedImagesPage(
  db: Database,
  first: number,
  after?: string,
  uriPrefix?: string,
): Promise<{ images: ReviewedImage[]; next?: string }> {
  const ids = (
    await db.read('reviews.images', (tx) =>
      tx.run<{ id: string }>(REVIEW_CYPHER.reviewedImages, {
        after: after ?? null,
        limit: neo4j.int(first),
        uriPrefix: uriPrefix ?? null,
      }),
    )
  ).records.map((r) => r.get('id'));
  if (ids.length === 0) return { images: [] };
  const [scenes, reviews] = await Promise.all([
    exportPageByIds(db, ids),
    db.read('reviews.ofImages', (tx) =>
      tx.run<{ review: ReviewRow }>(REVIEW_CYPHER.reviewsOfImages, { ids }),
    ),
  ]);
  const byImage = new Map<string, ReviewRow[]>();
  for (const r of reviews.records) {
    const review = r.get('review');
    const list = byImage.get(review.imageId) ?? [];
    list.push(review);
    byImage.set(review.imageId, list);
  }
  const images = scenes.map(({ id, scene }) => ({
    id,
    scene,
    reviews: (byImage.get(id) ?? []).sort((a, b) => (a.relationId < b.relationId ? -1 : 1)),
  }));
  return { images, next: ids.length === first ? ids.at(-1) : undefined };
}

/** Object ids are `imageId:key`. */
function keyOf(objectId: string): string {
  return objectId.slice(objectId.indexOf(':') + 1);
}

/**
 * The pure half of "reviewed relations as ground truth": the image's stored graph with, as its
 * relations, the confirmed reviewed ones (whatever their source), in relation-id order. Reviews whose
 * objects are no longer in the graph (replaced by a later ingest) are left out and counted.
 */
export function groundTruthScene(image: ReviewedImage): { scene: SceneGraph; dropped: number } {
  const keys = new Set(image.scene.objects.map((o) => o.key));
  let dropped = 0;
  const relations: Relation[] = [];
  for (const r of image.reviews) {
    if (r.verdict !== 'CONFIRMED') continue;
    const subject = keyOf(r.subjectId);
    const object = keyOf(r.objectId);
    if (!keys.has(subject) || !keys.has(object)) {
      dropped++;
      continue;
    }
    relations.push({ subject, predicate: r.predicate, object, source: r.source as RelationSource });
  }
  return { scene: { ...image.scene, relations }, dropped };
}

/** The store's own relations of the image, of the given sources only (predictions to score). */
export function predictionScene(scene: SceneGraph, sources: readonly RelationSource[]): SceneGraph {
  return { ...scene, relations: (scene.relations ?? []).filter((r) => sources.includes(r.source)) };
}

/** The relation sources `--pred store` scores by default: what the engine and models decided. */
export const PREDICTION_SOURCES: readonly RelationSource[] = ['GEOMETRY', 'MODEL'];

export interface ReviewedSet {
  /** Per reviewed image: the confirmed reviewed relations (ground truth). */
  gt: SceneGraph[];
  /** The same images with the store's relations of the prediction sources. */
  pred: SceneGraph[];
  /** "store image <id>", per graph. */
  sources: string[];
  /** Confirmed reviews left out because their objects are no longer stored. */
  dropped: number;
}

/**
 * Every reviewed image, read a page at a time, as ground truth and predictions for `scenegraph eval`
 * (`--gt store:reviewed --pred store`). At most `maxImages` images; more is bad input naming `field`.
 */
export async function loadReviewedSet(
  db: Database,
  predictionSources: readonly RelationSource[],
  maxImages: number,
  field: string,
  uriPrefix?: string,
): Promise<ReviewedSet> {
  const out: ReviewedSet = { gt: [], pred: [], sources: [], dropped: 0 };
  let after: string | undefined;
  do {
    const page = await reviewedImagesPage(db, REVIEW_LIMITS.pageSize, after, uriPrefix);
    for (const image of page.images) {
      if (out.gt.length >= maxImages) {
        throw new UserInputError(`more than ${maxImages} reviewed images; evaluate in parts`, field);
      }
      const { scene, dropped } = groundTruthScene(image);
      out.gt.push(scene);
      out.pred.push(predictionScene(image.scene, predictionSources));
      out.sources.push(`store image ${image.id}`);
      out.dropped += dropped;
    }
    after = page.next;
  } while (after !== undefined);
  return out;
}
