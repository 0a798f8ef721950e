import { RateLimiter, TokenBucket } from '../../../src/auth/tokenBucket';

describe('TokenBucket', () => {
  it('allows a burst of its per-minute budget, then one request per refill interval', () => {
    const b = new TokenBucket(60, 0);
    for (let i = 0; i < 60; i++) expect(b.take(0)).toBe(0);
    expect(b.take(0)).toBe(1000);
    expect(b.take(500)).toBe(500);
    expect(b.take(1000)).toBe(0);
    expect(b.take(1000)).toBe(1000);
  });

  it('refills to its capacity and no further', () => {
    const b = new TokenBucket(2, 0);
    expect(b.take(0)).toBe(0);
    expect(b.take(0)).toBe(0);
    expect(b.take(0)).toBe(30_000);
    // An hour idle still gives only 2 tokens.
    expect(b.take(3_600_000)).toBe(0);
    expect(b.take(3_600_000)).toBe(0);
    expect(b.take(3_600_000)).toBe(30_000);
  });

  it('ignores a clock that steps back', () => {
    const b = new TokenBucket(1, 10_000);
    expect(b.take(10_000)).toBe(0);
    expect(b.take(5_000)).toBe(60_000);
  });
});

describe('RateLimiter', () => {
  it('keeps one bucket per client', () => {
    let now = 0;
    const limiter = new RateLimiter(100, () => now);
    expect(limiter.take('a', 1)).toBe(0);
    expect(limiter.take('a', 1)).toBe(60_000);
    expect(limiter.take('b', 1)).toBe(0);
    now = 60_000;
    expect(limiter.take('a', 1)).toBe(0);
  });

  it('starts a fresh bucket when a client’s rate changes', () => {
    const limiter = new RateLimiter(100, () => 0);
    expect(limiter.take('a', 1)).toBe(0);
    expect(limiter.take('a', 1)).toBeGreaterThan(0);
    expect(limiter.take('a', 5)).toBe(0);
  });

  it('holds at most maxClients buckets, dropping the least recently used', () => {
    const limiter = new RateLimiter(3, () => 0);
    for (const c of ['a', 'b', 'c']) limiter.take(c, 1);
    limiter.take('a', 1); // a is now the most recent (and spent)
    limiter.take('d', 1); // b goes
    expect(limiter.size).toBe(3);
    expect(limiter.take('a', 1)).toBeGreaterThan(0); // still remembered
    expect(limiter.take('b', 1)).toBe(0); // forgotten, so a fresh bucket
  });
});
