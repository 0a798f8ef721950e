/**
 * Starts the inference stage from configuration: the detector named by DETECTOR_MODEL (the bundled
 * COCO detector by default) and, when it is pulled, the depth model named by DEPTH_MODEL. A depth
 * model that is not pulled is not an error: images are then stored with their detections and 2D
 * relations, and the log says how to get depth. Nothing is downloaded here.
 */

import type { Config } from '../config/config';
import { AppError } from '../errors/errors';
import type { Logger } from '../log/logger';
import { InferenceService, type InferenceHealth, type ResolvedModel } from '../../inference/inferenceService';
import { resolveForInference } from '../../inference/models/resolve';

export interface StartInferenceOptions {
  /** Load the depth model (false when the caller brings its own depth map). Default true. */
  depth?: boolean;
}

export async function startInference(
  config: Config,
  logger: Logger,
  options: StartInferenceOptions = {},
): Promise<InferenceService> {
  const { detectorModel, depthModel } = config.inference;
  const detector: ResolvedModel = await resolveForInference(detectorModel, config, 'detect');
  let depth: ResolvedModel | undefined;
  if (depthModel && options.depth !== false) {
    try {
      depth = await resolveForInference(depthModel, config, 'depth');
    } catch (err) {
      if (!(err instanceof AppError) || err.code !== 'MODEL_INVALID') throw err;
      logger.warn(
        { model: depthModel, reason: err.message },
        `depth model ${depthModel} is not available; images get 2D relations only (scenegraph models pull ${depthModel})`,
      );
    }
  }
  const s = config.inference;
  const service = await InferenceService.start(
    { detector, depth },
    {
      provider: s.provider,
      workers: s.workers,
      workersPerDevice: s.workersPerDevice,
      deviceIds: s.deviceIds,
      maxQueue: s.maxQueue,
      maxBatch: s.maxBatch,
      batchSizes: s.batchSizes,
      warmup: s.warmup,
      maxWaitMs: s.maxWaitMs,
      timeoutMs: s.timeoutMs,
      intraOpThreads: s.intraOpThreads,
      defaultQueries: s.defaultQueries,
      minScore: s.minScore,
      onDeviceFailed: (d) =>
        logger.error(
          { device: d.id, failures: d.failures, reason: d.lastError },
          `inference device ${d.id} is out of rotation after ${d.failures} worker failures in a row: ${d.lastError ?? ''}`,
        ),
    },
  );
  const { provider, declined, workers, deviceIds, gpus } = service.started;
  const out = service.health().devices.filter((d) => d.state === 'failed');
  logger.info(
    {
      provider,
      workers,
      ...(provider === 'cpu' ? {} : { devices: deviceIds }),
      ...(gpus ? { gpusFound: gpus.names.length, gpuSource: gpus.source, gpus: gpus.names } : {}),
      ...(out.length ? { outOfRotation: out.map((d) => ({ device: d.id, reason: d.lastError })) } : {}),
      declined,
      detector: detector.spec.name,
      depth: depth?.spec.name ?? null,
    },
    `inference runs on ${provider}` +
      (provider === 'cpu' ? '' : ` on device${deviceIds.length > 1 ? 's' : ''} ${deviceIds.join(', ')}`) +
      ` with ${workers} worker${workers === 1 ? '' : 's'}` +
      (declined.length ? ` (${declined.map((d) => `${d.provider}: ${d.reason}`).join('; ')})` : ''),
  );
  return service;
}

/**
 * The readiness check's word on a started inference stage: `ok` while at least one device serves (a
 * device taken out of rotation is logged when it happens; `InferenceService.health()` lists every
 * device's state), else which devices failed and why.
 */
export function inferenceCheck(health: InferenceHealth): string {
  const out = health.devices.filter((d) => d.state === 'failed');
  if (!health.serving) {
    return `no inference device serves: ${out.map((d) => `device ${d.id}: ${d.lastError ?? 'failed'}`).join('; ')}`;
  }
  return 'ok';
}

/**
 * Starts inference on first use and shares it: the service does not pay for loading models until an
 * image arrives, and concurrent first requests wait for the same start.
 */
export class LazyInference {
  private starting?: Promise<InferenceService>;

  constructor(private readonly start: () => Promise<InferenceService>) {}

  /** The service once it has started, for readiness checks; undefined before (or while) starting. */
  current?: InferenceService;

  get(): Promise<InferenceService> {
    this.starting ??= this.start().then(
      (service) => (this.current = service),
      (err: unknown) => {
        this.starting = undefined; // a later request may succeed (e.g. after `models pull`)
        throw err;
      },
    );
    return this.starting;
  }

  async close(): Promise<void> {
    const s = this.starting;
    this.starting = undefined;
    this.current = undefined;
    if (s) await (await s.catch(() => undefined))?.close();
  }
}
