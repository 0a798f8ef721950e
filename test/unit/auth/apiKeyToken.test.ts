import { generateApiKey, hashSecret, parseApiKey, secretMatches } from '../../../src/auth/apiKeyToken';

describe('API key tokens', () => {
  it('generates sgk_<id>_<secret> tokens whose stored hash is the SHA-256 of the secret', () => {
    const k = generateApiKey();
    expect(k.token).toMatch(/^sgk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    const parsed = parseApiKey(k.token)!;
    expect(parsed.id).toBe(k.id);
    expect(k.hash).toBe(hashSecret(parsed.secret));
    expect(k.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(k.token).not.toContain(k.hash);
  });

  it('never repeats ids or secrets', () => {
    const keys = Array.from({ length: 200 }, () => generateApiKey());
    expect(new Set(keys.map((k) => k.id)).size).toBe(200);
    expect(new Set(keys.map((k) => k.token)).size).toBe(200);
  });

  it('matches only the right secret', () => {
    const k = generateApiKey();
    const { secret } = parseApiKey(k.token)!;
    expect(secretMatches(secret, k.hash)).toBe(true);
    const flipped = (secret[0] === 'A' ? 'B' : 'A') + secret.slice(1);
    expect(secretMatches(flipped, k.hash)).toBe(false);
    expect(secretMatches(secret, generateApiKey().hash)).toBe(false);
    // A corrupt stored hash (wrong length) is a mismatch, not a crash in timingSafeEqual.
    expect(secretMatches(secret, 'abcd')).toBe(false);
  });

  it('rejects anything that is not a well-formed token before any lookup', () => {
    const { token } = generateApiKey();
    for (const bad of [
      '',
      'sgk_',
      token + 'x',
      token.slice(1),
      token.replace('sgk_', 'sk_'),
      ` ${token}`,
      token.toUpperCase(),
    ]) {
      expect(parseApiKey(bad)).toBeUndefined();
    }
  });
});
