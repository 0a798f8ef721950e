import type { Database } from '../db/database';
import type { Logger } from '../log/logger';
import type { RequestContext } from './context';

export function createRequestContext(db: Database, logger: Logger): RequestContext {
  return { db, logger, loaders: {} };
}
