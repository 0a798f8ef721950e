import type { Database } from '../db/database';
import type { SceneGraph } from '../scenegraph/sceneGraph.types';
import { ingestImages, type IngestOptions, type IngestResult } from '../store/ingest.store';
import { toStoredImage } from '../store/storedScene';

/**
 * The pipeline's last step: built scene graphs -> stored records -> transactions of whole images
 * (`ingestImages`). Every entry point that stores (CLI ingest, both ingest mutations) ends here.
 */
export function storeScenes(
  db: Database,
  scenes: readonly SceneGraph[],
  options: IngestOptions & { now?: Date } = {},
): Promise<IngestResult[]> {
  const at = (options.now ?? new Date()).toISOString();
  return ingestImages(
    db,
    scenes.map((s) => toStoredImage(s, at)),
    { writers: options.writers },
  );
}
