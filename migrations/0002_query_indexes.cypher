// Lookups the API makes: objects by normalised label (objectsInFrontOf, searchImages, relations),
// images by content hash (idempotent ingest) and paging order.
CREATE INDEX object_label IF NOT EXISTS FOR (o:Object) ON (o.label);
CREATE INDEX image_content_hash IF NOT EXISTS FOR (i:Image) ON (i.contentHash);
CREATE INDEX image_ingested_at IF NOT EXISTS FOR (i:Image) ON (i.ingestedAt);
