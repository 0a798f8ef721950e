// The index on Image.contentHash (0002) serves nothing: no writer sets that property (an image's
// content identity is its id, derived from sha256 or the URI, src/store/storedScene.ts) and no query
// reads it, so it stays empty and only costs a file and a schema entry.
DROP INDEX image_content_hash IF EXISTS;
