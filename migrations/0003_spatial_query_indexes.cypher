// objectsInFrontOf / relations page through objects of one label in id order: a composite index
// serves both the equality on label and the id order, so a page costs O(page), not O(label count).
CREATE INDEX object_label_id IF NOT EXISTS FOR (o:Object) ON (o.label, o.id);
CREATE INDEX object_image IF NOT EXISTS FOR (o:Object) ON (o.imageId);
CREATE INDEX relation_predicate IF NOT EXISTS FOR ()-[r:RELATION]-() ON (r.predicate);
CREATE INDEX relation_id IF NOT EXISTS FOR ()-[r:RELATION]-() ON (r.id);
CREATE INDEX layer_image IF NOT EXISTS FOR (l:Layer) ON (l.imageId);
