import type { Principal } from '../../src/auth/principal';
import type { Config } from '../../src/config/config';
import type { Database } from '../../src/db/database';
import type { Logger } from '../../src/log/logger';
import type { SpatialEngine } from '../../src/pipeline/engineThreads';
import type { SceneInference } from '../../src/pipeline/sceneInference';
import type { RequestContext } from './context';
import { createLoaders } from './loaders';

export function createRequestContext(
  db: Database,
  logger: Logger,
  config: Config,
  inference: () => Promise<SceneInference>,
  auth: Principal,
  engine?: SpatialEngine,
): RequestContext {
  return { db, logger, loaders: createLoaders(db), config, inference, auth, ...(engine ? { engine } : {}) };
}
