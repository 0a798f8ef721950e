import { findGpus, type GpuProbe } from '../../../../inference/pool/gpuDevices';
import { resolveDevices, type InferenceSettings } from '../../../../inference/inferenceService';
import { inferenceCheck } from '../../../../src/pipeline/startInference';
import { loadConfig } from '../../../../src/config/config';

const SMI = [
  'GPU 0: NVIDIA H200 (UUID: GPU-11111111-2222-3333-4444-555555555555)',
  'GPU 1: NVIDIA H200 (UUID: GPU-22222222-2222-3333-4444-555555555555)',
  '  MIG 1g.18gb     Device  0: (UUID: MIG-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee)',
  'GPU 2: NVIDIA H100 80GB HBM3 (UUID: GPU-33333333-2222-3333-4444-555555555555)',
  '',
].join('\n');

function probe(over: Partial<GpuProbe>): GpuProbe {
  return { nvidiaSmi: () => undefined, procGpus: () => undefined, visibleDevices: () => undefined, ...over };
}

describe('findGpus', () => {
  it('lists the GPUs nvidia-smi names, MIG lines aside', () => {
    expect(findGpus(probe({ nvidiaSmi: () => SMI }))).toEqual({
      ids: [0, 1, 2],
      names: ['NVIDIA H200', 'NVIDIA H200', 'NVIDIA H100 80GB HBM3'],
      source: 'nvidia-smi',
    });
  });

  it("falls back to the driver's /proc entries without nvidia-smi", () => {
    const info = (model: string) => `Model: \t\t ${model}\nIRQ:   42\nDevice Minor: 0\n`;
    expect(findGpus(probe({ procGpus: () => [info('NVIDIA H200'), info('NVIDIA H200')] }))).toEqual({
      ids: [0, 1],
      names: ['NVIDIA H200', 'NVIDIA H200'],
      source: '/proc/driver/nvidia/gpus',
    });
  });

  it('finds none on a machine without an NVIDIA driver', () => {
    expect(findGpus(probe({ nvidiaSmi: () => 'No devices were found\n', procGpus: () => [] }))).toEqual({
      ids: [],
      names: [],
      source: 'none',
    });
  });

  it('counts what CUDA_VISIBLE_DEVICES leaves visible, renumbered from 0', () => {
    expect(findGpus(probe({ nvidiaSmi: () => SMI, visibleDevices: () => '2,0' }))).toMatchObject({
      ids: [0, 1],
      names: ['NVIDIA H100 80GB HBM3', 'NVIDIA H200'],
    });
    // CUDA stops at an entry it cannot use, and -1 or an empty value hides every GPU.
    expect(findGpus(probe({ nvidiaSmi: () => SMI, visibleDevices: () => '1,-1,2' })).ids).toEqual([0]);
    expect(findGpus(probe({ nvidiaSmi: () => SMI, visibleDevices: () => '' })).ids).toEqual([]);
    // Never more than the host has.
    expect(findGpus(probe({ nvidiaSmi: () => SMI, visibleDevices: () => '0,1,2,3,4' })).ids).toEqual([
      0, 1, 2,
    ]);
  });
});

describe('resolveDevices', () => {
  const base: InferenceSettings = {
    provider: 'auto',
    workers: 3,
    maxQueue: 1,
    maxBatch: 1,
    maxWaitMs: 0,
    timeoutMs: 1,
    defaultQueries: [],
  };
  const four = () => ({ ids: [0, 1, 2, 3], names: ['a', 'b', 'c', 'd'], source: 'nvidia-smi' as const });

  it('takes every GPU found for auto, and spreads the total of workers over them', () => {
    expect(resolveDevices({ ...base, deviceIds: 'auto', findGpus: four })).toEqual({
      deviceIds: [0, 1, 2, 3],
      workers: 3,
      gpus: four(),
    });
  });

  it('gives each device its workers with workersPerDevice', () => {
    expect(resolveDevices({ ...base, deviceIds: 'auto', workersPerDevice: 2, findGpus: four })).toMatchObject(
      {
        deviceIds: [0, 1, 2, 3],
        workers: 8,
      },
    );
    expect(resolveDevices({ ...base, deviceIds: [1, 3], workersPerDevice: 2 })).toEqual({
      deviceIds: [1, 3],
      workers: 4,
    });
  });

  it('uses device 0 when no GPU is found, and does not look for GPUs for the CPU provider', () => {
    const none = () => ({ ids: [], names: [], source: 'none' as const });
    expect(resolveDevices({ ...base, deviceIds: 'auto', findGpus: none }).deviceIds).toEqual([0]);
    const looked = jest.fn(four);
    expect(resolveDevices({ ...base, provider: 'cpu', deviceIds: 'auto', findGpus: looked })).toEqual({
      deviceIds: [0],
      workers: 3,
    });
    expect(looked).not.toHaveBeenCalled();
  });
});

describe('INFERENCE_* device settings', () => {
  it('default to every GPU found and one worker in all', () => {
    const c = loadConfig({}).inference;
    expect([c.deviceIds, c.workers, c.workersPerDevice]).toEqual(['auto', 1, undefined]);
  });

  it('read a list of device ids and workers per device', () => {
    const c = loadConfig({ INFERENCE_DEVICE_IDS: '0,2,3', INFERENCE_WORKERS_PER_DEVICE: '2' }).inference;
    expect([c.deviceIds, c.workersPerDevice]).toEqual([[0, 2, 3], 2]);
  });

  it('refuse a malformed list, and a total together with a count per device', () => {
    expect(() => loadConfig({ INFERENCE_DEVICE_IDS: '0;1' })).toThrow(/INFERENCE_DEVICE_IDS: must be `auto`/);
    expect(() => loadConfig({ INFERENCE_WORKERS: '4', INFERENCE_WORKERS_PER_DEVICE: '2' })).toThrow(
      /INFERENCE_WORKERS \(in all\) or INFERENCE_WORKERS_PER_DEVICE, not both/,
    );
  });
});

describe('inferenceCheck (readiness)', () => {
  const device = (id: number, state: 'ok' | 'failed', lastError?: string) => ({
    id,
    state,
    workers: 1,
    ready: state === 'ok' ? 1 : 0,
    waiting: 0,
    running: 0,
    served: 0,
    failures: state === 'ok' ? 0 : 3,
    ...(lastError ? { lastError } : {}),
  });

  it('is ok while any device serves', () => {
    expect(
      inferenceCheck({ serving: true, devices: [device(0, 'ok'), device(1, 'failed', 'CUDA error')] }),
    ).toBe('ok');
  });

  it('names each device and its error when none serves', () => {
    expect(
      inferenceCheck({
        serving: false,
        devices: [device(0, 'failed', 'exited with code 9'), device(1, 'failed')],
      }),
    ).toBe('no inference device serves: device 0: exited with code 9; device 1: failed');
  });
});
