/**
 * The only module that imports onnxruntime-node. It opens sessions on an execution provider, describes
 * their inputs and outputs in plain terms, and runs them on plain tensors. Provider choice:
 *
 * - `auto` tries cuda, then webgpu, then cpu, and reports why each provider it skipped was skipped
 *   (the CUDA provider's library is not installed, the session failed on it...), so the log line that
 *   names the provider that runs can also say why the faster ones did not.
 * - a named provider is used or fails: asking for cuda and silently getting cpu would be a surprise.
 *
 * Sessions are created and run inside worker threads (inference/pool): `run()` blocks the thread it is
 * called on for the length of the inference.
 */

import { existsSync } from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { ModelError } from '../../src/errors/errors';
import type { PlainTensor, TensorArray, TensorType } from './tensor';

export type ProviderName = 'cuda' | 'webgpu' | 'cpu';
export type ProviderPreference = 'auto' | ProviderName;
export const PROVIDER_PREFERENCES: readonly ProviderPreference[] = ['auto', 'cuda', 'webgpu', 'cpu'];
const AUTO_ORDER: readonly ProviderName[] = ['cuda', 'webgpu', 'cpu'];

export interface TensorSignature {
  name: string;
  /** Undefined for non-tensor values. */
  type?: TensorType | string;
  /** Numbers for fixed sizes, strings for symbolic (dynamic) dimensions; empty when unknown. */
  shape: (number | string)[];
}

export interface SessionSignature {
  inputs: TensorSignature[];
  outputs: TensorSignature[];
}

export interface SessionOptions {
  /** GPU index for cuda/webgpu. Default 0. */
  deviceId?: number;
  /** Intra-op threads for the CPU provider (0 = onnxruntime's default, one per core). */
  intraOpThreads?: number;
}

export interface DeclinedProvider {
  provider: ProviderName;
  reason: string;
}

export interface OpenedSession {
  session: ModelSession;
  provider: ProviderName;
  declined: DeclinedProvider[];
}

/** The CUDA provider ships separately from onnxruntime-node's package (its install script, or the onnxruntime-gpu wheel). */
function cudaLibraryMissing(): string | undefined {
  if (process.platform !== 'linux' && process.platform !== 'win32')
    return `not built for ${process.platform}`;
  const binDir = path.join(
    path.dirname(require.resolve('onnxruntime-node/package.json')),
    'bin',
    'napi-v6',
    process.platform,
    process.arch,
  );
  const lib =
    process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';
  return existsSync(path.join(binDir, lib))
    ? undefined
    : `${lib} is not installed in ${binDir} (node node_modules/onnxruntime-node/script/install, or copy it from the onnxruntime-gpu wheel of the same version)`;
}

/**
 * WebGPU in onnxruntime-node runs on Dawn over Vulkan on Linux. Without a Vulkan loader it cannot
 * start (and Dawn prints a warning on the way); `auto` skips it quietly instead.
 */
function vulkanLoaderMissing(): string | undefined {
  if (process.platform !== 'linux') return undefined;
  const dirs = [
    ...(process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean),
    '/usr/lib/x86_64-linux-gnu',
    '/usr/lib/aarch64-linux-gnu',
    '/usr/lib64',
    '/usr/lib',
    '/usr/local/lib',
  ];
  return dirs.some((d) => existsSync(path.join(d, 'libvulkan.so.1')))
    ? undefined
    : 'no Vulkan loader (libvulkan.so.1) found, which WebGPU needs on Linux';
}

function providerOptions(
  provider: ProviderName,
  opts: SessionOptions,
): ort.InferenceSession.ExecutionProviderConfig {
  switch (provider) {
    case 'cuda':
      return { name: 'cuda', deviceId: opts.deviceId ?? 0 };
    case 'webgpu':
      return { name: 'webgpu' };
    case 'cpu':
      return { name: 'cpu' };
  }
}

function signatureOf(meta: readonly ort.InferenceSession.ValueMetadata[]): TensorSignature[] {
  return meta.map((m) =>
    m.isTensor ? { name: m.name, type: m.type, shape: [...m.shape] } : { name: m.name, shape: [] },
  );
}

export class ModelSession {
  readonly signature: SessionSignature;

  constructor(
    private readonly inner: ort.InferenceSession,
    readonly model: string,
  ) {
    this.signature = { inputs: signatureOf(inner.inputMetadata), outputs: signatureOf(inner.outputMetadata) };
  }

  async run(feeds: Record<string, PlainTensor>): Promise<Record<string, PlainTensor>> {
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(feeds)) {
      ortFeeds[name] = new ort.Tensor(t.type as 'float32', t.data as Float32Array, t.dims);
    }
    let outputs: ort.InferenceSession.ReturnType;
    try {
      outputs = await this.inner.run(ortFeeds);
    } catch (err) {
      // onnxruntime names the input in its message ("Got invalid dimensions for input: pixel_values ...").
      const message = (err as Error).message;
      const tensor = Object.keys(feeds).find((n) => message.includes(n));
      throw new ModelError(`inference failed: ${message}`, this.model, tensor, { cause: err });
    }
    const result: Record<string, PlainTensor> = {};
    for (const [name, value] of Object.entries(outputs)) {
      const t = value as ort.Tensor;
      result[name] = { type: t.type as TensorType, data: t.data as TensorArray, dims: [...t.dims] };
      t.dispose?.();
    }
    return result;
  }

  release(): Promise<void> {
    return this.inner.release();
  }
}

async function createOn(
  file: string,
  model: string,
  provider: ProviderName,
  opts: SessionOptions,
): Promise<ModelSession> {
  // onnxruntime-node rejects an option that is present but undefined, so the CPU-only one is added only for cpu.
  const inner = await ort.InferenceSession.create(file, {
    executionProviders: [providerOptions(provider, opts)],
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3,
    ...(provider === 'cpu' ? { intraOpNumThreads: opts.intraOpThreads ?? 0 } : {}),
  });
  return new ModelSession(inner, model);
}

/**
 * Opens `file` on the preferred provider. With `auto`, providers are tried in order and the first
 * that opens the model wins; a model that no provider can open is reported as the model's fault.
 */
export async function openSession(
  file: string,
  model: string,
  preference: ProviderPreference,
  opts: SessionOptions = {},
): Promise<OpenedSession> {
  if (!existsSync(file)) throw new ModelError(`file ${file} does not exist`, model);
  const order = preference === 'auto' ? AUTO_ORDER : [preference];
  const declined: DeclinedProvider[] = [];
  for (const provider of order) {
    const missing =
      provider === 'cuda' ? cudaLibraryMissing() : provider === 'webgpu' ? vulkanLoaderMissing() : undefined;
    if (missing) {
      declined.push({ provider, reason: missing });
      continue;
    }
    try {
      return { session: await createOn(file, model, provider, opts), provider, declined };
    } catch (err) {
      declined.push({ provider, reason: (err as Error).message.split('\n')[0] });
    }
  }
  const last = declined[declined.length - 1];
  if (preference !== 'auto' && last.provider !== 'cpu') {
    throw new ModelError(
      `the ${last.provider} execution provider is not available: ${last.reason} (set INFERENCE_PROVIDER=auto or cpu)`,
      model,
    );
  }
  throw new ModelError(`cannot be loaded: ${last.reason}`, model);
}
