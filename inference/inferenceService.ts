/**
 * The inference stage as the pipeline sees it (src/pipeline/sceneInference.ts): a detector and a depth
 * model, each optional, served by one worker pool. Results are plain (detections, a depth prediction);
 * nothing here knows of Neo4j or GraphQL.
 */

import type { SceneInference, ModelProvenance } from '../src/pipeline/sceneInference';
import type { RgbImage } from './adapters/adapter';
import type { DeclinedProvider, ProviderName, ProviderPreference } from './backend/onnxBackend';
import type { ModelSpec } from './models/modelSpec';
import type { BatchSizesSetting, WarmupSetting } from './pool/batching';
import { findGpus, type GpuInventory } from './pool/gpuDevices';
import { WorkerPool, type DeviceStatus, type PoolStats } from './pool/workerPool';
import type { DepthPrediction, Detection, DetectOptions } from './results';

/** A model ready to load: its spec, its folder and ONNX file, and what to record about it. */
export interface ResolvedModel {
  spec: ModelSpec;
  dir: string;
  file: string;
  sha256: string;
  revision?: string;
}

export interface InferenceSettings {
  provider: ProviderPreference;
  /** Workers in all, given to the devices in turn (ignored when `workersPerDevice` is set). */
  workers: number;
  workersPerDevice?: number;
  /** `auto`: every GPU `findGpus` sees (device 0 when none, or for the CPU provider). */
  deviceIds?: number[] | 'auto';
  maxQueue: number;
  maxBatch: number;
  /** Default `auto` (`pool/batching.ts`). */
  batchSizes?: BatchSizesSetting;
  /** Default `auto`. */
  warmup?: WarmupSetting;
  maxWaitMs: number;
  timeoutMs: number;
  intraOpThreads?: number;
  /** Queries for an open-vocabulary detector when a request brings none. */
  defaultQueries: string[];
  /** Lowest detection score kept (default: the adapter's). */
  minScore?: number;
  /** Told when a device is taken out of rotation. */
  onDeviceFailed?: (device: DeviceStatus) => void;
  /** Replaces the GPU discovery (tests). */
  findGpus?: () => GpuInventory;
}

export interface InferenceStarted {
  provider: ProviderName;
  declined: DeclinedProvider[];
  workers: number;
  /** The devices the workers were spread over, and how they were chosen. */
  deviceIds: number[];
  gpus?: GpuInventory;
}

/** What the readiness check and the start-up log say about the inference stage. */
export interface InferenceHealth {
  /** At least one device serves. */
  serving: boolean;
  devices: DeviceStatus[];
}

/** The device ids and worker count the settings ask for, `auto` resolved through GPU discovery. */
export function resolveDevices(settings: InferenceSettings): {
  deviceIds: number[];
  workers: number;
  gpus?: GpuInventory;
} {
  let deviceIds: number[];
  let gpus: GpuInventory | undefined;
  if (settings.deviceIds === 'auto' || settings.deviceIds === undefined) {
    // The CPU provider has no devices to spread over: looking for GPUs would only add a log line.
    gpus = settings.provider === 'cpu' ? undefined : (settings.findGpus ?? findGpus)();
    deviceIds = gpus && gpus.ids.length > 0 ? gpus.ids : [0];
  } else {
    deviceIds = settings.deviceIds.length > 0 ? settings.deviceIds : [0];
  }
  const workers =
    settings.workersPerDevice !== undefined ? settings.workersPerDevice * deviceIds.length : settings.workers;
  return { deviceIds, workers, gpus };
}

export class InferenceService implements SceneInference {
  readonly detector?: ModelProvenance;
  readonly depth?: ModelProvenance;

  private constructor(
    private readonly pool: WorkerPool,
    private readonly detectorSpec: ModelSpec | undefined,
    private readonly depthSpec: ModelSpec | undefined,
    provenance: { detector?: ModelProvenance; depth?: ModelProvenance },
    private readonly settings: InferenceSettings,
    readonly started: InferenceStarted,
  ) {
    this.detector = provenance.detector;
    this.depth = provenance.depth;
  }

  static async start(
    models: { detector?: ResolvedModel; depth?: ResolvedModel },
    settings: InferenceSettings,
  ): Promise<InferenceService> {
    const list = [models.detector, models.depth].filter((m): m is ResolvedModel => m !== undefined);
    const { deviceIds, workers, gpus } = resolveDevices(settings);
    const { pool, info } = await WorkerPool.start({
      models: list.map((m) => ({ spec: m.spec, dir: m.dir, file: m.file })),
      workers,
      provider: settings.provider,
      deviceIds,
      onDeviceFailed: settings.onDeviceFailed,
      maxQueue: settings.maxQueue,
      maxBatch: settings.maxBatch,
      batchSizes: settings.batchSizes,
      warmup: settings.warmup,
      maxWaitMs: settings.maxWaitMs,
      timeoutMs: settings.timeoutMs,
      intraOpThreads: settings.intraOpThreads,
    });
    const describe = (m?: ResolvedModel): ModelProvenance | undefined =>
      m && {
        name: m.spec.name,
        architecture: m.spec.architecture,
        sha256: m.sha256,
        ...(m.revision ? { revision: m.revision } : {}),
        provider: info.provider,
      };
    const detector = describe(models.detector);
    return new InferenceService(
      pool,
      models.detector?.spec,
      models.depth?.spec,
      {
        detector:
          detector && settings.minScore !== undefined
            ? { ...detector, minScore: settings.minScore }
            : detector,
        depth: describe(models.depth),
      },
      settings,
      { ...info, deviceIds, ...(gpus ? { gpus } : {}) },
    );
  }

  /** The pool moves the pixels to a worker; a copy keeps the caller's image usable for the next model. */
  private static copy(image: RgbImage): RgbImage {
    return { width: image.width, height: image.height, data: image.data.slice() };
  }

  detect(image: RgbImage, options: DetectOptions = {}): Promise<Detection[]> {
    const spec = this.detectorSpec;
    if (!spec) return Promise.reject(new Error('no detector is loaded'));
    const queries =
      spec.architecture === 'owlv2'
        ? options.queries?.length
          ? options.queries
          : this.settings.defaultQueries
        : undefined;
    return this.pool.run<Detection[]>(spec.name, InferenceService.copy(image), {
      scoreThreshold: this.settings.minScore,
      ...options,
      queries,
    });
  }

  estimateDepth(image: RgbImage): Promise<DepthPrediction> {
    const spec = this.depthSpec;
    if (!spec) return Promise.reject(new Error('no depth model is loaded'));
    return this.pool.run<DepthPrediction>(spec.name, InferenceService.copy(image), {});
  }

  get stats(): PoolStats {
    return this.pool.stats;
  }

  health(): InferenceHealth {
    const devices = this.pool.devices();
    return { serving: devices.some((d) => d.state === 'ok'), devices };
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
