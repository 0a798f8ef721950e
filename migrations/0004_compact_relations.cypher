// Store model 2 (src/store/relationModel.ts): geometric relations are derived from the stored object
// geometry when read; the ones people query are typed edges, one per relation and its inverse, with
// the score and both labels; semantic relations stay RELATION edges, with their labels.
//
// Converts a store written by model 1 (every geometric relation and its inverse a RELATION edge with
// evidence, id and provenance). Safe to run again after an interruption: each step only touches what
// is still in the old form. Images converted here keep their configHash; re-ingesting the same scene
// graph replaces them once (the hash no longer covers derived relations), and their objects have no
// stored scene order, so relations derive in key order (which only matters for the rare pair that
// qualifies for covers in both directions).
//
// 1. Per-image near / far counts (for the predicates catalogue), while the old edges still exist.
MATCH (i:Image) WHERE i.storeModel IS NULL
CALL {
  WITH i
  SET i.nearCount = COUNT { (i)-[:HAS_OBJECT]->(:Object)-[:RELATION {source: 'GEOMETRY', predicate: 'near'}]->() },
      i.farCount = COUNT { (i)-[:HAS_OBJECT]->(:Object)-[:RELATION {source: 'GEOMETRY', predicate: 'far'}]->() }
} IN TRANSACTIONS OF 2000 ROWS;
// 2. Typed edges from the stored geometric relations, in the canonical direction.
MATCH (s:Object)-[r:RELATION {source: 'GEOMETRY', predicate: 'in front of'}]->(o:Object)
CALL { WITH s, r, o CREATE (s)-[:IN_FRONT_OF {score: r.score, sl: s.label, ol: o.label}]->(o) } IN TRANSACTIONS OF 10000 ROWS;
MATCH (s:Object)-[r:RELATION {source: 'GEOMETRY', predicate: 'left of'}]->(o:Object)
CALL { WITH s, r, o CREATE (s)-[:LEFT_OF {score: r.score, sl: s.label, ol: o.label}]->(o) } IN TRANSACTIONS OF 10000 ROWS;
MATCH (s:Object)-[r:RELATION {source: 'GEOMETRY', predicate: 'above'}]->(o:Object)
CALL { WITH s, r, o CREATE (s)-[:ABOVE {score: r.score, sl: s.label, ol: o.label}]->(o) } IN TRANSACTIONS OF 10000 ROWS;
MATCH (s:Object)-[r:RELATION {source: 'GEOMETRY', predicate: 'covers'}]->(o:Object)
CALL { WITH s, r, o CREATE (s)-[:COVERS {score: r.score, sl: s.label, ol: o.label}]->(o) } IN TRANSACTIONS OF 10000 ROWS;
MATCH (s:Object)-[r:RELATION {source: 'GEOMETRY', predicate: 'on'}]->(o:Object)
CALL { WITH s, r, o CREATE (s)-[:ON {score: r.score, sl: s.label, ol: o.label}]->(o) } IN TRANSACTIONS OF 10000 ROWS;
MATCH (s:Object)-[r:RELATION {source: 'GEOMETRY', predicate: 'over'}]->(o:Object)
CALL { WITH s, r, o CREATE (s)-[:OVER {score: r.score, sl: s.label, ol: o.label}]->(o) } IN TRANSACTIONS OF 10000 ROWS;
MATCH (s:Object)-[r:RELATION {source: 'GEOMETRY', predicate: 'in'}]->(o:Object)
CALL { WITH s, r, o CREATE (s)-[:IN {score: r.score, sl: s.label, ol: o.label}]->(o) } IN TRANSACTIONS OF 10000 ROWS;
MATCH (s:Object)-[r:RELATION {source: 'GEOMETRY', predicate: 'occludes'}]->(o:Object)
CALL { WITH s, r, o CREATE (s)-[:OCCLUDES {score: r.score, sl: s.label, ol: o.label}]->(o) } IN TRANSACTIONS OF 10000 ROWS;
MATCH (s:Object)-[r:RELATION {source: 'GEOMETRY', predicate: 'beside'}]->(o:Object) WHERE s.id < o.id
CALL { WITH s, r, o CREATE (s)-[:BESIDE {score: r.score, sl: s.label, ol: o.label}]->(o) } IN TRANSACTIONS OF 10000 ROWS;
// 3. The old geometric edges go; semantic ones get their labels and lose what is now per image.
MATCH ()-[r:RELATION {source: 'GEOMETRY'}]->()
CALL { WITH r DELETE r } IN TRANSACTIONS OF 10000 ROWS;
MATCH (s:Object)-[r:RELATION]->(o:Object) WHERE r.sl IS NULL
CALL { WITH s, r, o SET r.sl = s.label, r.ol = o.label REMOVE r.id, r.imageId, r.provenance } IN TRANSACTIONS OF 10000 ROWS;
MATCH (i:Image) WHERE i.storeModel IS NULL
CALL { WITH i SET i.storeModel = 2 } IN TRANSACTIONS OF 10000 ROWS;
// 4. Indexes: pattern search seeks the typed edges by their labels.
DROP INDEX relation_id IF EXISTS;
DROP INDEX relation_predicate IF EXISTS;
CREATE INDEX in_front_of_labels IF NOT EXISTS FOR ()-[r:IN_FRONT_OF]-() ON (r.sl, r.ol);
CREATE INDEX left_of_labels IF NOT EXISTS FOR ()-[r:LEFT_OF]-() ON (r.sl, r.ol);
CREATE INDEX above_labels IF NOT EXISTS FOR ()-[r:ABOVE]-() ON (r.sl, r.ol);
CREATE INDEX covers_labels IF NOT EXISTS FOR ()-[r:COVERS]-() ON (r.sl, r.ol);
CREATE INDEX on_labels IF NOT EXISTS FOR ()-[r:ON]-() ON (r.sl, r.ol);
CREATE INDEX over_labels IF NOT EXISTS FOR ()-[r:OVER]-() ON (r.sl, r.ol);
CREATE INDEX in_labels IF NOT EXISTS FOR ()-[r:IN]-() ON (r.sl, r.ol);
CREATE INDEX occludes_labels IF NOT EXISTS FOR ()-[r:OCCLUDES]-() ON (r.sl, r.ol);
CREATE INDEX beside_labels IF NOT EXISTS FOR ()-[r:BESIDE]-() ON (r.sl, r.ol);
CREATE INDEX relation_pattern IF NOT EXISTS FOR ()-[r:RELATION]-() ON (r.predicate, r.sl, r.ol);
