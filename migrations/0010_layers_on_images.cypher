// Store model 5 (src/store/layers.ts): an image's depth layers become two lists on the Image node,
// `layerBasics` (one `index:key` per layer: its basic object) and `layerMembers` (one `index:key` per
// member of each layer), instead of Layer nodes with HAS_LAYER and CONTAINS edges. Layers are read
// whole with their image and never searched on their own; the nodes, their properties, edges and id
// index cost ~4 KB of a 20-object image (BENCHMARKS.md, "Store model 5"). Object.rawLabel is kept only
// where it differs from the normalised label (readers fall back to `label`), and the thresholds only in
// the provenance they were copied from (Image.thresholds).
// Safe to run again after an interruption: each batch of images is one transaction that writes the
// lists and deletes the layers it read, and only images that still have Layer nodes are read.
//
// 1. Layers to lists on their image.
MATCH (i:Image) WHERE EXISTS { (i)-[:HAS_LAYER]->(:Layer) }
CALL {
  WITH i
  MATCH (i)-[:HAS_LAYER]->(l:Layer)
  OPTIONAL MATCH (l)-[:CONTAINS]->(m:Object)
  WITH i, l, collect(toString(l.index) + ':' + coalesce(m.key, substring(m.id, size(i.id) + 1))) AS members
  ORDER BY l.index
  WITH i, collect(l) AS layers, collect(toString(l.index) + ':' + substring(l.basic, size(i.id) + 1)) AS basics,
       collect(members) AS memberLists
  SET i.layerBasics = basics, i.layerMembers = reduce(acc = [], ms IN memberLists | acc + ms)
  FOREACH (l IN layers | DETACH DELETE l)
} IN TRANSACTIONS OF 500 ROWS;
// 2. Layers no image pointed at (none are written; a crash of an old writer could leave them).
MATCH (l:Layer)
CALL { WITH l DETACH DELETE l } IN TRANSACTIONS OF 10000 ROWS;
// 3. rawLabel only where normalising changed the label.
MATCH (o:Object) WHERE o.rawLabel = o.label
CALL { WITH o REMOVE o.rawLabel } IN TRANSACTIONS OF 10000 ROWS;
// 4. The thresholds once per image: in its provenance.
MATCH (i:Image) WHERE i.thresholds IS NOT NULL AND i.provenance CONTAINS '"thresholds":'
CALL { WITH i REMOVE i.thresholds } IN TRANSACTIONS OF 10000 ROWS;
// 5. Every image is now in model 5.
MATCH (i:Image) WHERE i.storeModel IS NULL OR i.storeModel < 5
CALL { WITH i SET i.storeModel = 5 } IN TRANSACTIONS OF 10000 ROWS;
// 6. No Layer nodes are left to be unique.
DROP CONSTRAINT layer_id IF EXISTS;
