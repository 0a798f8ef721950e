/**
 * HTTP for the model store, on Node's global fetch. Two things fetch does not do for us:
 *
 * - Redirects are followed here (`redirect: 'manual'`), because the hub answers a file request with a
 *   302 to its CDN: the token must go to the hub only, never to the CDN host, and the hub's own headers
 *   on the first hop (`X-Repo-Commit`) must be kept.
 * - Time limits are idle limits, not total ones: a 1.3 GB file may take many minutes, but no response
 *   within `timeoutMs`, or no byte for `timeoutMs` in the middle of a body, means a stalled transfer.
 *
 * Failures become a `TransferFailure` whose kind decides what the caller does: `unreachable` (DNS,
 * refused, TLS) is final, `timeout` and `interrupted` are worth a retry (with a Range request for the
 * rest), `http` carries the status.
 */

import { VERSION } from '../../src/version';

export type FailureKind = 'unreachable' | 'timeout' | 'interrupted' | 'http';

export class TransferFailure extends Error {
  constructor(
    readonly kind: FailureKind,
    message: string,
    readonly url: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** Worth trying again: stalls, dropped connections, server-side trouble and rate limits. */
  get retryable(): boolean {
    if (this.kind === 'timeout' || this.kind === 'interrupted') return true;
    return this.kind === 'http' && (this.status === 408 || this.status === 429 || (this.status ?? 0) >= 500);
  }
}

/** Aborts the request when nothing happened for `ms`; `touch()` on every sign of life. */
export class IdleDeadline {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  timedOut = false;

  constructor(readonly ms: number) {
    this.touch();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  touch(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.controller.abort();
    }, this.ms);
  }

  clear(): void {
    clearTimeout(this.timer);
  }
}

const UNREACHABLE_CODES: Record<string, string> = {
  ENOTFOUND: 'DNS lookup failed',
  EAI_AGAIN: 'DNS lookup failed',
  ECONNREFUSED: 'connection refused',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EADDRNOTAVAIL: 'address not available',
};

function errorCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let i = 0; i < 4 && e && typeof e === 'object'; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The deepest message in a cause chain ("connect ECONNREFUSED 127.0.0.1:1234" under "fetch failed"). */
function innermostMessage(err: unknown): string {
  // Duck-typed, not `instanceof Error`: errors from fetch may come from another realm (jest's vm).
  const messageOf = (e: unknown) =>
    e && typeof e === 'object' && typeof (e as { message?: unknown }).message === 'string'
      ? (e as { message: string }).message
      : '';
  let e: unknown = err;
  let msg = messageOf(err) || String(err);
  for (let i = 0; i < 4 && e && typeof e === 'object'; i++) {
    msg = messageOf(e) || msg;
    e = (e as { cause?: unknown }).cause;
  }
  return msg;
}

/** Turns what fetch (or reading its body) threw into a `TransferFailure`. */
export function classifyFailure(err: unknown, url: string, deadline?: IdleDeadline): TransferFailure {
  if (err instanceof TransferFailure) return err;
  if (deadline?.timedOut) {
    const wait = deadline.ms < 1000 ? `${deadline.ms} ms` : `${Math.round(deadline.ms / 1000)} s`;
    return new TransferFailure('timeout', `no data for ${wait}`, url, undefined, {
      cause: err,
    });
  }
  const code = errorCode(err);
  if (code && UNREACHABLE_CODES[code]) {
    return new TransferFailure(
      'unreachable',
      `${UNREACHABLE_CODES[code]} (${innermostMessage(err)})`,
      url,
      undefined,
      {
        cause: err,
      },
    );
  }
  if (code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'ETIMEDOUT') {
    return new TransferFailure('timeout', `connection timed out (${code})`, url, undefined, { cause: err });
  }
  if (code?.startsWith('ERR_TLS') || code?.includes('CERT') || code === 'ERR_INVALID_URL') {
    return new TransferFailure('unreachable', innermostMessage(err), url, undefined, { cause: err });
  }
  return new TransferFailure(
    'interrupted',
    `connection failed or dropped (${code ?? innermostMessage(err)})`,
    url,
    undefined,
    { cause: err },
  );
}

export interface RequestOptions {
  method?: 'GET' | 'HEAD';
  headers?: Record<string, string>;
  /** Sent as `Authorization: Bearer` to `authOrigin` only. */
  token?: string;
  authOrigin?: string;
  deadline: IdleDeadline;
  fetch?: typeof fetch;
  maxRedirects?: number;
}

export interface OpenedResponse {
  response: Response;
  /** Where the body actually comes from, after redirects. */
  url: string;
  /** Headers of the first response (the hub's own, before any redirect to a CDN). */
  firstHeaders: Headers;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** Sends the request, following redirects by hand; the body of the returned response is unread. */
export async function openRequest(url: string, opts: RequestOptions): Promise<OpenedResponse> {
  const doFetch = opts.fetch ?? fetch;
  let current = url;
  let firstHeaders: Headers | undefined;
  const maxRedirects = opts.maxRedirects ?? 10;
  for (let hop = 0; hop <= maxRedirects; hop++) {
    const headers: Record<string, string> = { 'user-agent': `scenegraph/${VERSION}`, ...opts.headers };
    if (opts.token && opts.authOrigin && new URL(current).origin === opts.authOrigin) {
      headers.authorization = `Bearer ${opts.token}`;
    }
    let response: Response;
    try {
      response = await doFetch(current, {
        method: opts.method ?? 'GET',
        headers,
        redirect: 'manual',
        signal: opts.deadline.signal,
      });
    } catch (err) {
      throw classifyFailure(err, current, opts.deadline);
    }
    opts.deadline.touch();
    firstHeaders ??= response.headers;
    const location = response.headers.get('location');
    if (REDIRECTS.has(response.status) && location) {
      await response.body?.cancel().catch(() => undefined);
      current = new URL(location, current).toString();
      continue;
    }
    return { response, url: current, firstHeaders };
  }
  throw new TransferFailure('http', `more than ${maxRedirects} redirects`, current);
}
