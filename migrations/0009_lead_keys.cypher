// Store model 4 (src/store/relationModel.ts): in each image, only the lead typed edge of every (type,
// subject label, object label) group keeps its pair key k: the one with the best score (a missing score
// counts as 1). Search ranks an image by the best score of each pattern's matching edges and reaches
// candidate images through the (k, score) indexes, so one index entry per group and image answers it;
// the other edges keep their score and are read inside their image, where the objects' labels select
// them. About half of a 20-object image's typed edges leave the indexes (BENCHMARKS.md, "Store model
// 4"). Image.unscoredEdges now counts the lead edges without a score, the only ones those indexes would
// have to hold. CONTAINS edges lose their `basic` flag, which Layer.basic already records, and the
// unused index on Layer.imageId goes.
// Safe to run again after an interruption: each batch of images is one transaction that also moves
// the images to model 4, and only images still below it are read.
//
// 1. One pair key per group and image.
MATCH (i:Image) WHERE i.storeModel < 4
CALL {
  WITH i
  OPTIONAL MATCH (i)-[:HAS_OBJECT]->(s:Object)-[r:IN_FRONT_OF|LEFT_OF|ABOVE|COVERS|ON|OVER|IN|OCCLUDES|BESIDE]->(o:Object)
  WITH i, type(r) AS t, s.label AS sl, o.label AS ol, r ORDER BY coalesce(r.score, 1.0) DESC
  WITH i, t, sl, ol, collect(r) AS rs
  FOREACH (x IN tail(rs) | REMOVE x.k)
  WITH i, sum(CASE WHEN size(rs) > 0 AND rs[0].score IS NULL THEN 1 ELSE 0 END) AS unscored
  SET i.unscoredEdges = CASE WHEN unscored > 0 THEN unscored END, i.storeModel = 4
} IN TRANSACTIONS OF 500 ROWS;
// 2. Layer membership without the copy of Layer.basic.
MATCH (:Layer)-[c:CONTAINS]->(:Object) WHERE c.basic IS NOT NULL
CALL { WITH c REMOVE c.basic } IN TRANSACTIONS OF 10000 ROWS;
// 3. No query seeks layers by image (they are read through HAS_LAYER): the index goes.
DROP INDEX layer_image IF EXISTS;
