import http from 'node:http';
import { ApolloServer, HeaderMap, HTTPGraphQLRequest } from '@apollo/server';
import type { Logger } from '../log/logger';
import type { RequestContext } from '../../resolvers';
import type { Principal } from '../auth/principal';
import { handleCors } from './cors';
import type { HttpDrain } from './drain';

/**
 * A small node:http front for Apollo: /graphql, /healthz (the process is up), /readyz (Neo4j
 * reachable and migrations applied) and /images/<id> (stored images, src/server/imageRoute.ts), with
 * CORS (src/server/cors.ts) and a time bound per request. No framework, because these routes and a
 * body limit are all the service needs, and every dependency is something users must trust.
 */

export interface HttpServerOptions {
  apollo: ApolloServer<RequestContext>;
  context: (principal: Principal) => Promise<RequestContext>;
  /** Authentication (src/auth/httpAuth.ts): the principal, or undefined once it has answered the request. */
  authenticate: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<Principal | undefined>;
  ready: () => Promise<{ ready: boolean; checks: Record<string, string> }>;
  maxBodyBytes: number;
  logger: Logger;
  /** Origins allowed by CORS (CORS_ORIGINS); empty: no CORS headers. */
  corsOrigins?: readonly string[];
  /** A GraphQL request still running after this long is answered 504 TIMEOUT (REQUEST_TIMEOUT_MS). */
  requestTimeoutMs?: number;
  /** Graceful shutdown (src/server/drain.ts): counts running requests; once draining, new ones get 503. */
  drain?: HttpDrain;
  /** Serves `GET /images/<id>`; without it the route is 404. */
  images?: (
    req: http.IncomingMessage,
    res: http.ServerResponse,
    imageId: string,
    search: URLSearchParams,
  ) => Promise<void>;
}

class BodyTooLargeError extends Error {}

function readBody(req: http.IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new BodyTooLargeError());
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

/** Routes requests of an existing server (created first, because Apollo's drain plugin needs it). */
export function attachRoutes(server: http.Server, opts: HttpServerOptions): void {
  boundRequestTime(server, opts.requestTimeoutMs);
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    opts.drain?.track(req, res);
    handle(req, res, opts).catch((err: unknown) => {
      opts.logger.error({ err }, 'unhandled HTTP error');
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
      else res.end();
    });
  });
}

async function handle(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  opts: HttpServerOptions,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (handleCors(req, res, opts.corsOrigins ?? [])) return;
  if (opts.drain?.isDraining) {
    return sendJson(res, 503, {
      errors: [{ message: 'the service is shutting down', extensions: { code: 'SHUTTING_DOWN' } }],
    });
  }
  if (url.pathname === '/healthz') return sendJson(res, 200, { status: 'ok' });
  if (url.pathname === '/readyz') {
    const r = await opts.ready();
    return sendJson(res, r.ready ? 200 : 503, { status: r.ready ? 'ready' : 'not ready', checks: r.checks });
  }
  const principal = await opts.authenticate(req, res);
  if (!principal) return;
  const imageId = /^\/images\/([^/]+)$/.exec(url.pathname)?.[1];
  if (imageId !== undefined && opts.images) {
    return opts.images(req, res, safeDecode(imageId), url.searchParams);
  }
  if (url.pathname !== '/graphql')
    return sendJson(res, 404, { error: `no route ${url.pathname}; try /graphql` });

  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  let body: unknown;
  if (req.method === 'POST') {
    let text: string;
    try {
      text = await readBody(req, opts.maxBodyBytes);
    } catch (err) {
      if (err instanceof BodyTooLargeError) {
        return sendJson(res, 413, {
          errors: [
            {
              message: `request body over ${opts.maxBodyBytes} bytes`,
              extensions: { code: 'PAYLOAD_TOO_LARGE' },
            },
          ],
        });
      }
      throw err;
    }
    const type = headers.get('content-type') ?? '';
    if (type.startsWith('application/json') || type.startsWith('application/graphql-response+json')) {
      try {
        body = text.length > 0 ? JSON.parse(text) : undefined;
      } catch {
        return sendJson(res, 400, {
          errors: [{ message: 'request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }],
        });
      }
    } else {
      body = text;
    }
  }
  const httpGraphQLRequest: HTTPGraphQLRequest = {
    method: (req.method ?? 'GET').toUpperCase(),
    headers,
    search: url.search,
    body,
  };
  const response = await withTimeout(
    opts.apollo.executeHTTPGraphQLRequest({ httpGraphQLRequest, context: () => opts.context(principal) }),
    opts.requestTimeoutMs,
  );
  if (response === TIMED_OUT) {
    opts.logger.warn({ path: url.pathname, timeoutMs: opts.requestTimeoutMs }, 'request timed out');
    return sendJson(res, 504, {
      errors: [
        {
          message: `The request took longer than ${opts.requestTimeoutMs} ms (REQUEST_TIMEOUT_MS)`,
          extensions: { code: 'TIMEOUT' },
        },
      ],
    });
  }
  for (const [key, value] of response.headers) {
    // Keep `Vary: Origin` (CORS) beside Apollo's own Vary.
    const vary = key === 'vary' ? res.getHeader('vary') : undefined;
    res.setHeader(key, vary ? `${String(vary)}, ${value}` : value);
  }
  // Answers depend on the store and the caller: never cached (Apollo's cache-control plugin is off).
  if (!res.hasHeader('cache-control')) res.setHeader('cache-control', 'no-store');
  res.statusCode = response.status ?? 200;
  if (response.body.kind === 'complete') {
    res.end(response.body.string);
    return;
  }
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

const TIMED_OUT = Symbol('timed out');

/**
 * The answer, or TIMED_OUT after `ms`. The work itself goes on (JavaScript cannot cancel it; Neo4j
 * transactions have the same bound server-side), but the client is answered and its socket freed.
 */
async function withTimeout<T>(work: Promise<T>, ms: number | undefined): Promise<T | typeof TIMED_OUT> {
  if (!ms) return work;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Slow clients too: receiving a request (headers and body) must finish within the same bound. */
function boundRequestTime(server: http.Server, ms: number | undefined): void {
  if (!ms) return;
  server.requestTimeout = ms;
  server.headersTimeout = Math.min(server.headersTimeout, ms);
}
