import type { Database } from '../db/database';
import type { SceneGraph } from '../scenegraph/sceneGraph.types';
import { ingestImages, type IngestResult } from '../store/ingest.store';
import { toStoredImage } from '../store/storedScene';

/**
 * The pipeline's last step: built scene graphs -> stored records -> one transaction. Every entry
 * point that stores (CLI ingest, both ingest mutations) ends here.
 */
export function storeScenes(
  db: Database,
  scenes: readonly SceneGraph[],
  now = new Date(),
): Promise<IngestResult[]> {
  const at = now.toISOString();
  return ingestImages(
    db,
    scenes.map((s) => toStoredImage(s, at)),
  );
}
