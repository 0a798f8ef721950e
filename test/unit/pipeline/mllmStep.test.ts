import sharp from 'sharp';
import type { MllmBackend, MllmImage } from '../../../src/mllm/mllmBackend';
import { inputKeyFor } from '../../../src/pipeline/inputKey';
import { runPipeline, type ImageSource, type PipelineOptions } from '../../../src/pipeline/pipeline';
import type { SceneInference } from '../../../src/pipeline/sceneInference';

/** A backend that answers every image with the same grounded text, recording what it was sent. */
function fakeMllm(reply: string, seen: MllmImage[] = [], truncated = false): MllmBackend {
  return {
    provenance: {
      model: 'fake-asmv2',
      endpoint: 'http://mllm/v1/chat/completions',
      prompt: 'p1',
      maxTokens: 64,
    },
    ground: async (image) => {
      seen.push(image);
      return { text: reply, truncated };
    },
  };
}

/** Depth that puts the left half of the image nearer (inverse depth: larger = nearer). */
const depthOnly: SceneInference = {
  depth: { name: 'dep', architecture: 'fake', sha256: 'd'.repeat(64), provider: 'cpu' },
  detect: () => Promise.reject(new Error('the detector must not run with an MLLM')),
  estimateDepth: async (image) => ({
    width: image.width,
    height: image.height,
    unit: 'inverse',
    values: Float32Array.from({ length: image.width * image.height }, (_, i) =>
      i % image.width < 50 ? 10 : 4,
    ),
  }),
};

// 100x100 image: grounded coordinates are pixels * 9.99.
const REPLY =
  '<ref>dog</ref><box>[[50, 500, 400, 950]]</box> <pred>chasing</pred><box>[[50, 500, 400, 950]]</box>' +
  '<box>[[600, 400, 950, 900]]</box> <ref>ball</ref><box>[[600, 400, 950, 900]]</box> <ref>cat</ref><box>[[1, 2';

describe('runPipeline with an MLLM as the object source', () => {
  let bytes: Buffer;
  beforeAll(async () => {
    bytes = await sharp({ create: { width: 100, height: 100, channels: 3, background: 'gray' } })
      .png()
      .toBuffer();
  });
  const source = (): ImageSource => ({ kind: 'image', bytes, uri: '/photos/dog.png' });
  const opts = (mllm: MllmBackend, inference?: SceneInference): PipelineOptions => ({
    access: { roots: ['/photos'], baseDir: '/photos' },
    mllm,
    inference,
  });

  it('takes objects and MODEL relations from the reply and adds the geometric ones with depth', async () => {
    const seen: MllmImage[] = [];
    const result = await runPipeline(source(), opts(fakeMllm(REPLY, seen, true), depthOnly));
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ width: 100, height: 100 });
    const { scene } = result;
    expect(scene.objects.map((o) => [o.key, o.label])).toEqual([
      ['o1', 'dog'],
      ['o2', 'ball'],
    ]);
    expect(scene.objects[0].depth).toBeDefined();
    const relations = scene.relations ?? [];
    expect(relations).toContainEqual(
      expect.objectContaining({ subject: 'o1', predicate: 'chasing', object: 'o2', source: 'MODEL' }),
    );
    // The dog (left, nearer) is in front of the ball: the engine's relation beside the model's.
    expect(relations).toContainEqual(
      expect.objectContaining({ subject: 'o1', predicate: 'in front of', object: 'o2', source: 'GEOMETRY' }),
    );
    expect(result.depth).toBe('model');
    expect(result.warnings).toEqual([
      expect.stringMatching(/^MLLM reply: <box> is not closed/),
      expect.stringMatching(/cut at max_tokens/),
    ]);
    expect(scene.provenance).toMatchObject({ objects: 'mllm', models: { mllm: { model: 'fake-asmv2' } } });
  });

  it('works without any ONNX model (2D relations), and keys the input by the MLLM', async () => {
    const result = await runPipeline(source(), opts(fakeMllm(REPLY)));
    expect(result.depth).toBe('absent');
    expect(result.scene.relations).toContainEqual(
      expect.objectContaining({ subject: 'o1', predicate: 'left of', object: 'o2', source: 'GEOMETRY' }),
    );
    const key = (m: MllmBackend) => inputKeyFor(source(), 'abc', opts(m));
    const other = fakeMllm(REPLY);
    expect(key(fakeMllm(REPLY))).toBe(key(other));
    other.provenance.prompt = 'p2';
    expect(key(fakeMllm(REPLY))).not.toBe(key(other));
    // The same image from the detector is another graph, so another key.
    expect(inputKeyFor(source(), 'abc', { access: opts(other).access })).not.toBe(key(other));
  });

  it('fails the image with a typed error when the reply names no object', async () => {
    await expect(runPipeline(source(), opts(fakeMllm('A dog and a ball.')))).rejects.toThrow(
      /mllm\.reply: the MLLM reply names no object/,
    );
  });

  it('leaves given objects alone: the MLLM runs only when the image brings none', async () => {
    const seen: MllmImage[] = [];
    const result = await runPipeline(
      { ...source(), objects: [{ key: 'a', label: 'cup', box: [1, 1, 20, 20] }] },
      opts(fakeMllm(REPLY, seen)),
    );
    expect(seen).toHaveLength(0);
    expect(result.scene.objects.map((o) => o.label)).toEqual(['cup']);
  });
});
