import http from 'node:http';
import { ApolloServer, HeaderMap, HTTPGraphQLRequest } from '@apollo/server';
import type { Logger } from '../log/logger';
import type { RequestContext } from '../../resolvers';
import type { Principal } from '../auth/principal';

/**
 * A small node:http front for Apollo: /graphql, /healthz (the process is up) and /readyz (Neo4j
 * reachable and migrations applied). No framework, because the three routes and a body limit are all
 * the service needs, and every dependency is something users must trust.
 */

export interface HttpServerOptions {
  apollo: ApolloServer<RequestContext>;
  context: (principal: Principal) => Promise<RequestContext>;
  /** Authentication (src/auth/httpAuth.ts): the principal, or undefined once it has answered the request. */
  authenticate: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<Principal | undefined>;
  ready: () => Promise<{ ready: boolean; checks: Record<string, string> }>;
  maxBodyBytes: number;
  logger: Logger;
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
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
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
  if (url.pathname === '/healthz') return sendJson(res, 200, { status: 'ok' });
  if (url.pathname === '/readyz') {
    const r = await opts.ready();
    return sendJson(res, r.ready ? 200 : 503, { status: r.ready ? 'ready' : 'not ready', checks: r.checks });
  }
  const principal = await opts.authenticate(req, res);
  if (!principal) return;
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
  const response = await opts.apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest,
    context: () => opts.context(principal),
  });
  for (const [key, value] of response.headers) res.setHeader(key, value);
  res.statusCode = response.status ?? 200;
  if (response.body.kind === 'complete') {
    res.end(response.body.string);
    return;
  }
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}
