import type http from 'node:http';
import type { Authenticator } from '../../../src/auth/authenticator';
import { RateLimitedError, UnauthenticatedError } from '../../../src/auth/authErrors';
import { authenticateRequest } from '../../../src/auth/httpAuth';
import type { Principal } from '../../../src/auth/principal';
import { AppError, ErrorCode } from '../../../src/errors/errors';
import { createLogger } from '../../../src/log/logger';

/** The HTTP answers of the authentication step, with a stand-in authenticator. */

function fakeAuthenticator(outcome: () => Promise<Principal>): Authenticator {
  return { authenticate: outcome } as unknown as Authenticator;
}

function request(url: string, method = 'POST'): http.IncomingMessage {
  return {
    url,
    method,
    headers: {},
    socket: { remoteAddress: '10.0.0.1' },
  } as unknown as http.IncomingMessage;
}

function response() {
  const sent: { status?: number; headers?: Record<string, string>; body?: string } = {};
  const res = {
    writeHead: (status: number, headers: Record<string, string>) => Object.assign(sent, { status, headers }),
    end: (body: string) => Object.assign(sent, { body }),
  } as unknown as http.ServerResponse;
  return { res, sent };
}

const logger = createLogger('silent');

describe('authenticateRequest', () => {
  it('passes the principal through', async () => {
    const principal: Principal = { kind: 'key', role: 'write', keyId: 'abc', name: 'ci' };
    const { res, sent } = response();
    expect(
      await authenticateRequest(
        fakeAuthenticator(() => Promise.resolve(principal)),
        request('/graphql'),
        res,
        logger,
      ),
    ).toBe(principal);
    expect(sent.status).toBeUndefined();
  });

  it('answers 401 and 429 itself, with their headers', async () => {
    for (const [err, status, header] of [
      [new UnauthenticatedError('no'), 401, 'www-authenticate'],
      [new RateLimitedError(7), 429, 'retry-after'],
    ] as const) {
      const { res, sent } = response();
      const got = await authenticateRequest(
        fakeAuthenticator(() => Promise.reject(err)),
        request('/graphql'),
        res,
        logger,
      );
      expect(got).toBeUndefined();
      expect(sent.status).toBe(status);
      expect(sent.headers?.[header]).toBeDefined();
      expect(JSON.parse(sent.body!)).toEqual({
        errors: [{ message: err.message, extensions: { code: err.code } }],
      });
    }
  });

  it('answers 503 when the key store is unreachable, and lets other failures through', async () => {
    const { res, sent } = response();
    const down = new AppError(
      ErrorCode.DATABASE_UNAVAILABLE,
      'Neo4j apiKeys.find failed: database unavailable',
    );
    expect(
      await authenticateRequest(
        fakeAuthenticator(() => Promise.reject(down)),
        request('/graphql'),
        res,
        logger,
      ),
    ).toBeUndefined();
    expect(sent.status).toBe(503);
    const boom = new Error('boom');
    await expect(
      authenticateRequest(
        fakeAuthenticator(() => Promise.reject(boom)),
        request('/graphql'),
        response().res,
        logger,
      ),
    ).rejects.toBe(boom);
  });

  it('does not ask for a key on the health checks and CORS preflights', async () => {
    const never = fakeAuthenticator(() => Promise.reject(new UnauthenticatedError('asked')));
    for (const req of [
      request('/healthz', 'GET'),
      request('/readyz?x=1', 'GET'),
      request('/graphql', 'OPTIONS'),
    ]) {
      expect(await authenticateRequest(never, req, response().res, logger)).toEqual({
        kind: 'anonymous',
        role: 'read',
      });
    }
  });
});
