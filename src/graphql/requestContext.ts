import type { Config } from '../config/config';
import type { Database } from '../db/database';
import type { Logger } from '../log/logger';
import type { SceneInference } from '../pipeline/sceneInference';
import type { RequestContext } from './context';
import { createLoaders } from './loaders';

export function createRequestContext(
  db: Database,
  logger: Logger,
  config: Config,
  inference: () => Promise<SceneInference>,
): RequestContext {
  return { db, logger, loaders: createLoaders(db), config, inference };
}
