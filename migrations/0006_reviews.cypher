// Human review of relations (src/store/review.store.ts): one Review node per reviewed relation, found
// by the relation's id (`subjectId|predicate|objectId|source`, the id the API exposes) and read per
// image with the image's relations.
CREATE CONSTRAINT review_relation_id IF NOT EXISTS FOR (r:Review) REQUIRE r.relationId IS UNIQUE;
CREATE INDEX review_image_id IF NOT EXISTS FOR (r:Review) ON (r.imageId);
