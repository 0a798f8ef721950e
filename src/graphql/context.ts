import type { Database } from '../db/database';
import type { Logger } from '../log/logger';

/** What every resolver receives. Loaders are created per request so batching never crosses users. */
export interface RequestContext {
  db: Database;
  logger: Logger;
  loaders: Record<string, unknown>;
}
