// Store model 3 (src/store/relationModel.ts): a typed edge carries one integer pair key k (the keys of
// its subject's and object's labels, src/labels/labelKey.ts) instead of the two label strings sl and
// ol, so that its properties fit one property record and its index entries are smaller (about 94 ->
// 76 KB per 20-object image, BENCHMARKS.md). The migration runner supplies $labelKeys (every stored
// object label -> its key) and $labelKeySpan. Safe to run again after an interruption: each batch
// only touches edges still without k. Semantic RELATION edges keep their labels.
//
// 1. The pair key on every typed edge; the label strings go.
MATCH (s:Object)-[r:IN_FRONT_OF]->(o:Object) WHERE r.k IS NULL
CALL { WITH s, r, o SET r.k = $labelKeys[s.label] * $labelKeySpan + $labelKeys[o.label] REMOVE r.sl, r.ol } IN TRANSACTIONS OF 10000 ROWS;
MATCH (s:Object)-[r:LEFT_OF]->(o:Object) WHERE r.k IS NULL
CALL { WITH s, r, o SET r.k = $labelKeys[s.label] * $labelKeySpan + $labelKeys[o.label] REMOVE r.sl, r.ol } IN TRANSACTIONS OF 10000 ROWS;
MATCH (s:Object)-[r:ABOVE]->(o:Object) WHERE r.k IS NULL
CALL { WITH s, r, o SET r.k = $labelKeys[s.label] * $labelKeySpan + $labelKeys[o.label] REMOVE r.sl, r.ol } IN TRANSACTIONS OF 10000 ROWS;
MATCH (s:Object)-[r:COVERS]->(o:Object) WHERE r.k IS NULL
CALL { WITH s, r, o SET r.k = $labelKeys[s.label] * $labelKeySpan + $labelKeys[o.label] REMOVE r.sl, r.ol } IN TRANSACTIONS OF 10000 ROWS;
MATCH (s:Object)-[r:ON]->(o:Object) WHERE r.k IS NULL
CALL { WITH s, r, o SET r.k = $labelKeys[s.label] * $labelKeySpan + $labelKeys[o.label] REMOVE r.sl, r.ol } IN TRANSACTIONS OF 10000 ROWS;
MATCH (s:Object)-[r:OVER]->(o:Object) WHERE r.k IS NULL
CALL { WITH s, r, o SET r.k = $labelKeys[s.label] * $labelKeySpan + $labelKeys[o.label] REMOVE r.sl, r.ol } IN TRANSACTIONS OF 10000 ROWS;
MATCH (s:Object)-[r:IN]->(o:Object) WHERE r.k IS NULL
CALL { WITH s, r, o SET r.k = $labelKeys[s.label] * $labelKeySpan + $labelKeys[o.label] REMOVE r.sl, r.ol } IN TRANSACTIONS OF 10000 ROWS;
MATCH (s:Object)-[r:OCCLUDES]->(o:Object) WHERE r.k IS NULL
CALL { WITH s, r, o SET r.k = $labelKeys[s.label] * $labelKeySpan + $labelKeys[o.label] REMOVE r.sl, r.ol } IN TRANSACTIONS OF 10000 ROWS;
MATCH (s:Object)-[r:BESIDE]->(o:Object) WHERE r.k IS NULL
CALL { WITH s, r, o SET r.k = $labelKeys[s.label] * $labelKeySpan + $labelKeys[o.label] REMOVE r.sl, r.ol } IN TRANSACTIONS OF 10000 ROWS;
// 2. Indexes: the typed edges are sought by their pair key.
DROP INDEX in_front_of_labels IF EXISTS;
DROP INDEX left_of_labels IF EXISTS;
DROP INDEX above_labels IF EXISTS;
DROP INDEX covers_labels IF EXISTS;
DROP INDEX on_labels IF EXISTS;
DROP INDEX over_labels IF EXISTS;
DROP INDEX in_labels IF EXISTS;
DROP INDEX occludes_labels IF EXISTS;
DROP INDEX beside_labels IF EXISTS;
CREATE INDEX in_front_of_key IF NOT EXISTS FOR ()-[r:IN_FRONT_OF]-() ON (r.k);
CREATE INDEX left_of_key IF NOT EXISTS FOR ()-[r:LEFT_OF]-() ON (r.k);
CREATE INDEX above_key IF NOT EXISTS FOR ()-[r:ABOVE]-() ON (r.k);
CREATE INDEX covers_key IF NOT EXISTS FOR ()-[r:COVERS]-() ON (r.k);
CREATE INDEX on_key IF NOT EXISTS FOR ()-[r:ON]-() ON (r.k);
CREATE INDEX over_key IF NOT EXISTS FOR ()-[r:OVER]-() ON (r.k);
CREATE INDEX in_key IF NOT EXISTS FOR ()-[r:IN]-() ON (r.k);
CREATE INDEX occludes_key IF NOT EXISTS FOR ()-[r:OCCLUDES]-() ON (r.k);
CREATE INDEX beside_key IF NOT EXISTS FOR ()-[r:BESIDE]-() ON (r.k);
// 3. The model the images are in.
MATCH (i:Image) WHERE i.storeModel < 3
CALL { WITH i SET i.storeModel = 3 } IN TRANSACTIONS OF 10000 ROWS;
