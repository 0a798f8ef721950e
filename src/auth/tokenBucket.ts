/**
 * Token-bucket rate limiting. A bucket holds up to `perMinute` tokens and refills continuously at
 * `perMinute` per minute; each request takes one. So a client may burst up to its per-minute budget,
 * then proceeds at the sustained rate. Pure: the clock is passed in, so tests need no timers.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    readonly perMinute: number,
    now: number,
  ) {
    this.tokens = perMinute;
    this.updatedAt = now;
  }

  /** Takes a token: 0 when one was available, else the ms until one will be. */
  take(now: number): number {
    const refillPerMs = this.perMinute / 60_000;
    this.tokens = Math.min(this.perMinute, this.tokens + Math.max(0, now - this.updatedAt) * refillPerMs);
    this.updatedAt = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - this.tokens) / refillPerMs);
  }
}

/**
 * One bucket per client (key id, or the address of an anonymous client), bounded: when full, the
 * least recently used bucket goes. Evicting forgets a client's debt, so the bound is set well above
 * the number of clients a service sees within a minute.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly maxClients = 10_000,
    private readonly clock: () => number = Date.now,
  ) {}

  /** 0 when the request may proceed, else the ms to wait. A changed rate starts a fresh bucket. */
  take(client: string, perMinute: number): number {
    const now = this.clock();
    let bucket = this.buckets.get(client);
    if (bucket) this.buckets.delete(client);
    if (!bucket || bucket.perMinute !== perMinute) bucket = new TokenBucket(perMinute, now);
    this.buckets.set(client, bucket);
    if (this.buckets.size > this.maxClients) {
      const oldest = this.buckets.keys().next().value;
      if (oldest !== undefined) this.buckets.delete(oldest);
    }
    return bucket.take(now);
  }

  get size(): number {
    return this.buckets.size;
  }
}
