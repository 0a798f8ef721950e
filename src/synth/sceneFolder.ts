import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { encodeNpy } from '../io/npy';
import { prettyJson } from '../io/prettyJson';
import { SCENE_FOLDER_FILES, type SynthScene } from './generateScene';

export { SCENE_FOLDER_FILES };

/**
 * Writes DIR/image.png, DIR/depth.npy (float32, (H, W), metres, 0 = sky), DIR/scene.json and
 * DIR/truth.json, creating DIR if needed and replacing files of those names.
 */
export async function writeSceneFolder(scene: SynthScene, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const { width, height, data } = scene.depth;
  await Promise.all([
    writeFile(path.join(dir, SCENE_FOLDER_FILES.image), scene.image),
    writeFile(path.join(dir, SCENE_FOLDER_FILES.depth), encodeNpy({ shape: [height, width], data })),
    writeFile(path.join(dir, SCENE_FOLDER_FILES.scene), prettyJson(scene.scene)),
    writeFile(path.join(dir, SCENE_FOLDER_FILES.truth), prettyJson(scene.truth)),
  ]);
}
