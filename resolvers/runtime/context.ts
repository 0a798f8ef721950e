import type { Principal } from '../../src/auth/principal';
import type { Config } from '../../src/config/config';
import type { Database } from '../../src/db/database';
import type { Logger } from '../../src/log/logger';
import type { SpatialEngine } from '../../src/pipeline/engineThreads';
import type { SceneInference } from '../../src/pipeline/sceneInference';
import type { Loaders } from './loaders';

/** What every resolver receives. Loaders are created per request so batching never crosses users. */
export interface RequestContext {
  db: Database;
  logger: Logger;
  loaders: Loaders;
  config: Config;
  /** The inference stage, started on first use (images only). */
  inference: () => Promise<SceneInference>;
  /** Who sent the request, with its role (src/auth); the schema's authChecker reads it. */
  auth: Principal;
  /** Where ingest mutations run the spatial engine (worker threads in the service); unset: inline. */
  engine?: SpatialEngine;
}
