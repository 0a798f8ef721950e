/**
 * Starts the inference stage from configuration: the detector named by DETECTOR_MODEL (the bundled
 * COCO detector by default) and, when it is pulled, the depth model named by DEPTH_MODEL. A depth
 * model that is not pulled is not an error: images are then stored with their detections and 2D
 * relations, and the log says how to get depth. Nothing is downloaded here.
 */

import type { Config } from '../config/config';
import { AppError } from '../errors/errors';
import type { Logger } from '../log/logger';
import { InferenceService, type ResolvedModel } from '../../inference/inferenceService';
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
      deviceIds: s.deviceIds,
      maxQueue: s.maxQueue,
      maxBatch: s.maxBatch,
      maxWaitMs: s.maxWaitMs,
      timeoutMs: s.timeoutMs,
      intraOpThreads: s.intraOpThreads,
      defaultQueries: s.defaultQueries,
      minScore: s.minScore,
    },
  );
  const { provider, declined, workers } = service.started;
  logger.info(
    {
      provider,
      workers,
      declined,
      detector: detector.spec.name,
      depth: depth?.spec.name ?? null,
    },
    `inference runs on ${provider}` +
      (declined.length ? ` (${declined.map((d) => `${d.provider}: ${d.reason}`).join('; ')})` : ''),
  );
  return service;
}

/**
 * Starts inference on first use and shares it: the service does not pay for loading models until an
 * image arrives, and concurrent first requests wait for the same start.
 */
export class LazyInference {
  private starting?: Promise<InferenceService>;

  constructor(private readonly start: () => Promise<InferenceService>) {}

  get(): Promise<InferenceService> {
    this.starting ??= this.start().catch((err: unknown) => {
      this.starting = undefined; // a later request may succeed (e.g. after `models pull`)
      throw err;
    });
    return this.starting;
  }

  async close(): Promise<void> {
    const s = this.starting;
    this.starting = undefined;
    if (s) await (await s.catch(() => undefined))?.close();
  }
}
