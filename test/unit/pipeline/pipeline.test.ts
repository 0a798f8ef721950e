import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { encodeNpy } from '../../../src/io/npy';
import { resolveLocalPath } from '../../../src/pipeline/localFiles';
import { runPipeline, type PipelineOptions } from '../../../src/pipeline/pipeline';
import type { SceneInference } from '../../../src/pipeline/sceneInference';
import type { SceneGraph } from '../../../src/scenegraph/sceneGraph.types';
import type { RgbImage } from '../../../inference/adapters/adapter';

async function prepareScene(
  input: unknown,
  access: { roots: string[]; baseDir: string },
): Promise<SceneGraph> {
  return (await runPipeline({ kind: 'scene', input }, { access })).scene;
}

/** A detector that finds a cup left and a table right, and a depth model that puts the left half nearer. */
function fakeInference(seen: RgbImage[] = []): SceneInference {
  const model = (name: string) => ({ name, architecture: 'fake', sha256: name.repeat(4), provider: 'cpu' });
  return {
    detector: model('det'),
    depth: model('dep'),
    detect: async (image) => {
      seen.push(image);
      return [
        { label: 'cup', score: 0.91234, box: [4, 4, 20, 20] },
        { label: 'table', score: 0.8, box: [30, 10, 60, 40] },
      ];
    },
    estimateDepth: async (image) => ({
      width: image.width,
      height: image.height,
      unit: 'inverse',
      values: Float32Array.from({ length: image.width * image.height }, (_, i) =>
        i % image.width < 25 ? 10 : 4,
      ),
    }),
  };
}

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

describe('runPipeline: scene graphs', () => {
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

describe('runPipeline: images', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pipe-'));
  let png: Buffer;
  beforeAll(async () => {
    png = await sharp({ create: { width: 64, height: 48, channels: 3, background: 'gray' } })
      .png()
      .toBuffer();
  });
  const opts = (inference?: SceneInference): PipelineOptions => ({
    access: { roots: [dir], baseDir: dir },
    inference,
  });

  it('detects, estimates depth and builds a 3D graph with the models in its provenance', async () => {
    const seen: RgbImage[] = [];
    const r = await runPipeline({ kind: 'image', bytes: png, uri: 'x.png' }, opts(fakeInference(seen)));
    expect(seen[0]).toMatchObject({ width: 64, height: 48 });
    expect(seen[0].data.length).toBe(64 * 48 * 3);
    expect(r.depth).toBe('model');
    expect(r.scene.image).toMatchObject({
      uri: 'x.png',
      width: 64,
      height: 48,
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(r.scene.objects.map((o) => [o.key, o.label, o.score])).toEqual([
      ['o1', 'cup', 0.9123],
      ['o2', 'table', 0.8],
    ]);
    expect(r.scene.objects[0].depth?.unit).toBe('RELATIVE');
    expect(r.scene.relations).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ subject: 'o1', predicate: 'in front of', object: 'o2' }),
      ]),
    );
    expect(r.scene.provenance).toMatchObject({
      input: 'image',
      objects: 'detector',
      depthSource: 'model',
      models: { detector: { name: 'det', sha256: 'detdetdetdet' }, depth: { name: 'dep' } },
      inputKey: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
  });

  it('without a depth model stores detections with 2D relations and says depth is absent', async () => {
    const inference = { ...fakeInference(), depth: undefined };
    const r = await runPipeline({ kind: 'image', bytes: png, uri: 'x.png' }, opts(inference));
    expect(r.depth).toBe('absent');
    expect(r.scene.objects[0].depth).toBeUndefined();
    expect(r.scene.relations).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ subject: 'o1', predicate: 'left of', object: 'o2' }),
      ]),
    );
    expect(r.scene.relations?.some((x) => x.predicate === 'in front of')).toBe(false);
    expect(r.scene.provenance).toMatchObject({
      depthSource: 'absent',
      models: { detector: { name: 'det' } },
    });
  });

  it('uses given objects and a given depth file without running the models', async () => {
    const depth = new Float32Array(64 * 48).map((_, i) => (i % 64 < 25 ? 2 : 5));
    writeFileSync(path.join(dir, 'd.npy'), encodeNpy({ shape: [48, 64], data: depth }));
    const inference = fakeInference();
    inference.detect = () => Promise.reject(new Error('detector must not run'));
    inference.estimateDepth = () => Promise.reject(new Error('depth model must not run'));
    const r = await runPipeline(
      {
        kind: 'image',
        bytes: png,
        uri: 'x.png',
        objects: [{ key: 'k', label: 'cup', box: [4, 4, 20, 20] }],
        depth: { uri: 'd.npy', unit: 'meters' },
      },
      opts(inference),
    );
    expect(r.depth).toBe('file');
    expect(r.scene.objects[0].depth?.p50).toBeCloseTo(2);
  });

  it('gives the same input key to the same bytes under another name, and another for other models', async () => {
    const a = await runPipeline({ kind: 'image', bytes: png, uri: 'a.png' }, opts(fakeInference()));
    const b = await runPipeline({ kind: 'image', bytes: png, uri: 'b.png' }, opts(fakeInference()));
    const other = { ...fakeInference(), depth: undefined };
    const c = await runPipeline({ kind: 'image', bytes: png, uri: 'a.png' }, opts(other));
    expect(a.scene.provenance?.inputKey).toBe(b.scene.provenance?.inputKey);
    expect(c.scene.provenance?.inputKey).not.toBe(a.scene.provenance?.inputKey);
  });

  it('refuses an image without objects when no detector is configured, and corrupt images, naming the field', async () => {
    await expect(runPipeline({ kind: 'image', bytes: png, uri: 'x.png' }, opts())).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
      path: 'objects',
    });
    await expect(
      runPipeline(
        { kind: 'image', bytes: png.subarray(0, png.length - 40), uri: 'x.png' },
        opts(fakeInference()),
      ),
    ).rejects.toMatchObject({ code: 'BAD_USER_INPUT', path: 'image' });
    await expect(
      runPipeline(
        {
          kind: 'image',
          bytes: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"/>'),
          uri: 'x.svg',
        },
        opts(fakeInference()),
      ),
    ).rejects.toThrow(/unsupported image format/);
    await expect(
      runPipeline({ kind: 'image', bytes: png, uri: 'x.png' }, { ...opts(fakeInference()), maxPixels: 1000 }),
    ).rejects.toThrow(/over the limit of 1000 pixels/);
  });
});
