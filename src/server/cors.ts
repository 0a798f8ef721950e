import type http from 'node:http';

/**
 * CORS for browser clients, off unless CORS_ORIGINS names origins (or `*`, only when set so). An
 * allowed origin gets Access-Control-Allow-Origin on every answer and a preflight (OPTIONS with
 * Access-Control-Request-Method) is answered here, before GraphQL sees it. Apollo's CSRF prevention
 * stays on regardless: a cross-origin GET or simple POST still needs a preflight-forcing header.
 */

export const CORS_METHODS = 'GET, POST, OPTIONS';
/** Request headers a browser may send: JSON bodies, Apollo's CSRF headers, credentials. */
export const CORS_HEADERS =
  'content-type, apollo-require-preflight, x-apollo-operation-name, authorization, x-api-key';
/** How long a browser may cache a preflight answer, in seconds. */
export const CORS_MAX_AGE_S = 600;

export function isAllowedOrigin(origin: string | undefined, allowed: readonly string[]): boolean {
  return origin !== undefined && (allowed.includes('*') || allowed.includes(origin));
}

/**
 * Sets the CORS headers of a response; returns true when the request was a preflight and has been
 * answered (204 for an allowed origin, 403 otherwise).
 */
export function handleCors(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  allowed: readonly string[],
): boolean {
  const origin = typeof req.headers.origin === 'string' ? req.headers.origin : undefined;
  // Answers depend on Origin whenever CORS is on: caches must not serve one origin's answer to another.
  if (allowed.length > 0) res.setHeader('vary', 'Origin');
  const ok = isAllowedOrigin(origin, allowed);
  if (ok) {
    res.setHeader('access-control-allow-origin', allowed.includes('*') ? '*' : origin!);
    res.setHeader('access-control-expose-headers', 'etag, content-type');
  }
  const preflight = req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
  if (req.method !== 'OPTIONS') return false;
  if (preflight && ok) {
    res.writeHead(204, {
      'access-control-allow-methods': CORS_METHODS,
      'access-control-allow-headers': CORS_HEADERS,
      'access-control-max-age': String(CORS_MAX_AGE_S),
      'content-length': '0',
    });
    res.end();
    return true;
  }
  if (preflight) {
    res.writeHead(403, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify({ error: 'origin not allowed (CORS_ORIGINS)' }));
    return true;
  }
  res.writeHead(204, { allow: CORS_METHODS, 'content-length': '0' });
  res.end();
  return true;
}
