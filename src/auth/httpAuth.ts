import type http from 'node:http';
import { AppError, ErrorCode } from '../errors/errors';
import type { Logger } from '../log/logger';
import { AuthError } from './authErrors';
import type { Authenticator } from './authenticator';
import type { Principal } from './principal';

/** Paths that never need a key: orchestrators probe them without credentials. */
const OPEN_PATHS = new Set(['/healthz', '/readyz']);

/**
 * The HTTP front's one authentication step, before any GraphQL parsing or execution. Returns the
 * principal, or answers the request itself (401, 429, or 503 when the key store is unreachable) and
 * returns undefined. CORS preflights (OPTIONS) pass, because browsers send them without credentials;
 * they and the open paths get the least privilege, though neither executes an operation.
 */
export async function authenticateRequest(
  authenticator: Authenticator,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  logger: Logger,
): Promise<Principal | undefined> {
  const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
  if (OPEN_PATHS.has(pathname) || req.method === 'OPTIONS') return { kind: 'anonymous', role: 'read' };
  try {
    return await authenticator.authenticate(req.headers, req.socket.remoteAddress);
  } catch (err) {
    if (err instanceof AuthError) {
      logger.debug({ code: err.code, path: pathname }, 'request refused');
      return reject(res, err.status, err.code, err.message, err.headers);
    }
    if (err instanceof AppError && err.code === ErrorCode.DATABASE_UNAVAILABLE) {
      logger.error({ err }, 'API key lookup failed');
      return reject(res, 503, err.code, 'cannot check the API key: the database is unavailable', {});
    }
    throw err;
  }
}

function reject(
  res: http.ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string>,
): undefined {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify({ errors: [{ message, extensions: { code } }] }));
  return undefined;
}
