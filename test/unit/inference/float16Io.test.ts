import { checkSignature, type AdapterContext } from '../../../inference/adapters/adapter';
import { DepthAnythingAdapter, postprocessDepth } from '../../../inference/adapters/depthAnything';
import type { ModelSpec } from '../../../inference/models/modelSpec';
import { fromFloat16, toFloat16 } from '../../../inference/preprocess/float16';

const spec = {
  name: 'dav2-test',
  architecture: 'depth-anything-v2',
  task: 'depth',
  inputSize: 56,
} as ModelSpec;
const image = {
  width: 40,
  height: 30,
  data: Uint8Array.from({ length: 40 * 30 * 3 }, (_, i) => (i * 37) % 256),
};

describe('float16 model inputs and outputs (Depth Anything)', () => {
  const adapter = new DepthAnythingAdapter();

  it('feeds float32 to a float32 model and the same values as float16 to a float16 one', () => {
    const ctx32: AdapterContext = { spec, dir: '.', inputTypes: { pixel_values: 'float32' } };
    const ctx16: AdapterContext = { spec, dir: '.', inputTypes: { pixel_values: 'float16' } };
    const p32 = adapter.prepare(image, {}, ctx32).feeds.pixel_values;
    const pNone = adapter.prepare(image, {}, { spec, dir: '.' }).feeds.pixel_values;
    const p16 = adapter.prepare(image, {}, ctx16).feeds.pixel_values;
    expect(p32.type).toBe('float32');
    expect(pNone.type).toBe('float32');
    expect(p16.type).toBe('float16');
    expect(p16.dims).toEqual(p32.dims);
    expect(p16.data).toBeInstanceOf(Uint16Array);
    expect(Array.from(p16.data as Uint16Array)).toEqual(Array.from(toFloat16(p32.data as Float32Array)));
  });

  it('reads a float16 depth output as its float32 values', () => {
    const raw = Float32Array.from({ length: 4 * 6 }, (_, i) => Math.sin(i) * 3);
    const half = toFloat16(raw);
    const fromHalf = postprocessDepth({ type: 'float16', data: half, dims: [1, 4, 6] }, 12, 8, 'm');
    const same = postprocessDepth({ type: 'float32', data: fromFloat16(half), dims: [1, 4, 6] }, 12, 8, 'm');
    expect(Array.from(fromHalf)).toEqual(Array.from(same));
    expect(() =>
      postprocessDepth({ type: 'int32', data: new Int32Array(24), dims: [1, 4, 6] }, 12, 8, 'm'),
    ).toThrow(/float32 or float16/);
  });

  it('accepts float16 only where the adapter converts', () => {
    const sig = (input: string, output: string) => ({
      inputs: [{ name: 'pixel_values', type: input, shape: ['batch', 3, 'h', 'w'] }],
      outputs: [{ name: 'predicted_depth', type: output, shape: ['batch', 'h', 'w'] }],
    });
    expect(() => checkSignature('m', sig('float16', 'float16'), adapter)).not.toThrow();
    expect(() => checkSignature('m', sig('float32', 'float32'), adapter)).not.toThrow();
    expect(() => checkSignature('m', sig('int32', 'float32'), adapter)).toThrow(/input must be float32/);
    const strict = {
      architecture: adapter.architecture,
      inputs: [{ name: 'pixel_values', type: 'float32' as const, rank: 4 }],
      outputs: [{ name: 'predicted_depth', type: 'float32' as const, rank: 3 }],
    };
    expect(() => checkSignature('m', sig('float16', 'float32'), strict)).toThrow(/declares float16/);
  });
});
