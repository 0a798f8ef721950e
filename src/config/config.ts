import path from 'node:path';
import { z } from 'zod';
import { AppError, ErrorCode } from '../errors/errors';
import { DEFAULT_HEAP, DEFAULT_PAGE_CACHE, MEMORY_SIZE } from '../db/neo4jMemory';

/**
 * Every environment variable the service reads, with its default, in one place. Start-up validates
 * them all at once so a typo stops the process with a message naming the variable, instead of
 * surfacing later as a confusing driver or listen error. The README's configuration table mirrors
 * `CONFIG_DOCS` below; a unit test keeps the two in step.
 */

const port = z.coerce.number().int().min(1).max(65535);
/** A JVM-style memory size (`512m`, `2g`), as the local Neo4j takes it. */
const memorySize = z.string().trim().regex(MEMORY_SIZE, 'must be a size such as 512m or 4g');
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
  NEO4J_HEAP: memorySize.default(DEFAULT_HEAP),
  NEO4J_PAGE_CACHE: memorySize.default(DEFAULT_PAGE_CACHE),
  DATA_DIR: z.string().min(1).default('.data'),
  MODEL_DIR: z.string().min(1).optional(),
  HF_ENDPOINT: z
    .string()
    .regex(/^https?:\/\/[^/\s]+/, 'must be an http:// or https:// URL')
    .default('https://huggingface.co'),
  HF_TOKEN: z.string().min(1).optional(),
  MAX_QUERY_DEPTH: positiveInt.default(12),
  MAX_QUERY_COST: positiveInt.default(250_000),
  MAX_ALIASES: positiveInt.default(30),
  MAX_QUERY_FIELDS: positiveInt.default(2000),
  REQUEST_TIMEOUT_MS: positiveInt.default(30_000),
  NEO4J_CONNECTION_TIMEOUT_MS: positiveInt.default(5000),
  NEO4J_MAX_RETRY_TIME_MS: z.coerce.number().int().min(0).default(3000),
  CORS_ORIGINS: z
    .string()
    .regex(
      /^(\*|https?:\/\/[^\s,/]+\/?(\s*,\s*https?:\/\/[^\s,/]+\/?)*)$/,
      'must be `*` or a comma-separated list of origins such as https://app.example.com',
    )
    .optional(),
  ENGINE_WORKERS: z.coerce.number().int().min(0).max(64).default(1),
  INGEST_ROOTS: z.string().optional(),
  MAX_UPLOAD_BYTES: positiveInt.default(20 * 1024 * 1024),
  MAX_IMAGE_PIXELS: positiveInt.default(40_000_000),
  IMAGE_FETCH_TIMEOUT_MS: positiveInt.default(15_000),
  DETECTOR_MODEL: z.string().min(1).default('coco-centernet'),
  DETECTOR_QUERIES: z.string().min(1).optional(),
  DETECTOR_MIN_SCORE: z.coerce.number().min(0).max(1).optional(),
  DEPTH_MODEL: z.string().min(1).default('depth-anything-v2-small'),
  INFERENCE_PROVIDER: z.enum(['auto', 'cuda', 'webgpu', 'cpu']).default('auto'),
  INFERENCE_WORKERS: positiveInt.max(256).default(1),
  INFERENCE_WORKERS_PER_DEVICE: positiveInt.max(64).optional(),
  INFERENCE_DEVICE_IDS: z
    .string()
    .regex(/^(auto|\d+(,\d+)*)$/, 'must be `auto` or a comma-separated list of GPU indices, e.g. 0,1')
    .default('auto'),
  INFERENCE_THREADS: z.coerce.number().int().min(0).max(256).default(0),
  INFERENCE_MAX_QUEUE: positiveInt.default(64),
  INFERENCE_MAX_BATCH: positiveInt.max(256).default(8),
  INFERENCE_BATCH_SIZES: z
    .string()
    .regex(
      /^(auto|exact|[1-9]\d{0,2}(,[1-9]\d{0,2})*)$/,
      'must be `auto`, `exact` or a comma-separated list of batch sizes, e.g. 1,2,4,8',
    )
    .default('auto'),
  INFERENCE_WARMUP: z.enum(['auto', 'on', 'off']).default('auto'),
  INFERENCE_MAX_WAIT_MS: z.coerce.number().int().min(0).max(10_000).default(5),
  INFERENCE_TIMEOUT_MS: positiveInt.default(120_000),
  AUTH_MODE: z.enum(['off', 'keys']).optional(),
  AUTH_ANONYMOUS: z.enum(['off', 'read']).default('off'),
  AUTH_RATE_LIMIT: positiveInt.max(1_000_000).default(600),
  AUTH_KEY_CACHE_MS: z.coerce.number().int().min(0).max(60_000).default(5_000),
  MLLM_URL: z
    .string()
    .regex(/^https?:\/\/[^/\s]+/, 'must be an http:// or https:// URL')
    .optional(),
  MLLM_MODEL: z.string().min(1).optional(),
  MLLM_API_KEY: z.string().min(1).optional(),
  MLLM_PROMPT: z.string().min(1).max(10_000).optional(),
  MLLM_TIMEOUT_MS: positiveInt.default(120_000),
  MLLM_MAX_RETRIES: z.coerce.number().int().min(0).max(10).default(3),
  MLLM_RETRY_BASE_MS: z.coerce.number().int().min(0).max(60_000).default(500),
  MLLM_CONCURRENCY: positiveInt.max(256).default(4),
  MLLM_MAX_TOKENS: positiveInt.max(32_768).default(2048),
});

export type RawConfig = z.infer<typeof schema>;

export interface Config {
  env: RawConfig['NODE_ENV'];
  isProduction: boolean;
  http: {
    host: string;
    port: number;
    /** Origins allowed to call the API from a browser; `*` only when configured so. */
    corsOrigins: string[];
  };
  logLevel: RawConfig['LOG_LEVEL'];
  neo4j: {
    /** Undefined: start and use the project's local Neo4j. */
    uri?: string;
    user: string;
    password?: string;
    database: string;
    localBoltPort: number;
    /** JVM heap (-Xmx) and page cache of the local Neo4j, e.g. `1g`, `256m`. */
    localHeap: string;
    localPageCache: string;
    /** Connecting, and waiting for a pooled connection, give up after this long (ms). */
    connectionTimeoutMs: number;
    /** How long the driver retries a transaction that failed transiently (ms). */
    maxRetryTimeMs: number;
  };
  dataDir: string;
  modelDir: string;
  /** Where `scenegraph models pull` fetches models from (nothing is fetched at start-up). */
  models: { hubEndpoint: string; hubToken?: string };
  limits: {
    maxQueryDepth: number;
    maxQueryCost: number;
    maxAliases: number;
    maxQueryFields: number;
    maxUploadBytes: number;
    /** A GraphQL request that takes longer is answered with TIMEOUT (HTTP 504). */
    requestTimeoutMs: number;
  };
  /** Folders from which local files (scene graphs, depth maps, images) may be read by the API. */
  ingestRoots: string[];
  images: { maxPixels: number; fetchTimeoutMs: number };
  /** Worker threads for the spatial engine in the service (0 = on the main thread). */
  engineWorkers: number;
  inference: {
    /** Registry names; `depthModel` undefined = no depth model (DEPTH_MODEL=none). */
    detectorModel: string;
    depthModel?: string;
    /** Queries for an open-vocabulary detector when a request brings none. */
    defaultQueries: string[];
    /** Lowest detection score kept; undefined = the detector adapter's default. */
    minScore?: number;
    provider: 'auto' | 'cuda' | 'webgpu' | 'cpu';
    /** Worker threads in all (INFERENCE_WORKERS), spread over the devices in turn. */
    workers: number;
    /** When set, every device gets this many workers and `workers` is ignored. */
    workersPerDevice?: number;
    /** `auto`: every GPU found when inference starts (none: device 0, which the CPU ignores). */
    deviceIds: number[] | 'auto';
    intraOpThreads: number;
    maxQueue: number;
    maxBatch: number;
    /** Sizes partial batches are padded up to (`inference/pool/batching.ts`). */
    batchSizes: 'auto' | 'exact' | number[];
    warmup: 'auto' | 'on' | 'off';
    maxWaitMs: number;
    timeoutMs: number;
  };
  auth: {
    /** Undefined: decided at start-up from HOST (src/auth/authMode.ts). */
    mode?: 'off' | 'keys';
    anonymous: 'off' | 'read';
    /** Requests per minute for keys created without --rate, and per address for anonymous clients. */
    defaultRatePerMinute: number;
    /** How long a key lookup is reused: the bound on how late a revocation takes effect. */
    keyCacheMs: number;
  };
  /** The MLLM backend (`ingest --mllm`); `baseUrl` undefined = not configured. */
  mllm: {
    baseUrl?: string;
    model?: string;
    apiKey?: string;
    prompt?: string;
    timeoutMs: number;
    maxRetries: number;
    retryBaseMs: number;
    concurrency: number;
    maxTokens: number;
  };
}

/** Queries an open-vocabulary detector gets when neither the request nor DETECTOR_QUERIES names any. */
export const DEFAULT_DETECTOR_QUERIES = [
  'person',
  'car',
  'bicycle',
  'motorcycle',
  'bus',
  'truck',
  'dog',
  'cat',
  'horse',
  'bird',
  'chair',
  'couch',
  'table',
  'bed',
  'bench',
  'cup',
  'bottle',
  'laptop',
  'book',
  'plant',
  'tree',
  'building',
  'window',
  'door',
  'lamp',
  'box',
  'ball',
  'bag',
];

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
  NEO4J_HEAP:
    'JVM heap of the local Neo4j (`-Xmx`; e.g. `512m`, `2g`). Default `1g`: enough for the bounded ingest transactions at any store size; raise it for large concurrent reads.',
  NEO4J_PAGE_CACHE:
    'Page cache of the local Neo4j (e.g. `256m`, `8g`). Default `256m`, sized for tests and demos; for a large store give it about the store size (≈80 KB per 20-object image: `8g` for 100,000 images), README "Store at scale".',
  DATA_DIR:
    'Where the local Neo4j and other state live. Default `.data` (relative to the working directory).',
  MODEL_DIR: 'Cache of ONNX models. Default `DATA_DIR/models`.',
  HF_ENDPOINT:
    'Hugging Face hub (or mirror) that `scenegraph models pull` downloads from. Default `https://huggingface.co`.',
  HF_TOKEN:
    'Hugging Face token, sent to HF_ENDPOINT only (for gated or private repositories). Default: none.',
  MAX_QUERY_DEPTH:
    'Deepest GraphQL selection accepted (a two-hop traversal from `images` is 9 deep). Default `12`.',
  MAX_QUERY_COST:
    'Largest estimated GraphQL query cost accepted (fields multiplied by page and list sizes, see "Query limits"). Default `250000`.',
  MAX_ALIASES: 'Most aliases in one GraphQL operation. Default `30`.',
  MAX_QUERY_FIELDS:
    'Most fields in one GraphQL document once its fragments are expanded, counted before any other validation (stops fragment bombs). Default `2000`.',
  REQUEST_TIMEOUT_MS:
    'Time limit for one HTTP request (GraphQL answered with `TIMEOUT`, HTTP 504); also the Neo4j transaction timeout. Default `30000`.',
  NEO4J_CONNECTION_TIMEOUT_MS:
    'How long connecting to Neo4j, or waiting for a pooled connection, may take before a request fails with `DATABASE_UNAVAILABLE` (HTTP 503). Default `5000`.',
  NEO4J_MAX_RETRY_TIME_MS:
    'How long a transaction that failed transiently (database briefly unreachable, deadlock) is retried. Default `3000`.',
  CORS_ORIGINS:
    'Comma-separated origins browsers may call the API from (e.g. `https://app.example.com`), or `*` for any. Default: none (no CORS headers).',
  ENGINE_WORKERS:
    'Worker threads running the spatial engine for `ingestSceneGraph`/`ingestImage` in the service, so a big scene does not stall other requests (`0` = on the main thread). Default `1`.',
  INGEST_ROOTS:
    'Colon-separated folders from which the GraphQL API may read local files (depth maps, images for EXIF). Default: `DATA_DIR/inputs`. The CLI reads the files it is given.',
  MAX_UPLOAD_BYTES: 'Largest accepted HTTP request body in bytes. Default `20971520` (20 MiB).',
  MAX_IMAGE_PIXELS:
    'Largest image accepted for decoding (width x height, after EXIF orientation). Default `40000000`.',
  IMAGE_FETCH_TIMEOUT_MS:
    'Time limit for fetching an image URL given to `ingestImage` (headers and body). Default `15000`.',
  DETECTOR_MODEL:
    'Registry name of the object detector for images (`scenegraph models list`), or the path of a model folder with a model.json. Default `coco-centernet` (bundled).',
  DETECTOR_QUERIES:
    'Comma-separated text queries for an open-vocabulary detector (OWLv2) when a request gives none. Default: 28 common object names.',
  DETECTOR_MIN_SCORE:
    "Lowest detection score kept, 0..1. Default: the detector's own (0.25 for coco-centernet, 0.1 for OWLv2).",
  DEPTH_MODEL:
    'Registry name of the depth model, or `none`. Default `depth-anything-v2-small`; used when pulled, else images get 2D relations only.',
  INFERENCE_PROVIDER:
    'onnxruntime execution provider: `auto` (default: cuda, then webgpu, then cpu), `cuda`, `webgpu` or `cpu`.',
  INFERENCE_WORKERS:
    'Inference worker threads in all, each with its own session of every model, given to the devices in turn. Default `1`.',
  INFERENCE_WORKERS_PER_DEVICE:
    'Worker threads per device instead of a total (not together with `INFERENCE_WORKERS`). Unset by default.',
  INFERENCE_DEVICE_IDS:
    'GPUs to use: `auto` (default: every GPU found at start-up, logged; device 0 if none) or indices, e.g. `0,1`.',
  INFERENCE_THREADS: 'CPU provider threads per worker (`0` = one per core). Default `0`.',
  INFERENCE_MAX_QUEUE:
    'Inference requests waiting per device before new ones are refused with `BUSY`. Default `64`.',
  INFERENCE_MAX_BATCH: 'Most requests for one model run as one batch. Default `8`.',
  INFERENCE_BATCH_SIZES:
    'Batch sizes a partial batch is padded up to (the added rows repeat a real one and are dropped), so each GPU session tunes only these shapes: `auto` (default: 1, 2, 4, 8, ... up to `INFERENCE_MAX_BATCH` on GPU providers, no padding on the CPU), `exact` (never pad) or a list, e.g. `1,2,4,8` (sizes above `INFERENCE_MAX_BATCH` count as it; a larger batch is split into runs of the largest size).',
  INFERENCE_WARMUP:
    "Run every padded batch size once per model when a worker starts, so the first requests do not pay the GPU's per-shape tuning (0.4-2 s each on CUDA): `auto` (default: on for cuda and webgpu, off on the CPU), `on` or `off`. Images of another aspect ratio than square still tune on first use.",
  INFERENCE_MAX_WAIT_MS: 'How long a request waits for others to share its batch, in ms. Default `5`.',
  INFERENCE_TIMEOUT_MS: 'Time limit per inference request, queueing included, in ms. Default `120000`.',
  AUTH_MODE:
    '`keys` (every request but /healthz and /readyz needs an API key) or `off`. Unset: `off` when HOST is a loopback address; on any other HOST the service refuses to start until it is set.',
  AUTH_ANONYMOUS:
    '`read`: with AUTH_MODE=keys, requests without a key may run queries (rate-limited per address). Default `off`.',
  AUTH_RATE_LIMIT:
    'Requests per minute per API key without its own `--rate`, and per address for anonymous reads (token bucket: bursts up to this many). Default `600`.',
  AUTH_KEY_CACHE_MS:
    'How long the service reuses a key lookup, in ms: a revoked key stops working within this time. Default `5000`.',
  MLLM_URL:
    'OpenAI-compatible vision chat endpoint for `ingest --mllm`, e.g. `http://127.0.0.1:8000/v1` (vLLM serving LLaVA-SpaceSGG or ASMv2). Default: none.',
  MLLM_MODEL: 'Model name sent to MLLM_URL (required with it), e.g. the name vLLM serves.',
  MLLM_API_KEY: 'Bearer key for MLLM_URL, sent there only. Default: none.',
  MLLM_PROMPT:
    'Prompt sent with each image. Default: ask for the scene graph in `<ref>`/`<box>`/`<pred>` grounded text (`src/mllm/mllmBackend.ts`).',
  MLLM_TIMEOUT_MS: 'Time limit per MLLM request attempt, in ms. Default `120000`.',
  MLLM_MAX_RETRIES:
    'Retries of an MLLM request on HTTP 408/409/429/5xx, network errors and timeouts, with exponential backoff (Retry-After honoured, at most 10 s between attempts). Default `3`.',
  MLLM_RETRY_BASE_MS: 'Wait before the first MLLM retry in ms, doubled for each further one. Default `500`.',
  MLLM_CONCURRENCY: 'Most MLLM requests in flight at once. Default `4`.',
  MLLM_MAX_TOKENS: 'max_tokens of each MLLM reply. Default `2048`.',
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
  if (present.INFERENCE_WORKERS !== undefined && c.INFERENCE_WORKERS_PER_DEVICE !== undefined) {
    throw new ConfigError([
      {
        variable: 'INFERENCE_WORKERS_PER_DEVICE',
        message: 'set INFERENCE_WORKERS (in all) or INFERENCE_WORKERS_PER_DEVICE, not both',
      },
    ]);
  }
  if (c.MLLM_URL && !c.MLLM_MODEL) {
    throw new ConfigError([{ variable: 'MLLM_MODEL', message: 'is required when MLLM_URL is set' }]);
  }
  if (c.NEO4J_URI && !c.NEO4J_PASSWORD) {
    throw new ConfigError([{ variable: 'NEO4J_PASSWORD', message: 'is required when NEO4J_URI is set' }]);
  }
  const dataDir = path.resolve(cwd, c.DATA_DIR);
  return {
    env: c.NODE_ENV,
    isProduction: c.NODE_ENV === 'production',
    http: {
      host: c.HOST,
      port: c.PORT,
      corsOrigins: c.CORS_ORIGINS
        ? c.CORS_ORIGINS.split(',')
            .map((o) => o.trim().replace(/\/+$/, ''))
            .filter(Boolean)
        : [],
    },
    logLevel: c.LOG_LEVEL,
    neo4j: {
      uri: c.NEO4J_URI,
      user: c.NEO4J_USER,
      password: c.NEO4J_PASSWORD,
      database: c.NEO4J_DATABASE,
      localBoltPort: c.NEO4J_BOLT_PORT,
      localHeap: c.NEO4J_HEAP,
      localPageCache: c.NEO4J_PAGE_CACHE,
      connectionTimeoutMs: c.NEO4J_CONNECTION_TIMEOUT_MS,
      maxRetryTimeMs: c.NEO4J_MAX_RETRY_TIME_MS,
    },
    dataDir,
    modelDir: path.resolve(cwd, c.MODEL_DIR ?? path.join(c.DATA_DIR, 'models')),
    models: { hubEndpoint: c.HF_ENDPOINT.replace(/\/+$/, ''), hubToken: c.HF_TOKEN },
    limits: {
      maxQueryDepth: c.MAX_QUERY_DEPTH,
      maxQueryCost: c.MAX_QUERY_COST,
      maxAliases: c.MAX_ALIASES,
      maxQueryFields: c.MAX_QUERY_FIELDS,
      maxUploadBytes: c.MAX_UPLOAD_BYTES,
      requestTimeoutMs: c.REQUEST_TIMEOUT_MS,
    },
    ingestRoots: c.INGEST_ROOTS
      ? c.INGEST_ROOTS.split(':')
          .filter(Boolean)
          .map((p) => path.resolve(cwd, p))
      : // Not DATA_DIR itself: it holds the local Neo4j's credentials.
        [path.join(dataDir, 'inputs')],
    images: { maxPixels: c.MAX_IMAGE_PIXELS, fetchTimeoutMs: c.IMAGE_FETCH_TIMEOUT_MS },
    engineWorkers: c.ENGINE_WORKERS,
    inference: {
      detectorModel: c.DETECTOR_MODEL,
      depthModel: c.DEPTH_MODEL === 'none' ? undefined : c.DEPTH_MODEL,
      defaultQueries: c.DETECTOR_QUERIES
        ? c.DETECTOR_QUERIES.split(',')
            .map((q) => q.trim())
            .filter(Boolean)
        : DEFAULT_DETECTOR_QUERIES,
      minScore: c.DETECTOR_MIN_SCORE,
      provider: c.INFERENCE_PROVIDER,
      workers: c.INFERENCE_WORKERS,
      workersPerDevice: c.INFERENCE_WORKERS_PER_DEVICE,
      deviceIds: c.INFERENCE_DEVICE_IDS === 'auto' ? 'auto' : c.INFERENCE_DEVICE_IDS.split(',').map(Number),
      intraOpThreads: c.INFERENCE_THREADS,
      maxQueue: c.INFERENCE_MAX_QUEUE,
      maxBatch: c.INFERENCE_MAX_BATCH,
      batchSizes:
        c.INFERENCE_BATCH_SIZES === 'auto' || c.INFERENCE_BATCH_SIZES === 'exact'
          ? c.INFERENCE_BATCH_SIZES
          : c.INFERENCE_BATCH_SIZES.split(',').map(Number),
      warmup: c.INFERENCE_WARMUP,
      maxWaitMs: c.INFERENCE_MAX_WAIT_MS,
      timeoutMs: c.INFERENCE_TIMEOUT_MS,
    },
    auth: {
      mode: c.AUTH_MODE,
      anonymous: c.AUTH_ANONYMOUS,
      defaultRatePerMinute: c.AUTH_RATE_LIMIT,
      keyCacheMs: c.AUTH_KEY_CACHE_MS,
    },
    mllm: {
      baseUrl: c.MLLM_URL,
      model: c.MLLM_MODEL,
      apiKey: c.MLLM_API_KEY,
      prompt: c.MLLM_PROMPT,
      timeoutMs: c.MLLM_TIMEOUT_MS,
      maxRetries: c.MLLM_MAX_RETRIES,
      retryBaseMs: c.MLLM_RETRY_BASE_MS,
      concurrency: c.MLLM_CONCURRENCY,
      maxTokens: c.MLLM_MAX_TOKENS,
    },
  };
}
