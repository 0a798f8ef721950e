import { AppError, ErrorCode } from '../errors/errors';

/**
 * Authentication and authorisation failures. Each carries GraphQL `extensions` with the HTTP status,
 * which Apollo applies to the response when the error is raised inside execution (the role check);
 * the HTTP front uses `status` directly for the checks it makes before execution.
 */
abstract class AuthError extends AppError {
  abstract readonly status: number;
  get extensions(): Record<string, unknown> {
    return { code: this.code, http: { status: this.status, headers: new Map(Object.entries(this.headers)) } };
  }
  get headers(): Record<string, string> {
    return {};
  }
}

/** No key, or one that is malformed, unknown or revoked (HTTP 401). */
export class UnauthenticatedError extends AuthError {
  readonly status = 401;
  constructor(message: string) {
    super(ErrorCode.UNAUTHENTICATED, message);
  }
  override get headers(): Record<string, string> {
    return { 'www-authenticate': 'Bearer realm="scenegraph"' };
  }
}

/** A valid key whose role is below what the operation needs (HTTP 403). */
export class ForbiddenError extends AuthError {
  readonly status = 403;
  constructor(message: string) {
    super(ErrorCode.FORBIDDEN, message);
  }
}

/** The key's (or the anonymous client's) request budget is spent (HTTP 429, Retry-After in seconds). */
export class RateLimitedError extends AuthError {
  readonly status = 429;
  constructor(readonly retryAfterSeconds: number) {
    super(ErrorCode.RATE_LIMITED, `rate limit reached; retry after ${retryAfterSeconds} s`, {
      retryAfterSeconds,
    });
  }
  override get headers(): Record<string, string> {
    return { 'retry-after': String(this.retryAfterSeconds) };
  }
}

export { AuthError };
