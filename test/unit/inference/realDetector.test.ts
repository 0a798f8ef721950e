/**
 * The bundled, trained COCO detector on real photos (Debian's python3-skimage test images): each
 * expected class is found with IoU >= 0.5 against a box labelled by hand (test/fixtures/photos).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { decodeImage } from '../../../src/io/decodeImage';
import { readManifest } from '../../../inference/models/manifest';
import type { ModelSpec } from '../../../inference/models/modelSpec';
import { iou } from '../../../inference/postprocess/nms';
import { WorkerPool } from '../../../inference/pool/workerPool';
import type { Box, Detection } from '../../../inference/results';

const SKIMAGE = '/usr/lib/python3/dist-packages/skimage/data';
const ROOT = path.resolve(__dirname, '../../..');
const fixture = JSON.parse(readFileSync(path.join(ROOT, 'test/fixtures/photos/boxes.json'), 'utf8')) as {
  photos: { file: string; width: number; height: number; label: string; box: Box }[];
};

describe('coco-centernet on real photos', () => {
  let pool: WorkerPool;

  beforeAll(async () => {
    const dir = path.join(ROOT, 'models/coco-centernet');
    const read = await readManifest(dir);
    if (read.kind !== 'ok') throw new Error(`models/coco-centernet/model.json: ${read.kind}`);
    const spec = read.manifest as ModelSpec;
    const file = path.join(dir, spec.files.find((f) => f.role === 'model')!.path);
    ({ pool } = await WorkerPool.start({
      models: [{ spec, dir, file }],
      workers: 1,
      provider: 'cpu',
      maxQueue: 8,
      maxBatch: 4,
      maxWaitMs: 10,
      timeoutMs: 60_000,
    }));
  });
  afterAll(() => pool.close());

  it.each(fixture.photos)('finds the $label in $file', async ({ file, width, height, label, box }) => {
    const decoded = await decodeImage(readFileSync(path.join(SKIMAGE, file)));
    expect([decoded.info.width, decoded.info.height]).toEqual([width, height]);
    const found = await pool.run<Detection[]>('coco-centernet', { width, height, data: decoded.rgb });
    const best = found.filter((d) => d.label === label).map((d) => ({ ...d, iou: iou(d.box, box) }));
    const top = best.sort((a, b) => b.iou - a.iou)[0];
    expect({
      label,
      found: found.map((d) => `${d.label} ${d.score.toFixed(2)}`),
      iou: top?.iou ?? 0,
    }).toEqual({
      label,
      found: expect.any(Array),
      iou: expect.any(Number),
    });
    expect(top?.iou ?? 0).toBeGreaterThanOrEqual(0.5);
  });
});
