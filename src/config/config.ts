import path from 'node:path';
import { z } from 'zod';
import { AppError, ErrorCode } from '../errors/errors';

/**
 * Every environment variable the service reads, with its default, in one place. Start-up validates
 * them all at once so a typo stops the process with a message naming the variable, instead of
 * surfacing later as a confusing driver or listen error. The README's configuration table mirrors
 * `CONFIG_DOCS` below; a unit test keeps the two in step.
 */

const port = z.coerce.number().int().min(1).max(65535);
const positiveInt = z.coerce.number().int().positive();

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  NEO4J_URI: z
    .string()
    .regex(/^(bolt|neo4j)(\+s|\+ssc)?:\/\/.+/, 'must be a bolt:// or neo4j:// URI (optionally +s / +ssc)')
    .optional(),
  NEO4J_USER: z.string().min(1).default('neo4j'),
  NEO4J_PASSWORD: z.string().min(1).optional(),
  NEO4J_DATABASE: z.string().min(1).default('neo4j'),
  NEO4J_BOLT_PORT: port.default(7687),
  DATA_DIR: z.string().min(1).default('.data'),
  MODEL_DIR: z.string().min(1).optional(),
  MAX_QUERY_DEPTH: positiveInt.default(8),
  MAX_QUERY_COST: positiveInt.default(50000),
  MAX_ALIASES: positiveInt.default(30),
  INGEST_ROOTS: z.string().optional(),
  MAX_UPLOAD_BYTES: positiveInt.default(20 * 1024 * 1024),
});

export type RawConfig = z.infer<typeof schema>;

export interface Config {
  env: RawConfig['NODE_ENV'];
  isProduction: boolean;
  http: { host: string; port: number };
  logLevel: RawConfig['LOG_LEVEL'];
  neo4j: {
    /** Undefined: start and use the project's local Neo4j. */
    uri?: string;
    user: string;
    password?: string;
    database: string;
    localBoltPort: number;
  };
  dataDir: string;
  modelDir: string;
  limits: { maxQueryDepth: number; maxQueryCost: number; maxAliases: number; maxUploadBytes: number };
  /** Folders from which local files (scene graphs, depth maps, images) may be read by the API. */
  ingestRoots: string[];
}

export const CONFIG_DOCS: Record<keyof RawConfig, string> = {
  NODE_ENV: '`development` (default), `production` (turns GraphQL introspection off) or `test`.',
  HOST: 'Interface the HTTP server binds to. Default `127.0.0.1`.',
  PORT: 'HTTP port (0 = any free port). Default `4000`.',
  LOG_LEVEL: 'pino level: fatal, error, warn, info (default), debug, trace, silent.',
  NEO4J_URI:
    'Neo4j server (`bolt://`, `neo4j://`, `+s`/`+ssc` variants). Unset: the project starts its own local Neo4j.',
  NEO4J_USER: 'Neo4j user. Default `neo4j`.',
  NEO4J_PASSWORD:
    'Neo4j password. Required with NEO4J_URI; the local Neo4j generates one and keeps it in DATA_DIR.',
  NEO4J_DATABASE: 'Database name. Default `neo4j`.',
  NEO4J_BOLT_PORT: 'Bolt port of the local Neo4j (only when NEO4J_URI is unset). Default `7687`.',
  DATA_DIR:
    'Where the local Neo4j and other state live. Default `.data` (relative to the working directory).',
  MODEL_DIR: 'Cache of ONNX models. Default `DATA_DIR/models`.',
  MAX_QUERY_DEPTH: 'Deepest GraphQL selection accepted. Default `8`.',
  MAX_QUERY_COST:
    'Largest estimated GraphQL query cost accepted (fields multiplied by page and list sizes). Default `50000`.',
  MAX_ALIASES: 'Most aliases in one GraphQL operation. Default `30`.',
  INGEST_ROOTS:
    'Colon-separated folders from which the GraphQL API may read local files (depth maps, images for EXIF). Default: `DATA_DIR/inputs`. The CLI reads the files it is given.',
  MAX_UPLOAD_BYTES: 'Largest accepted HTTP request body in bytes. Default `20971520` (20 MiB).',
};

export class ConfigError extends AppError {
  constructor(readonly issues: { variable: string; message: string }[]) {
    super(
      ErrorCode.CONFIG_INVALID,
      `Invalid configuration:\n${issues.map((i) => `  ${i.variable}: ${i.message}`).join('\n')}`,
      { issues },
    );
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  // Empty strings count as unset: `FOO= npm start` should mean "default", not "invalid".
  const present = Object.fromEntries(
    Object.keys(schema.shape)
      .filter((k) => env[k] !== undefined && env[k] !== '')
      .map((k) => [k, env[k]]),
  );
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => ({ variable: String(i.path[0]), message: i.message })),
    );
  }
  const c = parsed.data;
  if (c.NEO4J_URI && !c.NEO4J_PASSWORD) {
    throw new ConfigError([{ variable: 'NEO4J_PASSWORD', message: 'is required when NEO4J_URI is set' }]);
  }
  const dataDir = path.resolve(cwd, c.DATA_DIR);
  return {
    env: c.NODE_ENV,
    isProduction: c.NODE_ENV === 'production',
    http: { host: c.HOST, port: c.PORT },
    logLevel: c.LOG_LEVEL,
    neo4j: {
      uri: c.NEO4J_URI,
      user: c.NEO4J_USER,
      password: c.NEO4J_PASSWORD,
      database: c.NEO4J_DATABASE,
      localBoltPort: c.NEO4J_BOLT_PORT,
    },
    dataDir,
    modelDir: path.resolve(cwd, c.MODEL_DIR ?? path.join(c.DATA_DIR, 'models')),
    limits: {
      maxQueryDepth: c.MAX_QUERY_DEPTH,
      maxQueryCost: c.MAX_QUERY_COST,
      maxAliases: c.MAX_ALIASES,
      maxUploadBytes: c.MAX_UPLOAD_BYTES,
    },
    ingestRoots: c.INGEST_ROOTS
      ? c.INGEST_ROOTS.split(':')
          .filter(Boolean)
          .map((p) => path.resolve(cwd, p))
      : // Not DATA_DIR itself: it holds the local Neo4j's credentials.
        [path.join(dataDir, 'inputs')],
  };
}
