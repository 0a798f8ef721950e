import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readDepthFile } from '../../../src/io/depthFile';
import { readImageInfo } from '../../../src/io/imageInfo';
import { readNpy } from '../../../src/io/npy';
import type { SceneGraph } from '../../../src/scenegraph/sceneGraph.types';
import { generateScene } from '../../../src/synth/generateScene';
import { SCENE_FOLDER_FILES, writeSceneFolder } from '../../../src/synth/sceneFolder';
import type { SynthTruth } from '../../../src/synth/truth.types';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'synth-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function filesOf(dir: string): Promise<Record<string, Buffer>> {
  const names = (await readdir(dir)).sort();
  return Object.fromEntries(
    await Promise.all(names.map(async (n) => [n, await readFile(path.join(dir, n))] as const)),
  );
}

describe('writeSceneFolder', () => {
  it('writes image.png, depth.npy, scene.json and truth.json that read back consistently', async () => {
    const scene = await generateScene({ seed: 11, objects: 12 });
    const dir = path.join(root, 'nested', 'scene-11');
    await writeSceneFolder(scene, dir);
    expect(Object.keys(await filesOf(dir))).toEqual(['depth.npy', 'image.png', 'scene.json', 'truth.json']);

    const sceneJson = JSON.parse(
      await readFile(path.join(dir, SCENE_FOLDER_FILES.scene), 'utf8'),
    ) as SceneGraph;
    expect(sceneJson).toEqual(JSON.parse(JSON.stringify(scene.scene)));
    const truthJson = JSON.parse(
      await readFile(path.join(dir, SCENE_FOLDER_FILES.truth), 'utf8'),
    ) as SynthTruth;
    expect(truthJson).toEqual(JSON.parse(JSON.stringify(scene.truth)));

    const info = await readImageInfo(path.join(dir, sceneJson.image.uri));
    expect(info).toEqual({ width: 640, height: 480, format: 'png', sha256: sceneJson.image.sha256 });

    const npy = await readNpy(path.join(dir, sceneJson.depth!.uri));
    expect(npy.shape).toEqual([480, 640]);
    expect(npy.data).toBeInstanceOf(Float32Array);
    const depth = await readDepthFile(path.join(dir, 'depth.npy'), { unit: 'meters' });
    expect(Buffer.from(depth.data.buffer).equals(Buffer.from(scene.depth.data.buffer))).toBe(true);
  });

  it('gives byte-identical folders for the same seed, and different ones for another seed', async () => {
    const a = path.join(root, 'a');
    const b = path.join(root, 'b');
    const c = path.join(root, 'c');
    await writeSceneFolder(await generateScene({ seed: 77, objects: 40 }), a);
    await writeSceneFolder(await generateScene({ seed: 77, objects: 40 }), b);
    await writeSceneFolder(await generateScene({ seed: 78, objects: 40 }), c);
    const [fa, fb, fc] = await Promise.all([filesOf(a), filesOf(b), filesOf(c)]);
    for (const name of Object.keys(fa)) {
      expect(fa[name].equals(fb[name])).toBe(true);
      expect(fa[name].equals(fc[name])).toBe(false);
    }
  });
});
