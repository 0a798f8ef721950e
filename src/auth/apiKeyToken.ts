import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * API key tokens: `sgk_<id>_<secret>`. The id (12 hex digits) is public: it names the key in
 * `keys list` and logs and finds its stored record. The secret is 32 random bytes (base64url) and
 * is never stored; the store keeps its SHA-256. A plain hash suffices because the secret carries 256
 * bits of entropy: there is nothing to brute-force, unlike a password, so a slow KDF buys nothing.
 */

const PREFIX = 'sgk';
const ID_BYTES = 6;
const SECRET_BYTES = 32;
const TOKEN_PATTERN = /^sgk_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

export interface GeneratedKey {
  id: string;
  token: string;
  /** SHA-256 of the secret, hex. */
  hash: string;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function generateApiKey(): GeneratedKey {
  const id = randomBytes(ID_BYTES).toString('hex');
  const secret = randomBytes(SECRET_BYTES).toString('base64url');
  return { id, token: `${PREFIX}_${id}_${secret}`, hash: hashSecret(secret) };
}

/** The id and secret of a well-formed token; undefined for anything else (checked before any lookup). */
export function parseApiKey(token: string): { id: string; secret: string } | undefined {
  const m = TOKEN_PATTERN.exec(token);
  return m ? { id: m[1], secret: m[2] } : undefined;
}

/** Compares the secret's hash with the stored one in time independent of where they differ. */
export function secretMatches(secret: string, storedHash: string): boolean {
  const given = Buffer.from(hashSecret(secret), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return stored.length === given.length && timingSafeEqual(given, stored);
}
