import type { IncomingHttpHeaders } from 'node:http';
import type { Database } from '../db/database';
import type { Config } from '../config/config';
import { findApiKey, type ApiKeyRecord } from './apiKey.store';
import { parseApiKey, secretMatches } from './apiKeyToken';
import { RateLimitedError, UnauthenticatedError } from './authErrors';
import { OPEN_PRINCIPAL, type Principal } from './principal';
import { RateLimiter } from './tokenBucket';

/** Most key lookups kept; past it, the oldest goes (a lookup is one indexed read, so this bounds memory only). */
const MAX_CACHED_KEYS = 10_000;

interface CachedLookup {
  lookup: Promise<ApiKeyRecord | undefined>;
  expires: number;
}

/**
 * Turns a request's headers into a Principal, or throws UnauthenticatedError / RateLimitedError.
 * Key records are cached for `keyCacheMs` (unknown ids too), so a busy client costs one Neo4j read
 * per interval, and a revocation takes effect within that interval. The secret is checked against
 * the cached hash on every request.
 */
export class Authenticator {
  private readonly cache = new Map<string, CachedLookup>();
  private readonly limiter: RateLimiter;

  constructor(
    private readonly db: Database,
    private readonly mode: 'off' | 'keys',
    private readonly settings: Config['auth'],
    private readonly clock: () => number = Date.now,
  ) {
    this.limiter = new RateLimiter(undefined, clock);
  }

  async authenticate(headers: IncomingHttpHeaders, remoteAddress: string | undefined): Promise<Principal> {
    if (this.mode === 'off') return OPEN_PRINCIPAL;
    const token = tokenFrom(headers);
    if (token === undefined) {
      if (this.settings.anonymous !== 'read') {
        throw new UnauthenticatedError(
          'an API key is required: send "Authorization: Bearer <key>" or "X-API-Key: <key>"',
        );
      }
      this.limit(`anonymous:${remoteAddress ?? 'unknown'}`, this.settings.defaultRatePerMinute);
      return { kind: 'anonymous', role: 'read' };
    }
    const parsed = parseApiKey(token);
    if (!parsed) throw new UnauthenticatedError('the API key is malformed');
    const record = await this.lookup(parsed.id);
    // One message for unknown and wrong secret, so a caller cannot probe which ids exist.
    if (!record || !secretMatches(parsed.secret, record.hash))
      throw new UnauthenticatedError('the API key is not valid');
    if (record.revokedAt !== undefined)
      throw new UnauthenticatedError(`API key ${record.id} has been revoked`);
    this.limit(`key:${record.id}`, record.ratePerMinute ?? this.settings.defaultRatePerMinute);
    return { kind: 'key', role: record.role, keyId: record.id, name: record.name };
  }

  private limit(client: string, perMinute: number): void {
    const waitMs = this.limiter.take(client, perMinute);
    if (waitMs > 0) throw new RateLimitedError(Math.max(1, Math.ceil(waitMs / 1000)));
  }

  private lookup(id: string): Promise<ApiKeyRecord | undefined> {
    const now = this.clock();
    const cached = this.cache.get(id);
    if (cached && cached.expires > now) return cached.lookup;
    this.cache.delete(id);
    const entry: CachedLookup = { lookup: findApiKey(this.db, id), expires: now + this.settings.keyCacheMs };
    // A failed read (Neo4j down) is not remembered: the next request tries again.
    entry.lookup.catch(() => {
      if (this.cache.get(id) === entry) this.cache.delete(id);
    });
    this.cache.set(id, entry);
    if (this.cache.size > MAX_CACHED_KEYS) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    return entry.lookup;
  }
}

/** The key from `Authorization: Bearer <key>` or `X-API-Key: <key>`; undefined when neither is sent. */
export function tokenFrom(headers: IncomingHttpHeaders): string | undefined {
  const authorization = headers.authorization;
  if (authorization !== undefined) {
    const m = /^Bearer +(\S+) *$/i.exec(authorization);
    if (!m) throw new UnauthenticatedError('the Authorization header must be "Bearer <API key>"');
    return m[1];
  }
  const apiKey = headers['x-api-key'];
  if (apiKey === undefined) return undefined;
  if (Array.isArray(apiKey)) throw new UnauthenticatedError('send one X-API-Key header');
  return apiKey.trim();
}
