import { open, type FileHandle } from 'node:fs/promises';
import type { SceneGraph } from '../scenegraph/sceneGraph.types';
import { toStoredImage } from '../store/storedScene';

/**
 * The pipeline's last step where there is no database: built scene graphs -> the records that
 * `storeScenes` (store.ts) writes to Neo4j, the same `toStoredImage` mapping, appended to a JSON Lines
 * file, one image per line. Used where Neo4j is absent (the GPU machine's end-to-end benchmark) and to
 * look at what would be stored.
 */
export class RecordFile {
  private constructor(private readonly handle: FileHandle) {}

  /** Creates `file` (or empties it). */
  static async open(file: string): Promise<RecordFile> {
    return new RecordFile(await open(file, 'w'));
  }

  /** Appends one line per scene; resolves with the bytes written. */
  async write(scenes: readonly SceneGraph[], now = new Date()): Promise<number> {
    const at = now.toISOString();
    const text = scenes.map((s) => `${JSON.stringify(toStoredImage(s, at))}\n`).join('');
    await this.handle.appendFile(text);
    return Buffer.byteLength(text);
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}
