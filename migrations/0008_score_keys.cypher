// The typed edges of one pair key in score order (store model 3, relationModel.ts): the top-k image
// search (searchImagesTopK in src/store/search.store.ts) reads a driving pattern's edges from the best
// score down and stops once no later image can enter the page, instead of ranking every image that
// holds the pattern. A composite range index on (k, score) yields one key's edges ordered by score
// (edges without a score are not in it). It replaces the (k) indexes of 0007: a seek by key or key
// range alone uses it too (with `r.score IS NOT NULL`). Edges without a score are in neither index
// then: their images say how many they hold (Image.unscoredEdges, written at ingest only where there
// are any), and the searches read those images' edges separately. Reads every typed edge once.
CREATE INDEX in_front_of_key_score IF NOT EXISTS FOR ()-[r:IN_FRONT_OF]-() ON (r.k, r.score);
CREATE INDEX left_of_key_score IF NOT EXISTS FOR ()-[r:LEFT_OF]-() ON (r.k, r.score);
CREATE INDEX above_key_score IF NOT EXISTS FOR ()-[r:ABOVE]-() ON (r.k, r.score);
CREATE INDEX covers_key_score IF NOT EXISTS FOR ()-[r:COVERS]-() ON (r.k, r.score);
CREATE INDEX on_key_score IF NOT EXISTS FOR ()-[r:ON]-() ON (r.k, r.score);
CREATE INDEX over_key_score IF NOT EXISTS FOR ()-[r:OVER]-() ON (r.k, r.score);
CREATE INDEX in_key_score IF NOT EXISTS FOR ()-[r:IN]-() ON (r.k, r.score);
CREATE INDEX occludes_key_score IF NOT EXISTS FOR ()-[r:OCCLUDES]-() ON (r.k, r.score);
CREATE INDEX beside_key_score IF NOT EXISTS FOR ()-[r:BESIDE]-() ON (r.k, r.score);
MATCH (s:Object)-[r:IN_FRONT_OF|LEFT_OF|ABOVE|COVERS|ON|OVER|IN|OCCLUDES|BESIDE]->(:Object) WHERE r.score IS NULL
WITH s.imageId AS id, count(r) AS n
MATCH (i:Image {id: id}) SET i.unscoredEdges = n;
CREATE INDEX image_unscored_edges IF NOT EXISTS FOR (i:Image) ON (i.unscoredEdges);
DROP INDEX in_front_of_key IF EXISTS;
DROP INDEX left_of_key IF EXISTS;
DROP INDEX above_key IF EXISTS;
DROP INDEX covers_key IF EXISTS;
DROP INDEX on_key IF EXISTS;
DROP INDEX over_key IF EXISTS;
DROP INDEX in_key IF EXISTS;
DROP INDEX occludes_key IF EXISTS;
DROP INDEX beside_key IF EXISTS;
