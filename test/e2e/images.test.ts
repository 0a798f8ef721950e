/**
 * Images in, through GraphQL: the bundled COCO detector on real photos (Debian's python3-skimage),
 * the measured depth of the Middlebury motorcycle, the project's test models for depth and the
 * open-vocabulary detector, and every kind of bad input refused with nothing written.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { RunningService } from '../../src/server/service';
import { testDatabase } from '../helpers/testDatabase';
import { gql, startTestService } from '../helpers/testService';

const SKIMAGE = '/usr/lib/python3/dist-packages/skimage/data';
const ROOT = path.resolve(__dirname, '../..');
const MODELS = path.join(ROOT, 'test/fixtures/models');

const INGEST = `mutation($input: IngestImageInput!) {
  ingestImage(input: $input) {
    status depth
    image { id uri sha256 objectCount relationCount provenance objects { key label score box depth { p50 unit } } }
  } }`;

interface Ingested {
  status: string;
  depth: string;
  image: {
    id: string;
    uri: string;
    sha256: string;
    objectCount: number;
    relationCount: number;
    provenance: Record<string, unknown>;
    objects: {
      key: string;
      label: string;
      score: number;
      box: number[];
      depth: { p50: number; unit: string } | null;
    }[];
  };
}

describe('ingestImage (real detector, real photos, real Neo4j)', () => {
  const inputs = mkdtempSync(path.join(os.tmpdir(), 'images-'));
  const outside = mkdtempSync(path.join(os.tmpdir(), 'outside-'));
  const db = testDatabase();
  const ids = new Set<string>();
  let service: RunningService;

  async function ingest(input: Record<string, unknown>, svc = service) {
    const r = await gql(svc, INGEST, { input });
    const got = r.body.data?.ingestImage as Ingested | undefined;
    if (got) ids.add(got.image.id);
    return { ...r, got };
  }

  async function imageCount(): Promise<number> {
    const res = await db.read('test.count', (tx) =>
      tx.run<{ n: number }>('MATCH (i:Image) RETURN count(i) AS n'),
    );
    return res.records[0].get('n');
  }

  beforeAll(async () => {
    for (const f of ['astronaut.png', 'chelsea.png', 'coffee.png', 'motorcycle_left.png']) {
      copyFileSync(path.join(SKIMAGE, f), path.join(inputs, f));
    }
    copyFileSync(
      path.join(ROOT, 'samples/depth/motorcycle.depth.png'),
      path.join(inputs, 'motorcycle.depth.png'),
    );
    // A low score threshold, so that the motorcycle photo yields several objects to relate.
    service = await startTestService({
      INGEST_ROOTS: inputs,
      DEPTH_MODEL: 'none',
      MAX_IMAGE_PIXELS: '4000000',
      DETECTOR_MIN_SCORE: '0.15',
    });
  });

  afterAll(async () => {
    for (const id of ids) {
      await db.write('test.cleanup', (tx) =>
        tx.run('MATCH (i:Image {id: $id}) OPTIONAL MATCH (i)-->(n) DETACH DELETE n, i', { id }),
      );
    }
    await db.close();
    await service.stop();
  });

  it('detects the person in a photo given by path, stores it without depth, and says so', async () => {
    const { body, got } = await ingest({ path: path.join(inputs, 'astronaut.png') });
    expect(body.errors).toBeUndefined();
    expect(got!.status).toBe('CREATED');
    expect(got!.depth).toBe('ABSENT');
    expect(got!.image.objects.map((o) => o.label)).toContain('person');
    expect(got!.image.objects.every((o) => o.depth === null)).toBe(true);
    expect(got!.image.provenance).toMatchObject({
      input: 'image',
      depthSource: 'absent',
      models: { detector: { name: 'coco-centernet', architecture: 'centernet', provider: 'cpu' } },
    });
  });

  it('stores the same photo once, whether given by path or uploaded', async () => {
    const before = await imageCount();
    const data = readFileSync(path.join(inputs, 'astronaut.png')).toString('base64');
    const { body, got } = await ingest({ data });
    expect(body.errors).toBeUndefined();
    expect(got!.status).toBe('UNCHANGED');
    expect(await imageCount()).toBe(before);
  });

  it('builds a full 3D graph of the motorcycle from its measured depth and answers spatial queries', async () => {
    const { body, got } = await ingest({
      path: path.join(inputs, 'motorcycle_left.png'),
      depth: { path: path.join(inputs, 'motorcycle.depth.png'), unit: 'meters', scale: 0.001 },
    });
    expect(body.errors).toBeUndefined();
    expect(got!.depth).toBe('FILE');
    const moto = got!.image.objects.find((o) => o.label === 'motorcycle');
    expect(moto?.depth?.unit).toBe('METERS');
    // The motorcycle stands about 2-3 m from the camera (Middlebury calibration).
    expect(moto!.depth!.p50).toBeGreaterThan(1.8);
    expect(moto!.depth!.p50).toBeLessThan(3.5);

    await ingest({ path: path.join(inputs, 'coffee.png') });
    await ingest({ path: path.join(inputs, 'chelsea.png') });
    // The motorcycle (about 2.4 m) stands in front of the child's bicycle by the wall at the left
    // (about 4.7 m), which the detector also calls a motorcycle.
    const search = await gql(
      service,
      `{ searchImages(pattern: [{subject: "motorcycle", predicate: "in front of", object: "motorcycle"}]) { edges { node { id } } } }`,
    );
    expect(search.body.errors).toBeUndefined();
    const found = (search.body.data!.searchImages as { edges: { node: { id: string } }[] }).edges.map(
      (e) => e.node.id,
    );
    expect(found).toContain(got!.image.id);
    type Edge = {
      node: { label: string; depth: { p50: number } };
      reference: { label: string; depth: { p50: number } };
    };
    const spatial = async (field: 'objectsInFrontOf' | 'objectsBehind'): Promise<Edge[]> => {
      const r = await gql(
        service,
        `{ ${field}(label: "motorcycle", imageId: "${got!.image.id}") { edges { node { label depth { p50 } } reference { label depth { p50 } } } } }`,
      );
      expect(r.body.errors).toBeUndefined();
      return (r.body.data![field] as { edges: Edge[] }).edges;
    };
    const inFront = await spatial('objectsInFrontOf');
    expect(inFront.map((e) => e.node.label)).toContain('motorcycle');
    for (const e of inFront) expect(e.node.depth.p50).toBeLessThan(e.reference.depth.p50);
    const behind = await spatial('objectsBehind');
    expect(behind.length).toBeGreaterThan(0);
    for (const e of behind) expect(e.node.depth.p50).toBeGreaterThan(e.reference.depth.p50);
  });

  describe('bad input: a typed error naming the field, nothing written', () => {
    const cases: [string, () => Record<string, unknown>, string, RegExp][] = [
      [
        'a corrupt JPEG',
        () => ({
          data: Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(200, 7)]).toString(
            'base64',
          ),
        }),
        'image',
        /not a readable image|corrupt/,
      ],
      [
        'a truncated PNG',
        () => ({ data: readFileSync(path.join(inputs, 'chelsea.png')).subarray(0, 5000).toString('base64') }),
        'image',
        /corrupt|truncated|not a readable image/,
      ],
      [
        'a pixel bomb',
        () => ({ path: path.join(inputs, 'bomb.png') }),
        'image',
        /over the limit of 4000000 pixels/,
      ],
      [
        'an unsupported type',
        () => ({
          data: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>').toString(
            'base64',
          ),
        }),
        'image',
        /unsupported image format 'svg'/,
      ],
      ['not base64', () => ({ data: 'data:image/png;base64,AAAA' }), 'input.data', /must be base64/],
      [
        'a private-network URL',
        () => ({ url: 'http://169.254.169.254/latest/meta-data/x.png' }),
        'input.url',
        /not a public address/,
      ],
      ['a loopback URL', () => ({ url: `${service.url}/healthz` }), 'input.url', /not a public address/],
      [
        'a path outside the allowed roots',
        () => ({ path: path.join(outside, 'x.png') }),
        'input.path',
        /outside the allowed roots/,
      ],
      ['a folder, not a file', () => ({ path: inputs }), 'input.path', /cannot read/],
      [
        'two sources at once',
        () => ({ path: path.join(inputs, 'chelsea.png'), url: 'https://example.org/x.png' }),
        'input',
        /exactly one of data, path or url/,
      ],
      [
        'a depth map of another aspect ratio',
        () => ({
          path: path.join(inputs, 'coffee.png'),
          depth: { path: path.join(inputs, 'motorcycle.depth.png'), unit: 'meters', scale: 0.001 },
        }),
        'depth',
        /aspect/,
      ],
      [
        'an unknown depth unit',
        () => ({
          path: path.join(inputs, 'coffee.png'),
          depth: { path: path.join(inputs, 'motorcycle.depth.png'), unit: 'feet' },
        }),
        'input.depth.unit',
        /"feet" does not exist in "DepthInputUnit" enum/,
      ],
    ];

    beforeAll(async () => {
      // 2500 x 2500 = 6.25 M pixels of one colour: a few kB on disk.
      await sharp({ create: { width: 2500, height: 2500, channels: 3, background: 'white' } })
        .png()
        .toFile(path.join(inputs, 'bomb.png'));
      writeFileSync(path.join(outside, 'x.png'), readFileSync(path.join(inputs, 'chelsea.png')));
    });

    it.each(cases)('%s', async (_name, input, field, message) => {
      const before = await imageCount();
      const { status, body } = await ingest(input());
      expect(status).toBeLessThan(500);
      expect(body.errors?.[0]).toMatchObject({
        message: expect.stringMatching(message),
        extensions: { code: 'BAD_USER_INPUT', field },
      });
      expect(await imageCount()).toBe(before);
    });
  });
});

describe('ingestImage with the project test models (depth model and open-vocabulary detector)', () => {
  const inputs = mkdtempSync(path.join(os.tmpdir(), 'images-m-'));
  const db = testDatabase();
  const ids: string[] = [];

  afterAll(async () => {
    for (const id of ids) {
      await db.write('test.cleanup', (tx) =>
        tx.run('MATCH (i:Image {id: $id}) OPTIONAL MATCH (i)-->(n) DETACH DELETE n, i', { id }),
      );
    }
    await db.close();
  });

  it('runs the depth model and labels boxes with the text queries', async () => {
    copyFileSync(path.join(SKIMAGE, 'coffee.png'), path.join(inputs, 'coffee.png'));
    const service = await startTestService({
      INGEST_ROOTS: inputs,
      DETECTOR_MODEL: path.join(MODELS, 'owlv2-tiny'),
      DEPTH_MODEL: path.join(MODELS, 'depth-anything-v2-tiny'),
    });
    try {
      const r = await gql(service, INGEST, {
        input: { path: path.join(inputs, 'coffee.png'), queries: ['cup', 'spoon'] },
      });
      expect(r.body.errors).toBeUndefined();
      const got = r.body.data!.ingestImage as Ingested;
      ids.push(got.image.id);
      expect(got.depth).toBe('MODEL');
      expect(got.image.objectCount).toBeGreaterThan(0);
      for (const o of got.image.objects) expect(['cup', 'spoon']).toContain(o.label);
      expect(got.image.objects[0].depth?.unit).toBe('RELATIVE');
      expect(got.image.provenance).toMatchObject({
        depthSource: 'model',
        queries: ['cup', 'spoon'],
        models: {
          detector: { name: 'owlv2-tiny', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
          depth: { name: 'depth-anything-v2-tiny', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
        },
      });
      const tooMany = await gql(service, INGEST, {
        input: {
          path: path.join(inputs, 'coffee.png'),
          queries: Array.from({ length: 65 }, (_, i) => `q${i}`),
        },
      });
      expect(tooMany.body.errors?.[0]).toMatchObject({
        extensions: { code: 'BAD_USER_INPUT', field: 'queries' },
      });
    } finally {
      await service.stop();
    }
  });

  it('refuses a model whose tensors do not fit its adapter, naming model and tensor, and writes nothing', async () => {
    const wrong = mkdtempSync(path.join(os.tmpdir(), 'wrong-model-'));
    copyFileSync(path.join(MODELS, 'depth-anything-v2-tiny/model.onnx'), path.join(wrong, 'model.onnx'));
    const spec = JSON.parse(
      readFileSync(path.join(ROOT, 'models/coco-centernet/model.json'), 'utf8'),
    ) as Record<string, unknown>;
    writeFileSync(
      path.join(wrong, 'model.json'),
      JSON.stringify({ ...spec, name: 'wrong-shape', files: [{ role: 'model', path: 'model.onnx' }] }),
    );
    mkdirSync(path.join(inputs, 'w'), { recursive: true });
    copyFileSync(path.join(SKIMAGE, 'chelsea.png'), path.join(inputs, 'w/chelsea.png'));
    const service = await startTestService({
      INGEST_ROOTS: inputs,
      DETECTOR_MODEL: wrong,
      DEPTH_MODEL: 'none',
    });
    try {
      const before = await db.read('c', (tx) =>
        tx.run<{ n: number }>('MATCH (i:Image) RETURN count(i) AS n'),
      );
      const r = await gql(service, INGEST, { input: { path: path.join(inputs, 'w/chelsea.png') } });
      expect(r.body.errors?.[0]).toMatchObject({
        message: expect.stringMatching(/model wrong-shape, tensor \w+:/),
        extensions: { code: 'MODEL_INVALID' },
      });
      const after = await db.read('c', (tx) => tx.run<{ n: number }>('MATCH (i:Image) RETURN count(i) AS n'));
      expect(after.records[0].get('n')).toBe(before.records[0].get('n'));
    } finally {
      await service.stop();
    }
  });
});
