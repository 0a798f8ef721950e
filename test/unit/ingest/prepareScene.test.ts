import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { prepareScene, resolveLocalPath } from '../../../src/ingest/prepareScene';
import { encodeNpy } from '../../../src/io/npy';
import type { SceneGraph } from '../../../src/scenegraph/sceneGraph.types';

function scene(dir: string, extra: Partial<SceneGraph> = {}): SceneGraph {
  return {
    version: 1,
    image: { uri: path.join(dir, 'img.jpg'), width: 64, height: 48 },
    objects: [
      { key: 'a', label: 'cup', box: [4, 4, 20, 20] },
      { key: 'b', label: 'table', box: [30, 10, 60, 40] },
    ],
    ...extra,
  };
}

describe('prepareScene', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'prep-'));
  const opts = { roots: [dir], baseDir: dir };

  beforeAll(async () => {
    const img = await sharp({ create: { width: 64, height: 48, channels: 3, background: 'gray' } })
      .jpeg()
      .withExif({ IFD0: { Make: 'Test' }, IFD2: { FocalLengthIn35mmFilm: '26' } })
      .toBuffer();
    writeFileSync(path.join(dir, 'img.jpg'), img);
    const depth = new Float32Array(64 * 48).map((_, i) => (i % 64 < 25 ? 2 : 5));
    writeFileSync(path.join(dir, 'd.npy'), encodeNpy({ shape: [48, 64], data: depth }));
  });

  it('reads the depth map, runs the engine and takes intrinsics from EXIF', async () => {
    const built = await prepareScene(scene(dir, { depth: { uri: 'd.npy', unit: 'meters' } }), opts);
    expect(built.intrinsics?.source).toBe('EXIF');
    expect(built.objects[0].depth?.p50).toBeCloseTo(2);
    expect(built.objects[1].depth?.p50).toBeCloseTo(5);
    expect(built.relations).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ subject: 'a', predicate: 'in front of', object: 'b' }),
      ]),
    );
  });

  it('uses the field-of-view prior when the image is not readable', async () => {
    const built = await prepareScene(
      { ...scene(dir), image: { uri: 'https://example.org/x.jpg', width: 64, height: 48 } },
      opts,
    );
    expect(built.intrinsics?.source).toBe('FOV_PRIOR');
  });

  it('keeps a graph the engine already built when no depth map comes with it', async () => {
    const built = await prepareScene(scene(dir, { depth: { uri: 'd.npy', unit: 'meters' } }), opts);
    const { depth: _depth, ...withoutDepth } = built;
    const again = await prepareScene(withoutDepth, opts);
    expect(again).toEqual(withoutDepth);
  });

  it('refuses remote depth URIs and paths outside the roots', async () => {
    await expect(
      prepareScene(scene(dir, { depth: { uri: 'http://169.254.169.254/d.npy', unit: 'meters' } }), opts),
    ).rejects.toThrow(/depth\.uri: remote URIs are not fetched/);
    await expect(
      prepareScene(scene(dir, { depth: { uri: '../../etc/passwd', unit: 'meters' } }), opts),
    ).rejects.toThrow(/outside the allowed roots/);
    expect(resolveLocalPath(`file://${dir}/d.npy`, opts, 'f')).toBe(path.join(dir, 'd.npy'));
  });

  it('rejects invalid scenes naming the field', async () => {
    const bad = scene(dir);
    bad.objects[0].label = '';
    await expect(prepareScene(bad, opts)).rejects.toThrow(/objects\[0\]\.label/);
  });
});
